// Checks the hierarchical area method (synth/hierarchical.ts) on an array small
// enough to synthesize flattened: the same array top synthesized (a) with the
// PE as a black box plus the PE once, (b) flattened, optimized across the PE
// boundaries, and (c) with its hierarchy kept in one run, where only the top's
// host-loaded memories get a write port (synth/host-memories.ts), so (c) drops
// the PEs' and is not comparable. Prints the figures and writes
// build/reports/array-area.json.
//
//   npm run bench:array-area [-- --px 2 --py 2]
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { integerArg } from '../gen/cli-conventions.ts';
import { elaborate } from '../hw/index.ts';
import { ScnnArrayTop } from '../hw/scnn/array-top.ts';
import { scnnPeModuleName } from '../hw/scnn/pe.ts';
import { writeVerilog } from '../gen/write.ts';
import { writeFileAtomic } from '../synth/files.ts';
import { synthesizeAreaHierarchical } from '../synth/hierarchical.ts';
import { synthesizeArea, type AreaReport } from '../synth/yosys.ts';
import { yosysVersion } from '../synth/yosys-run.ts';
import type { ArrayTopParams } from '../hw/scnn/array-params.ts';

const program = new Command()
  .name('npm run bench:array-area --')
  .description('Hierarchical (PE as a black box) against flattened synthesis of a small array of small PEs')
  .option('--px <n>', 'PE columns', integerArg(1, 4), 2)
  .option('--py <n>', 'PE rows', integerArg(1, 4), 2)
  .option('-o, --out <dir>', 'work folder', 'build/bench/array-area')
  .parse();

/**
 * A deliberately small PE (2 x 2 multipliers of 4-bit values, 4 banks of 4
 * accumulators, small buffers) so the flattened array takes minutes, not
 * hours: the method does not depend on the PE's size.
 */
const SMALL_ARRAY: Omit<ArrayTopParams, 'px' | 'py'> = {
  pe: { F: 2, I: 2, valueWidth: 4, accWidth: 8, banks: 4, bankDepth: 4, coordBits: 4, stationaryDepth: 16, broadcastDepth: 16, pointerDepth: 16, pointerLanes: 2, segmentDepth: 4, anticipation: 'element', accumulatorSets: 2, bankMapping: 'xor' },
  fillWidth: 2,
  globalBroadcastDepth: 64,
  globalPointerDepth: 64,
  unitDepth: 4,
  sliceDepth: 16,
  mergeListDepth: 4,
  mergePhaseDepth: 4,
};

const opts = program.opts<{ px: number; py: number; out: string }>();
const params: ArrayTopParams = { ...SMALL_ARRAY, px: opts.px, py: opts.py };
const out = path.resolve(opts.out);
const rtl = writeVerilog(elaborate(ScnnArrayTop, params), path.join(out, 'verilog'));
const pe = scnnPeModuleName(params.pe);
const base = { design: `array_${opts.px}x${opts.py}`, verilogFiles: rtl.files, top: rtl.top };
const loadBefore = os.loadavg();
const [hierarchical, flattened, kept] = await Promise.all([
  synthesizeAreaHierarchical({ ...base, blackBoxes: [pe], workDir: path.join(out, 'hierarchical') }),
  synthesizeArea({ ...base, flatten: true, workDir: path.join(out, 'flattened') }),
  synthesizeArea({ ...base, workDir: path.join(out, 'kept') }),
]);

const figures = (r: AreaReport) => ({ areaUm2: r.areaUm2, cellCount: r.cellCount, flipFlops: r.flipFlops, memoryBits: r.memoryBits, wallTimeS: r.wallTimeS });
const difference = (r: AreaReport) => ({ um2: Math.round(hierarchical.areaUm2 - r.areaUm2), percent: (100 * (hierarchical.areaUm2 - r.areaUm2)) / r.areaUm2 });
const report = {
  bench: 'array-area',
  array: `${opts.px}x${opts.py}`,
  params,
  top: rtl.top,
  blackBox: pe,
  method: hierarchical.hierarchy.method,
  hierarchical: { ...figures(hierarchical), topUm2: hierarchical.hierarchy.top.areaUm2, peUm2: hierarchical.hierarchy.blackBoxes[0]!.areaUm2, pes: hierarchical.hierarchy.blackBoxes[0]!.instances },
  flattened: figures(flattened),
  hierarchyKept: figures(kept),
  hierarchicalMinusFlattened: difference(flattened),
  tools: { yosys: await yosysVersion() },
  machine: { host: os.hostname(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
  seed: null,
};
const um2 = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`${report.array} array of small PEs (${pe}), OSU 0.18 um standard cells, memories apart:`);
console.log(`  hierarchical: ${um2(report.hierarchical.areaUm2)} um^2 = top ${um2(report.hierarchical.topUm2)} + ${report.hierarchical.pes} x PE ${um2(report.hierarchical.peUm2)}; ${report.hierarchical.memoryBits} memory bits`);
console.log(`  flattened:    ${um2(flattened.areaUm2)} um^2; ${flattened.memoryBits} memory bits (hierarchical - flattened: ${um2(report.hierarchicalMinusFlattened.um2)} um^2, ${report.hierarchicalMinusFlattened.percent.toFixed(2)}%)`);
console.log(`  one run, hierarchy kept: ${um2(kept.areaUm2)} um^2; ${kept.memoryBits} memory bits (not comparable: the PEs' host-loaded memories get no write port inside a child)`);
const file = path.resolve('build', 'reports', 'array-area.json');
writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
