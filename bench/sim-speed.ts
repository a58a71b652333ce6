// How fast the Verilator model of the PE array simulates: one fixed, seeded
// workload (a small convolution's forward and weight-gradient passes, each
// scheduled on the whole grid, in one anticipation mode) run on the RTL of an
// array of the default PE, checked bit for bit against the golden layer and
// counter for counter against the array cycle model. Prints the simulated
// cycles, the wall time and the model's CPU time, cycles per second of each,
// where the wall time went (encoding and writing images here, constructing
// the model, loading images, the clocked run and dumping there, reading and
// decoding results), the machine's load and the tool versions; writes
// build/reports/sim-speed.json. The runs of a pass are jobs of one model
// process; --process-per-run starts a process for every run instead, one
// after the other, as the flow did before sessions.
//
//   npm run bench:sim-speed -- [--array 8x8] [--mode element] [--seed 1] [--threads N] [--optimize 2] [--process-per-run]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { execa } from 'execa';
import { integerArg, runCli, strictCommand, UsageError } from '../gen/cli-conventions.ts';
import { elaborate } from '../hw/index.ts';
import { DEFAULT_ARRAY_TOP, type ArrayTopParams } from '../hw/scnn/array-params.ts';
import { ScnnArrayTop } from '../hw/scnn/array-top.ts';
import type { ConvShape, TrainingPass } from '../sim/golden/conv-shape.ts';
import { firstMismatch, goldenPassOutput, schedulePass } from '../sim/scnn/layer-run.ts';
import { ANTICIPATION_MODES, type Anticipation } from '../sim/scnn/work-unit.ts';
import { buildModel } from '../sim/verilator/build.ts';
import { addPassTiming, runPassOnArray, zeroPassTiming, type PassOnArray, type PassTiming } from '../tb/scnn/array-pass-run.ts';
import { runArrayTop } from '../tb/scnn/array-run.ts';
import { arrayCycleModel } from '../sim/scnn/array-cycle-model.ts';
import { addCounters, planRuns, runSchedule, zeroCounters } from '../sim/scnn/array-runs.ts';
import type { ScheduleArray } from '../sim/scnn/array-output.ts';
import type { PassSchedule } from '../sim/scnn/scheduler.ts';
import type { VerilatedModel } from '../sim/verilator/build.ts';
import { randomOperands, scheduleConfig } from '../tb/scnn/array-check.ts';

interface Options {
  array: string;
  mode: Anticipation;
  seed: number;
  threads: number;
  optimize: 0 | 1 | 2 | 3;
  processPerRun?: boolean;
}

/** The workload: big enough to keep every PE of an 8 x 8 grid busy for a while, small enough to run in a minute. */
const SHAPE: ConvShape = { batch: 1, inChannels: 32, outChannels: 32, height: 16, width: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
const DENSITY = 0.3;
const PASSES: readonly TrainingPass[] = ['forward', 'weightGradient'];

function parseArray(text: string): { px: number; py: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--array must look like 8x8, got '${text}'`);
  return { px: Number(m[1]), py: Number(m[2]) };
}

async function toolVersion(cmd: string): Promise<string> {
  const r = await execa(cmd, ['--version'], { reject: false });
  return r.exitCode === 0 ? r.stdout.split('\n')[0]!.trim() : 'not found';
}

/** The flow before sessions: a model process per run, one after the other, nothing overlapped. */
async function passProcessPerRun(model: VerilatedModel, params: ArrayTopParams, schedule: PassSchedule, grid: ScheduleArray, mode: Anticipation, seed: number): Promise<PassOnArray> {
  const t0 = performance.now();
  const output = new Int32Array(schedule.outputDims.reduce((a, b) => a * b, 1));
  const counters = zeroCounters();
  const predicted = zeroCounters();
  const timing = zeroPassTiming();
  const runs = planRuns(schedule, grid, params);
  let cpuMs = 0;
  let timedOut = false;
  for (const run of runs) {
    const sub = runSchedule(schedule, run);
    const r = await runArrayTop(model, params, sub, grid, mode, { seed });
    const t = performance.now();
    addCounters(predicted, arrayCycleModel(sub, grid, params, mode).counters);
    timing.cycleModelMs += performance.now() - t;
    addPassTiming(timing, r.timing);
    addCounters(counters, r.counters);
    cpuMs += r.cpuMs;
    timedOut ||= r.timedOut;
    for (let i = 0; i < output.length; i++) output[i] = (output[i]! + r.output[i]!) | 0;
  }
  return { output, counters, predicted, runs, wallMs: performance.now() - t0, cpuMs, timing, worstRunCycleError: 0, counterMismatches: [], timedOut };
}

/** Where the wall time went, as lines of a table. */
function timingLines(t: PassTiming, wallMs: number): string[] {
  const inModel = t.constructMs + t.loadMs + t.runMs + t.dumpMs;
  const rows: [string, number][] = [
    ['encode images (TS)', t.encodeMs],
    ['pack and write job files (TS)', t.writeMs],
    ['process start, queueing and pipes', t.modelMs - inModel],
    ['construct the model (C++)', t.constructMs],
    ['read the job, load images (C++)', t.loadMs],
    ['reset and clocked run (C++)', t.runMs],
    ['dump memories, write results (C++)', t.dumpMs],
    ['read result files (TS)', t.readMs],
    ['decode outputs (TS)', t.decodeMs],
    ['cycle model (TS, overlaps the model with sessions)', t.cycleModelMs],
  ];
  return rows.map(([what, ms]) => `  ${what.padEnd(52)} ${(ms / 1000).toFixed(2).padStart(8)} s  ${((100 * ms) / wallMs).toFixed(1).padStart(5)}% of wall`);
}

async function main(opts: Options): Promise<void> {
  const grid = parseArray(opts.array);
  const params: ArrayTopParams = { ...DEFAULT_ARRAY_TOP, ...grid };
  const capacities = { stationaryCapacity: params.pe.stationaryDepth, broadcastCapacity: params.pe.broadcastDepth, segmentCapacity: params.pe.segmentDepth };
  const loadBefore = os.loadavg();

  process.stderr.write(`building the ${opts.array} array model (cached under build/verilator)...\n`);
  const t = performance.now();
  const model = await buildModel(elaborate(ScnnArrayTop, params), { threads: opts.threads, optimize: opts.optimize });
  const buildMs = performance.now() - t;
  console.log(`${opts.array} array, ${opts.threads} thread(s), C++ -O${opts.optimize}: model ${model.built ? `built in ${(buildMs / 1000).toFixed(0)} s` : 'from the cache'}`);

  const operands = randomOperands(SHAPE, DENSITY, opts.seed);
  const passes = [];
  let cycles = 0;
  let wallMs = 0;
  let cpuMs = 0;
  const timing = zeroPassTiming();
  const nodeCpu0 = process.cpuUsage();
  for (const pass of PASSES) {
    const schedule = schedulePass(SHAPE, pass, operands, scheduleConfig(params, grid, capacities), `sim-speed ${pass}`);
    const r = opts.processPerRun
      ? await passProcessPerRun(model, params, schedule, grid, opts.mode, opts.seed)
      : await runPassOnArray(model, params, schedule, grid, opts.mode, { seed: opts.seed });
    const mismatch = firstMismatch(r.output, goldenPassOutput(SHAPE, pass, operands));
    if (mismatch !== undefined) throw new Error(`${pass}: the RTL output differs from the golden layer: ${mismatch}`);
    if (r.timedOut) throw new Error(`${pass}: the watchdog ended a run`);
    for (const [k, v] of Object.entries(r.counters)) {
      const want = r.predicted[k as keyof typeof r.predicted];
      if (v !== want) throw new Error(`${pass}: counter ${k} is ${v} on the RTL, the cycle model says ${want}`);
    }
    cycles += r.counters.cycles;
    wallMs += r.wallMs;
    cpuMs += r.cpuMs;
    addPassTiming(timing, r.timing);
    passes.push({ pass, units: schedule.units.length, runs: r.runs.length, cycles: r.counters.cycles, wallMs: r.wallMs, cpuMs: r.cpuMs, timing: r.timing });
    console.log(`${pass}: ${schedule.units.length} units in ${r.runs.length} run(s), ${r.counters.cycles} cycles, wall ${(r.wallMs / 1000).toFixed(2)} s, model CPU ${(r.cpuMs / 1000).toFixed(2)} s; bit-exact, counters equal the cycle model`);
  }
  const nodeCpu = process.cpuUsage(nodeCpu0);
  const tsCpuMs = (nodeCpu.user + nodeCpu.system) / 1000;
  const loadAfter = os.loadavg();
  const perWall = cycles / (wallMs / 1000);
  const perCpu = cycles / (cpuMs / 1000);
  const perRunPhase = cycles / (timing.runMs / 1000);
  const tools = { node: process.version, verilator: await toolVersion('verilator'), cxx: await toolVersion('g++') };
  console.log(
    [
      `total: ${cycles} simulated cycles; wall ${(wallMs / 1000).toFixed(2)} s (${(perWall / 1000).toFixed(2)} k cycles/s), model CPU ${(cpuMs / 1000).toFixed(2)} s (${(perCpu / 1000).toFixed(2)} k cycles/s per CPU second), clocked run ${(timing.runMs / 1000).toFixed(2)} s (${(perRunPhase / 1000).toFixed(2)} k cycles/s)`,
      `this process (encoding, checking, the golden layer and the cycle model): CPU ${(tsCpuMs / 1000).toFixed(2)} s; model and this process together ${(cycles / ((cpuMs + tsCpuMs) / 1000) / 1000).toFixed(2)} k cycles per CPU second`,
      `where the wall time went (${opts.processPerRun ? 'a process per run' : 'one model process per pass'}):`,
      ...timingLines(timing, wallMs),
      `machine: ${os.cpus().length} cpus, load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(1)).join(' ')} after`,
      `tools: ${tools.verilator}; ${tools.cxx}`,
    ].join('\n'),
  );

  const report = {
    command: `npm run bench:sim-speed -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: opts,
    seed: opts.seed,
    workload: { shape: SHAPE, density: DENSITY, passes: PASSES, mode: opts.mode },
    machine: { host: os.hostname(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim(), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    tools,
    params,
    model: { dir: model.dir, built: model.built, buildMs: model.built ? buildMs : undefined, verilatorFlags: model.flags },
    flow: opts.processPerRun ? 'process per run' : 'one model process per pass',
    cycles,
    wallMs,
    cpuMs,
    cyclesPerWallSecond: perWall,
    cyclesPerCpuSecond: perCpu,
    cyclesPerRunPhaseSecond: perRunPhase,
    testbenchCpuMs: tsCpuMs,
    timing,
    passes,
  };
  const dir = path.resolve('build/reports');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'sim-speed.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(report, null, 2));
  fs.renameSync(`${file}.tmp`, file);
  console.log(`report: ${file}`);
}

await runCli(
  strictCommand(new Command('bench:sim-speed'))
    .description('Simulated cycles per second of the PE array RTL on a fixed, seeded workload.')
    .option('--array <PxxPy>', 'array size', '8x8')
    .addOption(new Option('--mode <mode>', 'anticipation mode').choices([...ANTICIPATION_MODES]).default('element'))
    .option('--seed <n>', 'seed of the operands and the bulk runs', integerArg(0, 4294967295), 1)
    .option('--threads <n>', 'Verilator threads of the model', integerArg(1, 64), 1)
    .option('--optimize <level>', 'C++ optimisation level of the model\'s evaluation code (part of the cache key)', integerArg(0, 3), 2)
    .option('--process-per-run', 'start a model process for every run (the flow before sessions), for comparison')
    .action(main),
);
