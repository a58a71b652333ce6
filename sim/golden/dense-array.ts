/**
 * The one in-memory tensor shape of the golden models: a row-major Int32Array with
 * its dimensions (NCHW activations, KCRS weights, rows x cols matrices).
 */
export interface DenseArray {
  readonly dims: readonly number[];
  readonly values: Int32Array;
}

export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const d of dims) count *= d;
  return count;
}

/** Throws unless every dimension is a non-negative integer; `label` names the tensor. */
export function assertDims(dims: readonly number[], label: string): void {
  if (!Array.isArray(dims) || dims.length === 0) {
    throw new RangeError(`${label}: dims must be a non-empty array of sizes`);
  }
  for (const [axis, d] of dims.entries()) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${label}: dimension ${axis} is ${d}; sizes must be non-negative integers`);
    }
  }
}

export function makeDense(dims: readonly number[], values?: ArrayLike<number>): DenseArray {
  assertDims(dims, 'makeDense');
  const count = elementCount(dims);
  if (values !== undefined && values.length !== count) {
    throw new RangeError(
      `makeDense: ${values.length} values given for dims [${dims.join(', ')}], which hold ${count}`,
    );
  }
  return { dims: [...dims], values: values === undefined ? new Int32Array(count) : Int32Array.from(values) };
}

export function countNonZeros(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) count++;
  return count;
}
