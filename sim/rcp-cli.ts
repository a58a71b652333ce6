/**
 * npm run rcp -- --net <name> --input <cifar|imagenet> --sparsity <0..1>
 *   --generator <name> --seed <n> [--batch N] [--multipliers M] [--json]
 * Prints the RCP accounting of one network's training step.
 */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { asUsage, decimalArg, integerArg, runCli, strictCommand } from '../gen/cli-conventions.ts';
import { formatRcpReport } from './workloads/rcp-report-text.ts';
import { type InputSize } from './workloads/layer-table.ts';
import { getNetwork, networkNames } from './workloads/networks/index.ts';
import { SCNN_MULTIPLIERS, runNetworkRcp } from './workloads/network-rcp.ts';
import { GENERATORS } from './workloads/sparsity/generators.ts';

const DEFAULT_BATCH = 4;

interface RcpOptions {
  net: string;
  input: InputSize;
  sparsity: number;
  generator: string;
  seed: number;
  batch: number;
  multipliers: number;
  json?: boolean;
}

function buildProgram(): Command {
  const generatorHelp = Object.values(GENERATORS)
    .map((g) => `  ${g.name}: ${g.summary}`)
    .join('\n');
  return strictCommand(new Command('rcp'))
    .description('Count Cartesian products, valid products and redundant ones (RCPs) for a network\'s training step.')
    .requiredOption('--net <name>', `network: ${networkNames().join(', ')}`)
    .addOption(new Option('--input <size>', 'input resolution').choices(['cifar', 'imagenet']).makeOptionMandatory())
    .requiredOption('--sparsity <fraction>', 'fraction of zeros in the generated operands; 0 = dense operands', decimalArg(0, 1, ' (fraction of zeros, e.g. 0.9)'))
    .addOption(new Option('--generator <name>', 'sparsity generator').choices(Object.keys(GENERATORS)).default('uniform'))
    .option('--seed <n>', 'seed of every random operand (recorded in the output)', integerArg(0, 4294967295), 1)
    .option('--batch <n>', 'samples per training step', integerArg(1, 4096), DEFAULT_BATCH)
    .option('--multipliers <M>', 'multipliers of the ideal machine (SCNN: 8x8 PEs x 4x4)', integerArg(1, 2 ** 31), SCNN_MULTIPLIERS)
    .option('--json', 'print one JSON document and nothing else on standard output')
    .addHelpText('after', `\nGenerators:\n${generatorHelp}`)
    .action(main);
}

function main(opts: RcpOptions): void {
  const table = asUsage(() => getNetwork(opts.net, opts.input));
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'layers {bar} {value}/{total}' }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(table.layers.length, 0);
  try {
    const report = runNetworkRcp(table, {
      sparsity: opts.sparsity,
      generator: opts.generator,
      seed: opts.seed,
      batch: opts.batch,
      multipliers: opts.multipliers,
      onLayer: (done) => bar?.update(done),
    });
    bar?.stop();
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRcpReport(report)}\n`);
  } finally {
    bar?.stop();
  }
}

await runCli(buildProgram());
