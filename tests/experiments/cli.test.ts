import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsgExperiment } from '../../sim/experiments/dsg.ts';
import { rcpBreakdown } from '../../sim/experiments/rcp-breakdown.ts';
import {
  SettingsError, parseArray, parseDesign, parseEngine, parseFraction, parseGenerator, parseInteger, parseNetwork, parseShard, resolveSettings, splitList,
} from '../../sim/experiments/settings.ts';
import { runCli, tempDir } from './helpers.ts';

/** One `error: ...` line on stderr, nothing on stdout, and the exit code of docs/cli.md: 2 for a wrong call, 1 for work that cannot run. */
async function expectOneError(args: string[], message: string | RegExp, exitCode = 2): Promise<void> {
  const r = await runCli('cli', args);
  expect(r.exitCode, r.stderr).toBe(exitCode);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
}

describe('experiment CLI', () => {
  it('lists every experiment, none pending', async () => {
    const r = await runCli('cli', ['--list']);
    expect(r.exitCode).toBe(0);
    for (const name of ['ant', 'rcp-breakdown', 'spartan', 'sparsert', 'dsg', 'lstm', 'area']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
    expect(r.stdout).not.toContain('pending: not built yet');
  });

  it('rejects bad arguments with one clear message and a non-zero exit', async () => {
    const out = tempDir('cli');
    await Promise.all([
      expectOneError(['nonsense'], 'unknown experiment "nonsense"; choose one of: ant, rcp-breakdown'),
      expectOneError(['rcp-breakdown', '--nets', 'resnet19'], 'unknown network "resnet19"; choose one of:'),
      expectOneError(['rcp-breakdown', '--sparsity', '1.5'], 'sparsity 1.5 is outside [0, 1]'),
      expectOneError(['rcp-breakdown', '--shard', '2-4'], 'shard "2-4" is not of the form i/n'),
      expectOneError(['rcp-breakdown', 'resnet18'], 'too many arguments'),
      expectOneError(['rcp-breakdown', '--batch'], "option '--batch <n>' argument missing"),
      expectOneError(['ant', '--validate-rtl', 'some', '--out', out], 'validate-rtl "some" is not a whole number from 0 to 10000'),
      expectOneError(['ant', '--validate-rtl', '-1', '--out', out], 'validate-rtl "-1" is not a whole number from 0 to 10000'),
      expectOneError(['ant', '--validate-rtl', '10001', '--out', out], 'validate-rtl 10001 is outside 0..10000'),
      expectOneError(['ant', '--engine', 'rtl', '--validate-rtl', '2', '--out', out], '--validate-rtl measures the model engine against the RTL; with --engine rtl every pass already runs on the RTL, checked counter for counter. Drop one of them'),
      expectOneError(['rcp-breakdown', '--validate-rtl', '2', '--out', out], 'experiment "rcp-breakdown" does not take --validate-rtl'),
      expectOneError(['ant', '--array', '17x2'], '--array 17x2: ScnnArrayTop: px must be an integer in [1, 16], got 17'),
      expectOneError(['ant', '--nets', 'resnet18', '--layers', '21'], '--layers 21: resnet18 (cifar) has layers 0-20'),
      expectOneError(['ant', '--max-products', '1.5e3'], 'max-products "1.5e3" is not a positive whole number'),
    ]);
    // The refused run wrote nothing.
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('parses settings strictly, each mistake with its own message', () => {
    const bad: [() => unknown, string][] = [
      [() => parseNetwork('resnet50:cifar'), 'network "resnet50" has no cifar table; use --nets resnet50:imagenet'],
      [() => parseNetwork('vgg16:mnist'), 'unknown input "mnist" in "vgg16:mnist"; use cifar or imagenet'],
      [() => parseGenerator('magic'), 'unknown sparsity generator "magic"'],
      [() => parseDesign('cpu'), "unknown design 'cpu'"],
      [() => parseFraction('-0.1'), 'sparsity "-0.1" is not a decimal number'],
      [() => parseFraction('0.9x'), 'sparsity "0.9x" is not a decimal number'],
      [() => parseFraction(''), 'is not a decimal number'],
      [() => parseFraction('1.0001'), 'sparsity 1.0001 is outside [0, 1]'],
      [() => parseShard('0/4'), 'shard 0/4 needs 1 <= i <= n'],
      [() => parseShard('5/4'), 'shard 5/4 needs 1 <= i <= n'],
      [() => parseShard('1/4/2'), 'is not of the form i/n'],
      [() => parseInteger('batch', '1e3', 1, 4096), 'batch "1e3" is not a whole number'],
      [() => parseInteger('batch', '0', 1, 4096), 'batch 0 is outside 1..4096'],
      [() => parseInteger('seed', '4294967296', 0, 4294967295), 'seed 4294967296 is outside 0..4294967295'],
      [() => parseArray('8by8'), 'array "8by8" is not of the form PXxPY'],
      [() => parseEngine('fpga'), 'engine "fpga" is not one of: model, rtl'],
      [() => resolveSettings(rcpBreakdown, { engine: 'rtl' }), 'experiment "rcp-breakdown" does not take --engine (it takes --nets, --sparsity, --generator, --batch, --seed, --array)'],
      [() => resolveSettings(dsgExperiment, { generators: ['topk'] }), 'experiment "dsg" does not take --generator'],
      [() => resolveSettings(dsgExperiment, { sparsities: [0.5, 0.5] }), '--sparsity names 0.5 twice'],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(SettingsError);
      expect(call).toThrow(message);
    }
    expect(parseShard(' 3/8 ')).toEqual({ index: 3, count: 8 });
    expect(splitList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(parseNetwork('resnet50')).toEqual({ name: 'resnet50', input: 'imagenet' });
    expect(parseNetwork('vgg16')).toEqual({ name: 'vgg16', input: 'cifar' });
    expect(parseFraction('.9')).toBe(0.9);
    expect(parseFraction('1')).toBe(1);
  });

  it('runs an experiment, prints where the report is, and with --dry-run writes nothing', async () => {
    const out = tempDir('cli-run');
    const dry = await runCli('cli', ['rcp-breakdown', '--nets', 'resnet18', '--generator', 'uniform', '--batch', '1', '--shard', '2/5', '--dry-run', '--out', out]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('21 work units; shard 2/5 runs 4');
    expect(fs.readdirSync(out)).toEqual([]);
    const r = await runCli('cli', ['rcp-breakdown', '--nets', 'resnet18', '--generator', 'uniform', '--batch', '1', '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('rcp-breakdown: 21 work units; wrote');
    // Not a terminal: plain progress lines.
    expect(r.stderr).toContain('[21/21] resnet18-cifar.uniform.s0.9.020-fc');
    expect(fs.existsSync(path.join(out, 'results.json'))).toBe(true);
  });
});
