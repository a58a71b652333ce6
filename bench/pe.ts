// A whole training step of a network on the default 8 x 8 PE array: every
// layer and pass scheduled on the array, cut into the runs its buffers take,
// run on the Verilator RTL in the three anticipation modes, held to the golden
// layer bit for bit and to the array cycle model counter for counter. Prints
// and writes build/reports/pe-array.{json,txt}: per layer and pass, cycles off
// / vector / element, speedups, the share of RCPs anticipated, multiplier
// utilisation and the ideal bound; the model's error against the RTL; the
// elaboration, emission and Verilator build times; the RTL run's wall time and
// simulated cycles per second. `--engine model` gives the same table from the
// cycle model alone.
//
//   npm run bench:pe -- [--engine rtl|model] [--net resnet18] [--input cifar] [--batch 1]
//                       [--sparsity 0.9] [--generator topk] [--seed 1] [--layers N] [--jobs 2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { execa } from 'execa';
import { asUsage, decimalArg, integerArg, runCli, strictCommand } from '../gen/cli-conventions.ts';
import { emitDesign } from '../gen/verilog.ts';
import { elaborate } from '../hw/index.ts';
import { BANK_MAPPINGS, type BankMapping } from '../hw/scnn/accumulator-banks.ts';
import { DEFAULT_ARRAY_TOP, type ArrayTopParams } from '../hw/scnn/array-params.ts';
import { ScnnArrayTop } from '../hw/scnn/array-top.ts';
import { TRAINING_PASSES } from '../sim/golden/conv-shape.ts';
import { countRcpFast } from '../sim/golden/rcp-count.ts';
import type { ArrayCounters } from '../sim/scnn/array-cycle-model.ts';
import { WEIGHT_GRADIENT_MAPPINGS, WEIGHT_GRADIENT_STATIONARY, type WeightGradientMapping, type WeightGradientStationary } from '../sim/scnn/array-config.ts';
import { passCounters, planRuns } from '../sim/scnn/array-runs.ts';
import { goldenPassOutput, isFullyConnected, schedulePass } from '../sim/scnn/layer-run.ts';
import { figuresTable, derive, total, type PassFigures } from '../sim/scnn/step-figures.ts';
import { matmulValid, scheduledProducts, synthesizeLayer } from '../sim/scnn/training-step.ts';
import { ANTICIPATION_MODES, type Anticipation } from '../sim/scnn/work-unit.ts';
import { buildModel, type VerilatedModel } from '../sim/verilator/build.ts';
import { getNetwork, networkNames } from '../sim/workloads/networks/index.ts';
import { GENERATORS } from '../sim/workloads/sparsity/generators.ts';
import type { InputSize } from '../sim/workloads/layer-table.ts';
import { addPassTiming, requirePassAsModelled, runPassInModes, zeroPassTiming } from '../tb/scnn/array-pass-run.ts';
import { BulkSession } from '../sim/verilator/bulk-session.ts';
import { scheduleConfig } from '../tb/scnn/array-check.ts';

interface Options {
  engine: 'rtl' | 'model';
  net: string;
  input: InputSize;
  batch: number;
  sparsity: number;
  generator: string;
  seed: number;
  layers?: number;
  jobs: number;
  accumulatorSets: 1 | 2;
  pointerLanes: number;
  bankMapping: BankMapping;
  weightGradient: WeightGradientMapping;
  weightGradientStationary: WeightGradientStationary;
}

/** The default array, or its single-buffered accumulators with --accumulator-sets 1, its pointer lanes from --pointer-lanes, its modulo banks with --bank-mapping modulo (set in main). */
let PARAMS: ArrayTopParams = DEFAULT_ARRAY_TOP;
const GRID = { px: PARAMS.px, py: PARAMS.py };
/** A work unit brings at most what one PE's buffers hold. */
const CAPACITIES = { stationaryCapacity: PARAMS.pe.stationaryDepth, broadcastCapacity: PARAMS.pe.broadcastDepth, segmentCapacity: PARAMS.pe.segmentDepth };
const MULTIPLIERS = PARAMS.px * PARAMS.py * PARAMS.pe.F * PARAMS.pe.I;

const WEIGHT_GRADIENT_STATIONARY_TEXT: Readonly<Record<WeightGradientStationary, string>> = {
  auto: 'whichever operand stationary the scheduler\'s estimate finds faster (the output gradients only where the activation plane\'s tables fit)',
  activations: 'the activations stationary',
  outputGradients: 'the output gradients stationary',
};

interface PassRecord extends PassFigures {
  readonly model: Readonly<Record<Anticipation, ArrayCounters>>;
  readonly rtlWallMs?: number;
}

async function toolVersion(cmd: string): Promise<string> {
  const r = await execa(cmd, ['--version'], { reject: false });
  return r.exitCode === 0 ? r.stdout.split('\n')[0]!.trim() : 'not found';
}

async function main(opts: Options): Promise<void> {
  const table = asUsage(() => getNetwork(opts.net, opts.input));
  const layers = table.layers.slice(0, opts.layers ?? table.layers.length);
  const started = performance.now();
  PARAMS = { ...DEFAULT_ARRAY_TOP, pe: { ...DEFAULT_ARRAY_TOP.pe, accumulatorSets: opts.accumulatorSets === 1 ? 1 : 2, pointerLanes: opts.pointerLanes, bankMapping: opts.bankMapping } };

  let t = performance.now();
  const design = elaborate(ScnnArrayTop, PARAMS);
  const elaborationMs = performance.now() - t;
  t = performance.now();
  const emittedLines = emitDesign(design).reduce((n, f) => n + f.text.split('\n').length, 0);
  const emissionMs = performance.now() - t;
  let model: VerilatedModel | undefined;
  let buildMs: number | undefined;
  if (opts.engine === 'rtl') {
    process.stderr.write('building the 8 x 8 array model with Verilator (once; cached under build/verilator)...\n');
    t = performance.now();
    model = await buildModel(design);
    buildMs = model.built ? performance.now() - t : undefined;
  }
  console.log(`8 x 8 array: elaboration ${(elaborationMs / 1000).toFixed(2)} s, emission ${(emissionMs / 1000).toFixed(2)} s (${emittedLines} lines)${model ? `, Verilator model ${buildMs !== undefined ? `built in ${(buildMs / 1000).toFixed(0)} s` : 'from the cache'}` : ''}`);

  // Each layer's operands are synthesised once; its passes are independent
  // tasks, run `--jobs` at a time (each worker runs its RTL jobs in one model
  // process of its own, a bulk session).
  const tasks = layers.flatMap((layer) => TRAINING_PASSES.map((pass) => ({ layer, pass })));
  const operandsOf = new Map<string, ReturnType<typeof synthesizeLayer> & { conv?: ReturnType<typeof countRcpFast> }>();
  const layerData = (layer: (typeof layers)[number]) => {
    let d = operandsOf.get(layer.name);
    if (!d) {
      const synth = synthesizeLayer(layer, table.layers.indexOf(layer), { batch: opts.batch, sparsity: opts.sparsity, generator: opts.generator, seed: opts.seed });
      d = { ...synth, ...(isFullyConnected(synth.shape) ? {} : { conv: countRcpFast(synth.shape, synth.operands) }) };
      operandsOf.set(layer.name, d);
    }
    return d;
  };
  const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: 'layer passes {bar} {value}/{total} | ETA {eta_formatted}' }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(tasks.length, 0);
  const records = new Array<PassRecord>(tasks.length);
  let rtlMs = 0;
  let rtlCpuMs = 0;
  const timing = zeroPassTiming();
  let worstModelError = 0;
  let done = 0;
  const runTask = async (index: number, session: BulkSession | undefined): Promise<void> => {
    const { layer, pass } = tasks[index]!;
    const { shape, operands, conv } = layerData(layer);
    const schedule = schedulePass(shape, pass, operands, { ...scheduleConfig(PARAMS, GRID, CAPACITIES), weightGradientMapping: opts.weightGradient, weightGradientStationary: opts.weightGradientStationary }, layer.name);
    const golden = conv ? conv[pass] : { products: scheduledProducts(schedule), valid: matmulValid(shape, pass, operands) };
    const runs = planRuns(schedule, GRID, PARAMS);
    const modelCounters = {} as Record<Anticipation, ArrayCounters>;
    const rtlCounters = {} as Record<Anticipation, ArrayCounters>;
    let wall = 0;
    const expected = model ? goldenPassOutput(shape, pass, operands, layer.name) : undefined;
    // The three modes' runs share their images (encoded once) and one pass of jobs.
    const rtl = model ? await runPassInModes(model, PARAMS, schedule, GRID, ANTICIPATION_MODES, { seed: opts.seed, runs, session }) : undefined;
    if (rtl) wall = rtl[0]!.wallMs;
    for (const [m, mode] of ANTICIPATION_MODES.entries()) {
      if (rtl) {
        const r = rtl[m]!;
        requirePassAsModelled(r, expected!, golden.valid, `${layer.name}, ${pass} pass, mode ${mode}`);
        rtlCounters[mode] = r.counters;
        modelCounters[mode] = r.predicted;
        worstModelError = Math.max(worstModelError, r.worstRunCycleError);
        rtlCpuMs += r.cpuMs;
        addPassTiming(timing, r.timing);
      } else {
        modelCounters[mode] = passCounters(schedule, GRID, PARAMS, mode, runs);
      }
    }
    rtlMs += wall;
    const counters = model ? rtlCounters : modelCounters;
    const fc = conv === undefined;
    records[index] = { layer: layer.name, pass, kind: fc ? 'matmul' : 'conv', units: schedule.units.length, runs: runs.length, golden, counters, model: modelCounters, ...(model ? { rtlWallMs: wall } : {}) };
    done++;
    bar?.update(done);
    if (!bar) {
      const d = derive(counters, golden, MULTIPLIERS);
      console.log(`[${done}/${tasks.length}] ${layer.name} ${pass}: ${schedule.units.length} units in ${runs.length} runs; cycles off ${d.cycles.off} / vector ${d.cycles.vector} / element ${d.cycles.element}${model ? `; RTL ${(wall / 1000).toFixed(1)} s, bit-exact` : ''}`);
    }
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    const session = model ? BulkSession.open(model) : undefined;
    try {
      while (next < tasks.length) await runTask(next++, session);
    } catch (e) {
      session?.kill();
      throw e;
    }
    await session?.close();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.jobs, tasks.length) }, worker));
  } finally {
    bar?.stop();
  }

  const whole = total(records, MULTIPLIERS);
  const d = derive(whole.counters, whole.golden, MULTIPLIERS, whole.bound);
  const dw = total(records.filter((r) => r.pass === 'weightGradient' && r.kind === 'conv'), MULTIPLIERS);
  const dwDerived = derive(dw.counters, dw.golden, MULTIPLIERS, dw.bound);
  const io = total(records.filter((r) => r.pass !== 'weightGradient'), MULTIPLIERS);
  const ioDerived = derive(io.counters, io.golden, MULTIPLIERS, io.bound);
  const rtlCycles = model ? ANTICIPATION_MODES.reduce((s, m) => s + whole.counters[m].cycles, 0) : 0;
  const text = [
    `${table.name} (${opts.input}), batch ${opts.batch}, ${opts.generator} ${opts.sparsity}, seed ${opts.seed}; ${layers.length} layers; engine ${opts.engine}`,
    `array ${PARAMS.px} x ${PARAMS.py} PEs of ${PARAMS.pe.F} x ${PARAMS.pe.I} multipliers (${MULTIPLIERS}), ${PARAMS.pe.banks} banks x ${PARAMS.pe.bankDepth} x ${PARAMS.pe.accumulatorSets} accumulator set(s), ${PARAMS.pe.pointerLanes} pointer lane(s), ${PARAMS.pe.bankMapping} bank mapping; weight gradients with ${WEIGHT_GRADIENT_STATIONARY_TEXT[opts.weightGradientStationary]}, mapped ${opts.weightGradient === 'auto' ? 'by the scheduler\'s rule (planar or by channels)' : opts.weightGradient}`,
    '',
    figuresTable(records, MULTIPLIERS),
    '',
    `whole step: speedup vector ${d.speedup.vector.toFixed(2)}x, element ${d.speedup.element.toFixed(2)}x over off; RCPs anticipated vector ${(100 * d.anticipatedShare.vector).toFixed(1)}%, element ${(100 * d.anticipatedShare.element).toFixed(1)}%`,
    `conv weight gradients: element ${dwDerived.cycles.element} cycles, ideal ${dwDerived.idealCycles} (${(dwDerived.cycles.element / Math.max(1, dwDerived.idealCycles)).toFixed(2)}x the ideal); the drain engine works ${dw.counters.element.drainBusyCycles} cycles writing the gradients out, a bank row a cycle; pass by pass max(ideal, fill, drain) sums to ${dwDerived.boundCycles.element} (${(dwDerived.cycles.element / Math.max(1, dwDerived.boundCycles.element)).toFixed(2)}x that bound)`,
    `forward and input gradients: vector ${io.counters.vector.cycles} cycles, the fill engine works ${io.counters.vector.fillBusyCycles} of them copying the broadcast operands in (${PARAMS.fillWidth} elements a cycle); pass by pass max(ideal, fill, drain) sums to ${ioDerived.boundCycles.vector} in vector (${(io.counters.vector.cycles / Math.max(1, ioDerived.boundCycles.vector)).toFixed(2)}x that bound), ideal ${ioDerived.idealCycles}`,
    `whole step against its bound (max(ideal, fill, drain) pass by pass): off ${(d.cycles.off / Math.max(1, d.boundCycles.off)).toFixed(2)}x, vector ${(d.cycles.vector / Math.max(1, d.boundCycles.vector)).toFixed(2)}x, element ${(d.cycles.element / Math.max(1, d.boundCycles.element)).toFixed(2)}x`,
    model
      ? [
          `RTL: ${(rtlMs / 1000).toFixed(0)} s of model runs (${opts.jobs} at a time) for ${rtlCycles} simulated cycles (${(rtlCycles / Math.max(1e-9, rtlMs / 1000) / 1000).toFixed(1)} k cycles/s); every output bit-exact and every run's counters equal to the cycle model; cycle error ${(100 * worstModelError).toFixed(3)}% on the worst run`,
          `RTL model CPU ${(rtlCpuMs / 1000).toFixed(0)} s (${(rtlCycles / Math.max(1e-9, rtlCpuMs / 1000) / 1000).toFixed(2)} k cycles per CPU second); summed over the runs: encode ${(timing.encodeMs / 1000).toFixed(0)} s, write ${(timing.writeMs / 1000).toFixed(0)} s, model ${(timing.modelMs / 1000).toFixed(0)} s (construct ${(timing.constructMs / 1000).toFixed(0)} s, load ${(timing.loadMs / 1000).toFixed(0)} s, clocked run ${(timing.runMs / 1000).toFixed(0)} s, dump ${(timing.dumpMs / 1000).toFixed(0)} s), read ${(timing.readMs / 1000).toFixed(0)} s, decode ${(timing.decodeMs / 1000).toFixed(0)} s, cycle model ${(timing.cycleModelMs / 1000).toFixed(0)} s`,
        ].join('\n')
      : 'cycle model only (no RTL run)',
    `wall time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n');
  console.log(`\n${text}`);

  const report = {
    command: `npm run bench:pe -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: { ...opts, layers: layers.length },
    seed: opts.seed,
    machine: { host: os.hostname(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim(), loadAverage: os.loadavg() },
    tools: { node: process.version, verilator: await toolVersion('verilator'), cxx: await toolVersion('g++') },
    params: PARAMS,
    capacities: CAPACITIES,
    elaborationMs,
    emissionMs,
    emittedLines,
    verilatorBuildMs: buildMs,
    rtlWallMs: model ? rtlMs : undefined,
    rtlCyclesPerSecond: model ? rtlCycles / (rtlMs / 1000) : undefined,
    rtlCpuMs: model ? rtlCpuMs : undefined,
    rtlCyclesPerCpuSecond: model ? rtlCycles / (rtlCpuMs / 1000) : undefined,
    rtlTiming: model ? timing : undefined,
    worstModelCycleError: model ? worstModelError : undefined,
    wholeStep: { counters: whole.counters, golden: whole.golden, ...d },
    convWeightGradient: { counters: dw.counters, golden: dw.golden, ...dwDerived },
    passes: records,
  };
  const dir = path.resolve('build/reports');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, body] of [['pe-array.json', JSON.stringify(report, null, 2)], ['pe-array.txt', `${text}\n`]] as const) {
    const file = path.join(dir, name);
    fs.writeFileSync(`${file}.tmp`, body);
    fs.renameSync(`${file}.tmp`, file);
  }
  console.log(`report: ${path.join(dir, 'pe-array.json')} and pe-array.txt`);
}

await runCli(
  strictCommand(new Command('bench:pe'))
    .description('A whole training step on the 8 x 8 PE array, on the RTL or the cycle model.')
    .addOption(new Option('--engine <engine>', 'rtl: Verilator, checked bit for bit; model: the cycle model only').choices(['rtl', 'model']).default('rtl'))
    .option('--net <name>', `network: ${networkNames().join(', ')}`, 'resnet18')
    .addOption(new Option('--input <size>', 'input resolution').choices(['cifar', 'imagenet']).default('cifar'))
    .option('--batch <n>', 'samples per training step', integerArg(1, 256), 1)
    .option('--sparsity <fraction>', 'fraction of zeros of the generated operands', decimalArg(0, 1, ' (e.g. 0.9)'), 0.9)
    .addOption(new Option('--generator <name>', 'sparsity generator').choices(Object.keys(GENERATORS)).default('topk'))
    .option('--seed <n>', 'seed of every random operand', integerArg(0, 4294967295), 1)
    .option('--layers <n>', 'only the first n layers (a quick look; the report says so)', integerArg(1, 1000))
    .option('-j, --jobs <n>', 'layer passes run at the same time (each RTL run is a process of its own)', integerArg(1, 64), 2)
    .option('--accumulator-sets <n>', '2: double-buffered accumulators (a drain beside the next group\'s compute); 1: the single-buffered build', integerArg(1, 2), 2)
    .option('--pointer-lanes <n>', 'pointers the fill copies per cycle (1, 2 or 4); 1: the one-pointer fill', integerArg(1, DEFAULT_ARRAY_TOP.pe.F), DEFAULT_ARRAY_TOP.pe.pointerLanes)
    .addOption(new Option('--bank-mapping <mapping>', 'xor: bank = address XOR entry bits (spreads weight-gradient channels); modulo: the address\'s low bits').choices([...BANK_MAPPINGS]).default('xor'))
    .addOption(new Option('--weight-gradient <mapping>', 'planar: PEs hold tiles of the plane and the reduction network sums one block; channels: PEs hold channels and drain their own blocks; auto: the scheduler\'s rule (activations stationary: channels where every PE gets at least I of them; output gradients stationary: where every PE gets one and the activations fill a broadcast vector)').choices([...WEIGHT_GRADIENT_MAPPINGS]).default('auto'))
    .addOption(new Option('--weight-gradient-stationary <operand>', 'activations: the PEs hold the activations and the output gradients are broadcast; outputGradients: the other way round; auto: the one the scheduler\'s estimate finds faster').choices([...WEIGHT_GRADIENT_STATIONARY]).default('auto'))
    .action(main),
);
