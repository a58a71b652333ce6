import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { findExperiment } from '../../sim/experiments/registry.ts';
import { rcpBreakdown } from '../../sim/experiments/rcp-breakdown.ts';
import { mergeShards, runExperiment, shardUnits } from '../../sim/experiments/runner.ts';
import { SettingsError } from '../../sim/experiments/settings.ts';
import { readJson, settingsFor, tempDir, withoutRun } from './helpers.ts';

const TINY = { nets: [{ name: 'resnet18', input: 'cifar' as const }], generators: ['uniform', 'relu'], sparsities: [0.8], batch: 1, seed: 11 };

function sameOutputs(a: string, b: string): void {
  expect(withoutRun(path.join(a, 'results.json'))).toBe(withoutRun(path.join(b, 'results.json')));
  for (const f of ['results.csv', 'summary.md', 'plots/rcp-share-by-network.svg', 'plots/rcp-per-layer-resnet18-cifar.vl.json']) {
    expect(fs.readFileSync(path.join(a, f), 'utf8'), f).toBe(fs.readFileSync(path.join(b, f), 'utf8'));
  }
}

describe('shards and merge', () => {
  it('slices the work units round robin, every unit in exactly one shard', () => {
    const units = rcpBreakdown.workUnits(settingsFor(rcpBreakdown, TINY));
    const slices = [1, 2, 3].map((index) => shardUnits(units, { index, count: 3 }).map((u) => u.id));
    expect(slices.flat().sort()).toEqual(units.map((u) => u.id).sort());
    expect(slices[1]![0]).toBe(units[1]!.id);
    expect(Math.max(...slices.map((s) => s.length)) - Math.min(...slices.map((s) => s.length))).toBeLessThanOrEqual(1);
  });

  it('merged shards equal a single run byte for byte apart from the run section', async () => {
    const settings = settingsFor(rcpBreakdown, TINY);
    const single = tempDir('single');
    await runExperiment(rcpBreakdown, settings, { outDir: single, argv: ['single'] });
    const root = tempDir('shards');
    const dirs = [1, 2, 3].map((i) => path.join(root, `${i}-of-3`));
    for (const [i, dir] of dirs.entries()) {
      const outcome = await runExperiment(rcpBreakdown, settings, { outDir: dir, shard: { index: i + 1, count: 3 }, argv: [`shard ${i + 1}`] });
      expect(outcome.written).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'results.json'))).toBe(false);
    }
    // Two shards are not the whole experiment.
    await expect(mergeShards(dirs.slice(0, 2), path.join(root, 'merged'), findExperiment)).rejects.toThrow(/cannot assemble rcp-breakdown: 14 of 42 work units are missing: resnet18-cifar\.uniform\.s0\.8\.002-layer1\.0\.conv2/);
    const merged = await mergeShards(dirs, path.join(root, 'merged'), findExperiment);
    sameOutputs(single, merged.outDir);
    const run = readJson(path.join(merged.outDir, 'results.json')).run;
    expect(run.invocations.map((i: any) => i.argv[0]).sort()).toEqual(['shard 1', 'shard 2', 'shard 3']);
    expect(Object.keys(run.unitWallTimeS)).toHaveLength(42);
  });

  it('refuses to merge shards of different settings, or a folder that is not a shard', async () => {
    const a = tempDir('merge-a');
    const b = tempDir('merge-b');
    await runExperiment(rcpBreakdown, settingsFor(rcpBreakdown, { ...TINY, generators: ['uniform'] }), { outDir: a, shard: { index: 1, count: 2 }, argv: [] });
    await runExperiment(rcpBreakdown, settingsFor(rcpBreakdown, { ...TINY, generators: ['uniform'], seed: 12 }), { outDir: b, shard: { index: 2, count: 2 }, argv: [] });
    await expect(mergeShards([a, b], undefined, findExperiment)).rejects.toThrow(/holds rcp-breakdown with other settings than .*; merge only shards of one command/);
    // The same settings from other code (another checkout, or this one edited between the shards).
    const c = tempDir('merge-c');
    await runExperiment(rcpBreakdown, settingsFor(rcpBreakdown, { ...TINY, generators: ['uniform'] }), { outDir: c, shard: { index: 2, count: 2 }, argv: [] });
    const manifest = path.join(c, 'run.json');
    const run = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    fs.writeFileSync(manifest, JSON.stringify({ ...run, environment: { ...run.environment, source: { ...run.environment.source, code: 'other code' } } }));
    await expect(mergeShards([a, c], undefined, findExperiment)).rejects.toThrow(/was run with other tool versions or source than .*"code":"other code"/s);
    await expect(mergeShards([tempDir('empty')], undefined, findExperiment)).rejects.toThrow(SettingsError);
    await expect(mergeShards([tempDir('empty')], undefined, findExperiment)).rejects.toThrow('is not an experiment output folder (no run.json)');
  });

  it('runs shards with GNU parallel through scripts/sweep-parallel.sh and merges them like a single run', async () => {
    const gnu = await execa('parallel', ['--version'], { reject: false });
    if (gnu.exitCode !== 0 || !gnu.stdout.includes('GNU parallel')) throw new Error('GNU parallel is missing: run make deps (apt-get install parallel)');
    const out = tempDir('parallel');
    const args = ['--nets', 'resnet18', '--generator', 'uniform', '--sparsity', '0.8', '--batch', '1', '--seed', '11'];
    const sweep = await execa('bash', ['scripts/sweep-parallel.sh', '-j', '2', '-o', out, 'rcp-breakdown', '2', ...args], { reject: false });
    expect(sweep.exitCode, sweep.stderr).toBe(0);
    expect(fs.readdirSync(path.join(out, 'shards')).sort()).toEqual(['1-of-2', '2-of-2']);
    // The sweep's last step was npm run experiment:merge; a single in-process run gives the same.
    const single = tempDir('parallel-single');
    await runExperiment(rcpBreakdown, settingsFor(rcpBreakdown, { ...TINY, generators: ['uniform'] }), { outDir: single, argv: [] });
    expect(withoutRun(path.join(out, 'results.json'))).toBe(withoutRun(path.join(single, 'results.json')));
    expect(sweep.stdout).toContain(`rcp-breakdown: merged 2 folders into`);
  });
});
