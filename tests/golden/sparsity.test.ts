import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activationDims, outputDims, type ConvShape } from '../../sim/golden/conv-shape.ts';
import { countNonZeros } from '../../sim/golden/dense-array.ts';
import { Rng } from '../../sim/golden/random.ts';
import { countRcpBruteForce, countRcpFast } from '../../sim/golden/rcp-count.ts';
import { dsgSelectOutputs, sparseProjection } from '../../sim/workloads/sparsity/dsg.ts';
import { getNetwork } from '../../sim/workloads/networks/index.ts';
import { runNetworkRcp } from '../../sim/workloads/network-rcp.ts';
import { GENERATORS, getGenerator } from '../../sim/workloads/sparsity/generators.ts';
import { clusteredReluMask } from '../../sim/workloads/sparsity/relu-clustered.ts';
import { structuredLineMask } from '../../sim/workloads/sparsity/structured-lines.ts';
import { keepCount, keepTopKByMagnitude } from '../../sim/workloads/sparsity/top-k.ts';
import { uniformDensityTolerance } from '../../sim/workloads/sparsity/uniform.ts';

const layer: ConvShape = { batch: 2, inChannels: 8, outChannels: 16, height: 16, width: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
const density = (v: ArrayLike<number>) => countNonZeros(v) / v.length;

describe('every generator', () => {
  for (const name of Object.keys(GENERATORS)) {
    it(`${name}: reproducible from its seed, values fit 16 bits, activations non-negative`, () => {
      const request = { sparsity: 0.9, seed: 42, layerName: 'conv3' };
      const a = getGenerator(name).synthesize(layer, request);
      expect(getGenerator(name).synthesize(layer, request)).toEqual(a);
      expect(getGenerator(name).synthesize(layer, { ...request, layerName: 'conv4' }).weights).not.toEqual(a.weights);
      for (const values of [a.activations, a.weights, a.outputGradients]) {
        for (const v of values) expect(v >= -32768 && v <= 32767).toBe(true);
      }
      expect(a.activations.every((v) => v >= 0)).toBe(true);
    });
  }

  it('unknown generator names list the known ones', () => {
    expect(() => getGenerator('magic')).toThrow('unknown sparsity generator "magic"; choose one of: uniform, topk, relu, dsg, lstm, prune');
  });
});

describe('uniform i.i.d.', () => {
  it('hits the target density within the stated binomial tolerance on all operands', () => {
    for (const sparsity of [0.5, 0.9, 0.99]) {
      const w = GENERATORS.uniform!.synthesize(layer, { sparsity, seed: 7, layerName: 'l' });
      for (const values of [w.activations, w.weights, w.outputGradients]) {
        expect(Math.abs(density(values) - (1 - sparsity))).toBeLessThanOrEqual(uniformDensityTolerance(values.length, 1 - sparsity));
      }
    }
  });
});

describe('top-K magnitude (SWAT)', () => {
  it('keeps exactly K values, the largest magnitudes, unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (raw, d) => {
        const values = Int32Array.from(raw);
        const keep = keepCount(values.length, d);
        const kept = keepTopKByMagnitude(values, keep);
        let keptCount = 0;
        let minKept = Infinity;
        let maxDropped = 0;
        for (let i = 0; i < values.length; i++) {
          if (kept[i] !== 0) {
            expect(kept[i]).toBe(values[i]);
            keptCount++;
            minKept = Math.min(minKept, Math.abs(values[i]!));
          } else {
            maxDropped = Math.max(maxDropped, Math.abs(values[i]!));
          }
        }
        // Zeros have the smallest magnitude, so non-zeros fill the K places first.
        expect(keptCount).toBe(Math.min(keep, countNonZeros(values)));
        if (keptCount > 0) expect(minKept).toBeGreaterThanOrEqual(maxDropped);
      }),
    );
  });

  it('makes X and W exactly 90% sparse and leaves dY dense', () => {
    const w = GENERATORS.topk!.synthesize(layer, { sparsity: 0.9, seed: 3, layerName: 'l' });
    expect(countNonZeros(w.activations)).toBe(keepCount(w.activations.length, 0.1));
    expect(countNonZeros(w.weights)).toBe(keepCount(w.weights.length, 0.1));
    expect(density(w.outputGradients)).toBe(1);
  });
});

describe('ReLU-shaped activations', () => {
  const dims = activationDims(layer);
  const neighbourZeroGivenZero = (mask: Uint8Array, [N, C, H, W]: readonly number[]) => {
    let zeros = 0;
    let both = 0;
    for (let p = 0; p < N! * C!; p++)
      for (let h = 0; h < H!; h++)
        for (let w = 0; w + 1 < W!; w++) {
          const i = (p * H! + h) * W! + w;
          if (mask[i] === 0) {
            zeros++;
            if (mask[i + 1] === 0) both++;
          }
        }
    return both / zeros;
  };

  it('hits the density exactly and clusters its zeros in space', () => {
    const mask = clusteredReluMask(dims, 0.3, new Rng(5));
    expect(countNonZeros(mask)).toBe(keepCount(mask.length, 0.3));
    // Independent zeros would give P(right neighbour zero | zero) = 0.7.
    expect(neighbourZeroGivenZero(mask, dims)).toBeGreaterThan(0.85);
  });

  it('gives the output gradients exactly the zero pattern of the output activations', () => {
    const w = GENERATORS.relu!.synthesize(layer, { sparsity: 0.6, seed: 9, layerName: 'l' });
    const y = w.outputActivationMask!;
    expect(y.length).toBe(w.outputGradients.length);
    for (let i = 0; i < y.length; i++) expect(w.outputGradients[i] !== 0).toBe(y[i] === 1);
    expect(countNonZeros(w.outputGradients)).toBe(keepCount(y.length, 0.4));
    expect(countNonZeros(w.activations)).toBe(keepCount(w.activations.length, 0.4));
    expect(density(w.weights)).toBe(1);
  });
});

describe('DSG dimension-reduction search', () => {
  it('projects with entries +-sqrt(3) with probability 1/6 each', () => {
    const p = sparseProjection(3000, 8, new Rng(1));
    const entries = p.weight.flatMap((w) => Array.from(w));
    expect(entries.every((v) => Math.abs(Math.abs(v) - Math.sqrt(3)) < 1e-12)).toBe(true);
    const positive = entries.filter((v) => v > 0).length / 24000;
    const negative = entries.filter((v) => v < 0).length / 24000;
    expect(Math.abs(positive - 1 / 6)).toBeLessThan(0.015);
    expect(Math.abs(negative - 1 / 6)).toBeLessThan(0.015);
  });

  it('keeps the top k of each window in sample 0 and applies that threshold to the whole batch', () => {
    const shape: ConvShape = { ...layer, batch: 4, outChannels: 40 };
    const rng = new Rng(11);
    const x = Int32Array.from({ length: 4 * 8 * 16 * 16 }, () => rng.nextInt(100));
    const w = Int32Array.from({ length: 40 * 8 * 9 }, () => rng.nextInt(201) - 100);
    const { mask, thresholds, estimates } = dsgSelectOutputs(shape, x, w, { density: 0.25, windowSize: 16 }, new Rng(12));
    const positions = 16 * 16;
    const windows: Array<[number, number]> = [[0, 16], [16, 32], [32, 40]];
    let keptOthers = 0;
    for (let pos = 0; pos < positions; pos++) {
      windows.forEach(([first, last], g) => {
        const threshold = thresholds[pos * windows.length + g]!;
        let keptSample0 = 0;
        for (let n = 0; n < 4; n++) {
          for (let k = first; k < last; k++) {
            const i = (n * 40 + k) * positions + pos;
            if (estimates[i]! > threshold) expect(mask[i]).toBe(1);
            if (estimates[i]! < threshold) expect(mask[i]).toBe(0);
            if (n === 0) keptSample0 += mask[i]!;
            else keptOthers += mask[i]!;
          }
        }
        expect(keptSample0).toBe(keepCount(last - first, 0.25));
      });
    }
    expect(Math.abs(keptOthers / (3 * 40 * positions) - 0.25)).toBeLessThan(0.05);
  });

  it('masks the output gradients with the selection', () => {
    const w = GENERATORS.dsg!.synthesize(layer, { sparsity: 0.75, seed: 2, layerName: 'l' });
    for (let i = 0; i < w.outputGradients.length; i++) expect(w.outputGradients[i] !== 0).toBe(w.outputActivationMask![i] === 1);
    expect(Math.abs(density(w.outputGradients) - 0.25)).toBeLessThan(0.05);
    expect(Math.abs(density(w.activations) - 0.25)).toBeLessThan(0.05);
  });
});

describe('LSTM structured gate-gradient sparsity', () => {
  for (const axis of ['rows', 'columns'] as const) {
    it(`zeroes whole ${axis} and nothing else`, () => {
      const rows = 24;
      const cols = 40;
      const mask = structuredLineMask(rows, cols, 0.7, axis, new Rng(4));
      const lines = axis === 'rows' ? rows : cols;
      const along = axis === 'rows' ? cols : rows;
      let zeroLines = 0;
      for (let l = 0; l < lines; l++) {
        let ones = 0;
        for (let j = 0; j < along; j++) ones += mask[axis === 'rows' ? l * cols + j : j * cols + l]!;
        expect([0, along]).toContain(ones);
        if (ones === 0) zeroLines++;
      }
      expect(zeroLines).toBe(Math.round(0.7 * lines));
    });
  }

  it('on a convolution zeroes whole output-gradient channels across batch and space', () => {
    const w = GENERATORS.lstm!.synthesize(layer, { sparsity: 0.75, seed: 8, layerName: 'l' });
    const [N, K, E, F] = outputDims(layer);
    const zeroChannels = new Set<number>();
    for (let k = 0; k < K; k++) {
      let nonZeros = 0;
      for (let n = 0; n < N; n++) for (let p = 0; p < E * F; p++) if (w.outputGradients[(n * K + k) * E * F + p] !== 0) nonZeros++;
      expect([0, N * E * F]).toContain(nonZeros);
      if (nonZeros === 0) zeroChannels.add(k);
    }
    expect(zeroChannels.size).toBe(12);
    expect(density(w.activations)).toBe(1);
  });
});

describe('static weight pruning (SparseRT regime)', () => {
  for (const sparsity of [0.9, 0.95]) {
    it(`prunes weights to exactly ${sparsity * 100}% and leaves X and dY dense`, () => {
      const w = GENERATORS.prune!.synthesize(layer, { sparsity, seed: 1, layerName: 'l' });
      expect(countNonZeros(w.weights)).toBe(keepCount(w.weights.length, 1 - sparsity));
      expect(density(w.activations)).toBe(1);
      expect(density(w.outputGradients)).toBe(1);
    });
  }
});

describe('fast RCP counter on generated workloads', () => {
  it('equals brute force on a strided layer with clustered and structured zeros', () => {
    const shape: ConvShape = { batch: 2, inChannels: 4, outChannels: 6, height: 12, width: 10, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1 };
    for (const name of Object.keys(GENERATORS)) {
      const w = getGenerator(name).synthesize(shape, { sparsity: 0.7, seed: 13, layerName: name });
      expect(countRcpFast(shape, w)).toEqual(countRcpBruteForce(shape, w));
    }
  });
});

describe('the first layer reads the raw image, which is dense', () => {
  // ResNet-18's first convolution has 3 input channels: 10% of 3 channels rounds
  // to none, so a generator that sparsified the image left the layer empty.
  const table = getNetwork('resnet18', 'imagenet');
  const firstTwo = { ...table, layers: table.layers.slice(0, 2) };
  for (const name of Object.keys(GENERATORS)) {
    it(`${name}: X of the first layer is dense, and its forward and weight-gradient products are counted`, () => {
      const report = runNetworkRcp(firstTwo, { sparsity: 0.9, generator: name, seed: 3, batch: 1, multipliers: 1024 });
      const [first, second] = report.layers;
      expect(first!.density.activations).toBe(1);
      expect(first!.passes.forward.valid).toBeGreaterThan(0);
      expect(first!.passes.weightGradient.valid).toBeGreaterThan(0);
      // Later layers keep the generator's own activation sparsity.
      if (name !== 'lstm' && name !== 'prune') expect(second!.density.activations).toBeLessThan(0.5);
    });
  }
});
