/**
 * Non-zeros of a tensor grouped the way an outer-product PE consumes them: for
 * each group (a reduction index such as an input channel) the list of its
 * non-zero values with their three inner coordinates. Compressed-operand RAM
 * contents, in effect.
 */
export interface NonZeroLists {
  /** groups + 1 offsets into the coordinate and value arrays. */
  readonly ptr: Int32Array;
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly i2: Int32Array;
  readonly values: Int32Array;
}

/** `values` viewed as [groups][d0][d1][d2], row-major. */
export function listNonZeros(values: Int32Array, groups: number, d0: number, d1: number, d2: number): NonZeroLists {
  let nnz = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nnz++;
  const ptr = new Int32Array(groups + 1);
  const i0 = new Int32Array(nnz);
  const i1 = new Int32Array(nnz);
  const i2 = new Int32Array(nnz);
  const packed = new Int32Array(nnz);
  let next = 0;
  let flat = 0;
  for (let g = 0; g < groups; g++) {
    for (let a = 0; a < d0; a++) {
      for (let b = 0; b < d1; b++) {
        for (let c = 0; c < d2; c++, flat++) {
          const v = values[flat]!;
          if (v === 0) continue;
          i0[next] = a;
          i1[next] = b;
          i2[next] = c;
          packed[next++] = v;
        }
      }
    }
    ptr[g + 1] = next;
  }
  return { ptr, i0, i1, i2, values: packed };
}

/** K x C x R x S weights reordered to C x K x R x S, so each input channel's weights are contiguous. */
export function weightsByInputChannel(weights: Int32Array, K: number, C: number, RS: number): Int32Array {
  const out = new Int32Array(weights.length);
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < C; c++) {
      out.set(weights.subarray((k * C + c) * RS, (k * C + c + 1) * RS), (c * K + k) * RS);
    }
  }
  return out;
}
