import { describe, expect, it } from 'vitest';
import { DEFAULT_ARRAY_CONFIG } from '../../sim/scnn/array-config.ts';
import { referenceWorkUnit } from '../../sim/scnn/reference.ts';
import { runTrainingStep } from '../../sim/scnn/training-step.ts';
import { convLayer, fcLayer, type NetworkTable } from '../../sim/workloads/layer-table.ts';

const tiny: NetworkTable = {
  name: 'tiny',
  input: 'cifar',
  source: 'test network',
  layers: [convLayer('conv1', 3, 8, 8, 3), convLayer('conv2', 8, 8, 8, 3, 2), fcLayer('fc', 8 * 4 * 4, 10)],
};

describe('runTrainingStep', () => {
  it('runs every layer and pass of a small network, checked against the golden layers, with the golden valid counts', async () => {
    const cfg = { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 2, banks: 8, bankDepth: 8 };
    const results = await runTrainingStep(tiny, cfg, { batch: 2, sparsity: 0.7, generator: 'uniform', seed: 5 }, () => (unit) => {
      const pes = referenceWorkUnit(unit);
      return { windows: pes.map((p) => p.accumulators), stats: pes.reduce((s, p) => s + p.valid, 0) };
    });
    expect(results.map((r) => `${r.layer}:${r.pass}:${r.mode}`)).toEqual([
      'conv1:forward:conv', 'conv1:inputGradient:conv', 'conv1:weightGradient:conv',
      'conv2:forward:conv', 'conv2:inputGradient:conv', 'conv2:weightGradient:conv',
      'fc:forward:matmul', 'fc:inputGradient:matmul', 'fc:weightGradient:matmul',
    ]);
    for (const r of results) {
      expect(r.unitStats.reduce((a, b) => a + b, 0), `${r.layer} ${r.pass}`).toBe(r.golden.valid);
      expect(r.golden.valid).toBeGreaterThan(0);
    }
  });
});
