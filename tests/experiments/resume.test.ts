import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { codeFingerprint } from '../../sim/experiments/code-fingerprint.ts';
import { rcpBreakdown } from '../../sim/experiments/rcp-breakdown.ts';
import { InterruptedError, runExperiment } from '../../sim/experiments/runner.ts';
import { settingsFor, tempDir, withoutRun } from './helpers.ts';

const TINY = { nets: [{ name: 'resnet18', input: 'cifar' as const }], generators: ['uniform'], sparsities: [0.9], batch: 1, seed: 5 };

describe('interrupted runs', () => {
  it('keep finished units, leave no results, and resume to the same results as an uninterrupted run', async () => {
    const settings = settingsFor(rcpBreakdown, TINY);
    const out = tempDir('resume');
    const controller = new AbortController();
    let seen = 0;
    const progress = {
      start: () => {},
      unitDone: () => {
        if (++seen === 5) controller.abort();
      },
      stop: () => {},
    };
    await expect(runExperiment(rcpBreakdown, settings, { outDir: out, argv: ['first'], signal: controller.signal, progress })).rejects.toThrow(InterruptedError);
    expect(fs.readdirSync(path.join(out, 'units'))).toHaveLength(5);
    for (const f of ['results.json', 'results.csv', 'summary.md']) expect(fs.existsSync(path.join(out, f)), f).toBe(false);

    // A writer killed mid-write leaves only a dot-temporary, never a unit or a result; it is cleared.
    const stale = path.join(out, 'units', '.resnet18-cifar.uniform.s0.9.010-layer3.0.conv2.json.999.x.tmp');
    fs.writeFileSync(stale, '{"half');
    // A unit from other settings in the same folder is recomputed, not reused.
    const other = path.join(out, 'units', 'resnet18-cifar.uniform.s0.9.020-fc.json');
    fs.writeFileSync(other, JSON.stringify({ schema: 'sparse-train-hw/experiment-unit/1', experiment: 'rcp-breakdown', fingerprint: 'other', unit: { id: 'resnet18-cifar.uniform.s0.9.020-fc' }, result: {} }));

    const resumed = await runExperiment(rcpBreakdown, settings, { outDir: out, argv: ['second'] });
    expect(resumed.unitsResumed).toBe(5);
    expect(resumed.unitsRun).toBe(21 - 5);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.readdirSync(path.join(out, 'units')).filter((n) => n.startsWith('.'))).toEqual([]);

    const fresh = tempDir('fresh');
    await runExperiment(rcpBreakdown, settings, { outDir: fresh, argv: [] });
    expect(withoutRun(path.join(out, 'results.json'))).toBe(withoutRun(path.join(fresh, 'results.json')));
    const run = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')).run;
    expect(run.invocations.map((i: { argv: string[]; unitsRun: number }) => [i.argv[0], i.unitsRun])).toEqual([['first', 5], ['second', 16]]);

    // Everything done: a third run recomputes nothing.
    const third = await runExperiment(rcpBreakdown, settings, { outDir: out, argv: ['third'] });
    expect(third.unitsRun).toBe(0);

    // A unit computed by other code (a fix to the model since) is recomputed, not resumed.
    const unitPath = path.join(out, 'units', 'resnet18-cifar.uniform.s0.9.020-fc.json');
    const unit = JSON.parse(fs.readFileSync(unitPath, 'utf8'));
    expect(unit.code).toBe(codeFingerprint());
    fs.writeFileSync(unitPath, JSON.stringify({ ...unit, code: 'other code' }));
    const fourth = await runExperiment(rcpBreakdown, settings, { outDir: out, argv: ['fourth'] });
    expect([fourth.unitsStale, fourth.unitsRun]).toEqual([1, 1]);
    expect(JSON.parse(fs.readFileSync(unitPath, 'utf8')).code).toBe(codeFingerprint());
  });

  it('stop on Ctrl-C after the current unit, with one message and exit code 130', async () => {
    const out = tempDir('sigint');
    const child = execa('node', ['--import', 'tsx', 'sim/experiments/cli.ts', 'rcp-breakdown', '--nets', 'resnet50', '--generator', 'uniform', '--batch', '1', '--out', out], { reject: false });
    const units = path.join(out, 'units');
    let ended = false;
    void child.finally(() => (ended = true));
    while (!ended && !(fs.existsSync(units) && fs.readdirSync(units).some((n) => n.endsWith('.json')))) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/error: interrupted after \d+ of 54 work units; the finished ones are kept in .*; run the same command again to resume/);
    expect(fs.existsSync(path.join(out, 'results.json'))).toBe(false);
    expect(fs.readdirSync(units).filter((n) => !n.endsWith('.json'))).toEqual([]);
  });
});
