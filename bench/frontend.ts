// Figures of Spartan's front end in RTL: compaction throughput per density,
// pipeline latency, the monitor's stream overhead against the software pass
// it replaces on every conv layer of ResNet-18 and VGG16, and the standard-cell
// area of both blocks at V = 16. Writes build/reports/frontend.json and
// build/reports/frontend.txt.
//
//   npx tsx bench/frontend.ts [--seed N] [--no-area]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findDesign } from '../gen/designs.ts';
import { writeVerilog } from '../gen/write.ts';
import { elaborate, type Design } from '../hw/index.ts';
import { COMPACTION_LATENCY, CompactionEngine, DEFAULT_COMPACTION_ENGINE } from '../hw/spartan/compaction-engine.ts';
import { DEFAULT_SPARSITY_MONITOR, SparsityMonitor } from '../hw/spartan/sparsity-monitor.ts';
import { deriveSeed } from '../sim/golden/random.ts';
import { validateMonitorConfig } from '../sim/golden/spartan/sparsity-monitor.ts';
import { OSU018_LIBERTY } from '../toolchain/tools.ts';
import { buildModel, type VerilatedModel } from '../sim/verilator/build.ts';
import { Simulation } from '../sim/verilator/session.ts';
import { getNetwork } from '../sim/workloads/networks/index.ts';
import { readLiberty } from '../synth/liberty.ts';
import { flipFlopArrayAreaUm2, memoryModel, sramAreaUm2 } from '../synth/memory-model.ts';
import { synthesizeArea } from '../synth/yosys.ts';
import { checkCompaction } from '../tb/spartan/compaction-check.ts';
import { runCompactionBulk } from '../tb/spartan/compaction-run.ts';
import { checkMonitor } from '../tb/spartan/monitor-check.ts';
import { runMonitorBulk } from '../tb/spartan/monitor-run.ts';
import { frontEndTensor, ZERO_FRACTIONS, type TensorShape } from '../tb/spartan/workloads.ts';
import { convOutputs, layerMonitorConfig, profilingCost, PROFILING_MODEL_ASSUMPTIONS, type ProfilingCost } from '../sim/spartan/profiling-cost.ts';
import { frontEndText, type FrontEndReport } from './frontend-text.ts';
import { Command } from 'commander';
import { integerArg, parseOptions, strictCommand } from '../gen/cli-conventions.ts';

const options = parseOptions<{ seed: number; area: boolean }>(
  strictCommand(new Command('npm run bench:frontend --'))
    .description("Spartan front end: latency, throughput sweep, profiling cost and area")
    .option('--seed <n>', 'seed of every random tensor', integerArg(0, 0xffffffff), 1)
    .option('--no-area', 'skip the Yosys area runs'),
);
const SEED = options.seed;
const WITH_AREA = options.area;

const ENGINE = DEFAULT_COMPACTION_ENGINE;
const MONITOR = DEFAULT_SPARSITY_MONITOR;
const V = ENGINE.lanes;
const SWEEP_DIMS: [number, number, number] = [64, 28, 28];
const SWEEP_TENSORS = 4;
/** ReLU outputs are about half zeros; the stream timing does not depend on it. */
const LAYER_ZEROS = 0.5;
const TILE_CHANNELS = 16;
const THRESHOLD = 128;

const log = (s: string) => console.log(s);
const t0 = performance.now();

// ---- compaction engine -------------------------------------------------------
log(`Compaction engine, V=${V} U=${ENGINE.outLanes}: building...`);
const engineModel = await buildModel(elaborate(CompactionEngine, ENGINE));

async function measureLatency(model: VerilatedModel): Promise<number> {
  const sim = Simulation.open(model, elaborate(CompactionEngine, ENGINE).top.spec);
  try {
    for (const [port, v] of [['cfg_channels', 1], ['cfg_height', 2], ['cfg_width', V], ['cfg_zvc', 0], ['out_ready', 1], ['ptr_ready', 1], ['mask_ready', 1]] as const) sim.poke(port, v);
    sim.poke('in_valid', 1);
    for (let j = 0; j < V; j++) sim.poke(`in_bits_${j}`, j + 1);
    sim.step();
    sim.poke('in_valid', 0);
    for (let cycle = 1; cycle < 20; cycle++) {
      if ((await sim.peek('out_valid')) === 1n) return cycle;
      sim.step();
    }
    throw new Error('no output vector within 20 cycles of a full beat');
  } finally {
    await sim.close();
  }
}
const latency = await measureLatency(engineModel);
if (latency !== COMPACTION_LATENCY) throw new Error(`measured latency ${latency} differs from COMPACTION_LATENCY ${COMPACTION_LATENCY}`);

const sweep: FrontEndReport['compaction']['sweep'] = [];
for (const shape of ['uniform', 'relu'] as TensorShape[]) {
  for (const zeros of ZERO_FRACTIONS) {
    const tensors = Array.from({ length: SWEEP_TENSORS }, (_, t) => frontEndTensor(SWEEP_DIMS, zeros, shape, ENGINE.elementWidth, deriveSeed(SEED, 'sweep', t)));
    const run = await runCompactionBulk(engineModel, ENGINE, tensors, { seed: deriveSeed(SEED, shape, zeros), mode: 'csr' });
    checkCompaction(tensors, run.streams, ENGINE, 'csr');
    const elements = tensors.reduce((n, t) => n + t.values.length, 0);
    const cycles = run.lastVectorCycle + 1;
    sweep.push({ shape, zeroFraction: zeros, elements, beats: run.inputBeats, cycles, elementsPerCycle: elements / cycles, extraCycles: cycles - run.inputBeats });
    log(`  ${shape.padEnd(8)} ${(zeros * 100).toFixed(0).padStart(3)}% zeros: ${(elements / cycles).toFixed(3)} elements/cycle (${cycles} cycles for ${run.inputBeats} beats)`);
  }
}

const resnetLayers: FrontEndReport['compaction']['resnet18'] = [];
for (const a of convOutputs(getNetwork('resnet18', 'imagenet'))) {
  const tensor = frontEndTensor([a.channels, a.size, a.size], LAYER_ZEROS, 'relu', ENGINE.elementWidth, deriveSeed(SEED, 'resnet18', a.layer));
  const run = await runCompactionBulk(engineModel, ENGINE, [tensor], { seed: deriveSeed(SEED, 'compact', a.layer), mode: 'csr' });
  checkCompaction([tensor], run.streams, ENGINE, 'csr');
  resnetLayers.push({ layer: a.layer, dims: [a.channels, a.size, a.size], beats: run.inputBeats, cycles: run.lastVectorCycle + 1 });
}
log(`  ResNet-18 conv outputs compacted and checked: ${resnetLayers.length} layers`);

// ---- sparsity monitor --------------------------------------------------------
log(`Sparsity monitor, V=${MONITOR.lanes}: building...`);
const monitorModel = await buildModel(elaborate(SparsityMonitor, MONITOR));
const networks: FrontEndReport['monitor']['networks'] = [];
for (const net of ['resnet18', 'vgg16']) {
  const layers: (ProfilingCost & { layer: string; dims: number[]; simulatedCycles: number; ratioTilesOnly: number })[] = [];
  for (const a of convOutputs(getNetwork(net, 'imagenet'))) {
    const cfg = layerMonitorConfig(a, MONITOR.lanes, TILE_CHANNELS, THRESHOLD);
    validateMonitorConfig(cfg, MONITOR);
    const tensor = frontEndTensor([a.channels, a.size, a.size], LAYER_ZEROS, 'relu', MONITOR.elementWidth, deriveSeed(SEED, net, a.layer));
    const run = await runMonitorBulk(monitorModel, MONITOR, [tensor.values], cfg, { seed: deriveSeed(SEED, 'monitor', net, a.layer) });
    checkMonitor([tensor.values], cfg, run);
    const extra = run.lastPassCycle + 1 - run.sent[0]!.length;
    // The same layer profiled without channel totals: fewer records for both sides to produce.
    const tilesOnly = profilingCost({ ...cfg, channelLayout: 'none', channels: undefined, planeSize: undefined }, extra);
    layers.push({ layer: a.layer, dims: [a.channels, a.size, a.size], simulatedCycles: run.lastPassCycle + 1, ...profilingCost(cfg, extra), ratioTilesOnly: tilesOnly.ratio });
  }
  const mean = layers.reduce((s, l) => s + l.ratio, 0) / layers.length;
  const aggregate = layers.reduce((s, l) => s + l.softwareCycles, 0) / layers.reduce((s, l) => s + l.monitorStreamCycles + l.monitorReadoutCycles, 0);
  const maxExtra = Math.max(...layers.map((l) => l.monitorStreamCycles));
  const meanTilesOnly = layers.reduce((s, l) => s + l.ratioTilesOnly, 0) / layers.length;
  networks.push({ network: net, input: 'imagenet', layers, meanRatio: mean, aggregateRatio: aggregate, meanRatioTilesOnly: meanTilesOnly, maxExtraStreamCycles: maxExtra });
  log(`  ${net}: ${layers.length} conv layers checked, extra stream cycles ${maxExtra}, software/monitor mean ${mean.toFixed(1)}x, aggregate ${aggregate.toFixed(1)}x`);
}

// ---- area --------------------------------------------------------------------
const areas: FrontEndReport['area'] = [];
if (WITH_AREA) {
  const liberty = readLiberty(OSU018_LIBERTY);
  const model = memoryModel(liberty);
  for (const name of ['sparsity_monitor', 'sparsity_monitor_hwc', 'compaction_engine']) {
    log(`Area: ${name} (Yosys)...`);
    const design: Design = findDesign(name).elaborate();
    const workDir = path.resolve('build', 'reports', 'frontend-synth', name);
    const rtl = writeVerilog(design, path.join(workDir, 'rtl'));
    const r = await synthesizeArea({ design: name, verilogFiles: rtl.files, top: rtl.top, workDir: path.join(workDir, 'asic') });
    // Memory shapes from the elaborated design: the synthesis report may not list every memory.
    const memories = design.modules.flatMap((m) =>
      m.memories.map((mem) => {
        const shape = { depth: mem.depth, width: mem.width, readPorts: mem.readPorts.length, writePorts: 1 };
        return { module: m.displayName, memory: mem.name, ...shape, bits: mem.depth * mem.width, sramUm2: sramAreaUm2(model, shape), flipFlopBoundUm2: flipFlopArrayAreaUm2(model, shape) };
      }),
    );
    const memorySram = memories.reduce((s, m) => s + m.sramUm2, 0);
    areas.push({
      design: name,
      top: r.top,
      standardCellUm2: r.areaUm2,
      cells: r.cellCount,
      flipFlops: r.flipFlops,
      modules: r.modules.map((m) => ({ module: m.module, um2: m.hierarchicalAreaUm2, flipFlops: m.flipFlops })),
      memories,
      memorySramEstimateUm2: memorySram,
      totalEstimateUm2: r.areaUm2 + memorySram,
      memoryModel: model.sramBasis,
      synthMemoriesListed: r.memories.length,
      yosysSeconds: r.wallTimeS,
    });
  }
}

const report: FrontEndReport = {
  schema: 'sparse-train-hw/frontend/1',
  seed: SEED,
  host: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`,
  wallSeconds: 0,
  compaction: { params: ENGINE, latencyCycles: latency, sweepDims: SWEEP_DIMS, tensorsPerRun: SWEEP_TENSORS, sweep, resnet18: resnetLayers, layerZeroFraction: LAYER_ZEROS },
  monitor: {
    params: MONITOR,
    tiling: `tiles of ${TILE_CHANNELS} channels x the whole plane (matrix view: one row per channel), planar channel totals, threshold ${THRESHOLD}/256`,
    layerZeroFraction: LAYER_ZEROS,
    assumptions: PROFILING_MODEL_ASSUMPTIONS,
    paperRatio: 52.5,
    networks,
  },
  area: areas,
};
report.wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
fs.mkdirSync(path.join('build', 'reports'), { recursive: true });
fs.writeFileSync(path.join('build', 'reports', 'frontend.json'), `${JSON.stringify(report, null, 2)}\n`);
const text = frontEndText(report);
fs.writeFileSync(path.join('build', 'reports', 'frontend.txt'), text);
log('');
log(text);
log('written build/reports/frontend.json and build/reports/frontend.txt');
