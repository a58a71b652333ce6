/**
 * Bitmap format: one presence bit per element (see bit-mask.ts for bit order),
 * then the non-zero values packed in row-major order.
 */
import { assertDims, assertTensor, elementCount, type DenseArray } from '../dense-array.ts';
import { firstBitBeyond, isBitSet, maskWordCount, packNonZeros, popcount32 } from './bit-mask.ts';
import { FormatError, assertIntegerArray } from './format-error.ts';

export interface BitmapBuffer {
  readonly dims: readonly number[];
  /** ceil(elements / 32) words; bits beyond the last element are zero. */
  readonly mask: Uint32Array;
  /** Non-zero values in row-major order; none of them is zero. */
  readonly values: Int32Array;
}

export function encodeBitmap(tensor: DenseArray): BitmapBuffer {
  assertTensor(tensor, 'encodeBitmap');
  const { mask, packed } = packNonZeros(tensor.values);
  return { dims: [...tensor.dims], mask, values: packed };
}

export function decodeBitmap(buffer: BitmapBuffer): DenseArray {
  validateBitmap(buffer);
  const count = elementCount(buffer.dims);
  const values = new Int32Array(count);
  let next = 0;
  for (let i = 0; i < count; i++) if (isBitSet(buffer.mask, i)) values[i] = buffer.values[next++]!;
  return { dims: [...buffer.dims], values };
}

export function validateBitmap(buffer: BitmapBuffer): void {
  try {
    assertDims(buffer.dims, 'bitmap');
  } catch (error) {
    throw new FormatError('bitmap', (error as Error).message);
  }
  assertIntegerArray('bitmap', 'mask', buffer.mask, 'Uint32Array');
  assertIntegerArray('bitmap', 'values', buffer.values, 'Int32Array');
  const count = elementCount(buffer.dims);
  const words = maskWordCount(count);
  if (buffer.mask.length !== words) {
    throw new FormatError('bitmap', `mask has ${buffer.mask.length} words but ${count} elements need ${words}`);
  }
  const stray = firstBitBeyond(buffer.mask, count);
  if (stray >= 0) {
    throw new FormatError('bitmap', `mask bit ${stray} is set but the tensor has only ${count} elements`);
  }
  let ones = 0;
  for (const word of buffer.mask) ones += popcount32(word);
  if (ones !== buffer.values.length) {
    throw new FormatError('bitmap', `mask marks ${ones} non-zeros but values holds ${buffer.values.length}`);
  }
  const zeroAt = buffer.values.indexOf(0);
  if (zeroAt >= 0) {
    throw new FormatError('bitmap', `packed value ${zeroAt} is zero; zeros must be absent from values`);
  }
}
