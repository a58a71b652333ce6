import { HwError } from './errors.ts';
import { SourceLoc } from './source.ts';

/** A ground type: a bit vector with a width and a signedness. */
export interface BitsType {
  readonly kind: 'bits';
  readonly width: number;
  readonly signed: boolean;
}

export interface VecType<E extends HwType = HwType> {
  readonly kind: 'vec';
  readonly length: number;
  readonly element: E;
}

export interface BundleType<F extends Record<string, HwType> = Record<string, HwType>> {
  readonly kind: 'bundle';
  readonly fields: F;
}

export type HwType = BitsType | VecType<any> | BundleType<any>;

function checkWidth(width: number, what: string): void {
  if (!Number.isInteger(width) || width < 1) {
    throw new HwError(`${what} width must be a positive integer, got ${width}`, SourceLoc.capture());
  }
}

export function UInt(width: number): BitsType {
  checkWidth(width, 'UInt');
  return { kind: 'bits', width, signed: false };
}

export function SInt(width: number): BitsType {
  checkWidth(width, 'SInt');
  return { kind: 'bits', width, signed: true };
}

export function Bool(): BitsType {
  return { kind: 'bits', width: 1, signed: false };
}

export function Vec<E extends HwType>(length: number, element: E): VecType<E> {
  if (!Number.isInteger(length) || length < 1) {
    throw new HwError(`Vec length must be a positive integer, got ${length}`, SourceLoc.capture());
  }
  return { kind: 'vec', length, element };
}

export function Bundle<F extends Record<string, HwType>>(fields: F): BundleType<F> {
  return { kind: 'bundle', fields };
}

export function typeName(t: HwType): string {
  switch (t.kind) {
    case 'bits':
      return t.width === 1 && !t.signed ? 'Bool/UInt(1)' : `${t.signed ? 'SInt' : 'UInt'}(${t.width})`;
    case 'vec':
      return `Vec(${t.length}, ${typeName(t.element)})`;
    case 'bundle':
      return `Bundle{${Object.entries(t.fields)
        .map(([k, v]) => `${k}: ${typeName(v as HwType)}`)
        .join(', ')}}`;
  }
}

/** Total number of bits of a type once flattened. */
export function bitCount(t: HwType): number {
  switch (t.kind) {
    case 'bits':
      return t.width;
    case 'vec':
      return t.length * bitCount(t.element);
    case 'bundle':
      return Object.values(t.fields).reduce((s: number, f) => s + bitCount(f as HwType), 0);
  }
}

/** Number of bits needed to hold values 0..n-1 (at least 1). */
export function log2Ceil(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new HwError(`log2Ceil needs a positive integer, got ${n}`);
  return Math.max(1, Math.ceil(Math.log2(n)));
}

/** Number of bits needed to hold the value n itself. */
export function bitsFor(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new HwError(`bitsFor needs a non-negative integer, got ${n}`);
  return Math.max(1, Math.ceil(Math.log2(n + 1)));
}
