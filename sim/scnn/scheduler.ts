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
 * into contiguous pieces, each its own broadcast segment.
 */
import { outputHeight, outputWidth, validateConvShape, type ConvShape, type TrainingPass } from '../golden/conv-shape.ts';
import { accumulatorEntries, validateArrayConfig, type ArrayConfig } from './array-config.ts';
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
  readonly n: number;
  /** First broadcast channel (k in forward and weight gradient, c in input gradient). */
  readonly channelBase: number;
  /** First stationary channel (c in weight gradient). */
  readonly stationaryChannelBase: number;
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
}

// ---------------------------------------------------------------- gathering

interface AxisRange {
  readonly axis: number;
  readonly span: Span;
}

/**
 * Non-zeros of a row-major 4-D tensor as an element list sorted by (row, col, ch):
 * `fixed` pins axes, `row`/`col`/`ch` name the axes that vary (ch relative to its span's start).
 */
function gather(
  t: Int32Array,
  dims: readonly [number, number, number, number],
  fixed: Readonly<Record<number, number>>,
  row: AxisRange,
  col: AxisRange | undefined,
  ch: AxisRange | undefined,
): ElementList {
  const strides = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1] as const;
  let base = 0;
  for (const [axis, value] of Object.entries(fixed)) base += strides[Number(axis)]! * value;
  const colSpan = col?.span ?? { start: 0, end: 1 };
  const chSpan = ch?.span ?? { start: 0, end: 1 };
  const rowStride = strides[row.axis]!;
  const colStride = col ? strides[col.axis]! : 0;
  const chStride = ch ? strides[ch.axis]! : 0;
  const values: number[] = [];
  const rows: number[] = [];
  const cols: number[] = [];
  const chs: number[] = [];
  for (let r = row.span.start; r < row.span.end; r++) {
    for (let c = colSpan.start; c < colSpan.end; c++) {
      for (let k = chSpan.start; k < chSpan.end; k++) {
        const v = t[base + r * rowStride + c * colStride + k * chStride]!;
        if (v === 0) continue;
        values.push(v);
        rows.push(r);
        cols.push(c);
        chs.push(k - chSpan.start);
      }
    }
  }
  return { values: Int32Array.from(values), row: Int32Array.from(rows), col: Int32Array.from(cols), ch: Int32Array.from(chs) };
}

// ---------------------------------------------------------------- packing

/** One reduction index: each PE's stationary non-zeros and the shared broadcast non-zeros. */
interface ReductionStep {
  readonly stationary: readonly ElementList[];
  readonly broadcast: ElementList;
}

class ListBuilder {
  readonly values: number[] = [];
  readonly row: number[] = [];
  readonly col: number[] = [];
  readonly ch: number[] = [];
  get length(): number {
    return this.values.length;
  }
  append(list: ElementList, start = 0, end = list.values.length): void {
    for (let i = start; i < end; i++) {
      this.values.push(list.values[i]!);
      this.row.push(list.row[i]!);
      this.col.push(list.col[i]!);
      this.ch.push(list.ch[i]!);
    }
  }
  build(): ElementList {
    return { values: Int32Array.from(this.values), row: Int32Array.from(this.row), col: Int32Array.from(this.col), ch: Int32Array.from(this.ch) };
  }
}

class UnitBuilder {
  readonly broadcast = new ListBuilder();
  readonly broadcastSegments: BroadcastSegment[] = [];
  readonly stationary: ListBuilder[];
  readonly segments: PeSegment[][];
  /** Stationary range of the current step per PE, once added to this unit. */
  stepRanges: (Span | undefined)[];

  constructor(pes: number) {
    this.stationary = Array.from({ length: pes }, () => new ListBuilder());
    this.segments = Array.from({ length: pes }, () => []);
    this.stepRanges = new Array<Span | undefined>(pes).fill(undefined);
  }

  get empty(): boolean {
    return this.broadcastSegments.length === 0;
  }

  fits(step: ReductionStep, pieceLength: number, cfg: ArrayConfig): boolean {
    if (this.broadcast.length + pieceLength > cfg.broadcastCapacity) return false;
    if (this.broadcastSegments.length + 1 > cfg.segmentCapacity) return false;
    return step.stationary.every((s, pe) => {
      if (s.values.length === 0) return true;
      const extra = this.stepRanges[pe] ? 0 : s.values.length;
      return this.stationary[pe]!.length + extra <= cfg.stationaryCapacity && this.segments[pe]!.length + 1 <= cfg.segmentCapacity;
    });
  }

  add(step: ReductionStep, start: number, end: number): void {
    const bStart = this.broadcast.length;
    this.broadcast.append(step.broadcast, start, end);
    this.broadcastSegments.push({ start: bStart, end: this.broadcast.length });
    const segmentIndex = this.broadcastSegments.length - 1;
    step.stationary.forEach((s, pe) => {
      if (s.values.length === 0) return;
      let range = this.stepRanges[pe];
      if (!range) {
        const sStart = this.stationary[pe]!.length;
        this.stationary[pe]!.append(s);
        range = { start: sStart, end: this.stationary[pe]!.length };
        this.stepRanges[pe] = range;
      }
      this.segments[pe]!.push({ start: range.start, end: range.end, broadcastSegment: segmentIndex });
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

/** Packs reduction steps into as few work units as the buffers allow, in step order. */
function packSteps(
  geometry: PassGeometry,
  windows: readonly PeWindow[],
  steps: Iterable<ReductionStep>,
  cfg: ArrayConfig,
  label: string,
): WorkUnit[] {
  const units: WorkUnit[] = [];
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
    for (let start = 0; start < bLength; start += cfg.broadcastCapacity) {
      const end = Math.min(start + cfg.broadcastCapacity, bLength);
      if (!current.fits(step, end - start, cfg)) {
        units.push(current.build(geometry, windows));
        current = new UnitBuilder(windows.length);
      }
      current.add(step, start, end);
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
  const group = Math.min(outChannels, Math.floor(entries / window));
  const geometry: PassGeometry = { pass, stride, padding, outRows, outCols, broadcastRows: R, broadcastCols: S };
  const stationaryTensor = forward ? operands.activations : operands.outputGradients;
  const stationaryDims: [number, number, number, number] = forward ? [N, C, H, W] : [N, K, E, Fo];
  const weightDims: [number, number, number, number] = [K, C, R, S];
  const units: ScheduledUnit[] = [];
  for (let n = 0; n < N; n++) {
    for (let ry = 0; ry < regionCount(inRows, tile.rows, cfg.py); ry++) {
      for (let rx = 0; rx < regionCount(inCols, tile.cols, cfg.px); rx++) {
        const tiles = regionTiles(cfg, ry, rx, tile, inRows, inCols);
        for (const chSpan of spans(outChannels, group)) {
          const windows = tiles.map((t): PeWindow => {
            const rr = spatialReach(pass, t.rows, rowsDim);
            const cr = spatialReach(pass, t.cols, colsDim);
            return {
              originRow: rr.hi >= rr.lo ? rr.lo : 0,
              originCol: cr.hi >= cr.lo ? cr.lo : 0,
              windowRows: reachSize(rr),
              windowCols: reachSize(cr),
              channels: chSpan.end - chSpan.start,
              stationaryChannels: 1,
            };
          });
          function* steps(): Generator<ReductionStep> {
            for (let red = 0; red < reductionCount; red++) {
              const stationary = tiles.map((t) => gather(stationaryTensor, stationaryDims, { 0: n, 1: red }, { axis: 2, span: t.rows }, { axis: 3, span: t.cols }, undefined));
              // Forward: W[k in group, c = red, r, s]; input gradient: W[k = red, c in group, r, s]. Sorted by (r, s, channel).
              const broadcast = forward
                ? gather(operands.weights, weightDims, { 1: red }, { axis: 2, span: { start: 0, end: R } }, { axis: 3, span: { start: 0, end: S } }, { axis: 0, span: chSpan })
                : gather(operands.weights, weightDims, { 0: red }, { axis: 2, span: { start: 0, end: R } }, { axis: 3, span: { start: 0, end: S } }, { axis: 1, span: chSpan });
              yield { stationary, broadcast };
            }
          }
          const group = nextGroup(units);
          for (const unit of packSteps(geometry, windows, steps(), cfg, label)) {
            units.push({ unit, placement: { n, channelBase: chSpan.start, stationaryChannelBase: 0 }, group });
          }
        }
      }
    }
  }
  return {
    pass,
    outputDims: forward ? [N, K, E, Fo] : [N, C, H, W],
    units,
    tile,
    channelGroup: group,
    stationaryChannelGroup: 1,
  };
}

/** Weight gradient: every PE accumulates the same K_g x C_g x R x S block; samples are the reduction steps. */
function scheduleWeightGradient(shape: ConvShape, operands: ConvOperands, cfg: ArrayConfig, label: string): PassSchedule {
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S, stride, padding } = shape;
  const E = outputHeight(shape);
  const Fo = outputWidth(shape);
  const entries = accumulatorEntries(cfg);
  if (R * S > entries) throw new RangeError(`${label}: a ${R}x${S} kernel needs ${R * S} accumulators per channel pair; a PE has ${entries}`);
  const tile = shrinkTile(Math.ceil(H / cfg.py), Math.ceil(W / cfg.px), (r, c) => r * c <= cfg.stationaryCapacity, label);
  const cGroup = Math.min(C, Math.floor(cfg.stationaryCapacity / (tile.rows * tile.cols)), Math.floor(entries / (R * S)));
  const kGroup = Math.min(K, Math.floor(entries / (cGroup * R * S)));
  const geometry: PassGeometry = { pass: 'weightGradient', stride, padding, outRows: R, outCols: S, broadcastRows: E, broadcastCols: Fo };
  const units: ScheduledUnit[] = [];
  for (let ry = 0; ry < regionCount(H, tile.rows, cfg.py); ry++) {
    for (let rx = 0; rx < regionCount(W, tile.cols, cfg.px); rx++) {
      const tiles = regionTiles(cfg, ry, rx, tile, H, W);
      for (const cSpan of spans(C, cGroup)) {
        for (const kSpan of spans(K, kGroup)) {
          const window: PeWindow = {
            originRow: 0,
            originCol: 0,
            windowRows: R,
            windowCols: S,
            channels: kSpan.end - kSpan.start,
            stationaryChannels: cSpan.end - cSpan.start,
          };
          const windows = tiles.map(() => window);
          function* steps(): Generator<ReductionStep> {
            for (let n = 0; n < N; n++) {
              const stationary = tiles.map((t) => gather(operands.activations, [N, C, H, W], { 0: n }, { axis: 2, span: t.rows }, { axis: 3, span: t.cols }, { axis: 1, span: cSpan }));
              const broadcast = gather(operands.outputGradients, [N, K, E, Fo], { 0: n }, { axis: 2, span: { start: 0, end: E } }, { axis: 3, span: { start: 0, end: Fo } }, { axis: 1, span: kSpan });
              yield { stationary, broadcast };
            }
          }
          const group = nextGroup(units);
          for (const unit of packSteps(geometry, windows, steps(), cfg, label)) {
            units.push({ unit, placement: { n: 0, channelBase: kSpan.start, stationaryChannelBase: cSpan.start }, group });
          }
        }
      }
    }
  }
  return { pass: 'weightGradient', outputDims: [K, C, R, S], units, tile, channelGroup: kGroup, stationaryChannelGroup: cGroup };
}

/** Schedules one training pass of a convolution layer (a fully-connected layer is the 1 x 1 case, or use scheduleMatmul). */
export function scheduleConvPass(shape: ConvShape, pass: TrainingPass, operands: ConvOperands, config: ArrayConfig, label = 'layer'): PassSchedule {
  validateConvShape(shape, label);
  validateArrayConfig(config);
  checkStride(shape, label);
  return pass === 'weightGradient' ? scheduleWeightGradient(shape, operands, config, label) : scheduleSpatialPass(pass, shape, operands, config, label);
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
  const tile = shrinkTile(Math.ceil(M / config.py), Math.ceil(Nd / config.px), (r, c) => r * c <= entries && r <= config.stationaryCapacity, label);
  const geometry: PassGeometry = { pass: 'matmul', stride: 1, padding: 0, outRows: M, outCols: Nd, broadcastRows: Nd, broadcastCols: 1 };
  const units: ScheduledUnit[] = [];
  for (let ry = 0; ry < regionCount(M, tile.rows, config.py); ry++) {
    for (let rx = 0; rx < regionCount(Nd, tile.cols, config.px); rx++) {
      const tiles = regionTiles(config, ry, rx, tile, M, Nd);
      const regionCols: Span = { start: Math.min(rx * config.px * tile.cols, Nd), end: Math.min((rx + 1) * config.px * tile.cols, Nd) };
      const windows = tiles.map((t): PeWindow => ({
        originRow: t.rows.start,
        originCol: t.cols.start,
        windowRows: Math.max(1, t.rows.end - t.rows.start),
        windowCols: Math.max(1, t.cols.end - t.cols.start),
        channels: 1,
        stationaryChannels: 1,
      }));
      function* steps(): Generator<ReductionStep> {
        for (let k = 0; k < Kd; k++) {
          const stationary = tiles.map((t) => gather(a.values, [1, 1, M, Kd], { 3: k }, { axis: 2, span: t.rows }, undefined, undefined));
          const broadcast = gather(b.values, [1, 1, Kd, Nd], { 2: k }, { axis: 3, span: regionCols }, undefined, undefined);
          yield { stationary, broadcast };
        }
      }
      const group = nextGroup(units);
      for (const unit of packSteps(geometry, windows, steps(), config, label)) {
        units.push({ unit, placement: { n: 0, channelBase: 0, stationaryChannelBase: 0 }, group });
      }
    }
  }
  return { pass: 'matmul', outputDims: [M, Nd], units, tile, channelGroup: 1, stationaryChannelGroup: 1 };
}
