/**
 * Planar tiling of a stationary operand over the PE array, and the accumulator
 * window each tile reaches in every pass: the part of the scheduler that is pure
 * index algebra.
 */
import type { ArrayPass } from './work-unit.ts';

/** Half-open range [start, end); empty when start >= end. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Tile `index` of size `tile` over [0, extent): empty past the end. */
export function tileSpan(index: number, tile: number, extent: number): Span {
  const start = Math.min(index * tile, extent);
  return { start, end: Math.min(start + tile, extent) };
}

/** Inclusive output range along one dimension; empty when lo > hi. */
export interface Reach {
  readonly lo: number;
  readonly hi: number;
}

export interface DimensionGeometry {
  /** Extent of the stationary operand along this dimension (H for forward, E for input gradient). */
  readonly inputExtent: number;
  /** Extent of the output along this dimension (E for forward, H for input gradient). */
  readonly outputExtent: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

/**
 * The outputs that stationary coordinates [span.start, span.end) can reach,
 * along one dimension, for the two passes whose window is spatial.
 */
export function spatialReach(pass: Extract<ArrayPass, 'forward' | 'inputGradient'>, span: Span, d: DimensionGeometry): Reach {
  if (span.start >= span.end) return { lo: 1, hi: 0 };
  const { kernel: R, stride: st, padding: p } = d;
  let lo: number;
  let hi: number;
  if (pass === 'forward') {
    // e = (h + p - r) / stride for r in [0, R)
    lo = Math.ceil((span.start + p - R + 1) / st);
    hi = Math.floor((span.end - 1 + p) / st);
  } else {
    // h = e * stride + r - p for r in [0, R)
    lo = span.start * st - p;
    hi = (span.end - 1) * st + R - 1 - p;
  }
  return { lo: Math.max(lo, 0), hi: Math.min(hi, d.outputExtent - 1) };
}

/** Window rows (or columns) for a reach: at least one, so an all-redundant tile still has an address space. */
export function reachSize(r: Reach): number {
  return r.hi >= r.lo ? r.hi - r.lo + 1 : 1;
}

/** Largest window any tile of size `tile` can have along this dimension. */
export function maxReachSize(pass: Extract<ArrayPass, 'forward' | 'inputGradient'>, tile: number, d: DimensionGeometry): number {
  let best = 1;
  const tiles = Math.ceil(d.inputExtent / tile);
  for (let t = 0; t < tiles; t++) best = Math.max(best, reachSize(spatialReach(pass, tileSpan(t, tile, d.inputExtent), d)));
  return best;
}
