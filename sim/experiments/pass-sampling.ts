/**
 * Sampling of a layer pass too large to model in the time an experiment has
 * (the cycle model walks every Cartesian product in the 'off' mode, and the
 * large weight-gradient passes of ImageNet layers hand the array up to 10^11).
 *
 * A pass whose Cartesian products exceed the budget is cut to a slice of the
 * same layer: first one sample of the batch (forward and input gradient only:
 * their work units and window groups are per sample, so the pass is exactly the
 * sum of its samples), then a contiguous chunk of the pass's output channels
 * (K in forward and weight gradient, C in input gradient: the reduction stays
 * whole, window groups are per channel chunk), and, for a weight gradient
 * still too large, the batch (its reduction). Experiments may choose other
 * cuts. The slice's counters are multiplied by the exact ratio of the whole
 * to the slice (N / n' x channels / channels'), except the drains, which a
 * cut of the reduction leaves as they are. Which sample and which chunk are drawn
 * from the seed, so a run is reproducible; the estimate's error is measured by
 * tests and in docs/experiments.md against exact runs.
 */
import type { ConvShape, TrainingPass } from '../golden/conv-shape.ts';
import { outputHeight, outputWidth } from '../golden/conv-shape.ts';
import { deriveSeed, Rng } from '../golden/random.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import type { ConvOperands } from '../scnn/scheduler.ts';

/** A dimension a pass can be cut along: the batch, input channels C, output channels K. */
export type SampleAxis = 'batch' | 'C' | 'K';

/** Elements [start, start + count) of one dimension of `of`. */
export interface AxisSlice {
  readonly start: number;
  readonly count: number;
  readonly of: number;
}

export interface PassSample {
  readonly batch: AxisSlice;
  readonly C: AxisSlice;
  readonly K: AxisSlice;
  /** Whole / slice: what the slice's counters are multiplied by (1 = the pass ran whole, exact). */
  readonly scale: number;
}

/**
 * The cuts of each pass, in order: the batch first where the pass is a sum over
 * samples (forward, input gradient), then the channels the pass produces (the
 * reduction stays whole); the weight gradient, which reduces over the batch,
 * cuts the batch last.
 */
export const DEFAULT_CUTS: Readonly<Record<TrainingPass, readonly SampleAxis[]>> = {
  forward: ['batch', 'K'],
  inputGradient: ['batch', 'C'],
  weightGradient: ['K', 'batch'],
};

function extent(shape: ConvShape, axis: SampleAxis): number {
  return axis === 'batch' ? shape.batch : axis === 'C' ? shape.inChannels : shape.outChannels;
}

export function wholePass(shape: ConvShape): PassSample {
  const whole = (axis: SampleAxis): AxisSlice => ({ start: 0, count: extent(shape, axis), of: extent(shape, axis) });
  return { batch: whole('batch'), C: whole('C'), K: whole('K'), scale: 1 };
}

/**
 * The slice of a pass with `products` Cartesian products that brings it under
 * `budget` (null: never sample): each cut in turn keeps the share of its
 * dimension the budget allows (at least one), at a start drawn from the seed.
 */
export function planPassSample(
  shape: ConvShape,
  pass: TrainingPass,
  products: number,
  budget: number | null,
  seed: number,
  label: string,
  cuts: readonly SampleAxis[] = DEFAULT_CUTS[pass],
): PassSample {
  const whole = wholePass(shape);
  if (budget === null || products <= budget) return whole;
  const rng = new Rng(deriveSeed(seed, label, pass, 'pass sample'));
  const slices = { ...whole };
  let left = products;
  for (const axis of cuts) {
    if (left <= budget) break;
    const of = extent(shape, axis);
    const count = Math.max(1, Math.floor((of * budget) / left));
    left = (left * count) / of;
    slices[axis] = { start: count === of ? 0 : rng.nextInt(of - count + 1), count, of };
  }
  const scale = (['batch', 'C', 'K'] as const).reduce((x, axis) => x * (slices[axis].of / slices[axis].count), 1);
  return { ...slices, scale };
}

/** Elements [start, start + count) of axis `axis` of a row-major tensor of dimensions `dims`. */
function sliceAxis(values: Int32Array, dims: readonly number[], axis: number, cut: AxisSlice): Int32Array {
  if (cut.count === cut.of) return values;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Int32Array(outer * cut.count * inner);
  for (let o = 0; o < outer; o++) {
    out.set(values.subarray((o * cut.of + cut.start) * inner, (o * cut.of + cut.start + cut.count) * inner), o * cut.count * inner);
  }
  return out;
}

/** The layer and operands of a pass's slice. */
export function slicePass(shape: ConvShape, operands: ConvOperands, sample: PassSample): { shape: ConvShape; operands: ConvOperands } {
  if (sample.scale === 1) return { shape, operands };
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  const n = sample.batch.count;
  const c = sample.C.count;
  const x = sliceAxis(sliceAxis(operands.activations, [N, C, H, W], 0, sample.batch), [n, C, H, W], 1, sample.C);
  const dy = sliceAxis(sliceAxis(operands.outputGradients, [N, K, E, F], 0, sample.batch), [n, K, E, F], 1, sample.K);
  const w = sliceAxis(sliceAxis(operands.weights, [K, C, R, S], 0, sample.K), [sample.K.count, C, R, S], 1, sample.C);
  return { shape: { ...shape, batch: n, inChannels: c, outChannels: sample.K.count }, operands: { activations: x, weights: w, outputGradients: dy } };
}

/** The dimension each pass reduces over: a cut along it leaves the pass's window groups, and so its drains, as they are. */
export const REDUCTION_AXIS: Readonly<Record<TrainingPass, SampleAxis>> = { forward: 'C', inputGradient: 'K', weightGradient: 'batch' };

/**
 * The estimate of the whole pass from its slice's counters: every counter
 * times the slice's scale, except the drain of the window groups, which only
 * the cuts of the output (not of the reduction) multiply. `runCutDrainCycles`
 * (of the slice; engine.ts) are drains of runs that end inside a group: a
 * longer reduction cuts a group into proportionally more runs, so they take
 * the whole scale. Unchanged when the pass ran whole.
 */
export function scaleCounters(c: ArrayCounters, sample: PassSample, pass: TrainingPass, runCutDrainCycles = 0): ArrayCounters {
  if (sample.scale === 1) return c;
  const reduction = sample[REDUCTION_AXIS[pass]];
  const outputScale = sample.scale / (reduction.of / reduction.count);
  const scaled = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'number' ? v * sample.scale : v])) as unknown as ArrayCounters;
  const drain = (c.drainCycles - runCutDrainCycles) * outputScale + runCutDrainCycles * sample.scale;
  // The drain engine's work scales the same way. The exposed drain (drainCycles) of a sample is at least the
  // whole pass's share: a group's drain hides behind the next group's compute, which the cut shortens.
  const drainBusy = (c.drainBusyCycles - runCutDrainCycles) * outputScale + runCutDrainCycles * sample.scale;
  return { ...scaled, drainCycles: drain, drainBusyCycles: drainBusy, cycles: scaled.cycles - scaled.drainCycles + drain };
}

export function describeSample(s: PassSample): string {
  if (s.scale === 1) return 'whole';
  const names = { batch: 'samples', C: 'input channels', K: 'output channels' } as const;
  const parts = (['batch', 'C', 'K'] as const)
    .filter((axis) => s[axis].count !== s[axis].of)
    .map((axis) => `${names[axis]} ${s[axis].start}-${s[axis].start + s[axis].count - 1} of ${s[axis].of}`);
  return `${parts.join(', ')} (x${Number(s.scale.toPrecision(6))})`;
}
