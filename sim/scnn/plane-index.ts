/**
 * Non-zeros of a row-major 4-D tensor indexed per plane (i0, i1), each sorted
 * by (row i2, col i3) with row pointers, built once per plane on first use. The
 * scheduler cuts every tile and channel group it needs out of these lists, so a
 * tensor is scanned once however many groups and tiles read it.
 */
import type { Span } from './tiling.ts';
import type { ElementList } from './work-unit.ts';

interface Plane {
  /** rows + 1 offsets into col/values. */
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly values: Int32Array;
}

export class PlaneIndex {
  private readonly planes = new Map<number, Plane>();

  constructor(
    private readonly tensor: Int32Array,
    private readonly dims: readonly [number, number, number, number],
  ) {
    const expected = dims[0] * dims[1] * dims[2] * dims[3];
    if (tensor.length !== expected) throw new RangeError(`tensor holds ${tensor.length} values; dims [${dims.join(', ')}] need ${expected}`);
  }

  plane(i0: number, i1: number): Plane {
    const key = i0 * this.dims[1] + i1;
    let p = this.planes.get(key);
    if (!p) {
      const [, , rows, cols] = this.dims;
      const base = key * rows * cols;
      const rowPtr = new Int32Array(rows + 1);
      let nnz = 0;
      for (let i = 0; i < rows * cols; i++) if (this.tensor[base + i] !== 0) nnz++;
      const col = new Int32Array(nnz);
      const values = new Int32Array(nnz);
      let next = 0;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const v = this.tensor[base + r * cols + c]!;
          if (v === 0) continue;
          col[next] = c;
          values[next++] = v;
        }
        rowPtr[r + 1] = next;
      }
      p = { rowPtr, col, values };
      this.planes.set(key, p);
    }
    return p;
  }

  /**
   * Non-zeros of the planes (i0, i1) for `channel` over [chSpan), rows in
   * `rows`, cols in `cols`, sorted by (row, col, channel), the channel relative
   * to the span's start. `channelAxis` says which of i0 and i1 varies.
   */
  gather(fixed: number, channelAxis: 0 | 1, chSpan: Span, rows: Span, cols: Span): ElementList {
    const planes: Plane[] = [];
    for (let ch = chSpan.start; ch < chSpan.end; ch++) planes.push(channelAxis === 0 ? this.plane(ch, fixed) : this.plane(fixed, ch));
    // First pass: where each plane's run of row r with col in [cols.start, cols.end) begins and ends.
    const runs = new Int32Array(2 * planes.length * Math.max(rows.end - rows.start, 0));
    let total = 0;
    for (let r = rows.start, k = 0; r < rows.end; r++) {
      for (const { rowPtr, col } of planes) {
        // Binary searches: a matrix's rows are thousands long and cut into a slice per PE.
        const i = firstAtLeast(col, rowPtr[r]!, rowPtr[r + 1]!, cols.start);
        const j = firstAtLeast(col, i, rowPtr[r + 1]!, cols.end);
        runs[k++] = i;
        runs[k++] = j;
        total += j - i;
      }
    }
    const out: ElementList = { values: new Int32Array(total), row: new Int32Array(total), col: new Int32Array(total), ch: new Int32Array(total) };
    // Second pass: per row, the runs ordered by (col, channel).
    let next = 0;
    const keys = planes.length > 1 ? new Float64Array(total) : undefined;
    for (let r = rows.start, k = 0; r < rows.end; r++) {
      const rowStart = next;
      for (let p = 0; p < planes.length; p++, k += 2) {
        const { col, values } = planes[p]!;
        for (let i = runs[k]!; i < runs[k + 1]!; i++, next++) {
          out.values[next] = values[i]!;
          out.row[next] = r;
          out.col[next] = col[i]!;
          out.ch[next] = p;
        }
      }
      if (keys && next - rowStart > 1) {
        // Sort the row by (col, channel); the element's position rides in the low bits of the key.
        const n = next - rowStart;
        for (let i = 0; i < n; i++) keys[i] = (out.col[rowStart + i]! * planes.length + out.ch[rowStart + i]!) * 2 ** 21 + i;
        const sorted = keys.subarray(0, n).sort();
        const v = out.values.slice(rowStart, next);
        const c = out.col.slice(rowStart, next);
        const h = out.ch.slice(rowStart, next);
        for (let i = 0; i < n; i++) {
          const from = sorted[i]! % 2 ** 21;
          out.values[rowStart + i] = v[from]!;
          out.col[rowStart + i] = c[from]!;
          out.ch[rowStart + i] = h[from]!;
        }
      }
    }
    return out;
  }
}

/** The first index in [lo, hi) of the ascending `sorted` whose value is at least `value` (hi if none). */
function firstAtLeast(sorted: Int32Array, lo: number, hi: number, value: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
