import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Bool, defineModule, elaborate, Input, instance, mem, Output, UInt } from '../../hw/index.ts';
import { writeVerilog } from '../../gen/write.ts';
import { addBlackBoxes, addFpgaBlackBoxes, synthesizeAreaHierarchical, synthesizeFpgaHierarchical, type HierarchicalAreaReport, type HierarchicalFpgaReport } from '../../synth/hierarchical.ts';
import { synthesizeArea, type AreaReport } from '../../synth/yosys.ts';
import { REPLICAS, REPLICATED_CHILD, replicatedPads } from './replicated-design.ts';
import { scratchDir } from './scratch.ts';

describe('hierarchical area: a top with black boxes plus each black box once', () => {
  let whole: AreaReport;
  let flat: AreaReport;
  let hier: HierarchicalAreaReport;
  let fpgaHier: HierarchicalFpgaReport;

  beforeAll(async () => {
    const dir = scratchDir('hierarchical');
    const rtl = writeVerilog(replicatedPads(), path.join(dir, 'verilog'));
    const base = { design: 'replicated_pads', verilogFiles: rtl.files, top: rtl.top };
    whole = await synthesizeArea({ ...base, workDir: path.join(dir, 'whole') });
    flat = await synthesizeArea({ ...base, flatten: true, workDir: path.join(dir, 'flat') });
    hier = await synthesizeAreaHierarchical({ ...base, blackBoxes: [REPLICATED_CHILD], workDir: path.join(dir, 'hier') });
    fpgaHier = await synthesizeFpgaHierarchical({ ...base, blackBoxes: [REPLICATED_CHILD], workDir: path.join(dir, 'fpga-hier') });
  });

  it('keeps the black box out of the top run and counts its instances', () => {
    const box = hier.hierarchy.top.modules.find((m) => m.module === REPLICATED_CHILD)!;
    expect(box).toMatchObject({ blackBox: true, occurrences: REPLICAS, areaUm2: 0, cellCount: 0 });
    expect(hier.hierarchy.top.unmappedCells).toEqual({});
    expect(hier.hierarchy.top.memoryBits).toBe(32 * 8);
    expect(hier.hierarchy.blackBoxes).toEqual([expect.objectContaining({ module: REPLICATED_CHILD, instances: REPLICAS, memoryBits: 16 * 8 })]);
  });

  it('adds up the top and each instance, and agrees with the run of the whole design with its hierarchy kept', () => {
    const child = hier.hierarchy.blackBoxes[0]!.report;
    expect(hier.areaUm2).toBeCloseTo(hier.hierarchy.top.areaUm2 + REPLICAS * child.areaUm2, 6);
    expect(hier.flipFlops).toBe(hier.hierarchy.top.flipFlops + REPLICAS * child.flipFlops);
    expect(hier.cellCount).toBe(hier.hierarchy.top.cellCount + REPLICAS * child.cellCount);
    // Separate runs may map a module a little differently (ABC orders logic by Yosys's run-wide names);
    // on this design they agree exactly, on the 2 x 2 array of bench:array-area within about 1 %.
    expect(Math.abs(hier.areaUm2 - whole.areaUm2)).toBeLessThanOrEqual(0.02 * whole.areaUm2);
    expect(hier.flipFlops).toBe(whole.flipFlops);
    expect(hier.memoryBits).toBe(32 * 8 + REPLICAS * 16 * 8);
    expect(hier.memoryBits).toBe(whole.memoryBits);
    expect(hier.memoryAreaUm2Estimate).toBe(whole.memoryAreaUm2Estimate);
    const byModule = (r: AreaReport) => Object.fromEntries(r.memories.map((m) => [`${m.module}.${m.memory}`, m.totalBits]));
    expect(byModule(hier)).toEqual(byModule(whole));
    expect(hier.modules.map((m) => [m.module, m.occurrences]).sort()).toEqual(whole.modules.map((m) => [m.module, m.occurrences]).sort());
  });

  it('keeps every memory bit when the design is flattened instead', () => {
    expect(flat.modules).toHaveLength(1);
    expect(flat.memoryBits).toBe(hier.memoryBits);
    expect(flat.areaUm2).toBeGreaterThan(0);
  });

  it('replaces each black box of the flattened FPGA top by its own primitives', () => {
    const top = fpgaHier.hierarchy.top;
    expect(top.cells[REPLICATED_CHILD]).toBe(REPLICAS);
    const child = fpgaHier.hierarchy.blackBoxes[0]!.report;
    expect(fpgaHier.luts).toBe(top.luts + REPLICAS * child.luts);
    expect(fpgaHier.flipFlops).toBe(top.flipFlops + REPLICAS * child.flipFlops);
    expect(fpgaHier.blockRamKbits).toBe(top.blockRamKbits + REPLICAS * child.blockRamKbits);
    expect(fpgaHier.cells[REPLICATED_CHILD]).toBeUndefined();
  });
});

describe('adding black boxes up', () => {
  it('refuses a black box without its own run, and a run without a black box', () => {
    const figures = (modules: { module: string; occurrences: number; blackBox?: true }[]) =>
      ({ modules: modules.map((m) => ({ areaUm2: 0, cellCount: 0, flipFlops: 0, cells: {}, instances: {}, hierarchicalAreaUm2: 0, ...m })), cells: {}, unmappedCells: {}, memories: [], areaUm2: 0, flipFlops: 0 }) as never;
    expect(() => addBlackBoxes(figures([{ module: 'Top', occurrences: 1 }, { module: 'Pe', occurrences: 4, blackBox: true }]), new Map())).toThrow("black box 'Pe' has no synthesis run of its own");
    expect(() => addBlackBoxes(figures([{ module: 'Top', occurrences: 1 }]), new Map([['Pe', figures([])]]))).toThrow("black box 'Pe' is not instantiated as a black box under the top");
    expect(() => addFpgaBlackBoxes({ LUT6: 3 }, new Map([['Pe', { LUT6: 1 }]]))).toThrow("black box 'Pe' is not instantiated as a black box under the top");
  });

  it('multiplies a black box by its instances among the top primitives', () => {
    const { cells, instances } = addFpgaBlackBoxes({ LUT6: 3, Pe: 4, FDRE: 1 }, new Map([['Pe', { LUT6: 2, RAMB18E1: 1 }]]));
    expect(cells).toEqual({ FDRE: 1, LUT6: 11, RAMB18E1: 4 });
    expect(instances).toEqual(new Map([['Pe', 4]]));
  });
});

/** A child that only records its input in a memory the host reads: none of its outputs reach the top's. */
const Recorder = defineModule({
  name: 'Recorder',
  io: () => ({ at: Input(UInt(4)), value: Input(UInt(8)), last: Output(UInt(8)) }),
  body: (io) => {
    const log = mem(UInt(8), 16, { name: 'log', testbenchAccess: true });
    log.write(io.at, io.value);
    io.last.set(log.read(io.at));
  },
});

const RecordedSums = defineModule({
  name: 'RecordedSums',
  io: () => ({ at: Input(UInt(4)), a: Input(UInt(8)), b: Input(UInt(8)), done: Output(Bool()) }),
  body: (io) => {
    for (let i = 0; i < REPLICAS; i++) {
      const r = instance(Recorder, {}, { name: `rec${i}` });
      r.io.at.set(io.at);
      r.io.value.set(io.a.add(io.b).xor(i));
    }
    io.done.set(io.at.eq(15));
  },
});

it('keeps a black box whose outputs nothing reads, and the logic that feeds it', async () => {
  const dir = scratchDir('hierarchical-sink');
  const rtl = writeVerilog(elaborate(RecordedSums, {}), path.join(dir, 'verilog'));
  const hier = await synthesizeAreaHierarchical({ design: 'recorded_sums', verilogFiles: rtl.files, top: rtl.top, blackBoxes: ['Recorder'], workDir: path.join(dir, 'hier') });
  expect(hier.hierarchy.top.modules.find((m) => m.module === 'Recorder')).toMatchObject({ blackBox: true, occurrences: REPLICAS });
  expect(hier.hierarchy.blackBoxes).toEqual([expect.objectContaining({ module: 'Recorder', instances: REPLICAS, memoryBits: 16 * 8 })]);
  // The three 8-bit adders (and their xors) that feed the recorders stay in the top.
  expect(hier.hierarchy.top.cellCount).toBeGreaterThan(24);
});

it('keeps a black box whose outputs nothing reads in the FPGA run too', async () => {
  const dir = scratchDir('hierarchical-sink-fpga');
  const rtl = writeVerilog(elaborate(RecordedSums, {}), path.join(dir, 'verilog'));
  const fpga = await synthesizeFpgaHierarchical({ design: 'recorded_sums', verilogFiles: rtl.files, top: rtl.top, blackBoxes: ['Recorder'], workDir: path.join(dir, 'fpga') });
  expect(fpga.hierarchy.blackBoxes).toEqual([expect.objectContaining({ module: 'Recorder', instances: REPLICAS })]);
  // The top's own run is counted too (its logic, not only the recorders' primitives times 4).
  expect(fpga.hierarchy.top.luts).toBeGreaterThan(0);
});
