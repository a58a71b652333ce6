/** fast-check generators shared by the golden-model tests. */
import fc from 'fast-check';
import { activationDims, outputDims, weightDims, type ConvShape } from '../../sim/golden/conv-shape.ts';
import { elementCount } from '../../sim/golden/dense-array.ts';
import { Rng } from '../../sim/golden/random.ts';

/** Inclusive ranges of a random layer shape's fields. */
export type ConvShapeRanges = { readonly [K in keyof ConvShape]: readonly [number, number] };

/** Random layer shapes within `ranges` whose output is not empty. */
export function convShapeArbWithin(ranges: ConvShapeRanges): fc.Arbitrary<ConvShape> {
  const field = (k: keyof ConvShape) => fc.integer({ min: ranges[k][0], max: ranges[k][1] });
  return fc
    .record({
      batch: field('batch'),
      inChannels: field('inChannels'),
      outChannels: field('outChannels'),
      height: field('height'),
      width: field('width'),
      kernelHeight: field('kernelHeight'),
      kernelWidth: field('kernelWidth'),
      stride: field('stride'),
      padding: field('padding'),
    })
    .filter((s) => s.kernelHeight <= s.height + 2 * s.padding && s.kernelWidth <= s.width + 2 * s.padding);
}

/** Random layer shapes with strides 1-2 and paddings 0-3 whose output is not empty. */
export const convShapeArb: fc.Arbitrary<ConvShape> = convShapeArbWithin({
  batch: [1, 2],
  inChannels: [1, 3],
  outChannels: [1, 3],
  height: [1, 7],
  width: [1, 7],
  kernelHeight: [1, 4],
  kernelWidth: [1, 4],
  stride: [1, 2],
  padding: [0, 3],
});

/** Values in [-bound, bound] with roughly `density` non-zeros, drawn from a seeded stream. */
export function sparseValues(count: number, density: number, bound: number, rng: Rng): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (rng.nextFloat() >= density) continue;
    const magnitude = 1 + rng.nextInt(bound);
    out[i] = rng.nextFloat() < 0.5 ? -magnitude : magnitude;
  }
  return out;
}

export interface ConvCase {
  readonly shape: ConvShape;
  readonly activations: Int32Array;
  readonly weights: Int32Array;
  readonly outputGradients: Int32Array;
}

/** A shape plus its three operands, each with its own density (0 and 1 included). */
export function convCaseArb(bound: number, shapes: fc.Arbitrary<ConvShape> = convShapeArb): fc.Arbitrary<ConvCase> {
  // Whole percents, not fc.double: fast-check draws doubles near the ends of their range far more
  // often than in between, which made nine cases in ten all but empty.
  const density = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 1, max: 99 }).map((percent) => percent / 100));
  return fc
    .record({ shape: shapes, seed: fc.nat(), dx: density, dw: density, dg: density })
    .map(({ shape, seed, dx, dw, dg }) => {
      const rng = new Rng(seed);
      return {
        shape,
        activations: sparseValues(elementCount(activationDims(shape)), dx, bound, rng),
        weights: sparseValues(elementCount(weightDims(shape)), dw, bound, rng),
        outputGradients: sparseValues(elementCount(outputDims(shape)), dg, bound, rng),
      };
    });
}
