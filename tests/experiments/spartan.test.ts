import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayOf } from '../../sim/experiments/array-experiments.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { spartanExperiment, type SpartanLayerResult } from '../../sim/experiments/spartan.ts';
import { choosePath, crossoverDensity, everyElementPresent, monitorConfigOf, TILE_CHANNELS, thresholdOf } from '../../sim/experiments/spartan-tiles.ts';
import { slicePass, wholePass } from '../../sim/experiments/pass-sampling.ts';
import { monitorTensor } from '../../sim/golden/spartan/sparsity-monitor.ts';
import { scheduleConfig } from '../../sim/scnn/array-config.ts';
import { passCounters } from '../../sim/scnn/array-runs.ts';
import { schedulePass } from '../../sim/scnn/layer-run.ts';
import { synthesizeLayer } from '../../sim/scnn/training-step.ts';
import { getNetwork } from '../../sim/workloads/networks/index.ts';
import { expectReportFiles, readJson, settingsFor, tempDir } from './helpers.ts';

describe('spartan experiment', () => {
  it('finds the crossover density between the swept points, or says there is none', () => {
    const points = [0.1, 0.5, 1].map((density, i) => ({ density, sparseCycles: [100, 300, 500][i]! }));
    expect(crossoverDensity(points, 400)).toBeCloseTo(0.75, 12);
    expect(crossoverDensity(points, 300)).toBe(0.5);
    expect(crossoverDensity(points, 501)).toBeNull();
    expect(crossoverDensity(points, 50)).toBe(0);
    expect(thresholdOf(0.75)).toBe(192);
    expect(thresholdOf(null)).toBe(255);
    expect(choosePath(true, { density: null })).toBe('sparse');
    expect(choosePath(true, { density: 0.4 })).toBe('dense');
    expect(choosePath(false, { density: 0.4 })).toBe('sparse');
  });

  it('runs two ResNet-18 layers tile by tile on a 2x2 array: tile cycles equal the cycle model over the runs, the monitor chooses, report and plots written', async () => {
    const out = tempDir('spartan');
    // Layer 0 reads the (dense) network input: one 3-channel tile; layer 1 has 64 channels: four tiles.
    const settings = settingsFor(spartanExperiment, { nets: [{ name: 'resnet18', input: 'cifar' }], generators: ['relu'], sparsities: [0.6], layers: [0, 1], array: { px: 2, py: 2 }, maxProducts: 400_000, seed: 3 });
    await runExperiment(spartanExperiment, settings, { outDir: out, argv: [] });
    expectReportFiles(out, ['speedup-by-network', 'crossover']);
    const results = readJson(path.join(out, 'results.json'));
    expect(results.command).toBe('npm run experiment -- spartan --nets resnet18:cifar --sparsity 0.6 --generator relu --batch 1 --seed 3 --array 2x2 --engine model --layers 0,1 --max-products 400000');
    const run = results.figures.runs[0];
    const layers = run.layers as SpartanLayerResult[];
    expect(layers.map((l) => l.tiles.length)).toEqual([1, 64 / TILE_CHANNELS]);

    const spec = arrayOf(settings);
    const cfg = scheduleConfig(spec.top, spec.top, spec.capacities);
    const table = getNetwork('resnet18', 'cifar');
    for (const l of layers) {
      const { shape, operands } = synthesizeLayer(table.layers[l.index]!, l.index, { batch: 1, sparsity: 0.6, generator: 'relu', seed: 3 });
      expect(l.scale, `${l.layer} sampled along its output channels`).toBeGreaterThan(1);
      const k = { start: Number(/output channels (\d+)-/.exec(l.sample)![1]), count: shape.outChannels / l.scale, of: shape.outChannels };
      // The monitor's golden model at the threshold programmed from the crossover.
      expect(l.crossover.threshold).toBe(thresholdOf(l.crossover.density));
      const flags = monitorTensor(operands.activations, monitorConfigOf(shape, l.crossover.threshold)).tiles;
      for (const [i, t] of l.tiles.entries()) {
        expect(t.monitorDense).toBe(flags[i]!.dense);
        expect(t.nonZeros).toBe(flags[i]!.nonZeros);
        expect(t.chosen).toBe(choosePath(t.monitorDense, l.crossover));
      }
      // Tile 0 on both paths: the cycle model summed over the array's runs, times the output-channel scale.
      const t = l.tiles[0]!;
      const slice = slicePass(shape, operands, { ...wholePass(shape), C: { start: 0, count: t.channels, of: shape.inChannels }, K: k, scale: (l.scale * shape.inChannels) / t.channels });
      const sparse = schedulePass(slice.shape, 'forward', slice.operands, cfg, 's');
      expect(t.sparseCycles).toBe(passCounters(sparse, spec.top, spec.top, 'element').cycles * l.scale);
      const present = { ...slice.operands, activations: everyElementPresent(slice.operands.activations), weights: everyElementPresent(slice.operands.weights) };
      const dense = schedulePass(slice.shape, 'forward', present, cfg, 'd');
      expect(t.denseCycles).toBe(passCounters(dense, spec.top, spec.top, 'off').cycles * l.scale);
      const sum = (f: (x: (typeof l.tiles)[number]) => number) => l.tiles.reduce((s, x) => s + f(x), 0);
      expect(l.totals.allDense).toBe(sum((x) => x.denseCycles));
      expect(l.totals.allSparse).toBe(sum((x) => x.sparseCycles));
      expect(l.totals.tileBased).toBe(sum((x) => (x.chosen === 'dense' ? x.denseCycles : x.sparseCycles)));
      expect(l.profiling.monitorStreamCycles).toBe(0);
      expect(l.profiling.records).toBe(l.tiles.length + shape.inChannels + 1);
    }
    // The network input is dense: the monitor counts every element of its tile.
    expect(layers[0]!.tiles[0]!.nonZeros).toBe(layers[0]!.tiles[0]!.elements);
    expect(run.speedupOverDense).toBeCloseTo(run.totals.allDense / run.totals.tileBased, 12);
    expect(results.comparisons.map((c: { published: string }) => c.published)).toEqual(['2.02x', '52.5x']);
    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 2);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('| 2.02x |');
  });
});
