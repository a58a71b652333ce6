import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { antExperiment } from '../../sim/experiments/ant.ts';
import { arrayOf } from '../../sim/experiments/array-experiments.ts';
import { modelEngine, type EngineResult } from '../../sim/experiments/engine.ts';
import { planPassSample, slicePass, wholePass } from '../../sim/experiments/pass-sampling.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { TRAINING_PASSES, type ConvShape, type TrainingPass } from '../../sim/golden/conv-shape.ts';
import { countRcpFast } from '../../sim/golden/rcp-count.ts';
import type { ArrayCounters } from '../../sim/scnn/array-cycle-model.ts';
import { scheduleConfig } from '../../sim/scnn/array-config.ts';
import { passCounters, planRuns } from '../../sim/scnn/array-runs.ts';
import { isFullyConnected, schedulePass } from '../../sim/scnn/layer-run.ts';
import { matmulValid, synthesizeLayer } from '../../sim/scnn/training-step.ts';
import { ANTICIPATION_MODES } from '../../sim/scnn/work-unit.ts';
import { getNetwork } from '../../sim/workloads/networks/index.ts';
import { getGenerator } from '../../sim/workloads/sparsity/generators.ts';
import { expectReportFiles, readJson, settingsFor, tempDir } from './helpers.ts';

const SMALL = { array: { px: 2, py: 2 } };
const spec = arrayOf(SMALL);

/** The whole pass through the engine, in every mode. */
async function runWhole(shape: ConvShape, pass: TrainingPass, operands: Parameters<typeof slicePass>[1]) {
  return modelEngine.run({ array: spec, work: { kind: 'conv', shape, pass, operands }, modes: ANTICIPATION_MODES, label: 'test' });
}

describe('ant experiment', () => {
  it('runs two layers on a 2x2 array: counters equal the array cycle model summed over the array\'s runs and the golden RCP counts; report and plots written', async () => {
    const out = tempDir('ant');
    // ResNet-18 (CIFAR): layer 17 is the 1x1 stride-2 downsample convolution, layer 20 the fully-connected layer (matrix mode).
    const settings = settingsFor(antExperiment, { nets: [{ name: 'resnet18', input: 'cifar' }], layers: [17, 20], ...SMALL, seed: 5 });
    await runExperiment(antExperiment, settings, { outDir: out, argv: [] });
    expectReportFiles(out, ['speedup-by-network', 'cycle-phases']);
    const results = readJson(path.join(out, 'results.json'));
    expect(results.command).toBe(
      'npm run experiment -- ant --nets resnet18:cifar --sparsity 0.9 --generator topk --batch 1 --seed 5 --array 2x2 --engine model --layers 17,20 --max-products 100000000 --validate-rtl 0',
    );

    const table = getNetwork('resnet18', 'cifar');
    const net = results.figures.networks[0];
    const total: Record<string, ArrayCounters[]> = { off: [], vector: [], element: [] };
    for (const layer of net.layers) {
      const { shape, operands } = synthesizeLayer(table.layers[layer.index]!, layer.index, { batch: 1, sparsity: 0.9, generator: 'topk', seed: 5 });
      const counts = isFullyConnected(shape) ? undefined : countRcpFast(shape, operands);
      for (const r of layer.passes) {
        expect(r.sample.scale, `${layer.layer} ${r.pass} ran whole`).toBe(1);
        const schedule = schedulePass(shape, r.pass, operands, scheduleConfig(spec.top, spec.top, spec.capacities), layer.layer);
        const valid = counts ? counts[r.pass as TrainingPass].valid : matmulValid(shape, r.pass, operands);
        expect(r.golden.valid).toBe(valid);
        expect(r.runs, `${layer.layer} ${r.pass} runs`).toBe(planRuns(schedule, spec.top, spec.top).length);
        for (const mode of ANTICIPATION_MODES) {
          const c = r.byMode[mode];
          expect(c, `${layer.layer} ${r.pass} ${mode}`).toEqual(passCounters(schedule, spec.top, spec.top, mode));
          expect(c.validProducts).toBe(valid);
          if (counts) {
            expect(c.goldenProducts).toBe(counts[r.pass as TrainingPass].products);
            // RCPs computed + anticipated = the golden RCPs.
            expect(c.busySlots - c.validProducts + (c.goldenProducts - c.busySlots)).toBe(counts[r.pass as TrainingPass].products - valid);
          }
          total[mode]!.push(c);
        }
      }
    }
    const sum = (mode: string, key: keyof ArrayCounters) => total[mode]!.reduce((s, c) => s + c[key], 0);
    expect(net.step.cycles.off).toBe(sum('off', 'cycles'));
    expect(net.step.speedup.element).toBeCloseTo(sum('off', 'cycles') / sum('element', 'cycles'), 12);
    const rcps = sum('element', 'goldenProducts') - sum('element', 'validProducts');
    expect(net.step.rcpShareAnticipated).toBeCloseTo((sum('element', 'goldenProducts') - sum('element', 'busySlots')) / rcps, 12);
    expect(net.step.idealCycles).toBeCloseTo(sum('element', 'validProducts') / 64, 9);
    expect(results.figures.geomean.speedupElement).toBeCloseTo(net.step.speedup.element, 12);
    expect(results.comparisons.map((c: { published: string }) => c.published)).toEqual(['3.71x', '> 90%', '4.40x']);

    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 2 * 3 * 3);
    expect(csv[1]).toMatch(/^resnet18,cifar,topk,0.9,layer4.0.downsample,forward,conv,off,whole,1,/);
    const summary = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('| 3.71x |');
    expect(summary).toContain('Every layer pass ran whole');
  });

  it('splits the work of forward and input-gradient passes exactly by sample and by window-group chunks of channels; back to back, the whole pass takes no longer than its parts', async () => {
    const shape: ConvShape = { batch: 3, inChannels: 5, outChannels: 40, height: 6, width: 5, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const operands = getGenerator('uniform').synthesize(shape, { sparsity: 0.6, seed: 11, layerName: 'split' });
    const cfg = scheduleConfig(spec.top, spec.top, spec.capacities);
    // Each run ends with one look-up cycle and merges its own halos; a run that ended inside a window group
    // would also clear and drain that group once more, so the splits below hold while runs end at group ends.
    const runsEndAtGroups = (s: ConvShape, o: typeof operands, pass: TrainingPass, array = spec) => {
      const schedule = schedulePass(s, pass, o, scheduleConfig(array.top, array.top, array.capacities), 'split');
      const groupEnds = new Set(schedule.units.map((u, i) => (schedule.units[i + 1]?.group !== u.group ? i + 1 : -1)));
      return planRuns(schedule, array.top, array.top).every((r) => groupEnds.has(r.end));
    };
    // The work of a pass adds up over its parts; its cycles do not: the double-buffered fill hides a unit's
    // fill behind the compute of the unit before it, also across the parts' boundaries.
    const ADDITIVE = ['computeCycles', 'fillBusyCycles', 'candidatePairs', 'issuedPairs', 'busySlots', 'validProducts', 'conflictStalls', 'goldenProducts', 'baselinePairs'] as const;
    const work = (r: EngineResult, mode: 'element' | 'off') => ADDITIVE.map((k) => r.byMode[mode]![k]);
    const addWork = (a: number[], b: number[]) => a.map((x, i) => x + b[i]!);
    const withoutRunEnds = (r: EngineResult, mode: 'element' | 'off') => r.byMode[mode]!.cycles - r.byMode[mode]!.mergeCycles - r.runs;
    let runsSeen = 0;
    for (const pass of ['forward', 'inputGradient'] as const) {
      const whole = await runWhole(shape, pass, operands);
      expect(runsEndAtGroups(shape, operands, pass), pass).toBe(true);
      runsSeen = Math.max(runsSeen, whole.runs);
      // By sample: the pass's units and window groups are per sample.
      let bySample = 0;
      let workBySample = ADDITIVE.map(() => 0);
      for (let n = 0; n < shape.batch; n++) {
        const slice = slicePass(shape, operands, { ...wholePass(shape), batch: { start: n, count: 1, of: shape.batch }, scale: shape.batch });
        const part = await runWhole(slice.shape, pass, slice.operands);
        bySample += withoutRunEnds(part, 'element');
        workBySample = addWork(workBySample, work(part, 'element'));
      }
      expect(workBySample, pass).toEqual(work(whole, 'element'));
      expect(withoutRunEnds(whole, 'element'), pass).toBeLessThanOrEqual(bySample);
    }
    // The input gradient's samples do not fit one run: the per-run look-ups and merges are exercised.
    expect(runsSeen).toBeGreaterThan(1);
    // By chunks of output channels as large as the scheduler's channel group (forward: K).
    const group = schedulePass(shape, 'forward', operands, { ...cfg, bankDepth: 2 }, 'g').channelGroup;
    const small = { ...spec, top: { ...spec.top, pe: { ...spec.top.pe, bankDepth: 2 } } };
    const run = (s: ConvShape, o: typeof operands) => modelEngine.run({ array: small, work: { kind: 'conv', shape: s, pass: 'forward', operands: o }, modes: ['off'], label: 'c' });
    expect(group).toBeLessThan(shape.outChannels);
    expect(runsEndAtGroups(shape, operands, 'forward', small)).toBe(true);
    let byChunk = 0;
    let workByChunk = ADDITIVE.map(() => 0);
    for (let k = 0; k < shape.outChannels; k += group) {
      const channels = Math.min(group, shape.outChannels - k);
      const slice = slicePass(shape, operands, { ...wholePass(shape), K: { start: k, count: channels, of: shape.outChannels }, scale: shape.outChannels / channels });
      const part = await run(slice.shape, slice.operands);
      byChunk += withoutRunEnds(part, 'off');
      workByChunk = addWork(workByChunk, work(part, 'off'));
    }
    const wholeByChunks = await run(shape, operands);
    expect(workByChunk).toEqual(work(wholeByChunks, 'off'));
    expect(withoutRunEnds(wholeByChunks, 'off')).toBeLessThanOrEqual(byChunk);
  });

  it('samples a pass over the budget from the seed; a sixth keeps the speedups, half keeps the cycles near the exact figures', async () => {
    const shape: ConvShape = { batch: 4, inChannels: 16, outChannels: 32, height: 8, width: 8, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const operands = getGenerator('topk').synthesize(shape, { sparsity: 0.9, seed: 2, layerName: 'sampled' });
    const counts = countRcpFast(shape, operands);
    for (const pass of TRAINING_PASSES) {
      const products = counts[pass].products;
      expect(planPassSample(shape, pass, products, products, 1, 'l')).toEqual(wholePass(shape));
      const plan = planPassSample(shape, pass, products, Math.ceil(products / 6), 1, 'l');
      expect(plan).toEqual(planPassSample(shape, pass, products, Math.ceil(products / 6), 1, 'l'));
      expect(plan.scale).toBeGreaterThan(1);
      expect(plan.scale).toBe((4 / plan.batch.count) * (16 / plan.C.count) * (32 / plan.K.count));
      // Forward and input gradient cut the batch first (a sum over samples); the weight gradient keeps it and cuts K.
      if (pass === 'weightGradient') expect([plan.batch.count, plan.C.count, plan.K.count]).toEqual([4, 16, 5]);
      else expect(plan.batch.count).toBe(1);
      const exact = (await runWhole(shape, pass, operands)).byMode;
      // A slice of a few units hides less of its fill than the whole pass does (its first fill is always exposed,
      // and a pointer-bound fill does not shrink with the channels): the cycles of a sixth are overestimated by up
      // to ~70 % on this small layer, alike in every mode, so the speedups stay near the exact ones.
      const slice = slicePass(shape, operands, plan);
      const estimate = (await runWhole(slice.shape, pass, slice.operands)).byMode;
      const speedup = (m: typeof exact) => m.off!.cycles / m.element!.cycles;
      const speedupError = Math.abs(speedup(estimate) - speedup(exact)) / speedup(exact);
      expect(speedupError, `${pass}: sampled element speedup within 20% of the exact one`).toBeLessThan(0.2);
      // A slice of half the pass keeps enough units back to back that its scaled cycles stay near the exact ones.
      const half = planPassSample(shape, pass, products, Math.ceil(products / 2), 1, 'l');
      expect(half.scale).toBeGreaterThan(1);
      const sliceOfHalf = slicePass(shape, operands, half);
      const halfEstimate = (await runWhole(sliceOfHalf.shape, pass, sliceOfHalf.operands)).byMode;
      for (const mode of ANTICIPATION_MODES) {
        const error = Math.abs(halfEstimate[mode]!.cycles * half.scale - exact[mode]!.cycles) / exact[mode]!.cycles;
        expect(error, `${pass} ${mode}: estimate from half the pass within 30% of the exact cycles`).toBeLessThan(0.3);
      }
    }
  });
});
