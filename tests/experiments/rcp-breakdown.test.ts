import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRAINING_PASSES } from '../../sim/golden/conv-shape.ts';
import { rcpBreakdown } from '../../sim/experiments/rcp-breakdown.ts';
import { runExperiment } from '../../sim/experiments/runner.ts';
import { getNetwork } from '../../sim/workloads/networks/index.ts';
import { runNetworkRcp } from '../../sim/workloads/network-rcp.ts';
import { expectReportFiles, readJson, settingsFor, tempDir } from './helpers.ts';

describe('rcp-breakdown experiment', () => {
  it('reports per-pass and per-layer RCP shares equal to the golden counters, with report and plots', async () => {
    const out = tempDir('rcp');
    const settings = settingsFor(rcpBreakdown, {
      nets: [{ name: 'resnet18', input: 'cifar' }],
      generators: ['topk', 'uniform'],
      sparsities: [0.9],
      batch: 1,
      seed: 7,
    });
    const outcome = await runExperiment(rcpBreakdown, settings, { outDir: out, argv: [] });
    expect(outcome.unitsRun).toBe(2 * 21);
    expectReportFiles(out, ['rcp-share-by-network', 'rcp-per-layer-resnet18-cifar']);

    const results = readJson(path.join(out, 'results.json'));
    expect(results.command).toBe('npm run experiment -- rcp-breakdown --nets resnet18:cifar --sparsity 0.9 --generator topk,uniform --batch 1 --seed 7 --array 8x8');
    expect(results.seeds.seed).toBe(7);
    expect(results.environment.node).toBe(process.version);
    for (const generator of ['topk', 'uniform']) {
      const golden = runNetworkRcp(getNetwork('resnet18', 'cifar'), { sparsity: 0.9, generator, seed: 7, batch: 1, multipliers: 1024 });
      const run = results.figures.runs.find((r: any) => r.generator === generator);
      expect(run.totals).toEqual(golden.totals);
      expect(run.layers).toEqual(golden.layers);
      expect(run.rcpShareOfStep).toBe(golden.totals.training.rcpFraction);
      const byPass = TRAINING_PASSES.map((p) => golden.totals[p].redundant / golden.totals.training.products);
      expect(TRAINING_PASSES.map((p) => run.rcpShareByPass[p])).toEqual(byPass);
      expect(run.weightGradientShareOfRcps).toBe(golden.totals.weightGradient.redundant / golden.totals.training.redundant);
      // ANT's observation holds on this workload: most RCPs come from the weight-gradient pass.
      expect(run.weightGradientShareOfRcps).toBeGreaterThan(0.5);
    }

    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('network,input,generator,sparsity,layer,pass,macs,products,valid,redundant,rcpFraction,rcpShareOfLayerProducts');
    expect(csv).toHaveLength(1 + 2 * (21 + 1) * 3);
    const summary = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('| up to 90% |');
    expect(summary).toContain(results.command);
    expect(results.comparisons[0].ratio).toBeCloseTo(results.comparisons[0].ours / 0.9, 12);
  });
});
