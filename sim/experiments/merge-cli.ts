/**
 * npm run experiment:merge -- DIR… [--out DIR]
 * Merges shard folders of one experiment command into the outputs a single run writes.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { findExperiment } from './registry.ts';
import { mergeShards } from './runner.ts';
import { SettingsError } from './settings.ts';

const program = new Command('experiment:merge')
  .description('Merge the shard folders of one experiment command into results.json, results.csv, summary.md and plots.')
  .argument('<dirs...>', 'shard output folders (as --out named them, or build/experiments/<name>/shards/*)')
  .option('--out <dir>', 'output folder (default build/experiments/<name>)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

async function main(): Promise<void> {
  program.parse(process.argv);
  const { out } = program.opts<{ out?: string }>();
  const merged = await mergeShards(program.args, out, findExperiment);
  process.stdout.write(`${merged.experiment.name}: merged ${program.args.length} folders into ${path.relative(process.cwd(), merged.outDir) || '.'} (${merged.written.length} files)\n`);
}

main().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  // 2: the folders given do not make one experiment's shards; 1: merging failed.
  process.exitCode = error instanceof SettingsError ? 2 : 1;
});
