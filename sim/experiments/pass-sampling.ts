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
 * still too large, one sample (its reduction runs over the samples, so this
 * last cut counts one drain per sample instead of one in all). The slice's
 * counters are multiplied by the exact ratio of the whole to the slice
 * (N / n' x channels / channels'). Which sample and which chunk are drawn
 * from the seed, so a run is reproducible; the estimate's error is measured by
 * tests and in docs/experiments.md against exact runs.
 */
import type { ConvShape, TrainingPass } from '../golden/conv-shape.ts';
import { outputHeight, outputWidth } from '../golden/conv-shape.ts';
import { deriveSeed, Rng } from '../golden/random.ts';
import type { ArrayCounters } from '../scnn/array-cycle-model.ts';
import type { ConvOperands } from '../scnn/scheduler.ts';

export interface PassSample {
  /** Samples run, of the batch, and the first one. */
  readonly samples: number;
  readonly ofSamples: number;
  readonly sampleStart: number;
  /** Output channels of the pass run (K forward and weight gradient, C input gradient), of all, and the first one. */
  readonly channels: number;
  readonly ofChannels: number;
  readonly channelStart: number;
  /** Whole / slice: what the slice's counters are multiplied by (1 = the pass ran whole, exact). */
  readonly scale: number;
}

/** Channels the pass produces: what the sample cuts into chunks. */
function outputChannelsOf(shape: ConvShape, pass: TrainingPass): number {
  return pass === 'inputGradient' ? shape.inChannels : shape.outChannels;
}

export function wholePass(shape: ConvShape, pass: TrainingPass): PassSample {
  const ch = outputChannelsOf(shape, pass);
  return { samples: shape.batch, ofSamples: shape.batch, sampleStart: 0, channels: ch, ofChannels: ch, channelStart: 0, scale: 1 };
}

/**
 * The slice of a pass with `products` Cartesian products that brings it under
 * `budget` (null: never sample), chosen from the seed.
 */
export function planPassSample(shape: ConvShape, pass: TrainingPass, products: number, budget: number | null, seed: number, label: string): PassSample {
  const whole = wholePass(shape, pass);
  if (budget === null || products <= budget) return whole;
  const rng = new Rng(deriveSeed(seed, label, pass, 'pass sample'));
  let samples = shape.batch;
  let left = products;
  const cutBatch = () => {
    left = (left * 1) / samples;
    samples = 1;
  };
  if (pass !== 'weightGradient' && samples > 1) cutBatch();
  let channels = whole.ofChannels;
  if (left > budget) {
    channels = Math.max(1, Math.floor((whole.ofChannels * budget) / left));
    left = (left * channels) / whole.ofChannels;
  }
  if (left > budget && samples > 1) cutBatch();
  const sampleStart = samples === shape.batch ? 0 : rng.nextInt(shape.batch);
  const channelStart = channels === whole.ofChannels ? 0 : rng.nextInt(whole.ofChannels - channels + 1);
  return { samples, ofSamples: shape.batch, sampleStart, channels, ofChannels: whole.ofChannels, channelStart, scale: (shape.batch / samples) * (whole.ofChannels / channels) };
}

/** Elements [start, start + count) of axis `axis` of a row-major tensor of dimensions `dims`. */
function sliceAxis(values: Int32Array, dims: readonly number[], axis: number, start: number, count: number): Int32Array {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Int32Array(outer * count * inner);
  for (let o = 0; o < outer; o++) {
    out.set(values.subarray((o * dims[axis]! + start) * inner, (o * dims[axis]! + start + count) * inner), o * count * inner);
  }
  return out;
}

/** The layer and operands of a pass's slice. */
export function slicePass(shape: ConvShape, operands: ConvOperands, pass: TrainingPass, sample: PassSample): { shape: ConvShape; operands: ConvOperands } {
  if (sample.scale === 1) return { shape, operands };
  const { batch: N, inChannels: C, outChannels: K, height: H, width: W, kernelHeight: R, kernelWidth: S } = shape;
  const E = outputHeight(shape);
  const F = outputWidth(shape);
  let x = sliceAxis(operands.activations, [N, C, H, W], 0, sample.sampleStart, sample.samples);
  let dy = sliceAxis(operands.outputGradients, [N, K, E, F], 0, sample.sampleStart, sample.samples);
  let w = operands.weights;
  let c = C;
  let k = K;
  if (sample.channels !== sample.ofChannels) {
    if (pass === 'inputGradient') {
      c = sample.channels;
      x = sliceAxis(x, [sample.samples, C, H, W], 1, sample.channelStart, c);
      w = sliceAxis(w, [K, C, R, S], 1, sample.channelStart, c);
    } else {
      k = sample.channels;
      dy = sliceAxis(dy, [sample.samples, K, E, F], 1, sample.channelStart, k);
      w = sliceAxis(w, [K, C, R, S], 0, sample.channelStart, k);
    }
  }
  return { shape: { ...shape, batch: sample.samples, inChannels: c, outChannels: k }, operands: { activations: x, weights: w, outputGradients: dy } };
}

/** Every counter of a slice times the slice's scale: the estimate of the whole pass (unchanged when the pass ran whole). */
export function scaleCounters(c: ArrayCounters, scale: number): ArrayCounters {
  if (scale === 1) return c;
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'number' ? v * scale : v])) as unknown as ArrayCounters;
}

export function describeSample(s: PassSample): string {
  if (s.scale === 1) return 'whole';
  const parts: string[] = [];
  if (s.samples !== s.ofSamples) parts.push(`sample ${s.sampleStart} of ${s.ofSamples}`);
  if (s.channels !== s.ofChannels) parts.push(`channels ${s.channelStart}-${s.channelStart + s.channels - 1} of ${s.ofChannels}`);
  return `${parts.join(', ')} (x${Number(s.scale.toPrecision(6))})`;
}
