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

/**
 * Throws unless `tensor` is a well-formed dense array: valid dims, an Int32Array
 * of values, exactly as many values as the dims hold. Encoders call it first so
 * that an inconsistent tensor is refused rather than silently padded or cut.
 */
export function assertTensor(tensor: DenseArray, label: string): void {
  if (typeof tensor !== 'object' || tensor === null) throw new RangeError(`${label}: expected a tensor { dims, values }`);
  assertDims(tensor.dims, label);
  if (!(tensor.values instanceof Int32Array)) throw new RangeError(`${label}: values must be an Int32Array`);
  const count = elementCount(tensor.dims);
  if (tensor.values.length !== count) {
    throw new RangeError(`${label}: ${tensor.values.length} values given for dims [${tensor.dims.join(', ')}], which hold ${count}`);
  }
}

/** Throws unless `stream` is an Int32Array; `label` names the encoder. */
export function assertStream(stream: Int32Array, label: string): void {
  if (!(stream instanceof Int32Array)) throw new RangeError(`${label}: the stream must be an Int32Array`);
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
