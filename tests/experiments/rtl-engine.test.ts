import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { antExperiment } from '../../sim/experiments/ant.ts';
import { lstmExperiment } from '../../sim/experiments/lstm.ts';
import { arrayOf } from '../../sim/experiments/array-experiments.ts';
import { findExperiment } from '../../sim/experiments/registry.ts';
import { arrayTopModel, rtlEngine } from '../../sim/experiments/rtl-engine.ts';
import { modelEngine } from '../../sim/experiments/engine.ts';
import { Rng } from '../../sim/golden/random.ts';
import { pickValidationSample } from '../../sim/experiments/rtl-validation.ts';
import { mergeShards, runExperiment } from '../../sim/experiments/runner.ts';
import { zeroCounters } from '../../sim/scnn/array-runs.ts';
import { requirePassAsModelled, zeroPassTiming, type PassOnArray } from '../../tb/scnn/array-pass-run.ts';
import { readJson, settingsFor, tempDir, withoutRun } from './helpers.ts';

// Two small ResNet-18 layers (conv1 and a 1 x 1 downsample), passes sampled to at most 1e5 products, on a 2 x 2 array (the smallest that still has halos and a cross-PE reduction).
const TINY = { nets: [{ name: 'resnet18', input: 'cifar' as const }], layers: [0, 7], batch: 1, seed: 1, array: { px: 2, py: 2 }, maxProducts: 100_000 };

// One Verilator build of the 2 x 2 array top for the file: minutes on two busy cores, a budget of its own.
beforeAll(async () => {
  await arrayTopModel(arrayOf({ array: TINY.array }).top);
}, 1_800_000);

describe('the RTL engine', () => {
  it('gives the same figures as the model engine (the model is exact), and says the RTL made them', async () => {
    const model = tempDir('ant-model');
    const rtl = tempDir('ant-rtl');
    await runExperiment(antExperiment, settingsFor(antExperiment, { ...TINY, layers: [7] }), { outDir: model, argv: [] });
    await runExperiment(antExperiment, settingsFor(antExperiment, { ...TINY, layers: [7], engine: 'rtl' }), { outDir: rtl, argv: [] });
    const [m, r] = [readJson(path.join(model, 'results.json')), readJson(path.join(rtl, 'results.json'))];
    expect(r.figures).toEqual(m.figures);
    expect(r.comparisons.map((c: any) => c.ours)).toEqual(m.comparisons.map((c: any) => c.ours));
    expect(fs.readFileSync(path.join(rtl, 'results.csv'), 'utf8')).toBe(fs.readFileSync(path.join(model, 'results.csv'), 'utf8'));
    expect(r.madeBy).toMatch(/^Verilator RTL of the array top/);
    expect(m.madeBy).toMatch(/^array cycle model/);
    expect(fs.readFileSync(path.join(rtl, 'summary.md'), 'utf8')).toContain('Figures made by: Verilator RTL of the array top');
    expect(r.environment.tools.verilator).toMatch(/^Verilator /);
  }, 600_000);

  it('runs a pass whose channels exceed the coordinate bits, split into channel groups that fit, with the model\'s figures', async () => {
    // layer4.0.downsample's forward has 512 output channels: the scheduler cuts them into groups of 2^8 (coordinate fields of 8 bits).
    const model = tempDir('ant-wide-model');
    const rtl = tempDir('ant-wide-rtl');
    await runExperiment(antExperiment, settingsFor(antExperiment, { ...TINY, layers: [17], maxProducts: null }), { outDir: model, argv: [] });
    await runExperiment(antExperiment, settingsFor(antExperiment, { ...TINY, layers: [17], maxProducts: null, engine: 'rtl' }), { outDir: rtl, argv: [] });
    expect(readJson(path.join(rtl, 'results.json')).figures).toEqual(readJson(path.join(model, 'results.json')).figures);
  }, 600_000);

  it('runs the lstm experiment (every gate column kept, matrix regions that fit the coordinate bits) with the model\'s figures', async () => {
    const settings = { sparsities: [0.9], batch: 1, seed: 1, array: TINY.array, maxProducts: 200_000 };
    const model = tempDir('lstm-model');
    const rtl = tempDir('lstm-rtl');
    await runExperiment(lstmExperiment, settingsFor(lstmExperiment, settings), { outDir: model, argv: [] });
    await runExperiment(lstmExperiment, settingsFor(lstmExperiment, { ...settings, engine: 'rtl' }), { outDir: rtl, argv: [] });
    const r = readJson(path.join(rtl, 'results.json'));
    expect(r.figures).toEqual(readJson(path.join(model, 'results.json')).figures);
    expect(r.madeBy).toMatch(/^Verilator RTL of the array top/);
  }, 600_000);

  it('runs a weight gradient whose output-gradient plane outgrows the pointer memory (row bands) with the model\'s figures', async () => {
    // A 64 x 64 output-gradient plane needs 65 + 64 * 65 = 4,225 pointer entries in one broadcast segment; the pointer memory holds 4,096.
    const shape = { batch: 1, inChannels: 1, outChannels: 1, height: 64, width: 64, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const rng = new Rng(5);
    const sparse = (n: number) => Int32Array.from({ length: n }, () => (rng.nextFloat() < 0.1 ? 1 + Math.floor(rng.nextFloat() * 7) : 0));
    const operands = { activations: sparse(64 * 64), weights: sparse(9), outputGradients: sparse(64 * 64) };
    const request = { array: arrayOf({ array: TINY.array }), work: { kind: 'conv' as const, shape, pass: 'weightGradient' as const, operands }, modes: ['element' as const], label: 'wide plane' };
    const [model, rtl] = [await modelEngine.run(request), await rtlEngine.run(request)];
    expect(rtl.byMode.element).toEqual(model.byMode.element);
    expect(rtl.byMode.element!.cycles).toBeGreaterThan(0);
  }, 600_000);
});

describe('sampled RTL validation of the model engine', () => {
  it('writes the validation section with error 0, and merged shards validate the same pass runs', async () => {
    const settings = settingsFor(antExperiment, { ...TINY, validateRtl: 2 });
    const single = tempDir('validate');
    await runExperiment(antExperiment, settings, { outDir: single, argv: [] });
    const doc = readJson(path.join(single, 'results.json'));
    expect(doc.settings.validateRtl).toBe(2);
    expect(doc.validation.passes).toHaveLength(2);
    expect(doc.validation.candidates).toBe(6);
    expect(doc.validation.maxRelativeError).toBe(0);
    for (const p of doc.validation.passes) {
      expect(p.refused).toBeNull();
      for (const c of Object.values(p.byMode) as any[]) expect(c.rtlCycles).toBe(c.modelCycles);
    }
    const summary = fs.readFileSync(path.join(single, 'summary.md'), 'utf8');
    expect(summary).toContain('## Validation on the RTL');
    expect(summary).toContain('Largest relative error of the model on any counter of any sampled pass run: **0 (every counter equal)**');
    expect(summary).toContain('seed 1.');
    expect(fs.readFileSync(path.join(single, 'validation.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 3);

    const root = tempDir('validate-shards');
    const dirs = [1, 2].map((i) => path.join(root, `${i}-of-2`));
    for (const [i, dir] of dirs.entries()) await runExperiment(antExperiment, settings, { outDir: dir, shard: { index: i + 1, count: 2 }, argv: [] });
    const merged = await mergeShards(dirs, path.join(root, 'merged'), findExperiment);
    expect(withoutRun(path.join(merged.outDir, 'results.json'))).toBe(withoutRun(path.join(single, 'results.json')));
    expect(fs.readFileSync(path.join(merged.outDir, 'summary.md'), 'utf8')).toBe(summary);
  }, 900_000);

  it('draws its sample from the smaller half of the pass runs, with the seed, in the experiment order', () => {
    const candidates = Array.from({ length: 10 }, (_, i) => ({ unit: `u${i >> 1}`, request: i & 1, cycles: (i * 7) % 10 }));
    const a = pickValidationSample(candidates, 3, 1);
    expect(a).toHaveLength(3);
    expect(a.every((c) => c.cycles < 5)).toBe(true);
    expect(a.map((c) => candidates.indexOf(c))).toEqual([...a.map((c) => candidates.indexOf(c))].sort((x, y) => x - y));
    expect(pickValidationSample(candidates, 3, 1)).toEqual(a);
    const draws = new Set([1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(pickValidationSample(candidates, 3, seed))));
    expect(draws.size).toBeGreaterThan(1);
    expect(pickValidationSample(candidates, 8, 1).map((c) => c.cycles).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pickValidationSample(candidates, 20, 1)).toHaveLength(10);
  });

  it('names layer, pass, mode and counter when an RTL counter differs from the model', () => {
    const pass: PassOnArray = {
      output: new Int32Array([1, 2]), counters: { ...zeroCounters(), validProducts: 4 }, predicted: zeroCounters(), runs: [], wallMs: 0, cpuMs: 0,
      timing: zeroPassTiming(), worstRunCycleError: 0, counterMismatches: ['units 0..3: fillCycles is 12 on the RTL, 11 in the model'], timedOut: false,
    };
    const where = 'conv1, forward pass, mode element';
    expect(() => requirePassAsModelled(pass, new Int32Array([1, 2]), 4, where)).toThrow(
      'conv1, forward pass, mode element: the RTL counters differ from the cycle model: units 0..3: fillCycles is 12 on the RTL, 11 in the model',
    );
    expect(() => requirePassAsModelled(pass, new Int32Array([1, 2]), 4, where, 'report')).not.toThrow();
    expect(() => requirePassAsModelled(pass, new Int32Array([1, 3]), 4, where, 'report')).toThrow('conv1, forward pass, mode element: the RTL output differs from the golden layer: element 1 is 2, expected 3');
  });
});
