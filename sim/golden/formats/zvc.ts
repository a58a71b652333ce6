/**
 * cDMA zero-value compression (Rhu et al., HPCA 2018) of a flat stream: windows of
 * 32 values, each stored as a 32-bit mask of its non-zeros followed by those
 * non-zeros. The last window may be partial: it still has a full mask word whose
 * bits for the missing positions are zero, and the stream length travels out of band.
 */
import { assertStream } from '../dense-array.ts';
import { firstBitBeyond, isBitSet, maskWordCount, packNonZeros, popcount32 } from './bit-mask.ts';
import { FormatError, assertIntegerArray, assertSize } from './format-error.ts';

export const ZVC_WINDOW = 32;

export interface ZvcBuffer {
  /** Number of values in the uncompressed stream. */
  readonly length: number;
  /** One mask per window: ceil(length / 32) words, bit i = value 32*w + i is non-zero. */
  readonly masks: Uint32Array;
  /** All windows' non-zeros, window after window. */
  readonly values: Int32Array;
}

export function encodeZvc(stream: Int32Array): ZvcBuffer {
  assertStream(stream, 'encodeZvc');
  const { mask, packed } = packNonZeros(stream);
  return { length: stream.length, masks: mask, values: packed };
}

export function decodeZvc(buffer: ZvcBuffer): Int32Array {
  validateZvc(buffer);
  const out = new Int32Array(buffer.length);
  let next = 0;
  for (let i = 0; i < buffer.length; i++) if (isBitSet(buffer.masks, i)) out[i] = buffer.values[next++]!;
  return out;
}

export function validateZvc(buffer: ZvcBuffer): void {
  const length = assertSize('ZVC', 'length', buffer.length);
  assertIntegerArray('ZVC', 'masks', buffer.masks, 'Uint32Array');
  assertIntegerArray('ZVC', 'values', buffer.values, 'Int32Array');
  const windows = maskWordCount(length);
  if (buffer.masks.length !== windows) {
    throw new FormatError('ZVC', `${buffer.masks.length} window masks for ${length} values; expected ${windows}`);
  }
  const stray = firstBitBeyond(buffer.masks, length);
  if (stray >= 0) {
    throw new FormatError(
      'ZVC',
      `mask bit ${stray % ZVC_WINDOW} of the last window is set but the stream ends at value ${length}`,
    );
  }
  let ones = 0;
  for (const mask of buffer.masks) ones += popcount32(mask);
  if (ones !== buffer.values.length) {
    throw new FormatError('ZVC', `masks mark ${ones} non-zeros but values holds ${buffer.values.length}`);
  }
  const zeroAt = buffer.values.indexOf(0);
  if (zeroAt >= 0) throw new FormatError('ZVC', `packed value ${zeroAt} is zero; zeros must not be stored`);
}

/**
 * The wire layout: per window, its mask word then its non-zeros, one 32-bit word
 * each (two's complement), as the DMA engine would write them to memory.
 */
export function zvcToWords(buffer: ZvcBuffer): Uint32Array {
  validateZvc(buffer);
  const words = new Uint32Array(buffer.masks.length + buffer.values.length);
  let out = 0;
  let next = 0;
  for (const mask of buffer.masks) {
    words[out++] = mask;
    for (let k = popcount32(mask); k > 0; k--) words[out++] = buffer.values[next++]! >>> 0;
  }
  return words;
}

export function zvcFromWords(words: Uint32Array, length: number): ZvcBuffer {
  assertIntegerArray('ZVC', 'words', words, 'Uint32Array');
  assertSize('ZVC', 'length', length);
  const windows = maskWordCount(length);
  const masks = new Uint32Array(windows);
  const values: number[] = [];
  let at = 0;
  for (let w = 0; w < windows; w++) {
    if (at >= words.length) {
      throw new FormatError('ZVC', `word stream ends before window ${w} of ${windows}`);
    }
    const mask = words[at++]!;
    masks[w] = mask;
    const count = popcount32(mask);
    if (at + count > words.length) {
      throw new FormatError('ZVC', `window ${w} announces ${count} non-zeros but the stream ends first`);
    }
    for (let k = 0; k < count; k++) values.push(words[at++]! | 0);
  }
  if (at !== words.length) {
    throw new FormatError('ZVC', `${words.length - at} words follow the last window`);
  }
  const buffer = { length, masks, values: Int32Array.from(values) };
  validateZvc(buffer);
  return buffer;
}
