// Figures for the language and its flows: elaboration + emission time per
// example, an uncached Verilator build, and simulation speed in both modes.
// Prints a table and writes build/reports/foundation.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { designs } from '../gen/designs.ts';
import { emitDesign } from '../gen/verilog.ts';
import { elaborate } from '../hw/index.ts';
import { Fifo } from '../hw/examples/fifo.ts';
import { PipelinedPopcount } from '../hw/examples/popcount.ts';
import { Rng } from '../sim/golden/random.ts';
import { buildModel } from '../sim/verilator/build.ts';
import { runBulk } from '../sim/verilator/bulk.ts';
import { Simulation } from '../sim/verilator/session.ts';

const SEED = 1;
const report: Record<string, unknown> = { seed: SEED, host: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`, node: process.version };

const gen: { design: string; modules: number; verilogLines: number; ms: number }[] = [];
for (const d of designs) {
  const t0 = performance.now();
  let lines = 0;
  let modules = 0;
  const reps = 5;
  for (let i = 0; i < reps; i++) {
    const design = d.elaborate();
    const files = emitDesign(design);
    lines = files.reduce((n, f) => n + f.text.split('\n').length, 0);
    modules = files.length;
  }
  gen.push({ design: d.name, modules, verilogLines: lines, ms: (performance.now() - t0) / reps });
}
report.elaborateAndEmit = gen;

// An uncached build: a private cache folder that starts empty.
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verilator-'));
const fifoDesign = elaborate(Fifo, { width: 16, depth: 8 });
const fifoModel = await buildModel(fifoDesign, { cacheDir });
const popModel = await buildModel(elaborate(PipelinedPopcount, { width: 64, levelsPerStage: 2 }), { cacheDir });
report.verilatorBuildMs = { fifo: Math.round(fifoModel.buildMs), popcount: Math.round(popModel.buildMs) };

const rng = new Rng(SEED);
const BEATS = 1_000_000;
const beats = Array.from({ length: BEATS }, () => [BigInt(rng.nextInt(1 << 16))]);
const bulk = await runBulk(fifoModel, { seed: SEED, inputs: [{ prefix: 'enq', beats, stall: 0.1 }], outputs: [{ prefix: 'deq', stall: 0.1 }] });
report.bulkFifo = { beats: BEATS, cycles: bulk.cycles, wallMs: Math.round(bulk.wallMs), cyclesPerSecond: Math.round(bulk.cycles / (bulk.wallMs / 1000)) };

const sim = Simulation.open(popModel, elaborate(PipelinedPopcount, { width: 64, levelsPerStage: 2 }).top.spec);
const STEPS = 20_000;
const t0 = performance.now();
for (let i = 0; i < STEPS; i++) {
  sim.poke('inValid', 1);
  sim.poke('inBits', BigInt(rng.nextUint32()) << 32n | BigInt(rng.nextUint32()));
  sim.step();
}
await sim.peek('outCount');
const pokeStepMs = performance.now() - t0;
const t1 = performance.now();
for (let i = 0; i < 2000; i++) {
  sim.step();
  await sim.peek('outCount');
}
const roundTripMs = performance.now() - t1;
await sim.close();
report.fineGrainedPopcount = {
  pokeStepCyclesPerSecond: Math.round(STEPS / (pokeStepMs / 1000)),
  peekRoundTripUs: Math.round((roundTripMs / 2000) * 1000),
};
fs.rmSync(cacheDir, { recursive: true, force: true });

console.log('Elaboration + Verilog emission (mean of 5):');
for (const g of gen) console.log(`  ${g.design.padEnd(22)} ${String(g.modules).padStart(3)} module(s) ${String(g.verilogLines).padStart(6)} lines  ${g.ms.toFixed(1).padStart(8)} ms`);
console.log(`Verilator build, uncached: fifo ${(fifoModel.buildMs / 1000).toFixed(1)} s, popcount ${(popModel.buildMs / 1000).toFixed(1)} s`);
console.log(`Bulk mode, FIFO, ${BEATS} beats with 10% stalls: ${bulk.cycles} cycles in ${(bulk.wallMs / 1000).toFixed(2)} s = ${(bulk.cycles / (bulk.wallMs / 1000) / 1e6).toFixed(2)} M cycles/s (incl. process start and file I/O)`);
console.log(`Fine-grained, popcount: ${(STEPS / (pokeStepMs / 1000) / 1000).toFixed(0)} k poke+step cycles/s pipelined; ${((roundTripMs / 2000) * 1000).toFixed(0)} us per peek round trip`);
fs.mkdirSync('build/reports', { recursive: true });
fs.writeFileSync('build/reports/foundation.json', JSON.stringify(report, null, 2) + '\n');
console.log('written build/reports/foundation.json');
