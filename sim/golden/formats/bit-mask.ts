/**
 * Bit masks shared by the bitmap and ZVC formats: element i is bit (i mod 32) of
 * 32-bit word floor(i / 32), least significant bit first, as a hardware shift
 * register fills them.
 */

export function maskWordCount(length: number): number {
  return Math.ceil(length / 32);
}

export function isBitSet(mask: Uint32Array, index: number): boolean {
  return ((mask[index >>> 5]! >>> (index & 31)) & 1) === 1;
}

export function popcount32(word: number): number {
  let x = word >>> 0;
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Mask of the non-zeros of `values`, and the non-zeros packed in order. */
export function packNonZeros(values: Int32Array): { mask: Uint32Array; packed: Int32Array } {
  const mask = new Uint32Array(maskWordCount(values.length));
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== 0) {
      mask[i >>> 5] = (mask[i >>> 5]! | (1 << (i & 31))) >>> 0;
      count++;
    }
  }
  const packed = new Int32Array(count);
  let next = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) packed[next++] = values[i]!;
  return { mask, packed };
}

/** Index of the first set bit at or beyond `length` in the last word, or -1. */
export function firstBitBeyond(mask: Uint32Array, length: number): number {
  for (let i = length; i < mask.length * 32; i++) if (isBitSet(mask, i)) return i;
  return -1;
}
