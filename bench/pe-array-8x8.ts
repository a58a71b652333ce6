// The default 8 x 8 PE array top in RTL: elaboration, emission and Verilator
// build times, then whole layer passes (forward, input gradient, weight
// gradient of a CIFAR-sized convolution and of a fully-connected layer)
// scheduled on all 64 PEs, each run in the three anticipation modes in one
// bulk run per mode and held to the golden layer bit for bit and to the array
// cycle model counter for counter. Writes build/reports/pe-array-8x8.json.
//
//   npx tsx bench/pe-array-8x8.ts [--seed N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { emitDesign } from '../gen/verilog.ts';
import { elaborate } from '../hw/index.ts';
import { DEFAULT_ARRAY_TOP } from '../hw/scnn/array-params.ts';
import { ScnnArrayTop } from '../hw/scnn/array-top.ts';
import type { ConvShape, TrainingPass } from '../sim/golden/conv-shape.ts';
import { deriveSeed } from '../sim/golden/random.ts';
import { buildModel } from '../sim/verilator/build.ts';
import { checkPassAllModes, randomOperands, type UnitCapacities } from '../tb/scnn/array-check.ts';

const opts = new Command().option('--seed <n>', 'workload seed', '1').parse().opts<{ seed: string }>();
const SEED = Number(opts.seed);
if (!Number.isInteger(SEED) || SEED < 0) throw new Error(`--seed needs a non-negative integer, got ${opts.seed}`);

const PARAMS = DEFAULT_ARRAY_TOP;
const CAPACITIES: UnitCapacities = { stationaryCapacity: 128, broadcastCapacity: 1024, segmentCapacity: 16 };
const LAYERS: { name: string; shape: ConvShape; density: number }[] = [
  { name: 'conv 16x16 8->8 k3 s1 p1', shape: { batch: 1, inChannels: 8, outChannels: 8, height: 16, width: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 }, density: 0.1 },
  { name: 'fc 64 -> 10', shape: { batch: 4, inChannels: 64, outChannels: 10, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 }, density: 0.1 },
];
const PASSES: TrainingPass[] = ['forward', 'inputGradient', 'weightGradient'];

let t = performance.now();
const design = elaborate(ScnnArrayTop, PARAMS);
const elaborationMs = performance.now() - t;
t = performance.now();
emitDesign(design);
const emissionMs = performance.now() - t;
t = performance.now();
const model = await buildModel(design);
const buildMs = performance.now() - t;
console.log(`8 x 8 array: elaboration ${(elaborationMs / 1000).toFixed(2)} s, emission ${(emissionMs / 1000).toFixed(2)} s, model ${model.built ? `built in ${(buildMs / 1000).toFixed(0)} s` : 'from the cache'}`);

const passes = [];
for (const layer of LAYERS) {
  const operands = randomOperands(layer.shape, layer.density, deriveSeed(SEED, layer.name));
  for (const pass of PASSES) {
    const t0 = performance.now();
    const r = await checkPassAllModes(model, PARAMS, { label: layer.name, shape: layer.shape, pass, operands, grid: { px: PARAMS.px, py: PARAMS.py }, capacities: CAPACITIES }, SEED);
    const wallMs = performance.now() - t0;
    const c = r.counters;
    console.log(`${layer.name} ${pass}: ${r.units} units, bit-exact, counters = model; cycles off ${c.off.cycles} / vector ${c.vector.cycles} / element ${c.element.cycles} (drain ${c.element.drainCycles}); 3 runs in ${(wallMs / 1000).toFixed(1)} s`);
    passes.push({ layer: layer.name, pass, units: r.units, golden: r.golden, counters: c, wallMs });
  }
}
const report = {
  seed: SEED,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() },
  params: PARAMS,
  capacities: CAPACITIES,
  elaborationMs,
  emissionMs,
  verilatorBuildMs: model.built ? buildMs : undefined,
  passes,
};
const out = path.resolve('build/reports/pe-array-8x8.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(`${out}.tmp`, JSON.stringify(report, null, 2));
fs.renameSync(`${out}.tmp`, out);
console.log(`report: ${out}`);
