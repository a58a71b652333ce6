/**
 * Spartan's tile-based sparse GEMM on the array, for one conv layer's forward
 * pass: the input activations X are cut into the sparsity monitor's tiles
 * (TILE_CHANNELS channels x the whole plane of one sample), each tile is a
 * sub-convolution over its channels, and each runs on one of two paths:
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

/** The output-channel slice every tile of a layer runs (sampled by the dense path's products of a full tile), and its scale. */
export function tileSample(shape: ConvShape, ctx: TileRunContext): AxisSlice {
  const channels = Math.min(TILE_CHANNELS, shape.inChannels);
  const products = channels * shape.height * shape.width * shape.outChannels * shape.kernelHeight * shape.kernelWidth;
  const tile: ConvShape = { ...shape, batch: 1, inChannels: channels };
  return planPassSample(tile, 'forward', products, ctx.maxProducts, ctx.seed, ctx.label, ['K']).K;
}

/**
 * Cycles of one tile (sample n, channels [c0, c0 + count)) on one path,
 * its output channels cut to `k` and the counters scaled back to all of them
 * (output channels are not the reduction: drains scale too).
 */
export async function tileCycles(shape: ConvShape, operands: ConvOperands, n: number, c0: number, count: number, k: AxisSlice, path: TilePath, ctx: TileRunContext): Promise<number> {
  const cut = { batch: { start: n, count: 1, of: shape.batch }, C: { start: c0, count, of: shape.inChannels }, K: k };
  const slice = slicePass(shape, operands, { ...cut, scale: (shape.batch * shape.inChannels * k.of) / (count * k.count) });
  const o = path === 'dense' ? { ...slice.operands, activations: everyElementPresent(slice.operands.activations), weights: everyElementPresent(slice.operands.weights) } : slice.operands;
  const mode = path === 'dense' ? DENSE_PATH_MODE : SPARSE_PATH_MODE;
  const r = await ctx.engine.run({ array: ctx.array, work: { kind: 'conv', shape: slice.shape, pass: 'forward', operands: o }, modes: [mode], label: `${ctx.label} tile c${c0}` });
  const kScale = k.of / k.count;
  const only = (count: number) => ({ start: 0, count, of: count });
  return scaleCounters(r.byMode[mode]!, { batch: only(1), C: only(count), K: k, scale: kScale }, 'forward', r.runCutDrainCycles).cycles;
}

export interface CrossoverSweep {
  readonly tileChannels: number;
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
 * PEs' planar tiles, uniform ones do not), W every element present.
 */
export async function measureCrossover(shape: ConvShape, weights: Int32Array, generator: string, k: AxisSlice, ctx: TileRunContext): Promise<CrossoverSweep> {
  const channels = Math.min(TILE_CHANNELS, shape.inChannels);
  const tile: ConvShape = { ...shape, batch: 1, inChannels: channels };
  const w = weightsOfChannels(shape, weights, channels);
  const run = (o: ConvOperands, path: TilePath) => tileCycles(tile, { ...o, weights: w }, 0, 0, channels, k, path, ctx);
  const sweep = (density: number) => getGenerator(generator).synthesize(tile, { sparsity: 1 - density, seed: deriveSeed(ctx.seed, 'crossover', density), layerName: ctx.label });
  const denseCycles = await run(sweep(1), 'dense');
  const points: { density: number; sparseCycles: number }[] = [];
  for (const density of CROSSOVER_DENSITIES) points.push({ density, sparseCycles: await run(sweep(density), 'sparse') });
  const density = crossoverDensity(points, denseCycles);
  return { tileChannels: channels, denseCycles, points, density, threshold: thresholdOf(density) };
}

/** W restricted to its first `channels` input channels, every element present (the sweep varies X only). */
function weightsOfChannels(shape: ConvShape, weights: Int32Array, channels: number): Int32Array {
  const rs = shape.kernelHeight * shape.kernelWidth;
  const out = new Int32Array(shape.outChannels * channels * rs);
  for (let k = 0; k < shape.outChannels; k++) out.set(weights.subarray(k * shape.inChannels * rs, (k * shape.inChannels + channels) * rs), k * channels * rs);
  return everyElementPresent(out);
}

export interface TileRecord {
  readonly sample: number;
  readonly firstChannel: number;
  readonly channels: number;
  readonly nonZeros: number;
  readonly elements: number;
  /** The monitor's flag at the layer's threshold. */
  readonly monitorDense: boolean;
  readonly denseCycles: number;
  readonly sparseCycles: number;
  readonly chosen: TilePath;
}

/** The path of a tile: dense when the monitor flags it and the dense path wins somewhere at all (crossover null: never). */
export function choosePath(monitorDense: boolean, crossover: Pick<CrossoverSweep, 'density'>): TilePath {
  return crossover.density !== null && monitorDense ? 'dense' : 'sparse';
}

/**
 * Every tile of the layer's X: the monitor (golden model of
 * hw/spartan/sparsity-monitor.ts) counts each sample's tiles at the threshold,
 * the sparse path runs each tile, the dense path each tile size once (its cycles
 * do not depend on the values).
 */
export async function runTiles(shape: ConvShape, operands: ConvOperands, crossover: CrossoverSweep, k: AxisSlice, ctx: TileRunContext): Promise<TileRecord[]> {
  const perSample = shape.inChannels * shape.height * shape.width;
  const denseBySize = new Map<number, number>();
  const tiles: TileRecord[] = [];
  for (let n = 0; n < shape.batch; n++) {
    const monitor = monitorTensor(operands.activations.subarray(n * perSample, (n + 1) * perSample), monitorConfigOf(shape, crossover.threshold));
    for (const t of monitor.tiles) {
      const c0 = t.index * TILE_CHANNELS;
      const channels = Math.min(TILE_CHANNELS, shape.inChannels - c0);
      if (!denseBySize.has(channels)) denseBySize.set(channels, await tileCycles(shape, operands, n, c0, channels, k, 'dense', ctx));
      const denseCycles = denseBySize.get(channels)!;
      const sparseCycles = await tileCycles(shape, operands, n, c0, channels, k, 'sparse', ctx);
      tiles.push({ sample: n, firstChannel: c0, channels, nonZeros: t.nonZeros, elements: t.elements, monitorDense: t.dense, denseCycles, sparseCycles, chosen: choosePath(t.dense, crossover) });
    }
  }
  return tiles;
}
