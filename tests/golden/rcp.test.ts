import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convForwardOuterProduct, convInputGradientOuterProduct, convWeightGradientOuterProduct } from '../../sim/golden/conv-outer-product.ts';
import { activationDims, outputDims, rcpFraction, weightDims, type ConvShape } from '../../sim/golden/conv-shape.ts';
import { elementCount } from '../../sim/golden/dense-array.ts';
import { countRcpBruteForce, countRcpDense, countRcpFast } from '../../sim/golden/rcp-count.ts';
import { convCaseArb, convShapeArb } from './arbitraries.ts';

const WRAP = { onOverflow: 'wrap' as const };

describe('RCP counting', () => {
  it('the fast counter equals brute-force enumeration and the outer-product datapath', () => {
    fc.assert(
      fc.property(convCaseArb(3), (c) => {
        const brute = countRcpBruteForce(c.shape, c);
        expect(countRcpFast(c.shape, c)).toEqual(brute);
        expect(convForwardOuterProduct(c.shape, c.activations, c.weights, WRAP).counts).toEqual(brute.forward);
        expect(convInputGradientOuterProduct(c.shape, c.outputGradients, c.weights, WRAP).counts).toEqual(brute.inputGradient);
        expect(convWeightGradientOuterProduct(c.shape, c.activations, c.outputGradients, WRAP).counts).toEqual(brute.weightGradient);
      }),
      { numRuns: 400 },
    );
  });

  it('the dense closed form equals brute force on all-non-zero operands', () => {
    fc.assert(
      fc.property(convShapeArb, (shape) => {
        const ones = (dims: readonly number[]) => new Uint8Array(elementCount(dims)).fill(1);
        const patterns = { activations: ones(activationDims(shape)), weights: ones(weightDims(shape)), outputGradients: ones(outputDims(shape)) };
        expect(countRcpDense(shape)).toEqual(countRcpBruteForce(shape, patterns));
      }),
      { numRuns: 200 },
    );
  });

  it('dense operands make the same number of valid products in all three passes', () => {
    fc.assert(
      fc.property(convShapeArb, (shape) => {
        const counts = countRcpDense(shape);
        expect(counts.inputGradient.valid).toBe(counts.forward.valid);
        expect(counts.weightGradient.valid).toBe(counts.forward.valid);
      }),
    );
  });

  it('rejects a pattern whose size does not match the shape', () => {
    const shape: ConvShape = { batch: 1, inChannels: 1, outChannels: 1, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    expect(() => countRcpFast(shape, { activations: new Uint8Array(15), weights: new Uint8Array(9), outputGradients: new Uint8Array(16) })).toThrow(
      'activations pattern has 15 elements; shape [1, 1, 4, 4] needs 16',
    );
  });
});

describe('REFERENCE.md section 3: dense-operand RCP fractions (2-D)', () => {
  // [H, R, p, stride, forward, input gradient, weight gradient], as printed in the table.
  const table: Array<[number, number, number, number, string, string, string]> = [
    [32, 3, 1, 1, '4.1', '4.1', '99.2'],
    [8, 3, 1, 1, '16', '16', '88'],
    [56, 1, 0, 1, '0', '0', '99.97'],
    [32, 3, 1, 2, '76', '4.1', '99.2'],
  ];
  for (const [H, R, p, stride, ...expected] of table) {
    it(`H=${H} R=${R} p=${p} stride=${stride}`, () => {
      const shape: ConvShape = { batch: 1, inChannels: 1, outChannels: 1, height: H, width: H, kernelHeight: R, kernelWidth: R, stride, padding: p };
      const counts = countRcpDense(shape);
      const shown = [counts.forward, counts.inputGradient, counts.weightGradient].map((c, i) => {
        const decimals = (expected[i]!.split('.')[1] ?? '').length;
        return (rcpFraction(c) * 100).toFixed(decimals);
      });
      expect(shown).toEqual(expected);
      // The channel dimension only multiplies the counts: fractions do not move with C, K, N.
      expect(rcpFraction(countRcpDense({ ...shape, batch: 2, inChannels: 3, outChannels: 5 }).weightGradient)).toBe(rcpFraction(counts.weightGradient));
    });
  }
});
