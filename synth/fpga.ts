import fs from 'node:fs';
import path from 'node:path';
import { declareBlackBoxes, keepBlackBoxInstances } from './black-boxes.ts';
import { exposeHostPorts, hostLoadedMemories } from './host-memories.ts';
import { runYosys, yosysVersion } from './yosys-run.ts';

export const FPGA_REPORT_SCHEMA = 'sparse-train-hw/fpga/1';

/** What an FPGA primitive counts as in the report. */
export type FpgaResource = 'lut' | 'flipFlop' | 'carry' | 'lutRam' | 'blockRam' | 'dsp' | 'mux' | 'other';

interface FamilyFlow {
  readonly description: string;
  /** The Yosys command, given the top module. */
  readonly synth: (top: string) => string;
  readonly classify: (cellType: string) => FpgaResource;
  /** Capacity of each block-RAM primitive, in kbit. */
  readonly blockRamKbits: Readonly<Record<string, number>>;
}

/**
 * Families whose Yosys flow needs no files beyond Yosys itself. I/O buffers
 * are left out: a design here is a block of a larger chip, not the chip.
 */
export const FPGA_FAMILIES = {
  xc7: {
    description: 'AMD/Xilinx 7 series (LUT6, CARRY4, RAMB18E1/RAMB36E1, DSP48E1)',
    synth: (top: string) => `synth_xilinx -family xc7 -top ${top} -flatten -noiopad`,
    classify: (t: string): FpgaResource => {
      if (/^LUT[1-6]$/.test(t) || t === 'INV') return 'lut';
      if (/^(FD[RSCP]E(_1)?|LD[CP]E)$/.test(t)) return 'flipFlop';
      if (/^CARRY[48]$/.test(t)) return 'carry';
      if (/^(RAM\d+X\d+[SDQ]?|RAM\d+M\d*|SRL(C)?(16|32)E)$/.test(t)) return 'lutRam';
      if (/^RAMB(18|36)E[12]$/.test(t)) return 'blockRam';
      if (/^DSP48E\d?$/.test(t)) return 'dsp';
      if (/^MUXF[78]$/.test(t)) return 'mux';
      return 'other';
    },
    blockRamKbits: { RAMB18E1: 18, RAMB36E1: 36 },
  },
  ice40: {
    description: 'Lattice iCE40 (LUT4, SB_CARRY, SB_RAM40_4K; SB_MAC16 on UltraPlus)',
    synth: (top: string) => `synth_ice40 -top ${top} -dsp`,
    classify: (t: string): FpgaResource => {
      if (t === 'SB_LUT4') return 'lut';
      if (/^SB_DFF/.test(t)) return 'flipFlop';
      if (t === 'SB_CARRY') return 'carry';
      if (/^SB_RAM40_4K/.test(t)) return 'blockRam';
      if (t === 'SB_MAC16') return 'dsp';
      return 'other';
    },
    blockRamKbits: { SB_RAM40_4K: 4, SB_RAM40_4KNR: 4, SB_RAM40_4KNW: 4, SB_RAM40_4KNRNW: 4 },
  },
} as const satisfies Record<string, FamilyFlow>;

export type FpgaFamily = keyof typeof FPGA_FAMILIES;

export function isFpgaFamily(name: string): name is FpgaFamily {
  return Object.hasOwn(FPGA_FAMILIES, name);
}

export interface FpgaReport {
  readonly schema: typeof FPGA_REPORT_SCHEMA;
  readonly design: string;
  readonly top: string;
  readonly family: FpgaFamily;
  readonly familyDescription: string;
  readonly synthCommand: string;
  readonly yosysVersion: string;
  readonly luts: number;
  readonly flipFlops: number;
  readonly carryCells: number;
  /** LUTs used as distributed RAM or shift registers (primitives, not LUT sites). */
  readonly lutRamCells: number;
  readonly blockRams: number;
  readonly blockRamKbits: number;
  readonly dsps: number;
  /** Wide-function multiplexers (MUXF7/MUXF8). */
  readonly muxCells: number;
  readonly otherCells: number;
  /** Every primitive by type. */
  readonly cells: Record<string, number>;
  readonly wallTimeS: number;
  readonly yosysWarnings: string[];
  readonly files: { readonly script: string; readonly log: string };
}

export interface FpgaOptions {
  readonly design: string;
  readonly verilogFiles: readonly string[];
  readonly top: string;
  readonly family?: FpgaFamily;
  /** Default build/synth/<design>/fpga-<family>. */
  readonly workDir?: string;
  /** Modules kept as black boxes (ports only): their primitives come from their own runs (synthesizeFpgaHierarchical). */
  readonly blackBoxes?: readonly string[];
}

/** FPGA resources of the same RTL, from Yosys's generic flow for one family (design flattened). */
export async function synthesizeFpga(opts: FpgaOptions): Promise<FpgaReport> {
  const family = opts.family ?? 'xc7';
  const flow: FamilyFlow = FPGA_FAMILIES[family];
  const workDir = path.resolve(opts.workDir ?? path.join('build', 'synth', opts.design, `fpga-${family}`));
  const version = await yosysVersion();
  const synthCommand = flow.synth(opts.top);
  const run = await runYosys({
    design: opts.design,
    workDir,
    scriptName: 'fpga.ys',
    verilogFiles: opts.verilogFiles,
    script: (rtl) =>
      [
        `# ${family} resources of design '${opts.design}' (top ${opts.top}). Written by synth/fpga.ts; run from this folder.`,
        `read_verilog ${rtl.join(' ')}`,
        ...declareBlackBoxes(opts.blackBoxes ?? []),
        `hierarchy -check -top ${opts.top}`,
        ...keepBlackBoxInstances(opts.blackBoxes ?? []),
        ...exposeHostPorts(opts.top, hostLoadedMemories(opts.verilogFiles, opts.top)),
        synthCommand,
        `tee -o stat.txt stat -top ${opts.top}`,
        `tee -q -o stat.json stat -top ${opts.top} -json`,
        '',
      ].join('\n'),
    collect: (dir) => primitiveCounts(fs.readFileSync(path.join(dir, 'stat.json'), 'utf8'), opts.top),
  });
  return {
    schema: FPGA_REPORT_SCHEMA,
    design: opts.design,
    top: opts.top,
    family,
    familyDescription: flow.description,
    synthCommand,
    yosysVersion: version,
    ...resourceTotals(family, run.output),
    wallTimeS: Math.round(run.wallTimeS * 1000) / 1000,
    yosysWarnings: run.warnings,
    files: { script: run.scriptFile, log: run.logFile },
  };
}

type ResourceTotals = Pick<FpgaReport, 'luts' | 'flipFlops' | 'carryCells' | 'lutRamCells' | 'blockRams' | 'blockRamKbits' | 'dsps' | 'muxCells' | 'otherCells' | 'cells'>;

/** The report's resource counts from the primitives by type. */
export function resourceTotals(family: FpgaFamily, cells: Readonly<Record<string, number>>): ResourceTotals {
  const flow: FamilyFlow = FPGA_FAMILIES[family];
  const total: Record<FpgaResource, number> = { lut: 0, flipFlop: 0, carry: 0, lutRam: 0, blockRam: 0, dsp: 0, mux: 0, other: 0 };
  let blockRamKbits = 0;
  for (const [type, n] of Object.entries(cells)) {
    total[flow.classify(type)] += n;
    blockRamKbits += (flow.blockRamKbits[type] ?? 0) * n;
  }
  return {
    luts: total.lut,
    flipFlops: total.flipFlop,
    carryCells: total.carry,
    lutRamCells: total.lutRam,
    blockRams: total.blockRam,
    blockRamKbits,
    dsps: total.dsp,
    muxCells: total.mux,
    otherCells: total.other,
    cells: { ...cells },
  };
}

/** Primitive counts of the flattened top from `stat -json`. */
function primitiveCounts(statJson: string, top: string): Record<string, number> {
  const stat = JSON.parse(statJson) as { modules: Record<string, { num_cells_by_type?: Record<string, number> }> };
  const m = stat.modules[`\\${top}`] ?? stat.modules[top];
  if (!m) throw new Error(`Yosys statistics have no module '${top}'`);
  return Object.fromEntries(Object.entries(m.num_cells_by_type ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
