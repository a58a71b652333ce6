import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { integerArg, runCli, strictCommand, UsageError } from '../gen/cli-conventions.ts';
import { testbenches } from './registry.ts';
import type { TestbenchReport } from './testbench.ts';

const program = strictCommand(new Command())
  .name('npm run sim --')
  .description('Build and run the cycle-accurate testbenches in Verilator, with a pass/fail summary')
  .option('-s, --seed <n>', 'seed of every random workload', integerArg(0, 0xffffffff), 1)
  .option('-o, --only <name...>', 'only these testbenches')
  .option('-l, --list', 'list the testbenches and exit')
  .action(async (opts: { seed: number; only?: string[]; list?: boolean }) => {
    if (opts.list) {
      for (const t of testbenches) console.log(`${t.name.padEnd(24)} ${t.description}`);
      return;
    }
    const unknown = (opts.only ?? []).filter((n) => !testbenches.some((t) => t.name === n));
    if (unknown.length) throw new UsageError(`unknown testbench ${unknown.join(', ')}; run with --list to see them`);
    const chosen = opts.only ? testbenches.filter((t) => opts.only!.includes(t.name)) : testbenches;
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} {name}', stream: process.stderr }, cliProgress.Presets.shades_classic)
      : null;
    bar?.start(chosen.length, 0, { name: '' });
    const reports: TestbenchReport[] = [];
    for (const t of chosen) {
      bar?.update({ name: t.name });
      if (!bar) console.log(`running ${t.name} ...`);
      reports.push(await t.run({ seed: opts.seed }));
      bar?.increment();
    }
    bar?.stop();
    console.log(`\nTestbenches (seed ${opts.seed}):`);
    console.log(`${'testbench'.padEnd(22)} ${'result'.padEnd(6)} ${'cycles'.padStart(10)} ${'wall s'.padStart(7)}  details`);
    for (const r of reports) {
      console.log(`${r.name.padEnd(22)} ${(r.passed ? 'PASS' : 'FAIL').padEnd(6)} ${String(r.cycles).padStart(10)} ${(r.wallMs / 1000).toFixed(1).padStart(7)}  ${r.passed ? r.details : r.failure}`);
    }
    const failed = reports.filter((r) => !r.passed).length;
    console.log(`\n${reports.length - failed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });

await runCli(program);
