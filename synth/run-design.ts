import fs from 'node:fs';
import path from 'node:path';
import { WRITTEN_VERILOG, type DesignEntry } from '../gen/designs.ts';
import { emitDesign, type SelectForm } from '../gen/verilog.ts';
import { writeVerilog, type WrittenDesign } from '../gen/write.ts';
import { writeFileAtomic } from './files.ts';
import { synthesizeFpga, type FpgaFamily, type FpgaReport } from './fpga.ts';
import { synthesizeAreaHierarchical, synthesizeFpgaHierarchical } from './hierarchical.ts';
import { synthesizeArea, type AreaReport, type CellMapping } from './yosys.ts';

/** Where one design's reports and work folders live under the output folder. */
export function designPaths(outDir: string, design: string) {
  return {
    verilogDir: path.join(outDir, design, 'verilog'),
    areaWorkDir: path.join(outDir, design, 'asic'),
    fpgaWorkDir: (family: FpgaFamily) => path.join(outDir, design, `fpga-${family}`),
    areaReport: path.join(outDir, `${design}.json`),
    fpgaReport: path.join(outDir, `${design}.fpga.json`),
  };
}

/**
 * Elaborates a design and writes its Verilog for the synthesis flows,
 * independent of build/verilog/. `selects` is how a select of 2^w values is
 * written (gen/verilog.ts, SelectForm): neither form is smaller everywhere
 * (docs/area.md), so the default is the array read the simulators get.
 */
export function writeDesignVerilog(entry: DesignEntry, outDir: string, selects: SelectForm = 'array'): WrittenDesign {
  const design = entry.elaborate(WRITTEN_VERILOG);
  return writeVerilog(design, path.resolve(designPaths(outDir, entry.name).verilogDir), emitDesign(design, { selects }));
}

/**
 * Runs the area flow and writes <design>.json. A failed run removes an
 * older report, so a stale area never sits beside a failing design. With
 * black boxes the flow is hierarchical (synth/hierarchical.ts).
 */
export async function runAreaFlow(
  name: string,
  rtl: WrittenDesign,
  outDir: string,
  flow: { readonly liberty?: string; readonly blackBoxes?: readonly string[]; readonly mapping?: CellMapping } = {},
): Promise<AreaReport> {
  const { liberty, blackBoxes = [], mapping = 'full' } = flow;
  const p = designPaths(outDir, name);
  try {
    const opts = { design: name, verilogFiles: rtl.files, top: rtl.top, workDir: p.areaWorkDir, mapping, ...(liberty ? { liberty } : {}) };
    const report = blackBoxes.length ? await synthesizeAreaHierarchical({ ...opts, blackBoxes }) : await synthesizeArea(opts);
    writeFileAtomic(p.areaReport, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } catch (e) {
    fs.rmSync(p.areaReport, { force: true });
    throw e;
  }
}

/** Runs the FPGA flow and writes <design>.fpga.json, with the same stale-report and black-box rules. */
export async function runFpgaFlow(name: string, rtl: WrittenDesign, outDir: string, family: FpgaFamily, blackBoxes: readonly string[] = []): Promise<FpgaReport> {
  const p = designPaths(outDir, name);
  try {
    const opts = { design: name, verilogFiles: rtl.files, top: rtl.top, family, workDir: p.fpgaWorkDir(family) };
    const report = blackBoxes.length ? await synthesizeFpgaHierarchical({ ...opts, blackBoxes }) : await synthesizeFpga(opts);
    writeFileAtomic(p.fpgaReport, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } catch (e) {
    fs.rmSync(p.fpgaReport, { force: true });
    throw e;
  }
}
