/**
 * npm run rcp -- --net <name> --input <cifar|imagenet> --sparsity <0..1>
 *   --generator <name> --seed <n> [--batch N] [--multipliers M] [--json]
 * Prints the RCP accounting of one network's training step.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { formatRcpReport } from './workloads/rcp-report-text.ts';
import { type InputSize } from './workloads/layer-table.ts';
import { getNetwork, networkNames } from './workloads/networks/index.ts';
import { SCNN_MULTIPLIERS, runNetworkRcp } from './workloads/network-rcp.ts';
import { GENERATORS } from './workloads/sparsity/generators.ts';

const DEFAULT_BATCH = 4;

function parseFraction(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError('expected a number from 0 to 1 (fraction of zeros, e.g. 0.9).');
  }
  return value;
}

function parseInteger(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return value;
  };
}

function buildProgram(): Command {
  const generatorHelp = Object.values(GENERATORS)
    .map((g) => `  ${g.name}: ${g.summary}`)
    .join('\n');
  return new Command('rcp')
    .description('Count Cartesian products, valid products and redundant ones (RCPs) for a network\'s training step.')
    .requiredOption('--net <name>', `network: ${networkNames().join(', ')}`)
    .addOption(new Option('--input <size>', 'input resolution').choices(['cifar', 'imagenet']).makeOptionMandatory())
    .requiredOption('--sparsity <fraction>', 'fraction of zeros in the generated operands; 0 = dense operands', parseFraction)
    .addOption(new Option('--generator <name>', 'sparsity generator').choices(Object.keys(GENERATORS)).default('uniform'))
    .option('--seed <n>', 'seed of every random operand (recorded in the output)', parseInteger(0, 4294967295), 1)
    .option('--batch <n>', 'samples per training step', parseInteger(1, 4096), DEFAULT_BATCH)
    .option('--multipliers <M>', 'multipliers of the ideal machine (SCNN: 8x8 PEs x 4x4)', parseInteger(1, 2 ** 31), SCNN_MULTIPLIERS)
    .option('--json', 'print one JSON document and nothing else on standard output')
    .addHelpText('after', `\nGenerators:\n${generatorHelp}`)
    .showHelpAfterError('(run with --help for usage)');
}

function main(argv: readonly string[]): void {
  const program = buildProgram();
  program.parse(argv as string[]);
  const opts = program.opts<{
    net: string;
    input: InputSize;
    sparsity: number;
    generator: string;
    seed: number;
    batch: number;
    multipliers: number;
    json?: boolean;
  }>();
  const table = getNetwork(opts.net, opts.input);
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

try {
  main(process.argv);
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
