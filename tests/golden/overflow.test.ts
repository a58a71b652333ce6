import { describe, expect, it } from 'vitest';
import { type ConvShape } from '../../sim/golden/conv-shape.ts';
import { AccumulatorOverflowError } from '../../sim/golden/fixed-point.ts';
import { assertNoOverflow, checkLayerOverflow } from '../../sim/golden/overflow-check.ts';
import { GENERATORS } from '../../sim/workloads/sparsity/generators.ts';

const shape: ConvShape = { batch: 2, inChannels: 16, outChannels: 8, height: 8, width: 8, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };

describe('accumulator overflow checker', () => {
  it('passes the generators\' realistic values on a dense layer with room to spare', () => {
    const workload = GENERATORS.uniform!.synthesize(shape, { sparsity: 0, seed: 1, layerName: 'conv2' });
    const report = checkLayerOverflow('conv2', shape, workload);
    expect(report.overflows).toBe(false);
    for (const pass of report.passes) expect(Math.abs(pass.worstCaseSum)).toBeLessThan(2 ** 31 / 4);
    expect(() => assertNoOverflow(report)).not.toThrow();
  });

  it('flags a full-scale workload, naming the layer, pass and worst sum', () => {
    const full = (n: number) => new Int32Array(n).fill(32767);
    const operands = { activations: full(2 * 16 * 64), weights: full(8 * 16 * 9), outputGradients: full(2 * 8 * 64) };
    const report = checkLayerOverflow('conv3_1', shape, operands);
    expect(report.overflows).toBe(true);
    const forward = report.passes.find((p) => p.pass === 'forward')!;
    expect(forward.worstCaseSum).toBe(16 * 9 * 32767 * 32767);
    expect(forward.worstAt).toBe('(n=0, k=0, e=1, f=1)');
    expect(() => assertNoOverflow(report)).toThrow(AccumulatorOverflowError);
    expect(() => assertNoOverflow(report)).toThrow(
      `layer conv3_1, forward pass: exact sum ${16 * 9 * 32767 * 32767} at (n=0, k=0, e=1, f=1) overflows the 32-bit accumulator`,
    );
  });

  it('tells a sum that cancels apart from one that overflows: only the exact final sum decides', () => {
    const tiny: ConvShape = { ...shape, batch: 1, inChannels: 2, outChannels: 1, kernelHeight: 1, kernelWidth: 1, padding: 0, height: 1, width: 1 };
    const report = checkLayerOverflow('fc', tiny, {
      activations: Int32Array.of(32767, 32767),
      weights: Int32Array.of(32767, -32767),
      outputGradients: Int32Array.of(32767),
    }, { operandBits: 16, accumulatorBits: 24 });
    const forward = report.passes.find((p) => p.pass === 'forward')!;
    expect(forward.worstCaseSum).toBe(0);
    expect(forward.worstAbsoluteSum).toBe(2 * 32767 * 32767);
    expect(forward.overflows).toBe(false);
    expect(report.passes.find((p) => p.pass === 'inputGradient')!.overflows).toBe(true);
  });
});
