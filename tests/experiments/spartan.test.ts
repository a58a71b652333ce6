import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayOf } from '../../sim/experiments/array-experiments.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { spartanExperiment, type SpartanLayerResult } from '../../sim/experiments/spartan.ts';
import { choosePath, crossoverDensity, everyElementPresent, monitorConfigOf, pickChannels, TILE_CHANNELS, thresholdOf } from '../../sim/experiments/spartan-tiles.ts';
import { getGenerator } from '../../sim/workloads/sparsity/generators.ts';
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

  it('picks any channels of X and W: a contiguous pick is the slice of those channels', () => {
    const shape = { batch: 2, inChannels: 5, outChannels: 3, height: 4, width: 3, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const o = getGenerator('uniform').synthesize(shape, { sparsity: 0.5, seed: 2, layerName: 'pick' });
    const picked = pickChannels(shape, o, [1, 2, 3]);
    const sliced = slicePass(shape, o, { ...wholePass(shape), C: { start: 1, count: 3, of: 5 }, scale: 5 / 3 });
    expect(picked.shape).toEqual(sliced.shape);
    expect(picked.operands.activations).toEqual(sliced.operands.activations);
    expect(picked.operands.weights).toEqual(sliced.operands.weights);
    const scattered = pickChannels(shape, o, [4, 0]);
    expect(scattered.operands.weights[0]).toBe(o.weights[4 * 9]);
    expect(scattered.operands.activations[12]).toBe(o.activations[0]);
  });

  it('runs two ResNet-18 layers on a 2x2 array: the paths\' passes equal the cycle model over the runs, the monitor chooses the tiles, report and plots written', async () => {
    const out = tempDir('spartan');
    // Layer 0 reads the (dense) network input: one 3-channel tile; layer 1 has 64 channels: four tiles.
    const settings = settingsFor(spartanExperiment, { nets: [{ name: 'resnet18', input: 'cifar' }], generators: ['relu'], sparsities: [0.6], layers: [0, 1], array: { px: 2, py: 2 }, maxProducts: 400_000, seed: 3 });
    await runExperiment(spartanExperiment, settings, { outDir: out, argv: [] });
    expectReportFiles(out, ['speedup-by-network', 'crossover']);
    const results = readJson(path.join(out, 'results.json'));
    expect(results.command).toBe('npm run experiment -- spartan --nets resnet18:cifar --sparsity 0.6 --generator relu --batch 1 --seed 3 --array 2x2 --engine model --layers 0,1 --max-products 400000 --validate-rtl 0');
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
      // The passes: the cycle model summed over the array's runs on sample 0 with the layer's output-channel chunk, times its scale.
      const slice = slicePass(shape, operands, { ...wholePass(shape), K: k, scale: l.scale });
      const cycles = (channels: number[], path: 'dense' | 'sparse') => {
        if (channels.length === 0) return 0;
        const picked = pickChannels(slice.shape, slice.operands, channels);
        const o = path === 'sparse' ? picked.operands : { ...picked.operands, activations: everyElementPresent(picked.operands.activations), weights: everyElementPresent(picked.operands.weights) };
        return passCounters(schedulePass(picked.shape, 'forward', o, cfg, path), spec.top, spec.top, path === 'sparse' ? 'element' : 'off').cycles * l.scale;
      };
      const channelsOf = (path: 'dense' | 'sparse') => l.tiles.filter((t) => t.chosen === path).flatMap((t) => Array.from({ length: t.channels }, (_, i) => t.firstChannel + i));
      const all = Array.from({ length: shape.inChannels }, (_, c) => c);
      expect(l.totals.allDense).toBe(cycles(all, 'dense'));
      expect(l.totals.allSparse).toBe(cycles(all, 'sparse'));
      expect(l.totals.tileBasedDense).toBe(cycles(channelsOf('dense'), 'dense'));
      expect(l.totals.tileBasedSparse).toBe(cycles(channelsOf('sparse'), 'sparse'));
      expect(l.totals.tileBased).toBe(l.totals.tileBasedDense + l.totals.tileBasedSparse);
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
