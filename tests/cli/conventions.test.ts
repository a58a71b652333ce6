// Every command-line tool follows docs/cli.md: plain decimal numbers only, a
// stray positional argument is named, and a call the tool cannot carry out as
// asked exits 2 whether the parser or the tool itself found the mistake.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const run = (script: string, args: string[]) => execa(process.execPath, ['--import', 'tsx', script, ...args], { reject: false });

const RCP = ['--net', 'vgg16', '--input', 'cifar'];

const usageMistakes: Array<[string, string, string[], RegExp]> = [
  ['rcp: a hexadecimal sparsity', 'sim/rcp-cli.ts', [...RCP, '--sparsity', '0x1'], /argument '0x1' is invalid\. expected a decimal number from 0 to 1/],
  ['rcp: a sparsity in exponent notation', 'sim/rcp-cli.ts', [...RCP, '--sparsity', '1e-1'], /argument '1e-1' is invalid/],
  ['rcp: a seed with blanks around it', 'sim/rcp-cli.ts', [...RCP, '--sparsity', '0.5', '--seed', ' 3'], /argument ' 3' is invalid\. expected an integer/],
  ['rcp: a stray positional argument', 'sim/rcp-cli.ts', [...RCP, '--sparsity', '0.5', 'resnet18'], /error: unexpected argument 'resnet18'/],
  ['rcp: an unknown network (found by the tool, not the parser)', 'sim/rcp-cli.ts', ['--net', 'resnet34', '--input', 'cifar', '--sparsity', '0.5'], /unknown network "resnet34"/],
  ['rcp: a missing required option (found by the parser)', 'sim/rcp-cli.ts', ['--input', 'cifar', '--sparsity', '0.5'], /required option '--net <name>' not specified/],
  ['gen: an unknown design', 'gen/cli.ts', ['--design', 'nope'], /unknown design 'nope'; known designs: counter/],
  ['gen: a stray positional argument', 'gen/cli.ts', ['counter'], /error: unexpected argument 'counter'; options start with --/],
  ['sim: a hexadecimal seed', 'tb/cli.ts', ['--seed', '0x10'], /argument '0x10' is invalid\. expected an integer from 0 to 4294967295/],
  ['sim: an unknown testbench', 'tb/cli.ts', ['--only', 'nope'], /unknown testbench nope; run with --list/],
  ['sim: a stray positional argument', 'tb/cli.ts', ['fifo'], /error: unexpected argument 'fifo'/],
  ['synth: zero jobs', 'synth/cli.ts', ['--jobs', '0'], /argument '0' is invalid\. expected an integer from 1 to 64/],
  ['synth: an unknown design', 'synth/cli.ts', ['--design', 'nope'], /unknown design 'nope'/],
  ['bench:frontend: a hexadecimal seed', 'bench/frontend.ts', ['--seed', '0x3'], /argument '0x3' is invalid\. expected an integer/],
  ['bench:frontend: a stray positional argument', 'bench/frontend.ts', ['7'], /error: unexpected argument '7'/],
];

describe('command-line conventions', () => {
  for (const [what, script, args, message] of usageMistakes) {
    it(`${what}: one message on stderr, exit 2, nothing run`, async () => {
      const r = await run(script, args);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
      expect(r.exitCode).toBe(2);
    });
  }

  it('--help exits 0', async () => {
    const r = await run('gen/cli.ts', ['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Usage:/);
  });
});
