/** Entry checks shared by the reference computations: right length, right type, values that fit. */
import { elementCount } from './dense-array.ts';
import { assertOperandsFit, validateNumberFormat, DEFAULT_NUMBER_FORMAT, type ComputeOptions, type NumberFormat } from './fixed-point.ts';

export function assertOperand(
  values: Int32Array,
  dims: readonly number[],
  label: string,
  format: NumberFormat,
): void {
  if (!(values instanceof Int32Array)) throw new TypeError(`${label} must be an Int32Array`);
  const expected = elementCount(dims);
  if (values.length !== expected) {
    throw new RangeError(
      `${label} holds ${values.length} values but its shape [${dims.join(', ')}] needs ${expected}`,
    );
  }
  assertOperandsFit(values, format.operandBits, label);
}

export interface ResolvedOptions {
  readonly format: NumberFormat;
  readonly onOverflow: 'throw' | 'wrap';
  readonly label: string;
}

export function resolveOptions(options: ComputeOptions | undefined, defaultLabel: string): ResolvedOptions {
  return {
    format: validateNumberFormat(options?.format ?? DEFAULT_NUMBER_FORMAT),
    onOverflow: options?.onOverflow ?? 'throw',
    label: options?.label ?? defaultLabel,
  };
}

/** Formats a flat NCHW/KCRS index as named coordinates for error messages. */
export function describeIndex4(index: number, dims: readonly number[], names: string): string {
  const coords: number[] = [];
  let rest = index;
  for (let d = dims.length - 1; d >= 0; d--) {
    coords.unshift(rest % dims[d]!);
    rest = Math.floor(rest / dims[d]!);
  }
  return `(${names.split('').map((n, i) => `${n}=${coords[i]}`).join(', ')})`;
}
