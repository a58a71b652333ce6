import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convForwardDirect, convInputGradientDirect, convWeightGradientDirect } from '../../sim/golden/conv-direct.ts';
import { convForwardOuterProduct, convInputGradientOuterProduct, convWeightGradientOuterProduct } from '../../sim/golden/conv-outer-product.ts';
import { type ConvShape } from '../../sim/golden/conv-shape.ts';
import { AccumulatorOverflowError } from '../../sim/golden/fixed-point.ts';
import { convCaseArb } from './arbitraries.ts';

const WRAP_24 = { format: { operandBits: 16, accumulatorBits: 24 }, onOverflow: 'wrap' as const };

describe('outer-product convolution equals the direct convolution', () => {
  // Full-range 16-bit operands into 24-bit accumulators: wrap-around happens often,
  // so agreement also checks that both follow the datapath's modular arithmetic.
  for (const bound of [5, 32767]) {
    it(`for all three passes (operands up to ${bound})`, () => {
      fc.assert(
        fc.property(convCaseArb(bound), ({ shape, activations, weights, outputGradients }) => {
          expect(convForwardOuterProduct(shape, activations, weights, WRAP_24).output).toEqual(
            convForwardDirect(shape, activations, weights, WRAP_24),
          );
          expect(convInputGradientOuterProduct(shape, outputGradients, weights, WRAP_24).output).toEqual(
            convInputGradientDirect(shape, outputGradients, weights, WRAP_24),
          );
          expect(convWeightGradientOuterProduct(shape, activations, outputGradients, WRAP_24).output).toEqual(
            convWeightGradientDirect(shape, activations, outputGradients, WRAP_24),
          );
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('direct convolutions on a hand-checked layer', () => {
  // One channel in and out, 3x3 input, 2x2 kernel, stride 1, padding 0: E = F = 2.
  const shape: ConvShape = { batch: 1, inChannels: 1, outChannels: 1, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2, stride: 1, padding: 0 };
  const x = Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
  const w = Int32Array.of(1, 0, 0, -1);
  const dy = Int32Array.of(1, 2, 3, 4);

  it('forward: y[e,f] = x[e,f] - x[e+1,f+1]', () => {
    expect(Array.from(convForwardDirect(shape, x, w))).toEqual([1 - 5, 2 - 6, 4 - 8, 5 - 9]);
  });

  it('input gradient scatters dY through the flipped kernel', () => {
    // dX[h,w] = dY[h,w]*w[0,0] + dY[h-1,w-1]*w[1,1]
    expect(Array.from(convInputGradientDirect(shape, dy, w))).toEqual([1, 2, 0, 3, 4 - 1, -2, 0, -3, -4]);
  });

  it('weight gradient correlates X with dY', () => {
    // dW[r,s] = sum over e,f of x[e+r, f+s] * dy[e,f]
    expect(Array.from(convWeightGradientDirect(shape, x, dy))).toEqual([
      1 * 1 + 2 * 2 + 4 * 3 + 5 * 4,
      2 * 1 + 3 * 2 + 5 * 3 + 6 * 4,
      4 * 1 + 5 * 2 + 7 * 3 + 8 * 4,
      5 * 1 + 6 * 2 + 8 * 3 + 9 * 4,
    ]);
  });

  it('stride 2 with padding 1 drops the taps that fall between outputs', () => {
    const strided: ConvShape = { ...shape, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1 };
    const ones = new Int32Array(9).fill(1);
    // E = F = 2; output (0,0) sees the 2x2 top-left corner, (1,1) the 2x2 bottom-right.
    expect(Array.from(convForwardDirect(strided, x, ones))).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
  });
});

describe('bad input', () => {
  const shape: ConvShape = { batch: 1, inChannels: 2, outChannels: 1, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };

  it('names the operand whose length does not match the shape', () => {
    expect(() => convForwardDirect(shape, new Int32Array(5), new Int32Array(18))).toThrow(
      'activations holds 5 values but its shape [1, 2, 4, 4] needs 32',
    );
  });

  it('rejects a kernel that cannot fit the padded input', () => {
    expect(() => convForwardOuterProduct({ ...shape, kernelHeight: 7 }, new Int32Array(32), new Int32Array(42))).toThrow(
      /a 7x3 kernel does not fit a 4x4 input with padding 1/,
    );
  });

  it('reports an accumulator overflow with the layer and coordinate instead of wrapping', () => {
    const x = new Int32Array(32).fill(32767);
    const w = new Int32Array(18).fill(32767);
    const run = () => convWeightGradientOuterProduct({ ...shape, outChannels: 2 }, x, new Int32Array(32).fill(32767), { label: 'conv2_1' });
    expect(run).toThrow(AccumulatorOverflowError);
    expect(run).toThrow(/conv2_1: exact sum \d+ at weight gradient \(k=\d, c=\d, r=1, s=1\) overflows the 32-bit accumulator/);
    expect(() => convForwardDirect(shape, x, w, { label: 'conv2_1' })).toThrow(/conv2_1: exact sum 19326173202 at output \(n=0, k=0, e=1, f=1\)/);
  });
});
