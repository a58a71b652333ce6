import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findDesign } from '../../gen/designs.ts';
import { writeVerilog } from '../../gen/write.ts';
import { runAreaFlow, writeDesignVerilog } from '../../synth/run-design.ts';
import { FAST_MAPPING_SCRIPT, synthesizeArea, type AreaReport } from '../../synth/yosys.ts';
import { hostLoadedPair, hostLoadedTable, scratchpadPair } from './memory-design.ts';
import { scratchDir } from './scratch.ts';

describe('area flow on the counter design', () => {
  let outDir: string;
  let report: AreaReport;
  let written: Record<string, unknown>;

  beforeAll(async () => {
    outDir = scratchDir('counter');
    const rtl = writeDesignVerilog(findDesign('counter'), outDir);
    report = await runAreaFlow('counter', rtl, outDir);
    written = JSON.parse(fs.readFileSync(path.join(outDir, 'counter.json'), 'utf8')) as Record<string, unknown>;
  });

  it('writes a report with the documented fields', () => {
    for (const field of [
      'design', 'top', 'liberty', 'yosysVersion', 'areaUm2', 'cells', 'modules', 'memories',
      'memoryAreaUm2Estimate', 'totalAreaUm2Estimate', 'wallTimeS', 'mapping',
    ]) {
      expect(written, field).toHaveProperty(field);
    }
    expect(written['design']).toBe('counter');
    expect(written['top']).toBe('Counter_width8');
    expect(written['yosysVersion']).toMatch(/^Yosys \d+\.\d+/);
    expect(written).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('has a positive area and one flip-flop per counter bit', () => {
    expect(report.areaUm2).toBeGreaterThan(0);
    expect(report.flipFlops).toBe(8);
    expect(report.cells['DFFPOSX1']).toBe(8);
    expect(report.memories).toEqual([]);
    expect(report.totalAreaUm2Estimate).toBe(report.areaUm2);
  });

  it('adds up: the area is the cells times their library areas', () => {
    const [top] = report.modules;
    expect(report.modules).toHaveLength(1);
    expect(top!.module).toBe('Counter_width8');
    expect(top!.areaUm2).toBe(report.areaUm2);
    expect(top!.cellCount).toBe(Object.values(report.cells).reduce((a, b) => a + b, 0));
  });

  it('leaves the script, the log and the mapped netlist in the work folder', () => {
    const work = path.join(outDir, 'counter', 'asic');
    for (const f of ['area.ys', 'yosys.log', 'netlist.v', 'rtl/Counter_width8.v']) expect(fs.existsSync(path.join(work, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(work, 'netlist.v'), 'utf8')).toContain('DFFPOSX1');
  });
});

describe('the cell mapping script', () => {
  it('maps with the default script unless asked for the fast one, and says which', async () => {
    const outDir = scratchDir('counter-mapping');
    const rtl = writeDesignVerilog(findDesign('counter'), outDir);
    const full = await runAreaFlow('counter', rtl, path.join(outDir, 'full'));
    const fast = await runAreaFlow('counter', rtl, path.join(outDir, 'fast'), { mapping: 'fast' });
    const script = (dir: string) => fs.readFileSync(path.join(outDir, dir, 'counter', 'asic', 'area.ys'), 'utf8');
    expect(full.mapping).toBe('full');
    expect(fast.mapping).toBe('fast');
    expect(script('full')).toMatch(/^abc -liberty \S+$/m);
    expect(script('full')).not.toContain(FAST_MAPPING_SCRIPT);
    expect(script('fast')).toMatch(/^abc -liberty \S+ -script \+strash;dc2;strash;&get,-n;&nf,\{D\};&put$/m);
    // Both are real mappings of the same logic: the flip-flops and library cells stay.
    expect(fast.flipFlops).toBe(8);
    expect(fast.areaUm2).toBeGreaterThan(0);
    expect(Object.keys(fast.unmappedCells)).toEqual([]);
  });
});

describe('area flow on a design with memories', () => {
  let report: AreaReport;

  beforeAll(async () => {
    const dir = scratchDir('memory');
    const rtl = writeVerilog(scratchpadPair(), path.join(dir, 'verilog'));
    report = await synthesizeArea({ design: 'scratchpad_pair', verilogFiles: rtl.files, top: rtl.top, workDir: path.join(dir, 'asic') });
  });

  it('reports each memory separately, counted once per instance', () => {
    expect(report.memories).toHaveLength(1);
    const [m] = report.memories;
    expect(m).toMatchObject({ memory: 'store', depth: 16, width: 8, bits: 128, readPorts: 1, writePorts: 1, occurrences: 2, totalBits: 256 });
    expect(report.memoryBits).toBe(256);
    const child = report.modules.find((x) => x.module === m!.module)!;
    expect(child.occurrences).toBe(2);
    expect(report.modules.find((x) => x.module === 'ScratchpadPair')!.instances).toEqual({ [m!.module]: 2 });
  });

  it('keeps memory bits out of the standard cells', () => {
    // 256 bits as flip-flops would be 256 DFFs; the registered read data belongs to the macro too.
    expect(report.flipFlops).toBe(0);
    expect(Object.keys(report.cells).every((c) => !c.startsWith('$'))).toBe(true);
    expect(report.unmappedCells).toEqual({});
    expect(report.memoryAreaUm2Estimate).toBe(2 * 128 * report.memoryModel.sramUm2PerBit);
    expect(report.totalAreaUm2Estimate).toBeCloseTo(report.areaUm2 + report.memoryAreaUm2Estimate, 6);
    expect(report.memoryAreaUm2FlipFlopBound).toBeGreaterThan(report.memoryAreaUm2Estimate);
  });
});

describe('area flow on a memory only a testbench writes', () => {
  it('gives it a write port from the top inputs, so the memory and the logic reading it stay', async () => {
    const dir = scratchDir('host-loaded');
    const rtl = writeVerilog(hostLoadedTable(), path.join(dir, 'verilog'));
    expect(fs.readFileSync(rtl.files[0]!, 'utf8')).toContain("assign lookup_we = 1'b0;");
    const report = await synthesizeArea({ design: 'host_loaded_table', verilogFiles: rtl.files, top: rtl.top, workDir: path.join(dir, 'asic') });
    expect(fs.readFileSync(path.join(dir, 'asic', 'area.ys'), 'utf8')).toContain('expose -input HostLoadedTable/w:lookup_we HostLoadedTable/w:lookup_waddr HostLoadedTable/w:lookup_wdata');
    expect(report.memories).toEqual([expect.objectContaining({ memory: 'lookup', depth: 32, width: 12, bits: 384, writePorts: 1 })]);
    // The 12 XOR gates of the read data stay.
    expect(report.cells['XOR2X1'] ?? 0).toBeGreaterThanOrEqual(12);
  });

  it('keeps the tables of child instances in a flattened synthesis too', async () => {
    const dir = scratchDir('host-loaded-flat');
    const rtl = writeVerilog(hostLoadedPair(), path.join(dir, 'verilog'));
    const report = await synthesizeArea({ design: 'host_loaded_pair', verilogFiles: rtl.files, top: rtl.top, flatten: true, workDir: path.join(dir, 'asic') });
    expect(report.memoryBits).toBe(2 * 384);
    expect(report.cells['XOR2X1'] ?? 0).toBeGreaterThanOrEqual(24);
  });
});
