/**
 * What one PE computes for one product, and which broadcast rows and columns can
 * meet a stationary vector: the per-pass index algebra of REFERENCE.md sections 3
 * and 4a, written once for the functional reference, the cycle model and the
 * scheduler. The RTL implements the same rules (hw/scnn); tests hold them equal.
 */
import type { PassGeometry, PeWindow } from './work-unit.ts';

/** Accumulator address of the product of stationary (sr, sc, sch) and broadcast (br, bc, bch), or -1 when it is redundant. */
export function productAddress(
  g: PassGeometry,
  w: PeWindow,
  sr: number,
  sc: number,
  sch: number,
  br: number,
  bc: number,
  bch: number,
): number {
  const { stride, padding } = g;
  switch (g.pass) {
    case 'forward': {
      const ty = sr + padding - br;
      const tx = sc + padding - bc;
      if (ty < 0 || tx < 0 || ty % stride !== 0 || tx % stride !== 0) return -1;
      const oy = ty / stride;
      const ox = tx / stride;
      if (oy >= g.outRows || ox >= g.outCols) return -1;
      return windowAddress(w, bch, 0, oy, ox);
    }
    case 'inputGradient': {
      const oy = sr * stride + br - padding;
      const ox = sc * stride + bc - padding;
      if (oy < 0 || ox < 0 || oy >= g.outRows || ox >= g.outCols) return -1;
      return windowAddress(w, bch, 0, oy, ox);
    }
    case 'weightGradient': {
      const r = sr + padding - br * stride;
      const s = sc + padding - bc * stride;
      if (r < 0 || s < 0 || r >= g.outRows || s >= g.outCols) return -1;
      return windowAddress(w, bch, sch, r, s);
    }
    case 'weightGradientSwapped': {
      const r = br + padding - sr * stride;
      const s = bc + padding - sc * stride;
      if (r < 0 || s < 0 || r >= g.outRows || s >= g.outCols) return -1;
      return windowAddress(w, bch, sch, r, s);
    }
    case 'matmul': {
      if (br < w.originCol || br >= w.originCol + w.windowCols) return -1;
      return (sr - w.originRow) * w.windowCols + (br - w.originCol);
    }
  }
}

/** Row-major index over (ch, stationary ch, row - originRow, col - originCol); throws if the output lies outside the window (a scheduler bug). */
export function windowAddress(w: PeWindow, ch: number, sch: number, row: number, col: number): number {
  const wr = row - w.originRow;
  const wc = col - w.originCol;
  if (wr < 0 || wc < 0 || wr >= w.windowRows || wc >= w.windowCols || ch >= w.channels || sch >= w.stationaryChannels) {
    throw new RangeError(
      `output (ch ${ch}, sch ${sch}, row ${row}, col ${col}) lies outside the PE window ` +
        `(origin ${w.originRow},${w.originCol}, ${w.channels}x${w.stationaryChannels}x${w.windowRows}x${w.windowCols})`,
    );
  }
  return ((ch * w.stationaryChannels + sch) * w.windowRows + wr) * w.windowCols + wc;
}

/** Inclusive interval; empty when lo > hi. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/**
 * Broadcast rows (dim 'row') or columns (dim 'col') that can meet stationary
 * coordinates spanning [s0, s1] along that dimension, clamped to the broadcast
 * segment's extent. The test is conservative: it never excludes a valid product.
 */
export function meetingBroadcastRange(g: PassGeometry, w: PeWindow, dim: 'row' | 'col', s0: number, s1: number): Interval {
  const { stride: st, padding: p } = g;
  const out = dim === 'row' ? g.outRows : g.outCols;
  const extent = dim === 'row' ? g.broadcastRows : g.broadcastCols;
  let lo: number;
  let hi: number;
  switch (g.pass) {
    case 'forward':
      lo = s0 + p - (out - 1) * st;
      hi = s1 + p;
      break;
    case 'inputGradient':
      lo = p - s1 * st;
      hi = out - 1 + p - s0 * st;
      break;
    case 'weightGradient':
      lo = ceilDiv(s0 + p - out + 1, st);
      hi = Math.floor((s1 + p) / st);
      break;
    case 'weightGradientSwapped':
      lo = s0 * st - p;
      hi = s1 * st - p + out - 1;
      break;
    case 'matmul':
      if (dim === 'row') {
        lo = w.originCol;
        hi = w.originCol + w.windowCols - 1;
      } else {
        lo = 0;
        hi = extent - 1;
      }
      break;
  }
  return { lo: Math.max(lo, 0), hi: Math.min(hi, extent - 1) };
}

/**
 * ANT's index-range test on two vectors' bounding boxes: can any product of a
 * stationary vector spanning rows [sr0, sr1] x cols [sc0, sc1] and a broadcast
 * vector spanning rows [br0, br1] x cols [bc0, bc1] be valid?
 */
export function vectorsCanMeet(
  g: PassGeometry,
  w: PeWindow,
  sr0: number, sr1: number, sc0: number, sc1: number,
  br0: number, br1: number, bc0: number, bc1: number,
): boolean {
  const rows = meetingBroadcastRange(g, w, 'row', sr0, sr1);
  if (br1 < rows.lo || br0 > rows.hi) return false;
  const cols = meetingBroadcastRange(g, w, 'col', sc0, sc1);
  return !(bc1 < cols.lo || bc0 > cols.hi);
}
