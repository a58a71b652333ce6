/**
 * The scheduler: maps one pass of a layer (or a matrix multiplication) onto a
 * Px x Py PE array as a sequence of work units, and assembles the layer's output
 * from the accumulator windows the units leave behind.
 *
 * Tiling (docs/pe-array.md section 4): the stationary operand's plane is cut into
 * equal tiles, one per PE; tiles are shrunk until a dense tile fits a PE's
 * stationary buffer and its accumulator window fits A x D entries, and the plane
 * is covered in as many array-sized regions as that takes. Output channels are
 * grouped so the window fits the accumulators. Reduction steps (input channels,
 * output channels or samples, depending on the pass) are packed into work units
 * up to the buffer capacities; a broadcast operand too large for one unit is cut
 * into interleaved pieces, each its own broadcast segment. A weight gradient
 * with many channels is mapped by channels instead of planar tiles: every PE
 * holds the whole plane of its own channels and its own block of the gradient
 * (`weightGradientLayout`).
 *
 * Coordinates (docs/pe-array.md, scheduler): every coordinate a unit hands the
 * PE fits its coordBits-wide fields. Channels are relative to the placement's
 * channel bases, so channel groups hold at most 2^coordBits channels; matrix
 * mode's rows and columns are relative to the placement's row and column
 * bases (the region's corner), so a region spans at most 2^coordBits - 1 rows
 * and columns. The convolution planes are absolute (padding and the plane's
 * border are checked against them): a plane wider than the fields is refused.
 * `checkCoordinates` holds every schedule to this before it is returned.
 */
import { outputHeight, outputWidth, validateConvShape, type ConvShape, type TrainingPass } from '../golden/conv-shape.ts';
import { accumulatorEntries, maxCoordinate, validateArrayConfig, type ArrayConfig } from './array-config.ts';
import { segmentPointerEntries } from './images.ts';
import { estimateScheduleCycles } from './schedule-estimate.ts';
import { PlaneIndex } from './plane-index.ts';
import { maxReachSize, reachSize, spatialReach, tileSpan, type DimensionGeometry, type Span } from './tiling.ts';
import type { ArrayPass, BroadcastSegment, ElementList, PassGeometry, PeSegment, PeWindow, WorkUnit } from './work-unit.ts';

export interface ConvOperands {
  /** N x C x H x W */
  readonly activations: Int32Array;
  /** K x C x R x S */
  readonly weights: Int32Array;
  /** N x K x E x F */
  readonly outputGradients: Int32Array;
}

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major. */
  readonly values: Int32Array;
}

/** Where each accumulator of a unit's PE windows belongs in the pass's output tensor. */
export interface Placement {
  /** Sample of the windows (forward and input gradient; 0 otherwise), unless `peSamples` gives one per PE. */
  readonly n: number;
  /**
   * Per PE, the sample its window belongs to, when several samples of a batch
   * share the array (a map that covers at most half the PE rows or columns,
   * folded; `sampleFold`). A PE whose entry is -1 holds no sample.
   */
  readonly peSamples?: readonly number[];
  /** First broadcast channel (k in forward and weight gradient, c in input gradient). */
  readonly channelBase: number;
  /** First stationary channel (c in weight gradient), unless `peStationaryChannelBases` gives one per PE. */
  readonly stationaryChannelBase: number;
  /**
   * Per PE, the first stationary channel of its window, when the PEs hold
   * different channels of the stationary operand (a weight gradient mapped by
   * channels, `WeightGradientMapping`).
   */
  readonly peStationaryChannelBases?: readonly number[];
  /** Output row and column the windows' origins count from (matrix mode: the region's corner; 0 in the convolution passes). */
  readonly rowBase: number;
  readonly colBase: number;
}

export interface ScheduledUnit {
  readonly unit: WorkUnit;
  readonly placement: Placement;
  /**
   * Window group: consecutive units of one group accumulate into the same
   * accumulator set (they split one output block's reduction for capacity) and
   * drain once, after the group's last unit.
   */
  readonly group: number;
}

export interface PassSchedule {
  readonly pass: ArrayPass;
  /** Dimensions of the output tensor (N K E F, N C H W, K C R S, or M N for matmul). */
  readonly outputDims: readonly number[];
  readonly units: readonly ScheduledUnit[];
  readonly tile: { readonly rows: number; readonly cols: number };
  readonly channelGroup: number;
  readonly stationaryChannelGroup: number;
  /**
   * Cartesian products of the pass that no unit holds: a weight gradient cut
   * into row bands of its output-gradient plane leaves out, per band, the
   * stationary elements above the band's shifted origin, every one of whose
   * products with the band lands outside the kernel (RCPs never fetched, as
   * ANT's row pointers skip rows). Products handed to the array plus these
   * are the pass's golden product count.
   */
  readonly unformedProducts: number;
  /** How a weight gradient was mapped (absent: planar, or another pass). */
  readonly weightGradientMapping?: 'planar' | 'channels';
}

// ---------------------------------------------------------------- gathering

/** Memoises gathered element lists: the same tile or kernel block is read by many channel groups. */
class GatherCache {
  private readonly lists = new Map<string, ElementList>();
  get(key: string, make: () => ElementList): ElementList {
    let list = this.lists.get(key);
    if (!list) {
      list = make();
      this.lists.set(key, list);
    }
    return list;
  }
}

/** A list gathered along columns, re-labelled so the column index, less `base`, becomes the row coordinate (matrix mode). */
function columnsAsRows(list: ElementList, base: number): ElementList {
  return { values: list.values, row: base === 0 ? list.col : list.col.map((c) => c - base), col: new Int32Array(list.values.length), ch: list.ch };
}

function transposed(m: Matrix): Int32Array {
  const t = new Int32Array(m.values.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t[j * m.rows + i] = m.values[i * m.cols + j]!;
  return t;
}

// ---------------------------------------------------------------- packing

/** One reduction index: each PE's stationary non-zeros and the shared broadcast non-zeros. */
interface ReductionStep {
  readonly stationary: readonly ElementList[];
  readonly broadcast: ElementList;
  /**
   * Each PE's stationary list as several segments, one per row of the plane (at most the unit's
   * segment capacity: neighbouring rows share a segment beyond it), all against the same broadcast
   * segment, so that no stationary vector spans two rows. A vector that does (the end of one row
   * and the start of the next) meets broadcast columns across both rows' spans, and most of those
   * products fall outside the kernel: ResNet-18 CIFAR's channel-mapped weight gradients anticipated
   * 46-72 % of their RCPs in `element` with one segment per step, 72-95 % with one per row. A
   * segment per pixel anticipates them all, but its vectors hold few lanes: every mode took longer.
   */
  readonly segmentPerRow?: boolean;
}

/** Element ranges of `list` (sorted by row) that share a row, merged into at most `most` ranges of neighbouring rows. */
function rowRanges(list: ElementList, most: number): Span[] {
  const starts: number[] = [];
  for (let i = 0; i < list.values.length; i++) if (i === 0 || list.row[i] !== list.row[i - 1]) starts.push(i);
  const count = Math.min(starts.length, Math.max(1, most));
  return Array.from({ length: count }, (_, j) => ({
    start: starts[Math.floor((j * starts.length) / count)]!,
    end: j + 1 < count ? starts[Math.floor(((j + 1) * starts.length) / count)]! : list.values.length,
  }));
}

const EMPTY_LIST: ElementList = { values: new Int32Array(0), row: new Int32Array(0), col: new Int32Array(0), ch: new Int32Array(0) };

/** Lists up to this long are copied element by element. */
const SHORT_LIST = 16;

/** An element list that grows by doubling typed arrays (units hold many short lists). */
class ListBuilder {
  private static readonly none = new Int32Array(0);
  private values = ListBuilder.none;
  private row = ListBuilder.none;
  private col = ListBuilder.none;
  private ch = ListBuilder.none;
  length = 0;
  append(list: ElementList, start = 0, end = list.values.length): void {
    const need = this.length + end - start;
    if (need > this.values.length) {
      let capacity = Math.max(this.values.length, 8);
      while (capacity < need) capacity *= 2;
      const grow = (a: Int32Array) => {
        const b = new Int32Array(capacity);
        b.set(a.subarray(0, this.length));
        return b;
      };
      this.values = grow(this.values);
      this.row = grow(this.row);
      this.col = grow(this.col);
      this.ch = grow(this.ch);
    }
    if (end - start <= SHORT_LIST) {
      // Most lists of a matrix schedule hold a few elements: a loop beats four sub-array views.
      for (let i = start, to = this.length; i < end; i++, to++) {
        this.values[to] = list.values[i]!;
        this.row[to] = list.row[i]!;
        this.col[to] = list.col[i]!;
        this.ch[to] = list.ch[i]!;
      }
    } else {
      this.values.set(list.values.subarray(start, end), this.length);
      this.row.set(list.row.subarray(start, end), this.length);
      this.col.set(list.col.subarray(start, end), this.length);
      this.ch.set(list.ch.subarray(start, end), this.length);
    }
    this.length = need;
  }
  build(): ElementList {
    if (this.length === 0) return EMPTY_LIST;
    return { values: this.values.slice(0, this.length), row: this.row.slice(0, this.length), col: this.col.slice(0, this.length), ch: this.ch.slice(0, this.length) };
  }
}

class UnitBuilder {
  readonly broadcast = new ListBuilder();
  readonly broadcastSegments: BroadcastSegment[] = [];
  readonly stationary: ListBuilder[];
  readonly segments: PeSegment[][];
  /** Stationary ranges (segments) of the current step per PE, once added to this unit. */
  stepRanges: (Span[] | undefined)[];

  constructor(pes: number) {
    this.stationary = Array.from({ length: pes }, () => new ListBuilder());
    this.segments = Array.from({ length: pes }, () => []);
    this.stepRanges = new Array<Span[] | undefined>(pes).fill(undefined);
  }

  get empty(): boolean {
    return this.broadcastSegments.length === 0;
  }

  fits(step: ReductionStep, segmentsOf: readonly (readonly Span[])[], pieceLength: number, cfg: ArrayConfig, broadcastSegments: number): boolean {
    if (this.broadcast.length + pieceLength > cfg.broadcastCapacity) return false;
    if (this.broadcastSegments.length + 1 > broadcastSegments) return false;
    return step.stationary.every((s, pe) => {
      if (s.values.length === 0) return true;
      const extra = this.stepRanges[pe] ? 0 : s.values.length;
      return this.stationary[pe]!.length + extra <= cfg.stationaryCapacity && this.segments[pe]!.length + segmentsOf[pe]!.length <= cfg.segmentCapacity;
    });
  }

  /**
   * Elements [start, end) of `broadcast` (the step's broadcast list, or its pieces laid end to end) as one
   * broadcast segment, met by each PE's step list in the segments `segmentsOf` gives (ranges of the list).
   */
  add(step: ReductionStep, segmentsOf: readonly (readonly Span[])[], broadcast: ElementList, start: number, end: number): void {
    const bStart = this.broadcast.length;
    this.broadcast.append(broadcast, start, end);
    this.broadcastSegments.push({ start: bStart, end: this.broadcast.length });
    const segmentIndex = this.broadcastSegments.length - 1;
    step.stationary.forEach((s, pe) => {
      if (s.values.length === 0) return;
      let ranges = this.stepRanges[pe];
      if (!ranges) {
        const sStart = this.stationary[pe]!.length;
        this.stationary[pe]!.append(s);
        ranges = segmentsOf[pe]!.map((r) => ({ start: sStart + r.start, end: sStart + r.end }));
        this.stepRanges[pe] = ranges;
      }
      for (const r of ranges) this.segments[pe]!.push({ start: r.start, end: r.end, broadcastSegment: segmentIndex });
    });
  }

  build(geometry: PassGeometry, windows: readonly PeWindow[]): WorkUnit {
    return {
      geometry,
      broadcast: this.broadcast.build(),
      broadcastSegments: this.broadcastSegments,
      pes: windows.map((window, pe) => ({ window, stationary: this.stationary[pe]!.build(), segments: this.segments[pe]! })),
    };
  }
}

/**
 * A broadcast list too long for one unit, re-ordered as `pieces` pieces laid end to end: piece p
 * takes every pieces-th element from the p-th on. Each piece stays sorted by (row, col, ch) and
 * spans the whole plane (every channel, every column): a contiguous cut would hand each unit a band
 * of rows (a weight gradient's output-gradient plane) or of columns (a matrix's B), and only the PEs
 * whose tiles meet that band would work while the others wait at the unit's barrier.
 */
function interleavedPieces(list: ElementList, pieces: number): ElementList {
  const n = list.values.length;
  const order = new Int32Array(n);
  let k = 0;
  for (let piece = 0; piece < pieces; piece++) for (let i = piece; i < n; i += pieces) order[k++] = i;
  const pick = (a: Int32Array) => Int32Array.from(order, (i) => a[i]!);
  return { values: pick(list.values), row: pick(list.row), col: pick(list.col), ch: pick(list.ch) };
}

/** Packs reduction steps into as few work units as the buffers allow, in step order. */
function packSteps(
  geometry: PassGeometry,
  windows: readonly PeWindow[],
  steps: Iterable<ReductionStep>,
  cfg: ArrayConfig,
  label: string,
): WorkUnit[] {
  const units: WorkUnit[] = [];
  // Every broadcast segment brings its pointer tables: the PE's pointer memory bounds the segments of a unit too
  // (a weight gradient's plane is cut into row bands whose tables fit, gradientBands).
  const perSegment = segmentPointerEntries(geometry, cfg.anticipation);
  const broadcastSegments = Math.max(1, Math.min(cfg.segmentCapacity, perSegment === 0 ? Infinity : Math.floor(cfg.pointerDepth / perSegment)));
  let current = new UnitBuilder(windows.length);
  for (const step of steps) {
    const bLength = step.broadcast.values.length;
    if (bLength === 0 || step.stationary.every((s) => s.values.length === 0)) continue;
    step.stationary.forEach((s, pe) => {
      if (s.values.length > cfg.stationaryCapacity) {
        throw new RangeError(`${label}: PE ${pe} needs ${s.values.length} stationary non-zeros for one reduction step; the buffer holds ${cfg.stationaryCapacity}`);
      }
    });
    current.stepRanges.fill(undefined);
    const segmentsOf = step.stationary.map((s) => (step.segmentPerRow ? rowRanges(s, cfg.segmentCapacity) : [{ start: 0, end: s.values.length }]));
    const pieces = Math.ceil(bLength / cfg.broadcastCapacity);
    const broadcast = pieces === 1 ? step.broadcast : interleavedPieces(step.broadcast, pieces);
    let start = 0;
    for (let piece = 0; piece < pieces; piece++) {
      const end = start + Math.ceil((bLength - piece) / pieces);
      if (!current.fits(step, segmentsOf, end - start, cfg, broadcastSegments)) {
        units.push(current.build(geometry, windows));
        current = new UnitBuilder(windows.length);
      }
      current.add(step, segmentsOf, broadcast, start, end);
      start = end;
    }
  }
  if (!current.empty) units.push(current.build(geometry, windows));
  return units;
}

// ---------------------------------------------------------------- tiling choices

/** Halves the larger tile side until `fits` holds; throws when even 1 x 1 does not fit. */
function shrinkTile(rows: number, cols: number, fits: (rows: number, cols: number) => boolean, label: string): { rows: number; cols: number } {
  let r = Math.max(rows, 1);
  let c = Math.max(cols, 1);
  while (!fits(r, c)) {
    if (r === 1 && c === 1) throw new RangeError(`${label}: even a 1 x 1 tile does not fit the PE's buffers and accumulators`);
    if (r >= c) r = Math.ceil(r / 2);
    else c = Math.ceil(c / 2);
  }
  return { rows: r, cols: c };
}

function spans(count: number, size: number): Span[] {
  return Array.from({ length: Math.ceil(count / size) }, (_, i) => ({ start: i * size, end: Math.min((i + 1) * size, count) }));
}

/** Tile spans of every PE of one array-sized region, index y * px + x. */
function regionTiles(cfg: ArrayConfig, regionY: number, regionX: number, tile: { rows: number; cols: number }, rows: number, cols: number) {
  const out: { rows: Span; cols: Span }[] = [];
  for (let y = 0; y < cfg.py; y++) {
    for (let x = 0; x < cfg.px; x++) {
      out.push({ rows: tileSpan(regionY * cfg.py + y, tile.rows, rows), cols: tileSpan(regionX * cfg.px + x, tile.cols, cols) });
    }
  }
  return out;
}

/** A PE's tile of the stationary plane, and the sample it is a tile of (-1: none). */
interface PeTile {
  readonly rows: Span;
  readonly cols: Span;
  readonly sample: number;
}

/**
 * How many samples share the array at once **[ours]**: when a sample's tiles cover one
 * region of at most half the PE rows or columns (ResNet-18 CIFAR's 4 x 4 maps on
 * 8 x 8 PEs), the grid is cut into blocks of that size and each block takes a sample,
 * so the PEs that a small map leaves idle work on other samples of the batch against
 * the same broadcast. One block per grid (`perGrid` 1) is the unfolded tiling.
 */
interface SampleFold {
  /** PE rows and columns of one sample's block. */
  readonly blockRows: number;
  readonly blockCols: number;
  /** Blocks across a PE row, and blocks in all. */
  readonly across: number;
  readonly perGrid: number;
}

function sampleFold(cfg: ArrayConfig, tile: { rows: number; cols: number }, rows: number, cols: number, samples: number): SampleFold {
  const blockRows = Math.ceil(rows / tile.rows);
  const blockCols = Math.ceil(cols / tile.cols);
  if (blockRows > cfg.py || blockCols > cfg.px) return { blockRows, blockCols, across: 1, perGrid: 1 };
  const across = Math.floor(cfg.px / blockCols);
  return { blockRows, blockCols, across, perGrid: Math.max(1, Math.min(samples, across * Math.floor(cfg.py / blockRows))) };
}

/**
 * The tiles of every PE (index y * px + x) when `fold` samples share the grid: block b,
 * at block row b / across and block column b % across, takes sample `sampleOf(b)`
 * (-1 leaves the block empty).
 */
function foldedTiles(cfg: ArrayConfig, fold: SampleFold, tile: { rows: number; cols: number }, rows: number, cols: number, sampleOf: (block: number) => number): PeTile[] {
  const out: PeTile[] = [];
  const none: Span = { start: rows, end: rows };
  const noneCols: Span = { start: cols, end: cols };
  for (let y = 0; y < cfg.py; y++) {
    for (let x = 0; x < cfg.px; x++) {
      const by = Math.floor(y / fold.blockRows);
      const bx = Math.floor(x / fold.blockCols);
      const block = by * fold.across + bx;
      const sample = bx < fold.across && block < fold.perGrid ? sampleOf(block) : -1;
      out.push(
        sample < 0
          ? { rows: none, cols: noneCols, sample }
          : { rows: tileSpan(y - by * fold.blockRows, tile.rows, rows), cols: tileSpan(x - bx * fold.blockCols, tile.cols, cols), sample },
      );
    }
  }
  return out;
}

function nextGroup(units: readonly ScheduledUnit[]): number {
  return units.length === 0 ? 0 : units[units.length - 1]!.group + 1;
}

function regionCount(extent: number, tile: number, pes: number): number {
  return Math.max(1, Math.ceil(Math.ceil(extent / tile) / pes));
}

function checkStride(shape: ConvShape, label: string): void {
  if (![1, 2, 4].includes(shape.stride)) {
    throw new RangeError(`${label}: stride ${shape.stride} is not supported by the array (strides 1, 2 and 4 are shifts in the coordinate units)`);
  }
}

// ---------------------------------------------------------------- passes

/** Forward and input gradient: spatial windows with halos, output channels grouped. */
function scheduleSpatialPass(
  pass: 'forward' | 'inputGradient',
  shape: ConvShape,
  operands: ConvOperands,
  cfg: ArrayConfig,
  label: string,
): PassSchedule {
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const Fo = outputWidth(shape);
  const forward = pass === 'forward';
  // The stationary plane and the output plane of this pass.
  const [inRows, inCols, outRows, outCols] = forward ? [H, W, E, Fo] : [E, Fo, H, W];
  const reductionCount = forward ? C : K;
  const outChannels = forward ? K : C;
  const rowsDim: DimensionGeometry = { inputExtent: inRows, outputExtent: outRows, kernel: R, stride, padding };
  const colsDim: DimensionGeometry = { inputExtent: inCols, outputExtent: outCols, kernel: S, stride, padding };
  const entries = accumulatorEntries(cfg);
  const tile = shrinkTile(
    Math.ceil(inRows / cfg.py),
    Math.ceil(inCols / cfg.px),
    (r, c) => r * c <= cfg.stationaryCapacity && maxReachSize(pass, r, rowsDim) * maxReachSize(pass, c, colsDim) <= entries,
    label,
  );
  const window = maxReachSize(pass, tile.rows, rowsDim) * maxReachSize(pass, tile.cols, colsDim);
  const group = Math.min(outChannels, Math.floor(entries / window), maxCoordinate(cfg) + 1);
  const geometry: PassGeometry = { pass, stride, padding, outRows, outCols, broadcastRows: R, broadcastCols: S };
  const stationaryIndex = forward ? new PlaneIndex(operands.activations, [N, C, H, W]) : new PlaneIndex(operands.outputGradients, [N, K, E, Fo]);
  const weightIndex = new PlaneIndex(operands.weights, [K, C, R, S]);
  const kernelBlocks = new GatherCache();
  const kernelRows: Span = { start: 0, end: R };
  const kernelCols: Span = { start: 0, end: S };
  // Each grid is one pass of the array over the plane: a region of one sample, or (folded) several samples side by side.
  const fold = sampleFold(cfg, tile, inRows, inCols, N);
  const grids: { n: number; tiles: PeTile[]; peSamples?: readonly number[] }[] = [];
  if (fold.perGrid > 1) {
    for (const batch of spans(N, fold.perGrid)) {
      const tiles = foldedTiles(cfg, fold, tile, inRows, inCols, (b) => (batch.start + b < batch.end ? batch.start + b : -1));
      grids.push({ n: batch.start, tiles, peSamples: tiles.map((t) => t.sample) });
    }
  } else {
    for (let n = 0; n < N; n++) {
      for (let ry = 0; ry < regionCount(inRows, tile.rows, cfg.py); ry++) {
        for (let rx = 0; rx < regionCount(inCols, tile.cols, cfg.px); rx++) {
          grids.push({ n, tiles: regionTiles(cfg, ry, rx, tile, inRows, inCols).map((t) => ({ ...t, sample: n })) });
        }
      }
    }
  }
  const units: ScheduledUnit[] = [];
  for (const { n, tiles, peSamples } of grids) {
    const tileLists = new GatherCache();
    for (const chSpan of spans(outChannels, group)) {
      const windows = tiles.map((t): PeWindow => {
        const rr = spatialReach(pass, t.rows, rowsDim);
        const cr = spatialReach(pass, t.cols, colsDim);
        // A tile whose inputs reach no output (past a map smaller than the grid, or skipped by the
        // stride) gets an empty window: it has no valid product, and nothing to drain or merge.
        const reaches = rr.hi >= rr.lo && cr.hi >= cr.lo;
        return {
          originRow: reaches ? rr.lo : 0,
          originCol: reaches ? cr.lo : 0,
          windowRows: reaches ? reachSize(rr) : 0,
          windowCols: reaches ? reachSize(cr) : 0,
          channels: chSpan.end - chSpan.start,
          stationaryChannels: 1,
        };
      });
      function* steps(): Generator<ReductionStep> {
        for (let red = 0; red < reductionCount; red++) {
          const stationary = tiles.map((t, pe) =>
            t.sample < 0 ? EMPTY_LIST : tileLists.get(`${red}:${pe}`, () => stationaryIndex.gather(t.sample, 1, { start: red, end: red + 1 }, t.rows, t.cols)),
          );
          // Forward: W[k in group, c = red, r, s]; input gradient: W[k = red, c in group, r, s]. Sorted by (r, s, channel).
          const broadcast = kernelBlocks.get(`${red}:${chSpan.start}`, () =>
            forward ? weightIndex.gather(red, 0, chSpan, kernelRows, kernelCols) : weightIndex.gather(red, 1, chSpan, kernelRows, kernelCols),
          );
          yield { stationary, broadcast };
        }
      }
      const group = nextGroup(units);
      const placement: Placement = { n, channelBase: chSpan.start, stationaryChannelBase: 0, rowBase: 0, colBase: 0, ...(peSamples ? { peSamples } : {}) };
      for (const unit of packSteps(geometry, windows, steps(), cfg, label)) units.push({ unit, placement, group });
    }
  }
  return {
    pass,
    outputDims: forward ? [N, K, E, Fo] : [N, C, H, W],
    units,
    tile,
    channelGroup: group,
    stationaryChannelGroup: 1,
    unformedProducts: 0,
  };
}

/**
 * Row bands of a weight gradient's output-gradient plane (docs/pe-array.md
 * section 4, step 3). Each broadcast segment brings pointer tables for every
 * row of the plane, so a plane whose tables exceed the pointer memory (about
 * 63 x 63 on the default element-capable PE: ImageNet's early layers) is
 * broadcast a band of rows at a time. Band [e0, e1) is given with its rows and
 * its stationary partners' rows shifted by `shift` gradient rows (shift x
 * stride plane rows), so that every coordinate stays non-negative; the
 * product rule r = h + p - e * stride is unchanged by the shift. `shift` stops
 * ceil(p / stride) rows short of e0, which keeps every stationary element that
 * can meet the band; the ones it drops (shifted row < 0) meet no band row
 * inside the kernel. One band covering the plane is the unbanded schedule.
 */
interface GradientBand {
  readonly rows: Span;
  readonly shift: number;
}

function gradientBands(E: number, Fo: number, padding: number, stride: number, cfg: ArrayConfig, label: string): { bands: GradientBand[]; tableRows: number } {
  const wholePlane: PassGeometry = { pass: 'weightGradient', stride, padding, outRows: 1, outCols: 1, broadcastRows: E, broadcastCols: Fo };
  if (segmentPointerEntries(wholePlane, cfg.anticipation) <= cfg.pointerDepth) return { bands: [{ rows: { start: 0, end: E }, shift: 0 }], tableRows: E };
  const lead = Math.ceil(padding / stride);
  let tableRows = 0;
  while (segmentPointerEntries({ ...wholePlane, broadcastRows: tableRows + 1 }, cfg.anticipation) <= cfg.pointerDepth) tableRows++;
  const bandRows = tableRows - lead;
  if (bandRows < 1) {
    throw new RangeError(
      `${label}: one row of the ${E} x ${Fo} output-gradient plane, with the ${lead} leading row(s) its padding needs, ` +
        `brings more pointers than the PE's pointer memory holds (${cfg.pointerDepth}); use a PE with a larger pointerDepth or without element anticipation`,
    );
  }
  const bands = spans(E, bandRows).map((rows) => ({ rows, shift: Math.max(0, rows.start - lead) }));
  return { bands, tableRows };
}

/** Whether the pointer tables of a whole broadcast plane fit the PE's pointer memory. */
function planeTablesFit(rows: number, cols: number, padding: number, stride: number, cfg: ArrayConfig): boolean {
  const plane: PassGeometry = { pass: 'weightGradientSwapped', stride, padding, outRows: 1, outCols: 1, broadcastRows: rows, broadcastCols: cols };
  return segmentPointerEntries(plane, cfg.anticipation) <= cfg.pointerDepth;
}

/** A swapped weight gradient broadcasts the whole activation plane of each sample: its tables must fit (no bands). */
function swappedPlaneTables(roles: WeightGradientRoles, padding: number, stride: number, cfg: ArrayConfig, label: string): { bands: GradientBand[]; tableRows: number } {
  const { broadcastRows: H, broadcastCols: W } = roles;
  if (!planeTablesFit(H, W, padding, stride, cfg)) {
    throw new RangeError(
      `${label}: a weight gradient with the output gradients stationary broadcasts the whole ${H} x ${W} activation plane, ` +
        `whose pointer tables do not fit the PE's pointer memory (${cfg.pointerDepth} entries); keep the activations stationary`,
    );
  }
  return { bands: [{ rows: { start: 0, end: H }, shift: 0 }], tableRows: H };
}

/** `list` (sorted by row) with its rows less `rowShift`, from its first element at or after `rowShift`. */
function shiftedRows(list: ElementList, rowShift: number): ElementList {
  if (rowShift === 0) return list;
  let first = 0;
  while (first < list.row.length && list.row[first]! < rowShift) first++;
  const keep = (a: Int32Array) => a.subarray(first);
  return { values: keep(list.values), row: keep(list.row).map((r) => r - rowShift), col: keep(list.col), ch: keep(list.ch) };
}

/**
 * The two operands of a weight gradient in their roles: the one the PEs hold (activations X in
 * `weightGradient`, output gradients dY in `weightGradientSwapped`) and the one broadcast.
 */
interface WeightGradientRoles {
  readonly pass: 'weightGradient' | 'weightGradientSwapped';
  readonly stationary: PlaneIndex;
  readonly stationaryChannels: number;
  readonly stationaryRows: number;
  readonly stationaryCols: number;
  readonly broadcast: PlaneIndex;
  readonly broadcastChannels: number;
  readonly broadcastRows: number;
  readonly broadcastCols: number;
}

/**
 * How a weight gradient's stationary channels lie on the PEs. Planar: every PE takes a tile of
 * the stationary plane in all `group` channels of a window group and accumulates the same
 * K_g x C_g x R x S block, which the reduction network sums. Channels [ours]: every PE takes the
 * whole plane of `perPe` channels of its own, so the PEs hold disjoint blocks that drain into their
 * own slices side by side, Px·Py bank rows a cycle where the reduction network writes one.
 */
interface WeightGradientLayout {
  readonly mapping: 'planar' | 'channels';
  readonly tile: { rows: number; cols: number };
  /** Stationary channels one window group covers (all PEs together). */
  readonly group: number;
  /** Stationary channels one PE holds of a window group. */
  readonly perPe: number;
}

function weightGradientLayout(shape: ConvShape, roles: WeightGradientRoles, banded: boolean, cfg: ArrayConfig, label: string): WeightGradientLayout {
  const { batch: N, kernelHeight: R, kernelWidth: S } = shape;
  const { stationaryChannels: C, stationaryRows: H, stationaryCols: W } = roles;
  const entries = accumulatorEntries(cfg);
  const channelLimit = maxCoordinate(cfg) + 1;
  const pes = cfg.px * cfg.py;
  const swapped = roles.pass === 'weightGradientSwapped';
  const choice = cfg.weightGradientMapping ?? 'auto';
  // Auto takes channels when every PE gets at least I of them: then a stationary vector is mostly
  // one pixel's channels, which meet the same broadcast elements. With fewer, a vector spans
  // several pixels of one channel and most of its products fall outside the kernel (ResNet-18
  // CIFAR's 64- and 128-channel layers took 1.0-2.5x as long by channels as planar in `element`,
  // activations stationary). Swapped, one output channel per PE is enough: the broadcast
  // activations of a row run then meet a vector's I neighbouring pixels, and the drain needs no
  // reduction. Unless the activations have fewer channels than a broadcast vector has lanes (an
  // image's RGB planes): then a planar vector of I output channels of one pixel fills the
  // multipliers better (ResNet-18 CIFAR's conv1: 4,397 cycles planar, 13,821 by channels).
  const wanted = swapped ? C >= pes && roles.broadcastChannels >= cfg.F : C >= pes * cfg.I;
  if (choice === 'channels' || (choice === 'auto' && wanted)) {
    // As few channels per PE as cover C; one step brings a PE its channels' whole plane of one sample,
    // so the most non-zeros of any sample's slice of perPe channels must fit the stationary buffer.
    const perPe = Math.max(1, Math.min(Math.ceil(C / pes), Math.floor(entries / (R * S)), channelLimit));
    let most = { count: 0, n: 0, c: 0 };
    for (let n = 0; n < N; n++) {
      for (let c0 = 0; c0 < C; c0 += perPe) {
        let count = 0;
        for (let c = c0; c < Math.min(c0 + perPe, C); c++) count += roles.stationary.plane(n, c).rowPtr[H]!;
        if (count > most.count) most = { count, n, c: c0 };
      }
    }
    // A band of a large output-gradient plane meets few of a plane's rows: such a pass stays planar.
    if (!banded && most.count <= cfg.stationaryCapacity) return { mapping: 'channels', tile: { rows: H, cols: W }, group: perPe * pes, perPe };
    if (choice === 'channels') {
      const operand = swapped ? 'output-gradient' : 'activation';
      throw new RangeError(
        banded
          ? `${label}: a weight gradient whose output-gradient plane comes in row bands cannot be mapped by channels; use the planar mapping`
          : `${label}: a weight gradient mapped by channels needs ${most.count} ${operand} non-zeros (sample ${most.n}, channels ${most.c}-${Math.min(most.c + perPe, C) - 1} of the ${H} x ${W} plane) in one PE's stationary buffer, which holds ${cfg.stationaryCapacity}; use the planar mapping`,
      );
    }
  }
  const tile = shrinkTile(Math.ceil(H / cfg.py), Math.ceil(W / cfg.px), (r, c) => r * c <= cfg.stationaryCapacity, label);
  const pairs = Math.floor(entries / (R * S));
  let group = Math.min(C, Math.floor(cfg.stationaryCapacity / (tile.rows * tile.cols)), pairs, channelLimit);
  if (swapped) {
    // The broadcast activations are filled once per group of output channels, so a larger group
    // fills less; the group's window leaves the rest of the accumulators to the broadcast channels,
    // whose number sets how many activations a stationary vector meets per kernel row.
    group = Math.min(group, Math.max(cfg.I, Math.floor(Math.sqrt(pairs * 2) / cfg.I) * cfg.I));
  }
  return { mapping: 'planar', tile, group, perPe: group };
}

/** The plane indexes of a weight gradient's two operands. */
interface OperandIndexes {
  readonly activations: PlaneIndex;
  readonly gradients: PlaneIndex;
}

function operandIndexes(shape: ConvShape, operands: ConvOperands): OperandIndexes {
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W } = shape;
  return {
    activations: new PlaneIndex(operands.activations, [N, C, H, W]),
    gradients: new PlaneIndex(operands.outputGradients, [N, K, outputHeight(shape), outputWidth(shape)]),
  };
}

/** The roles of a weight gradient's operands with `stationary` kept in the PEs. */
function weightGradientRoles(shape: ConvShape, { activations, gradients }: OperandIndexes, stationary: 'activations' | 'outputGradients'): WeightGradientRoles {
  const { inChannels: C, outChannels: K, height: H, width: W } = shape;
  const E = outputHeight(shape);
  const Fo = outputWidth(shape);
  return stationary === 'outputGradients'
    ? { pass: 'weightGradientSwapped', stationary: gradients, stationaryChannels: K, stationaryRows: E, stationaryCols: Fo, broadcast: activations, broadcastChannels: C, broadcastRows: H, broadcastCols: W }
    : { pass: 'weightGradient', stationary: activations, stationaryChannels: C, stationaryRows: H, stationaryCols: W, broadcast: gradients, broadcastChannels: K, broadcastRows: E, broadcastCols: Fo };
}

/**
 * Which operand a weight gradient keeps in the PEs. `auto` schedules it both ways, wherever the
 * activation plane's pointer tables let the swapped pass broadcast it whole, and keeps the schedule
 * that `estimateScheduleCycles` finds faster in the PE's anticipation mode [ours]. Neither way wins
 * everywhere: under a top-K workload the output gradients are dense and the activations sparse, so
 * swapped the fill copies only non-zeros and a stationary vector of output channels of one pixel
 * makes every product it meets valid (ResNet-18 CIFAR: every weight gradient took fewer cycles
 * so). But swapping wherever the tables fit made the `ant` experiment's ResNet-50 ImageNet step
 * 2.1x and DenseNet-121's 15 % slower in `element`: a gradient plane too large for a PE's channels
 * leaves the swapped pass planar, filling the activations again for every small group of output
 * channels.
 */
function scheduleWeightGradient(shape: ConvShape, operands: ConvOperands, cfg: ArrayConfig, label: string): PassSchedule {
  const choice = cfg.weightGradientStationary ?? 'auto';
  const H = shape.height;
  const W = shape.width;
  // Both candidates read the same two tensors: their planes are indexed once.
  const indexes = operandIndexes(shape, operands);
  if (choice !== 'auto') return scheduleWeightGradientWith(shape, indexes, cfg, choice, label);
  if (!planeTablesFit(H, W, shape.padding, shape.stride, cfg)) return scheduleWeightGradientWith(shape, indexes, cfg, 'activations', label);
  // A forced mapping one of the two cannot take (by channels, a plane too large) leaves the other.
  const attempt = (operand: 'activations' | 'outputGradients'): PassSchedule | RangeError => {
    try {
      return scheduleWeightGradientWith(shape, indexes, cfg, operand, label);
    } catch (e) {
      if (e instanceof RangeError) return e;
      throw e;
    }
  };
  const kept = attempt('activations');
  const swapped = attempt('outputGradients');
  if (kept instanceof RangeError) {
    if (swapped instanceof RangeError) throw kept;
    return swapped;
  }
  if (swapped instanceof RangeError) return kept;
  return estimateScheduleCycles(swapped, cfg) < estimateScheduleCycles(kept, cfg) ? swapped : kept;
}

/**
 * Weight gradient: samples (and row bands of a large broadcast plane) are the reduction steps; the
 * PEs hold tiles (planar) or channels of the stationary operand, and see the broadcast operand's
 * whole plane in a group of its channels.
 */
function scheduleWeightGradientWith(shape: ConvShape, indexes: OperandIndexes, cfg: ArrayConfig, stationary: 'activations' | 'outputGradients', label: string): PassSchedule {
  const { batch: N, inChannels: C, outChannels: K, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const entries = accumulatorEntries(cfg);
  if (R * S > entries) throw new RangeError(`${label}: a ${R}x${S} kernel needs ${R * S} accumulators per channel pair; a PE has ${entries}`);
  const roles = weightGradientRoles(shape, indexes, stationary);
  const swapped = roles.pass === 'weightGradientSwapped';
  const { bands, tableRows } = swapped
    ? swappedPlaneTables(roles, padding, stride, cfg, label)
    : gradientBands(roles.broadcastRows, roles.broadcastCols, padding, stride, cfg, label);
  const layout = weightGradientLayout(shape, roles, bands.length > 1, cfg, label);
  const { tile, perPe } = layout;
  const sRows = roles.stationaryRows;
  const sCols = roles.stationaryCols;
  const byChannels = layout.mapping === 'channels';
  const bGroup = Math.min(roles.broadcastChannels, Math.floor(entries / (perPe * R * S)), maxCoordinate(cfg) + 1);
  const geometry: PassGeometry = { pass: roles.pass, stride, padding, outRows: R, outCols: S, broadcastRows: tableRows, broadcastCols: roles.broadcastCols };
  const broadcastBlocks = new GatherCache();
  const broadcastCols: Span = { start: 0, end: roles.broadcastCols };
  const units: ScheduledUnit[] = [];
  let unformedProducts = 0;
  // Each region gives every PE's tile of sample n: the same tiles for every sample, or (folded) sample n's
  // tiles on block n mod perGrid, so consecutive samples of one unit run on different PEs at once.
  // Here a tile's `sample` only marks whether the PE holds one (>= 0): the step's n is the sample.
  const regions: ((n: number) => readonly PeTile[])[] = [];
  if (byChannels) {
    const whole = Array.from({ length: cfg.px * cfg.py }, (): PeTile => ({ rows: { start: 0, end: sRows }, cols: { start: 0, end: sCols }, sample: 0 }));
    regions.push(() => whole);
  } else {
    const fold = sampleFold(cfg, tile, sRows, sCols, N);
    if (fold.perGrid > 1) {
      const byBlock = Array.from({ length: fold.perGrid }, (_, block) => foldedTiles(cfg, fold, tile, sRows, sCols, (b) => (b === block ? 0 : -1)));
      regions.push((n) => byBlock[n % fold.perGrid]!);
    } else {
      for (let ry = 0; ry < regionCount(sRows, tile.rows, cfg.py); ry++) {
        for (let rx = 0; rx < regionCount(sCols, tile.cols, cfg.px); rx++) {
          const tiles = regionTiles(cfg, ry, rx, tile, sRows, sCols).map((t) => ({ ...t, sample: 0 }));
          regions.push(() => tiles);
        }
      }
    }
  }
  for (const tilesOf of regions) {
    for (const sSpan of spans(roles.stationaryChannels, layout.group)) {
      // The channels each PE holds of this group: all of them (planar), or its own slice (channels).
      const channelsOf = tilesOf(0).map((_, pe): Span =>
        byChannels ? { start: Math.min(sSpan.start + pe * perPe, sSpan.end), end: Math.min(sSpan.start + (pe + 1) * perPe, sSpan.end) } : sSpan,
      );
      const tileLists = new GatherCache();
      for (const bSpan of spans(roles.broadcastChannels, bGroup)) {
        // A PE without channels (the last PEs of a channel count that does not fill the grid) gets an empty window.
        const windows = channelsOf.map(
          (ch): PeWindow => ({
            originRow: 0,
            originCol: 0,
            windowRows: ch.end > ch.start ? R : 0,
            windowCols: ch.end > ch.start ? S : 0,
            channels: bSpan.end - bSpan.start,
            stationaryChannels: Math.max(1, ch.end - ch.start),
          }),
        );
        function* steps(): Generator<ReductionStep> {
          for (let n = 0; n < N; n++) {
            const whole = tilesOf(n).map((t, pe) => {
              const ch = channelsOf[pe]!;
              return t.sample < 0 || ch.end <= ch.start ? EMPTY_LIST : tileLists.get(`${n}:${pe}`, () => roles.stationary.gather(n, 1, ch, t.rows, t.cols));
            });
            for (const band of bands) {
              const broadcast = broadcastBlocks.get(`${n}:${bSpan.start}:${band.rows.start}`, () =>
                shiftedRows(roles.broadcast.gather(n, 1, bSpan, band.rows, broadcastCols), band.shift),
              );
              // A band's stationary lists are the same for every broadcast channel group: shifted once.
              const stationary = whole.map((list, pe) =>
                band.shift === 0 ? list : tileLists.get(`${n}:${pe}:${band.shift}`, () => shiftedRows(list, band.shift * stride)),
              );
              for (let pe = 0; pe < whole.length; pe++) unformedProducts += (whole[pe]!.values.length - stationary[pe]!.values.length) * broadcast.values.length;
              yield { stationary, broadcast, segmentPerRow: byChannels };
            }
          }
        }
        const group = nextGroup(units);
        const placement: Placement = {
          n: 0,
          channelBase: bSpan.start,
          stationaryChannelBase: sSpan.start,
          rowBase: 0,
          colBase: 0,
          ...(byChannels ? { peStationaryChannelBases: channelsOf.map((ch) => ch.start) } : {}),
        };
        for (const unit of packSteps(geometry, windows, steps(), cfg, label)) units.push({ unit, placement, group });
      }
    }
  }
  return {
    pass: roles.pass,
    outputDims: [K, C, R, S],
    units,
    tile,
    channelGroup: bGroup,
    stationaryChannelGroup: perPe,
    unformedProducts,
    weightGradientMapping: layout.mapping,
  };
}

/** Schedules one training pass of a convolution layer (a fully-connected layer is the 1 x 1 case, or use scheduleMatmul). */
export function scheduleConvPass(shape: ConvShape, pass: TrainingPass, operands: ConvOperands, config: ArrayConfig, label = 'layer'): PassSchedule {
  validateConvShape(shape, label);
  validateArrayConfig(config);
  checkStride(shape, label);
  const schedule = pass === 'weightGradient' ? scheduleWeightGradient(shape, operands, config, label) : scheduleSpatialPass(pass, shape, operands, config, label);
  return checkCoordinates(schedule, config, label);
}

/**
 * C = A x B in matrix-multiplication mode: PE (x, y) owns output rows tile y and
 * columns tile x; for each k it holds A[rows, k] and sees the broadcast B[k, cols
 * of the region]; products outside its columns are its RCPs.
 */
export function scheduleMatmul(a: Matrix, b: Matrix, config: ArrayConfig, label = 'matmul'): PassSchedule {
  validateArrayConfig(config);
  if (a.cols !== b.rows) throw new RangeError(`${label}: A is ${a.rows}x${a.cols} but B is ${b.rows}x${b.cols}; inner dimensions must match`);
  for (const [m, name] of [[a, 'A'], [b, 'B']] as const) {
    if (m.values.length !== m.rows * m.cols) throw new RangeError(`${label}: ${name} has ${m.values.length} values, ${m.rows}x${m.cols} needs ${m.rows * m.cols}`);
  }
  const M = a.rows;
  const Kd = a.cols;
  const Nd = b.cols;
  const entries = accumulatorEntries(config);
  // A region's rows and columns are relative to its corner and must fit the coordinate fields.
  const maxCoord = maxCoordinate(config);
  if (config.px > maxCoord || config.py > maxCoord) throw new RangeError(`${label}: a ${config.px} x ${config.py} region of 1 x 1 tiles does not fit ${config.coordBits} coordinate bits`);
  const tile = shrinkTile(
    Math.min(Math.ceil(M / config.py), Math.floor(maxCoord / config.py)),
    Math.min(Math.ceil(Nd / config.px), Math.floor(maxCoord / config.px)),
    (r, c) => r * c <= entries && r <= config.stationaryCapacity,
    label,
  );
  const regionRows = Math.min(M, config.py * tile.rows);
  const regionCols = Math.min(Nd, config.px * tile.cols);
  // Output extents are unused in matrix mode (the window decides validity); the region's are given so they fit.
  const geometry: PassGeometry = { pass: 'matmul', stride: 1, padding: 0, outRows: regionRows, outCols: regionCols, broadcastRows: regionCols, broadcastCols: 1 };
  // Column k of A is row k of its transpose: both operands are read as row slices of a plane.
  const columnsOfA = new PlaneIndex(transposed(a), [1, 1, Kd, M]);
  const rowsOfB = new PlaneIndex(b.values, [1, 1, Kd, Nd]);
  const single: Span = { start: 0, end: 1 };
  const units: ScheduledUnit[] = [];
  for (let ry = 0; ry < regionCount(M, tile.rows, config.py); ry++) {
    for (let rx = 0; rx < regionCount(Nd, tile.cols, config.px); rx++) {
      const tiles = regionTiles(config, ry, rx, tile, M, Nd);
      const rowBase = Math.min(ry * regionRows, M);
      const colBase = Math.min(rx * regionCols, Nd);
      const columns: Span = { start: colBase, end: Math.min(colBase + regionCols, Nd) };
      const windows = tiles.map((t): PeWindow => ({
        originRow: Math.max(0, t.rows.start - rowBase),
        originCol: Math.max(0, t.cols.start - colBase),
        windowRows: Math.max(1, t.rows.end - t.rows.start),
        windowCols: Math.max(1, t.cols.end - t.cols.start),
        channels: 1,
        stationaryChannels: 1,
      }));
      function* steps(): Generator<ReductionStep> {
        for (let k = 0; k < Kd; k++) {
          const row: Span = { start: k, end: k + 1 };
          // The PEs of one PE row hold the same rows of A: gather each row span once per step.
          const bySpan = new Map<number, ElementList>();
          const stationary = tiles.map((t) => {
            const key = t.rows.start * (M + 1) + t.rows.end;
            let list = bySpan.get(key);
            if (!list) {
              list = columnsAsRows(columnsOfA.gather(0, 1, single, row, t.rows), rowBase);
              bySpan.set(key, list);
            }
            return list;
          });
          const broadcast = columnsAsRows(rowsOfB.gather(0, 1, single, row, columns), colBase);
          yield { stationary, broadcast };
        }
      }
      const group = nextGroup(units);
      for (const unit of packSteps(geometry, windows, steps(), config, label)) {
        units.push({ unit, placement: { n: 0, channelBase: 0, stationaryChannelBase: 0, rowBase, colBase }, group });
      }
    }
  }
  return checkCoordinates({ pass: 'matmul', outputDims: [M, Nd], units, tile, channelGroup: 1, stationaryChannelGroup: 1, unformedProducts: 0 }, config, label);
}

// ---------------------------------------------------------------- coordinate fields

/**
 * Holds every unit of a schedule to the PE's coordinate fields (the same
 * limits the image encoder enforces, sim/scnn/images.ts): geometry, windows and
 * every element coordinate in [0, 2^coordBits). A convolution plane too large
 * for the fields is refused here; anything else would be a scheduler bug.
 */
export function checkCoordinates(schedule: PassSchedule, cfg: ArrayConfig, label: string): PassSchedule {
  const maxCoord = maxCoordinate(cfg);
  const fail = (u: number, what: string, v: number): never => {
    throw new RangeError(`${label}: ${schedule.pass} work unit ${u}: ${what} ${v} does not fit ${cfg.coordBits} coordinate bits (0..${maxCoord})`);
  };
  const checkList = (u: number, list: ElementList, what: string) => {
    for (const axis of ['row', 'col', 'ch'] as const) {
      const a = list[axis];
      for (let i = 0; i < a.length; i++) if (a[i]! < 0 || a[i]! > maxCoord) fail(u, `${what} ${axis} at element ${i}`, a[i]!);
    }
  };
  schedule.units.forEach(({ unit }, u) => {
    const g = unit.geometry;
    for (const [name, v] of Object.entries({ padding: g.padding, outRows: g.outRows, outCols: g.outCols, broadcastRows: g.broadcastRows, broadcastCols: g.broadcastCols })) {
      if (v < 0 || v > maxCoord) fail(u, `geometry ${name}`, v);
    }
    checkList(u, unit.broadcast, 'broadcast');
    unit.pes.forEach((pe, k) => {
      const w = pe.window;
      for (const [name, v] of Object.entries({ originRow: w.originRow, originCol: w.originCol, windowRows: w.windowRows, windowCols: w.windowCols })) {
        if (v < 0 || v > maxCoord) fail(u, `PE ${k} window ${name}`, v);
      }
      checkList(u, pe.stationary, `PE ${k} stationary`);
    });
  });
  return schedule;
}
