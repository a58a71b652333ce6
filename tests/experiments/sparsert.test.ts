import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayOf } from '../../sim/experiments/array-experiments.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { sparsertExperiment, weightTimesActivations, type SparsertLayerResult } from '../../sim/experiments/sparsert.ts';
import { convForwardDirect } from '../../sim/golden/conv-direct.ts';
import type { ConvShape } from '../../sim/golden/conv-shape.ts';
import { scheduleConfig } from '../../sim/scnn/array-config.ts';
import { passCounters, planRuns } from '../../sim/scnn/array-runs.ts';
import { scheduleMatmul } from '../../sim/scnn/scheduler.ts';
import { matrixProductTerms, synthesizeLayer } from '../../sim/scnn/training-step.ts';
import { getNetwork } from '../../sim/workloads/networks/index.ts';
import { getGenerator } from '../../sim/workloads/sparsity/generators.ts';
import { expectReportFiles, readJson, settingsFor, tempDir } from './helpers.ts';

describe('sparsert experiment', () => {
  it('forms W · X so that the product is the 1x1 convolution, strided or not', () => {
    for (const stride of [1, 2]) {
      const shape: ConvShape = { batch: 2, inChannels: 5, outChannels: 3, height: 5, width: 4, kernelHeight: 1, kernelWidth: 1, stride, padding: 0 };
      const o = getGenerator('uniform').synthesize(shape, { sparsity: 0.4, seed: 4, layerName: 'mm' });
      const { a, b } = weightTimesActivations(shape, o);
      const y = convForwardDirect(shape, o.activations, o.weights);
      const pixels = b.cols / shape.batch;
      for (let k = 0; k < a.rows; k++)
        for (let j = 0; j < b.cols; j++) {
          let sum = 0;
          for (let c = 0; c < a.cols; c++) sum += a.values[k * a.cols + c]! * b.values[c * b.cols + j]!;
          const n = Math.floor(j / pixels);
          expect(sum).toBe(y[(n * shape.outChannels + k) * pixels + (j % pixels)]);
        }
    }
  });

  it('runs a 1x1 and an FC layer of ResNet-50 on a 2x2 array against dense weights: counters equal the cycle model, the sampled dense run is scaled, report and plot written', async () => {
    const out = tempDir('sparsert');
    const settings = settingsFor(sparsertExperiment, { nets: [{ name: 'resnet50', input: 'imagenet' }], layers: [47, 53], sparsities: [0.9, 0.95], array: { px: 2, py: 2 }, maxProducts: 20_000_000, seed: 3 });
    await runExperiment(sparsertExperiment, settings, { outDir: out, argv: [] });
    expectReportFiles(out, ['speedup-vs-sparsity']);
    const results = readJson(path.join(out, 'results.json'));
    const layers = results.figures.layers as SparsertLayerResult[];
    const table = getNetwork('resnet50', 'imagenet');
    const spec = arrayOf(settings);
    for (const l of layers) {
      for (const r of l.runs) {
        const { shape, operands } = synthesizeLayer(table.layers[l.index]!, l.index, { batch: 1, sparsity: r.sparsity, generator: 'prune', seed: 3 });
        const { a, b } = weightTimesActivations(shape, operands);
        expect(r.valid).toBe(matrixProductTerms(a, b));
        if (r.sample.scale === 1) {
          const schedule = scheduleMatmul(a, b, scheduleConfig(spec.top, spec.top, spec.capacities), l.layer);
          expect(r.runs).toBe(planRuns(schedule, spec.top, spec.top).length);
          expect(r.counters).toEqual(passCounters(schedule, spec.top, spec.top, 'element'));
          expect(r.counters.validProducts).toBe(r.valid);
        } else {
          // Dense weights and activations: the valid products of a chunk of the reduction scale exactly.
          expect(r.sparsity).toBe(0);
          expect(r.counters.validProducts).toBeCloseTo(r.valid, 3);
        }
      }
    }
    expect(layers[0]!.runs[0]!.sample.scale).toBeGreaterThan(1);
    // A cut of the reduction leaves the window groups: the sampled dense run drains its groups as the whole sparse ones do.
    // The runs that end inside a group drain partial sums as well; those grow with the reduction.
    // (The drain engine's work: how much of it the compute hides depends on the compute, which the cut shortens.)
    const groupDrains = (r: SparsertLayerResult['runs'][number]) => r.counters.drainBusyCycles - r.runCutDrainCycles;
    expect(groupDrains(layers[0]!.runs[0]!)).toBe(groupDrains(layers[0]!.runs[1]!));
    expect(layers[0]!.runs[1]!.runCutDrainCycles).toBeGreaterThan(0);
    const total = (s: number) => layers.reduce((sum, l) => sum + l.runs.find((r) => r.sparsity === s)!.counters.cycles, 0);
    for (const [i, s] of [0.9, 0.95].entries()) {
      expect(results.figures.overall[i].speedup).toBeCloseTo(total(0) / total(s), 12);
      expect(results.comparisons[i].ours).toBeCloseTo(total(0) / total(s), 12);
    }
    expect(results.comparisons.map((c: { published: string }) => c.published)).toEqual(['3.4x', '5.4x']);
    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 2 * 3);
    expect(csv[1]).toMatch(/^resnet50,imagenet,layer4.1.conv1,512,2048,49,0,input channels \d+-\d+ of 2048 \(x/);
  });
});
