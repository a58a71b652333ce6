/**
 * npm run experiment -- <name> [--nets …] [--sparsity …] [--generator …] [--designs …]
 *   [--batch N] [--seed N] [--array 8x8] [--engine model|rtl] [--validate-rtl N] [--shard i/n] [--out DIR]
 * npm run experiment -- --list
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command, CommanderError } from 'commander';
import type { WorkUnit } from './experiment.ts';
import { EXPERIMENTS, findExperiment } from './registry.ts';
import { InterruptedError, checkUnits, ensureRunnable, runExperiment, shardUnits, type ProgressSink } from './runner.ts';
import {
  SETTING_FLAGS,
  SettingsError,
  canonicalCommand,
  parseArray,
  parseDesign,
  parseEngine,
  parseFraction,
  parseGenerator,
  parseInteger,
  parseLayers,
  parseMaxProducts,
  parseNetwork,
  parseShard,
  parseValidateRtl,
  resolveSettings,
  splitList,
  type GivenSettings,
} from './settings.ts';

interface RawOptions {
  list?: boolean;
  nets?: string[];
  sparsity?: string[];
  generator?: string[];
  designs?: string[];
  batch?: string;
  seed?: string;
  array?: string;
  engine?: string;
  layers?: string[];
  maxProducts?: string;
  validateRtl?: string;
  shard?: string;
  out?: string;
  dryRun?: boolean;
}

function listText(): string {
  const width = Math.max(...EXPERIMENTS.map((e) => e.name.length)) + 2;
  return EXPERIMENTS.map((e) => {
    const status = e.pending ? 'pending: not built yet' : `takes ${e.accepts.map((k) => SETTING_FLAGS[k]).join(' ')}`;
    return `${e.name.padEnd(width)}${e.reproduces}\n${''.padEnd(width)}(${status})`;
  }).join('\n');
}

function buildProgram(): Command {
  return new Command('experiment')
    // Parser errors come back as CommanderError, so every usage mistake exits 2 (docs/cli.md).
    .exitOverride()
    .description('Run one experiment: its figures beside the published ones, as results.json, results.csv, summary.md and SVG plots.')
    .argument('[name]', `experiment: ${EXPERIMENTS.map((e) => e.name).join(', ')}`)
    .option('--list', 'list the experiments and what they reproduce')
    .option('--nets <names...>', 'networks, as name or name:cifar|imagenet (comma or space separated)')
    .option('--sparsity <fractions...>', 'fractions of zeros, each in [0, 1]')
    .option('--generator <names...>', 'sparsity generators (npm run rcp -- --help describes them)')
    .option('--designs <names...>', 'designs to synthesise (area; npm run synth -- --list)')
    .option('--batch <n>', 'samples per training step (default 4)')
    .option('--seed <n>', 'seed of every random operand, 0..4294967295 (default 1)')
    .option('--array <PXxPY>', 'PE array, e.g. 8x8 (default 8x8)')
    .option('--engine <kind>', 'model (cycle model) or rtl (Verilator); PE-array experiments only (default model)')
    .option('--layers <list...>', 'layer indices in table order, e.g. 0,3-5, or all (PE-array experiments; default all)')
    .option('--max-products <n>', 'Cartesian products of a layer pass above which the cycle model samples it (batch, then output channels; scaled exactly), or all (PE-array experiments)')
    .option('--validate-rtl <n>', 'with --engine model, also run n pass runs on the Verilator RTL (seeded by --seed, smaller runs preferred) and report the model\'s error on them; 0 = none (PE-array experiments; default 0)')
    .option('--shard <i/n>', 'run only work units i-1, i-1+n, ... (1 <= i <= n); merge with npm run experiment:merge')
    .option('--dry-run', 'check the arguments and print the work units a run would do; write nothing')
    .option('--out <dir>', 'output folder (default build/experiments/<name>, or .../shards/<i>-of-<n> for a shard)')
    .addHelpText(
      'after',
      `\nExperiments:\n${listText()}\n\nExamples:\n  npm run experiment -- rcp-breakdown --nets resnet18 --generator topk\n  npm run experiment -- dsg --sparsity 0.5,0.8 --shard 1/2\n  npm run experiment:merge -- build/experiments/dsg/shards/*`,
    )
    .showHelpAfterError('(run with --help for usage)');
}

/** Turns the raw strings into typed settings; each parser throws one clear message. */
function givenSettings(raw: RawOptions): GivenSettings {
  const list = <T>(values: string[] | undefined, parse: (s: string) => T): T[] | undefined => (values ? splitList(values).map(parse) : undefined);
  const given: Record<string, unknown> = {
    nets: list(raw.nets, parseNetwork),
    sparsities: list(raw.sparsity, parseFraction),
    generators: list(raw.generator, parseGenerator),
    designs: list(raw.designs, parseDesign),
    batch: raw.batch === undefined ? undefined : parseInteger('batch', raw.batch, 1, 4096),
    seed: raw.seed === undefined ? undefined : parseInteger('seed', raw.seed, 0, 4294967295),
    array: raw.array === undefined ? undefined : parseArray(raw.array),
    engine: raw.engine === undefined ? undefined : parseEngine(raw.engine),
    layers: raw.layers === undefined ? undefined : parseLayers(splitList(raw.layers)),
    maxProducts: raw.maxProducts === undefined ? undefined : parseMaxProducts(raw.maxProducts),
    validateRtl: raw.validateRtl === undefined ? undefined : parseValidateRtl(raw.validateRtl),
  };
  for (const [k, v] of Object.entries(given)) if (k !== 'layers' && Array.isArray(v) && v.length === 0) throw new SettingsError(`${SETTING_FLAGS[k as keyof typeof SETTING_FLAGS]} needs at least one value`);
  return given as GivenSettings;
}

function progressSink(): ProgressSink {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: 'work units {bar} {value}/{total} | ETA {eta_formatted} | {unit}', etaBuffer: 20, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total, done) => bar.start(total, done, { unit: done ? `resumed ${done} finished units` : '' }),
      unitDone: (unit: WorkUnit, _s, done) => bar.update(done, { unit: unit.id }),
      stop: () => bar.stop(),
    };
  }
  let started = 0;
  return {
    start: (total, done) => {
      started = Date.now();
      process.stderr.write(`${total} work units${done ? `, ${done} already finished (resuming)` : ''}\n`);
    },
    unitDone: (unit, seconds, done, total) => {
      const elapsed = (Date.now() - started) / 1000;
      process.stderr.write(`[${done}/${total}] ${unit.id} (${seconds.toFixed(1)} s, ${elapsed.toFixed(0)} s elapsed)\n`);
    },
    stop: () => {},
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  program.parse(argv as string[]);
  const raw = program.opts<RawOptions>();
  const name = program.args[0];
  if (raw.list) {
    process.stdout.write(`${listText()}\n`);
    return;
  }
  if (name === undefined) throw new SettingsError('name an experiment (npm run experiment -- --list shows them)');
  const experiment = findExperiment(name);
  const settings = resolveSettings(experiment, givenSettings(raw));
  const shard = raw.shard === undefined ? undefined : parseShard(raw.shard);
  ensureRunnable(experiment);
  if (raw.dryRun) {
    const units = experiment.workUnits(settings);
    checkUnits(experiment, units);
    const mine = shardUnits(units, shard).length;
    process.stdout.write(`${canonicalCommand(experiment, settings)}\n${units.length} work units${shard ? `; shard ${shard.index}/${shard.count} runs ${mine}` : ''}\n`);
    return;
  }
  const outDir = raw.out ?? path.join('build', 'experiments', experiment.name, ...(shard ? ['shards', `${shard.index}-of-${shard.count}`] : []));

  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after the current work unit (Ctrl-C again to stop at once; finished units are kept)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const outcome = await runExperiment(experiment, settings, { outDir, shard, argv: argv.slice(2), signal: controller.signal, progress: progressSink() });
  const resumed =
    (outcome.unitsResumed ? ` (${outcome.unitsResumed} resumed)` : '') +
    (outcome.unitsStale ? ` (${outcome.unitsStale} stored units were computed by other code and were recomputed)` : '');
  if (outcome.written.length) {
    process.stdout.write(`${experiment.name}: ${outcome.unitsSelected} work units${resumed}; wrote ${path.join(outDir, 'summary.md')}, results.json, results.csv and ${outcome.written.filter((f) => f.endsWith('.svg')).length} plots\n`);
  } else {
    process.stdout.write(
      `${experiment.name}: shard ${shard!.index}/${shard!.count} finished ${outcome.unitsSelected} of ${outcome.unitsTotal} work units${resumed} in ${outDir}\n` +
        `merge the shards with: npm run experiment:merge -- <shard folders>\n`,
    );
  }
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander printed its message; --help and --version end with 0.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  // 2: called wrongly, nothing ran; 130: interrupted; 1: the experiment could not run or failed.
  process.exitCode = error instanceof SettingsError ? 2 : error instanceof InterruptedError ? 130 : 1;
});
