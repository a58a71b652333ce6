import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { countRcpDense } from '../../sim/golden/rcp-count.ts';
import { rcpFraction } from '../../sim/golden/conv-shape.ts';

const runCli = (args: string[]) => execa('node', ['--import', 'tsx', 'sim/rcp-cli.ts', ...args], { reject: false, cwd: process.cwd() });

describe('rcp CLI', () => {
  it('prints one JSON document with the run settings, per-layer passes and totals', async () => {
    const result = await runCli(['--net', 'resnet18', '--input', 'cifar', '--sparsity', '0.9', '--generator', 'uniform', '--seed', '5', '--batch', '1', '--json']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ network: 'resnet18', input: 'cifar', generator: 'uniform', sparsity: 0.9, seed: 5, batch: 1, multipliers: 1024 });
    expect(report.layers).toHaveLength(21);
    const first = report.layers[0];
    expect(first.shape).toEqual({ C: 3, K: 64, H: 32, W: 32, R: 3, S: 3, E: 32, F: 32, stride: 1, padding: 1, batch: 1 });
    for (const pass of ['forward', 'inputGradient', 'weightGradient']) {
      const p = first.passes[pass];
      expect(Object.keys(p).sort()).toEqual(['cartesianCycles', 'idealCycles', 'macs', 'products', 'rcpFraction', 'redundant', 'valid']);
      expect(p.macs).toBe(64 * 3 * 9 * 32 * 32);
      expect(p.redundant).toBe(p.products - p.valid);
      expect(p.idealCycles).toBe(Math.ceil(p.valid / 1024));
    }
    const t = report.totals;
    expect(t.training.products).toBe(t.forward.products + t.inputGradient.products + t.weightGradient.products);
    expect(t.weightGradient.rcpFraction).toBeGreaterThan(0.95);
  });

  it('with --sparsity 0 reports the dense closed form', async () => {
    const result = await runCli(['--net', 'wrn-16-8', '--input', 'cifar', '--sparsity', '0', '--json']);
    expect(result.exitCode).toBe(0);
    const layer = JSON.parse(result.stdout).layers[1];
    const s = layer.shape;
    const dense = countRcpDense({ batch: s.batch, inChannels: s.C, outChannels: s.K, height: s.H, width: s.W, kernelHeight: s.R, kernelWidth: s.S, stride: s.stride, padding: s.padding });
    expect(layer.passes.weightGradient.rcpFraction).toBe(rcpFraction(dense.weightGradient));
    expect(layer.density).toEqual({ activations: 1, weights: 1, outputGradients: 1 });
  });

  it('prints a readable table without --json', async () => {
    const result = await runCli(['--net', 'alexnet', '--input', 'imagenet', '--sparsity', '0', '--batch', '1']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^network alexnet \(imagenet;/);
    expect(result.stdout).toMatch(/^TOTAL\s+all\s+/m);
  });

  const badRuns: Array<[string, string[], RegExp]> = [
    ['a sparsity outside [0, 1]', ['--net', 'vgg16', '--input', 'cifar', '--sparsity', '1.5'], /--sparsity <fraction>' argument '1.5' is invalid\. expected a decimal number from 0 to 1/],
    ['an unknown network', ['--net', 'resnet34', '--input', 'cifar', '--sparsity', '0.5'], /unknown network "resnet34"; choose one of: alexnet, vgg16/],
    ['a network without that input size', ['--net', 'resnet50', '--input', 'cifar', '--sparsity', '0.5'], /network "resnet50" has no cifar table; use --input imagenet/],
    ['an unknown generator', ['--net', 'vgg16', '--input', 'cifar', '--sparsity', '0.5', '--generator', 'magic'], /Allowed choices are uniform, topk, relu, dsg, lstm, prune/],
    ['a missing network', ['--input', 'cifar', '--sparsity', '0.5'], /required option '--net <name>' not specified/],
    ['a negative seed', ['--net', 'vgg16', '--input', 'cifar', '--sparsity', '0.5', '--seed', '-3'], /--seed <n>' argument '-3' is invalid\. expected an integer from 0 to 4294967295/],
  ];
  for (const [what, args, message] of badRuns) {
    it(`rejects ${what} with one clear message, no stack trace and a non-zero exit`, async () => {
      const result = await runCli(args);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
