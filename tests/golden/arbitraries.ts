/** fast-check generators shared by the golden-model tests. */
import fc from 'fast-check';
import { activationDims, outputDims, weightDims, type ConvShape } from '../../sim/golden/conv-shape.ts';
import { elementCount } from '../../sim/golden/dense-array.ts';
import { Rng } from '../../sim/golden/random.ts';

/** Random layer shapes with strides 1-2 and paddings 0-3 whose output is not empty. */
export const convShapeArb: fc.Arbitrary<ConvShape> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    inChannels: fc.integer({ min: 1, max: 3 }),
    outChannels: fc.integer({ min: 1, max: 3 }),
    height: fc.integer({ min: 1, max: 7 }),
    width: fc.integer({ min: 1, max: 7 }),
    kernelHeight: fc.integer({ min: 1, max: 4 }),
    kernelWidth: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.integer({ min: 0, max: 3 }),
  })
  .filter((s) => s.kernelHeight <= s.height + 2 * s.padding && s.kernelWidth <= s.width + 2 * s.padding);

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
export function convCaseArb(bound: number): fc.Arbitrary<ConvCase> {
  const density = fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));
  return fc
    .record({ shape: convShapeArb, seed: fc.nat(), dx: density, dw: density, dg: density })
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
