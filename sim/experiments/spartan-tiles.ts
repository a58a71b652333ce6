/**
 * Spartan's tile-based sparse GEMM on the array, for one conv layer's forward
 * pass: the input activations X are cut into the sparsity monitor's tiles
 * (TILE_CHANNELS channels x the whole plane of one sample), each tile is a
 * sub-convolution over its channels, and each runs on one of two paths (the
 * tiles of one path as one pass over their channels):
 *
 *   dense  : the array with every element present (zeros of X and W stored as
 *            elements) and anticipation off: no zero is skipped;
 *   sparse : the array on the compressed tile, anticipation element.
 *
 * The crossover density (where the sparse path gets as slow as the dense one)
 * is measured on the layer's own tile shape by sweeping the density of the
 * workload generator's tile through the cycle model; the monitor's programmable
 * threshold is set from it and its per-tile dense flags choose the path.
 */
import type { ConvShape } from '../golden/conv-shape.ts';
import { deriveSeed } from '../golden/random.ts';
import { DENSITY_SCALE, monitorTensor, type MonitorConfig } from '../golden/spartan/sparsity-monitor.ts';
import type { ArraySpec } from '../scnn/array-config.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import { zeroCounters } from '../scnn/array-runs.ts';
import type { ConvOperands } from '../scnn/scheduler.ts';
import type { Anticipation } from '../scnn/work-unit.ts';
import { getGenerator } from '../workloads/sparsity/generators.ts';
import type { PeArrayEngine } from './engine.ts';
import { planPassSample, scaleCounters, slicePass, type AxisSlice } from './pass-sampling.ts';

/** Channels per monitor tile (a tile is TILE_CHANNELS channel planes of one sample; bench/frontend's tiling). */
export const TILE_CHANNELS = 16;
/** Lanes of the monitor's stream (V). */
export const MONITOR_LANES = 16;
export const DENSE_PATH_MODE: Anticipation = 'off';
export const SPARSE_PATH_MODE: Anticipation = 'element';
/** Densities of the crossover sweep (fraction of non-zeros in X; W every element present). */
export const CROSSOVER_DENSITIES = [0.1, 0.3, 0.5, 0.7, 0.85, 1] as const;

export type TilePath = 'dense' | 'sparse';

/** Every zero replaced by 1: the operand as the dense path stores it (values do not change the cycle counts, positions do). */
export function everyElementPresent(values: Int32Array): Int32Array {
  return values.map((v) => (v === 0 ? 1 : v));
}

/** The monitor's view of one sample's X (C x H x W): a row per channel plane, tiles of TILE_CHANNELS planes, per-channel totals. */
export function monitorConfigOf(shape: ConvShape, threshold: number): MonitorConfig {
  const plane = shape.height * shape.width;
  return {
    lanes: MONITOR_LANES,
    rowLength: plane,
    tileCols: plane,
    tileRows: TILE_CHANNELS,
    rows: shape.inChannels,
    threshold,
    channelLayout: 'planar',
    channels: shape.inChannels,
    planeSize: plane,
  };
}

/** The monitor threshold (in 1/256) that flags a tile dense at the crossover density or above; 255 is the highest it takes. */
export function thresholdOf(crossover: number | null): number {
  if (crossover === null) return DENSITY_SCALE - 1;
  return Math.min(DENSITY_SCALE - 1, Math.max(0, Math.ceil(crossover * DENSITY_SCALE)));
}

/**
 * The density at which the sparse path's cycles reach the dense path's, by
 * linear interpolation between the swept points; null when the sparse path is
 * faster at every swept density (up to fully dense), 0 when it is never.
 */
export function crossoverDensity(points: readonly { density: number; sparseCycles: number }[], denseCycles: number): number | null {
  let previous: { density: number; sparseCycles: number } | undefined;
  for (const p of points) {
    if (p.sparseCycles >= denseCycles) {
      if (!previous) return 0;
      const t = (denseCycles - previous.sparseCycles) / (p.sparseCycles - previous.sparseCycles);
      return previous.density + t * (p.density - previous.density);
    }
    previous = p;
  }
  return null;
}

export interface TileRunContext {
  readonly engine: PeArrayEngine;
  readonly array: ArraySpec;
  /** Products of one tile run (dense count) above which its output channels are sampled; null = exact. */
  readonly maxProducts: number | null;
  readonly seed: number;
  readonly label: string;
}

/** The output channels every pass of a layer runs (sampled by the dense path's products of one sample's whole layer). */
export function layerSample(shape: ConvShape, ctx: TileRunContext): AxisSlice {
  const products = shape.inChannels * shape.height * shape.width * shape.outChannels * shape.kernelHeight * shape.kernelWidth;
  return planPassSample({ ...shape, batch: 1 }, 'forward', products, ctx.maxProducts, ctx.seed, ctx.label, ['K']).K;
}

/**
 * Counters of one sample's pass over the input channels `channels` (any
 * subset, in order) on one path, output channels cut to `k` and the counters
 * scaled back to all of them (output channels are not the reduction: drains
 * scale too). An empty subset costs nothing.
 */
export async function pathCounters(shape: ConvShape, operands: ConvOperands, n: number, channels: readonly number[], k: AxisSlice, path: TilePath, ctx: TileRunContext): Promise<ArrayCounters> {
  if (channels.length === 0) return zeroCounters();
  const cut = { batch: { start: n, count: 1, of: shape.batch }, C: { start: 0, count: shape.inChannels, of: shape.inChannels }, K: k };
  const slice = slicePass(shape, operands, { ...cut, scale: (shape.batch * k.of) / k.count });
  const picked = pickChannels(slice.shape, slice.operands, channels);
  const o = path === 'dense' ? { ...picked.operands, activations: everyElementPresent(picked.operands.activations), weights: everyElementPresent(picked.operands.weights) } : picked.operands;
  const mode = path === 'dense' ? DENSE_PATH_MODE : SPARSE_PATH_MODE;
  const r = await ctx.engine.run({ array: ctx.array, work: { kind: 'conv', shape: picked.shape, pass: 'forward', operands: o }, modes: [mode], label: `${ctx.label} ${path}` });
  const only = (count: number) => ({ start: 0, count, of: count });
  return scaleCounters(r.byMode[mode]!, { batch: only(1), C: only(channels.length), K: k, scale: k.of / k.count }, 'forward', r.runCutDrainCycles);
}

/** The layer restricted to the input channels `channels` of X (N x C x H x W) and W (K x C x R x S); dY as it is. */
export function pickChannels(shape: ConvShape, operands: ConvOperands, channels: readonly number[]): { shape: ConvShape; operands: ConvOperands } {
  const pick = (values: Int32Array, outer: number, inner: number) => {
    const out = new Int32Array(outer * channels.length * inner);
    for (let o = 0; o < outer; o++) channels.forEach((c, i) => out.set(values.subarray((o * shape.inChannels + c) * inner, (o * shape.inChannels + c + 1) * inner), (o * channels.length + i) * inner));
    return out;
  };
  return {
    shape: { ...shape, inChannels: channels.length },
    operands: {
      activations: pick(operands.activations, shape.batch, shape.height * shape.width),
      weights: pick(operands.weights, shape.outChannels, shape.kernelHeight * shape.kernelWidth),
      outputGradients: operands.outputGradients,
    },
  };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Cycles a tile adds to a pass over many tiles: its own, less the drain (and merge) a pass pays once per window group. */
export function marginalCycles(c: ArrayCounters): number {
  return c.cycles - c.drainCycles;
}

export interface CrossoverSweep {
  readonly tileChannels: number;
  /** Marginal cycles (marginalCycles) of a full tile on the dense path, and on the sparse path at each swept density. */
  readonly denseCycles: number;
  readonly points: { readonly density: number; readonly sparseCycles: number }[];
  /** null: the sparse path is faster at every swept density. */
  readonly density: number | null;
  /** Monitor threshold (1/256) programmed from it. */
  readonly threshold: number;
}

/**
 * The crossover of a full tile of this layer: the dense path once, the sparse
 * path on the tile's X made by the run's own generator at each swept density
 * (the zeros keep the workload's structure: clustered ReLU zeros unbalance the
 * PEs' planar tiles, uniform ones do not), W every element present. Tiles are
 * compared by the cycles they add to a pass (no drain): a path's pass drains
 * its outputs once, however many tiles it takes.
 */
export async function measureCrossover(shape: ConvShape, operands: ConvOperands, generator: string, k: AxisSlice, ctx: TileRunContext): Promise<CrossoverSweep> {
  const channels = Math.min(TILE_CHANNELS, shape.inChannels);
  const tile: ConvShape = { ...shape, batch: 1, inChannels: channels };
  const w = pickChannels(shape, operands, range(0, channels)).operands.weights;
  const run = async (o: ConvOperands, path: TilePath) => marginalCycles(await pathCounters(tile, { ...o, weights: w }, 0, range(0, channels), k, path, ctx));
  const sweep = (density: number) => getGenerator(generator).synthesize(tile, { sparsity: 1 - density, seed: deriveSeed(ctx.seed, 'crossover', density), layerName: ctx.label });
  const denseCycles = await run(sweep(1), 'dense');
  const points: { density: number; sparseCycles: number }[] = [];
  for (const density of CROSSOVER_DENSITIES) points.push({ density, sparseCycles: await run(sweep(density), 'sparse') });
  const density = crossoverDensity(points, denseCycles);
  return { tileChannels: channels, denseCycles, points, density, threshold: thresholdOf(density) };
}

export interface TileRecord {
  readonly sample: number;
  readonly firstChannel: number;
  readonly channels: number;
  readonly nonZeros: number;
  readonly elements: number;
  /** The monitor's flag at the layer's threshold. */
  readonly monitorDense: boolean;
  readonly chosen: TilePath;
}

/** The path of a tile: dense when the monitor flags it and the dense path wins somewhere at all (crossover null: never). */
export function choosePath(monitorDense: boolean, crossover: Pick<CrossoverSweep, 'density'>): TilePath {
  return crossover.density !== null && monitorDense ? 'dense' : 'sparse';
}

export interface LayerPaths {
  readonly tiles: readonly TileRecord[];
  /** Forward-pass cycles of the layer (all samples): every tile dense, every tile sparse, each on its chosen path (its dense and sparse passes). */
  readonly allDense: number;
  readonly allSparse: number;
  readonly tileBased: number;
  readonly tileBasedDense: number;
  readonly tileBasedSparse: number;
}

/**
 * The layer on the two paths and with the monitor's choice. Per sample, the
 * monitor (golden model of hw/spartan/sparsity-monitor.ts, equal to the RTL)
 * counts the tiles of X at the threshold; the tiles it flags run as one pass
 * on the dense path, the others as one pass on the sparse path (each path
 * drains its own partial outputs, which the host adds, as it adds runs).
 * All-dense and all-sparse are one pass of every channel on one path.
 */
export async function runLayerPaths(shape: ConvShape, operands: ConvOperands, crossover: CrossoverSweep, k: AxisSlice, ctx: TileRunContext): Promise<LayerPaths> {
  const perSample = shape.inChannels * shape.height * shape.width;
  const all = range(0, shape.inChannels);
  const tiles: TileRecord[] = [];
  const sum = { allDense: 0, allSparse: 0, tileBasedDense: 0, tileBasedSparse: 0 };
  for (let n = 0; n < shape.batch; n++) {
    const monitor = monitorTensor(operands.activations.subarray(n * perSample, (n + 1) * perSample), monitorConfigOf(shape, crossover.threshold));
    const chosen: TileRecord[] = monitor.tiles.map((t) => {
      const firstChannel = t.index * TILE_CHANNELS;
      return { sample: n, firstChannel, channels: Math.min(TILE_CHANNELS, shape.inChannels - firstChannel), nonZeros: t.nonZeros, elements: t.elements, monitorDense: t.dense, chosen: choosePath(t.dense, crossover) };
    });
    tiles.push(...chosen);
    const on = (path: TilePath) => chosen.filter((t) => t.chosen === path).flatMap((t) => range(t.firstChannel, t.channels));
    const allDense = (await pathCounters(shape, operands, n, all, k, 'dense', ctx)).cycles;
    const allSparse = (await pathCounters(shape, operands, n, all, k, 'sparse', ctx)).cycles;
    const dense = on('dense');
    // A path that takes every tile is the all-path pass itself.
    const tileDense = dense.length === shape.inChannels ? allDense : (await pathCounters(shape, operands, n, dense, k, 'dense', ctx)).cycles;
    const tileSparse = dense.length === 0 ? allSparse : (await pathCounters(shape, operands, n, on('sparse'), k, 'sparse', ctx)).cycles;
    sum.allDense += allDense;
    sum.allSparse += allSparse;
    sum.tileBasedDense += dense.length === 0 ? 0 : tileDense;
    sum.tileBasedSparse += dense.length === shape.inChannels ? 0 : tileSparse;
  }
  return { tiles, ...sum, tileBased: sum.tileBasedDense + sum.tileBasedSparse };
}
