/** Dense format: every value stored, row-major. The identity "compression". */
import { assertDims, elementCount, type DenseArray } from '../dense-array.ts';
import { FormatError, assertIntegerArray } from './format-error.ts';

export type DenseBuffer = DenseArray;

export function encodeDense(tensor: DenseArray): DenseBuffer {
  validateDense(tensor);
  return { dims: [...tensor.dims], values: tensor.values.slice() };
}

export function decodeDense(buffer: DenseBuffer): DenseArray {
  validateDense(buffer);
  return { dims: [...buffer.dims], values: buffer.values.slice() };
}

export function validateDense(buffer: DenseBuffer): void {
  try {
    assertDims(buffer.dims, 'dense');
  } catch (error) {
    throw new FormatError('dense', (error as Error).message);
  }
  assertIntegerArray('dense', 'values', buffer.values, 'Int32Array');
  const expected = elementCount(buffer.dims);
  if (buffer.values.length !== expected) {
    throw new FormatError(
      'dense',
      `values holds ${buffer.values.length} elements but dims [${buffer.dims.join(', ')}] need ${expected}`,
    );
  }
}
