// Schedules every layer pass of the networks given on the default 8 x 8 array
// and encodes the images of every run, without running anything: the array's
// encoder refuses whatever the hardware cannot be given, so a pass the cycle
// model reports but the RTL could not run shows up here. Exits 1 on a refusal.
//
//   npx tsx scripts/check-encodable.ts [--nets resnet18:cifar,vgg16:imagenet] [--every N] [--batch 1] [--seed 1]
import { Command } from 'commander';
import { integerArg, runCli, strictCommand } from '../gen/cli-conventions.ts';
import { DEFAULT_ARRAY_TOP } from '../hw/scnn/array-params.ts';
import { TRAINING_PASSES } from '../sim/golden/conv-shape.ts';
import { peCapacities, scheduleConfig } from '../sim/scnn/array-config.ts';
import { encodePassRuns } from '../sim/scnn/array-runs.ts';
import { schedulePass } from '../sim/scnn/layer-run.ts';
import { synthesizeLayer } from '../sim/scnn/training-step.ts';
import { getNetwork } from '../sim/workloads/networks/index.ts';
import type { InputSize } from '../sim/workloads/layer-table.ts';

const DEFAULT_NETS = 'resnet18:cifar,vgg16:cifar,vgg16:imagenet,resnet50:imagenet,densenet121:cifar,wrn-16-8:cifar,alexnet:imagenet';

interface Options {
  nets: string;
  every: number;
  batch: number;
  seed: number;
}

async function main(opts: Options): Promise<void> {
  const params = DEFAULT_ARRAY_TOP;
  const config = scheduleConfig(params, params, peCapacities(params.pe));
  let refusals = 0;
  for (const entry of opts.nets.split(',')) {
    const [name, input] = entry.split(':') as [string, InputSize];
    const table = getNetwork(name, input);
    const started = performance.now();
    let passes = 0;
    let runs = 0;
    for (const [index, layer] of table.layers.entries()) {
      // The last layer (the classifier, matrix mode) is always checked.
      if (index % opts.every !== 0 && index !== table.layers.length - 1) continue;
      const { shape, operands } = synthesizeLayer(layer, index, { batch: opts.batch, sparsity: 0.9, generator: 'topk', seed: opts.seed });
      for (const pass of TRAINING_PASSES) {
        passes++;
        try {
          runs += encodePassRuns(schedulePass(shape, pass, operands, config, layer.name), params, params, 'element').length;
        } catch (e) {
          refusals++;
          console.log(`REFUSED ${name} (${input}) ${layer.name} ${pass}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    console.log(`${name} (${input}): ${passes} layer passes of ${table.layers.length * TRAINING_PASSES.length} (every ${opts.every}th layer and the last), ${runs} runs encoded, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  console.log(refusals === 0 ? 'every pass checked encodes' : `${refusals} passes refused`);
  if (refusals > 0) process.exitCode = 1;
}

await runCli(
  strictCommand(new Command('check-encodable'))
    .description('Schedule and encode (not run) every layer pass of networks on the default 8 x 8 array.')
    .option('--nets <list>', 'comma-separated network:input pairs', DEFAULT_NETS)
    .option('--every <n>', 'check every n-th layer only (and the last)', integerArg(1, 1000), 1)
    .option('--batch <n>', 'samples per training step', integerArg(1, 256), 1)
    .option('--seed <n>', 'seed of every random operand', integerArg(0, 4294967295), 1)
    .action(main),
);
