/**
 * SCNN's compressed operand format (Parashar et al., ISCA 2017): each stored entry
 * is a value plus a 4-bit count of the zeros before it. A run of more than 15 zeros
 * is broken by a placeholder entry (value 0, run 15) that stands for 16 zeros.
 * Each block (a Kc x R x S weight block or a Wt x Ht x C activation tile) is
 * compressed on its own: runs restart at every block boundary, and zeros after a
 * block's last non-zero are implied by the block length rather than stored.
 */
import { assertStream } from '../dense-array.ts';
import { FormatError, assertIntegerArray, assertSize } from './format-error.ts';

export const SCNN_MAX_RUN = 15;

export interface ScnnRleBuffer {
  /** Total number of values across all blocks. */
  readonly length: number;
  /** Uncompressed length of each block, in stream order. */
  readonly blockLengths: Int32Array;
  /** blocks + 1 offsets into values/zeroRuns: block b owns entries [blockPtr[b], blockPtr[b+1]). */
  readonly blockPtr: Int32Array;
  /** Stored values; a zero here is a placeholder. */
  readonly values: Int32Array;
  /** Zeros preceding each entry, 0..15. */
  readonly zeroRuns: Uint8Array;
}

/** Blocks of `blockLength` values covering `length` values; the last one may be shorter. */
export function uniformBlockLengths(length: number, blockLength: number): Int32Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`stream length must be a non-negative integer, got ${length}`);
  }
  if (!Number.isInteger(blockLength) || blockLength <= 0) {
    throw new RangeError(`block length must be a positive integer, got ${blockLength}`);
  }
  const blocks = Math.ceil(length / blockLength);
  const lengths = new Int32Array(blocks);
  for (let b = 0; b < blocks; b++) lengths[b] = Math.min(blockLength, length - b * blockLength);
  return lengths;
}

export function encodeScnnRle(stream: Int32Array, blockLengths: ArrayLike<number>): ScnnRleBuffer {
  assertStream(stream, 'encodeScnnRle');
  let total = 0;
  for (let b = 0; b < blockLengths.length; b++) {
    const len = blockLengths[b]!;
    if (!Number.isInteger(len) || len < 0) {
      throw new RangeError(`block ${b} length must be a non-negative integer, got ${len}`);
    }
    total += len;
  }
  if (total !== stream.length) {
    throw new RangeError(`block lengths add up to ${total} but the stream holds ${stream.length} values`);
  }
  const values: number[] = [];
  const runs: number[] = [];
  const blockPtr = new Int32Array(blockLengths.length + 1);
  let at = 0;
  for (let b = 0; b < blockLengths.length; b++) {
    const end = at + blockLengths[b]!;
    let run = 0;
    for (; at < end; at++) {
      const v = stream[at]!;
      if (v === 0) {
        run++;
        continue;
      }
      while (run > SCNN_MAX_RUN) {
        values.push(0);
        runs.push(SCNN_MAX_RUN);
        run -= SCNN_MAX_RUN + 1;
      }
      values.push(v);
      runs.push(run);
      run = 0;
    }
    blockPtr[b + 1] = values.length;
  }
  return {
    length: stream.length,
    blockLengths: Int32Array.from(blockLengths),
    blockPtr,
    values: Int32Array.from(values),
    zeroRuns: Uint8Array.from(runs),
  };
}

export function validateScnnRle(buffer: ScnnRleBuffer): void {
  const length = assertSize('SCNN-RLE', 'length', buffer.length);
  assertIntegerArray('SCNN-RLE', 'blockLengths', buffer.blockLengths, 'Int32Array');
  assertIntegerArray('SCNN-RLE', 'blockPtr', buffer.blockPtr, 'Int32Array');
  assertIntegerArray('SCNN-RLE', 'values', buffer.values, 'Int32Array');
  assertIntegerArray('SCNN-RLE', 'zeroRuns', buffer.zeroRuns, 'Uint8Array');
  const blocks = buffer.blockLengths.length;
  if (buffer.blockPtr.length !== blocks + 1) {
    throw new FormatError('SCNN-RLE', `blockPtr has ${buffer.blockPtr.length} entries for ${blocks} blocks`);
  }
  if (buffer.values.length !== buffer.zeroRuns.length) {
    throw new FormatError(
      'SCNN-RLE',
      `values has ${buffer.values.length} entries but zeroRuns has ${buffer.zeroRuns.length}`,
    );
  }
  if (buffer.blockPtr[0] !== 0 || buffer.blockPtr[blocks] !== buffer.values.length) {
    throw new FormatError(
      'SCNN-RLE',
      `blockPtr must run from 0 to ${buffer.values.length}, runs from ${buffer.blockPtr[0]} to ${buffer.blockPtr[blocks]}`,
    );
  }
  let total = 0;
  for (let b = 0; b < blocks; b++) {
    const blockLength = buffer.blockLengths[b]!;
    if (blockLength < 0) throw new FormatError('SCNN-RLE', `block ${b} has negative length ${blockLength}`);
    total += blockLength;
    const start = buffer.blockPtr[b]!;
    const end = buffer.blockPtr[b + 1]!;
    if (end < start) throw new FormatError('SCNN-RLE', `blockPtr decreases at block ${b}`);
    let position = 0;
    for (let j = start; j < end; j++) {
      const run = buffer.zeroRuns[j]!;
      if (run > SCNN_MAX_RUN) {
        throw new FormatError('SCNN-RLE', `zeroRuns[${j}] = ${run} exceeds the 4-bit maximum ${SCNN_MAX_RUN}`);
      }
      if (buffer.values[j] === 0) {
        if (run !== SCNN_MAX_RUN) {
          throw new FormatError('SCNN-RLE', `placeholder entry ${j} has run ${run}; placeholders carry run 15`);
        }
        if (j === end - 1) {
          throw new FormatError('SCNN-RLE', `block ${b} ends with a placeholder; trailing zeros are implied`);
        }
      }
      position += run + 1;
    }
    if (position > blockLength) {
      throw new FormatError('SCNN-RLE', `block ${b} entries cover ${position} values but the block holds ${blockLength}`);
    }
  }
  if (total !== length) {
    throw new FormatError('SCNN-RLE', `block lengths add up to ${total} but length is ${length}`);
  }
}

export function decodeScnnRle(buffer: ScnnRleBuffer): Int32Array {
  validateScnnRle(buffer);
  const out = new Int32Array(buffer.length);
  let blockStart = 0;
  for (let b = 0; b < buffer.blockLengths.length; b++) {
    let position = blockStart;
    for (let j = buffer.blockPtr[b]!; j < buffer.blockPtr[b + 1]!; j++) {
      position += buffer.zeroRuns[j]!;
      out[position++] = buffer.values[j]!;
    }
    blockStart += buffer.blockLengths[b]!;
  }
  return out;
}
