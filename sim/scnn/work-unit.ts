/**
 * The contract between the scheduler (which maps a layer onto the PE array) and
 * everything that executes a work unit: the RTL through its memory images, the
 * cycle model and the functional reference. A work unit is what the array does
 * between two drains of its accumulators: every PE multiplies, segment by
 * segment, each of its stationary non-zeros with each broadcast non-zero of the
 * segment's broadcast range (a Cartesian product sharing one reduction index),
 * computes each product's output coordinate, drops the redundant ones and
 * accumulates the rest into its accumulator window.
 *
 * Coordinates are per pass (s = stationary element, b = broadcast element,
 * p = padding, σ = stride):
 *
 * | pass           | stationary    | broadcast      | output                 | valid iff                                    |
 * |----------------|---------------|----------------|------------------------|----------------------------------------------|
 * | forward        | X (c fixed)   | W (ch = k)     | (k, e, f)              | ty = s.row+p-b.row ≥ 0, σ | ty, ty/σ < outRows (cols alike) |
 * | inputGradient  | dY (k fixed)  | W (ch = c)     | (c, h, w)              | h = s.row·σ+b.row-p in [0, outRows) (cols alike) |
 * | weightGradient | X (ch = c)    | dY (ch = k)    | (k, c, r, s)           | r = s.row+p-b.row·σ in [0, outRows) (cols alike) |
 * | weightGradientSwapped | dY (ch = k) | X (ch = c)  | (k, c, r, s)           | r = b.row+p-s.row·σ in [0, outRows) (cols alike) |
 * | matmul         | A (row = i)   | B (row = j)    | (i, j)                 | j in the PE's output columns [originCol, originCol+windowCols) |
 *
 * Stationary elements of a segment and broadcast elements of a broadcast
 * segment are sorted by (row, col, ch), so the rows that can meet a stationary
 * vector form one contiguous run of the broadcast segment (ANT's row pointers).
 */
/**
 * The array's passes. `weightGradientSwapped` computes the weight gradient with the operands'
 * roles swapped [ours]: the output gradients (dense under a top-K workload) stay in the PEs and
 * the sparse activations are broadcast, so the fill copies non-zeros only and a stationary vector
 * holds several output channels of one pixel, whose products with a broadcast activation all fall
 * inside the kernel (docs/pe-array.md section 4).
 */
export type ArrayPass = 'forward' | 'inputGradient' | 'weightGradient' | 'weightGradientSwapped' | 'matmul';
export const ARRAY_PASSES: readonly ArrayPass[] = ['forward', 'inputGradient', 'weightGradient', 'weightGradientSwapped', 'matmul'];

/** Whether a pass computes a weight gradient (its outputs are K x C x R x S). */
export function isWeightGradientPass(pass: ArrayPass): pass is 'weightGradient' | 'weightGradientSwapped' {
  return pass === 'weightGradient' || pass === 'weightGradientSwapped';
}

/** How much of the redundant work the sequencer anticipates. */
export type Anticipation = 'off' | 'vector' | 'element';
export const ANTICIPATION_MODES: readonly Anticipation[] = ['off', 'vector', 'element'];

/** Non-zero operand elements, structure of arrays, all the same length. */
export interface ElementList {
  readonly values: Int32Array;
  readonly row: Int32Array;
  readonly col: Int32Array;
  /** Group-local channel (0 when the pass does not use it on this side). */
  readonly ch: Int32Array;
}

/** Run-time configuration shared by every PE (the array's configuration registers). */
export interface PassGeometry {
  readonly pass: ArrayPass;
  readonly stride: number;
  readonly padding: number;
  /** Extent of the output coordinate checked for validity: forward E x F, input gradient H x W, weight gradient R x S; unused for matmul. */
  readonly outRows: number;
  readonly outCols: number;
  /** Rows and columns of every broadcast segment (size of its row-pointer and column-pointer tables). */
  readonly broadcastRows: number;
  readonly broadcastCols: number;
}

/**
 * Where a PE's outputs live in its accumulators. The accumulator address of an
 * output is a row-major index over (ch, [stationary ch,] row - originRow,
 * col - originCol); bank = address mod banks, depth = address div banks.
 *
 * - forward / inputGradient: (b.ch, oy, ox) -> ((b.ch * windowRows) + oy - originRow) * windowCols + ox - originCol
 * - weightGradient, weightGradientSwapped: (b.ch, s.ch, r, s) -> ((b.ch * stationaryChannels + s.ch) * windowRows + r) * windowCols + s
 *   (origin 0; window = outRows x outCols; b.ch is k, s.ch is c, or the other way round when swapped)
 * - matmul: (i, j) -> (i - originRow) * windowCols + j - originCol
 */
export interface PeWindow {
  readonly originRow: number;
  readonly originCol: number;
  readonly windowRows: number;
  readonly windowCols: number;
  /** Broadcast channels held (output channels of forward, input channels of inputGradient, k of weightGradient, c of weightGradientSwapped; 1 for matmul). */
  readonly channels: number;
  /** Stationary channels held (c of weightGradient, k of weightGradientSwapped; 1 otherwise). */
  readonly stationaryChannels: number;
}

export interface BroadcastSegment {
  /** Element range [start, end) of the broadcast list. */
  readonly start: number;
  readonly end: number;
}

export interface PeSegment {
  /** Element range [start, end) of this PE's stationary list. */
  readonly start: number;
  readonly end: number;
  /** Index of the broadcast segment that shares this segment's reduction index. */
  readonly broadcastSegment: number;
}

export interface PeWork {
  readonly window: PeWindow;
  readonly stationary: ElementList;
  readonly segments: readonly PeSegment[];
}

export interface WorkUnit {
  readonly geometry: PassGeometry;
  readonly broadcast: ElementList;
  readonly broadcastSegments: readonly BroadcastSegment[];
  /** Px * Py PEs, index = y * px + x. */
  readonly pes: readonly PeWork[];
}

export function windowSize(w: PeWindow): number {
  return w.channels * w.stationaryChannels * w.windowRows * w.windowCols;
}

/** Bank rows of a unit's window group on an array of A-bank PEs: its largest window, ⌈window / A⌉ rows. */
export function groupRows(unit: WorkUnit, banks: number): number {
  return Math.max(...unit.pes.map((pe) => Math.ceil(windowSize(pe.window) / banks)));
}

export function elementCount(list: ElementList): number {
  return list.values.length;
}

/** An ElementList from plain arrays (tests, small examples). */
export function elementList(items: readonly { value: number; row: number; col: number; ch?: number }[]): ElementList {
  return {
    values: Int32Array.from(items, (e) => e.value),
    row: Int32Array.from(items, (e) => e.row),
    col: Int32Array.from(items, (e) => e.col),
    ch: Int32Array.from(items, (e) => e.ch ?? 0),
  };
}

/** Elements [start, end) of a list, as a new list. */
export function sliceElements(list: ElementList, start: number, end: number): ElementList {
  return { values: list.values.slice(start, end), row: list.row.slice(start, end), col: list.col.slice(start, end), ch: list.ch.slice(start, end) };
}
