import fs from 'node:fs';
import path from 'node:path';
import { OSU018_LIBERTY } from '../toolchain/tools.ts';
import { areaFigures, type AreaFigures } from './area-report.ts';
import { declareBlackBoxes, keepBlackBoxInstances, quoteYosysArg } from './black-boxes.ts';
import { displayPath } from './files.ts';
import { childHostLoadedMemories, exposeHostPorts, hostLoadedMemories } from './host-memories.ts';
import { readLiberty } from './liberty.ts';
import { memoryModel } from './memory-model.ts';
import { runYosys, yosysVersion } from './yosys-run.ts';

export const AREA_REPORT_SCHEMA = 'sparse-train-hw/area/1';

/**
 * ABC's script for the mapping to library cells. `full`: Yosys's default.
 * `fast`: the same without its SAT sweeping (`&fraig -x`, `scorr`), retiming
 * (`dret`) and structural choices (`&dch -f`), which grow much faster than the
 * netlist: on the off PE's 128 k gates the default mapping ran for over 25 CPU
 * minutes, while the whole flow with `fast` took under 6 (docs/area.md).
 */
export type CellMapping = 'full' | 'fast';
export const CELL_MAPPINGS: readonly CellMapping[] = ['full', 'fast'];
/** `fast`'s ABC script (commas stand for spaces in Yosys's `-script +…`); {D} is Yosys's delay target, empty here. */
export const FAST_MAPPING_SCRIPT = '+strash;dc2;strash;&get,-n;&nf,{D};&put';

export interface AreaReport extends AreaFigures {
  readonly schema: typeof AREA_REPORT_SCHEMA;
  readonly design: string;
  readonly top: string;
  readonly liberty: string;
  readonly libraryName: string;
  readonly yosysVersion: string;
  /** ABC's script for the cell mapping (areas of different mappings do not compare exactly). */
  readonly mapping: CellMapping;
  /** Wall time of the Yosys run (s). */
  readonly wallTimeS: number;
  /** Yosys's own warnings, deduplicated. */
  readonly yosysWarnings: string[];
  readonly files: { readonly script: string; readonly log: string; readonly verilog: string[] };
}

export interface AreaOptions {
  /** Design name: names the work folder and the report. */
  readonly design: string;
  /** Verilog files of the design (any order). */
  readonly verilogFiles: readonly string[];
  readonly top: string;
  /** Where the script, log and Yosys's outputs go; default build/synth/<design>/asic. */
  readonly workDir?: string;
  /** Liberty file; default the OSU 0.18 um library. */
  readonly liberty?: string;
  /** Modules kept as black boxes (ports only): synth/hierarchical.ts synthesizes each once on its own. */
  readonly blackBoxes?: readonly string[];
  /** Flatten the hierarchy before synthesis (optimizes across module boundaries; default: keep it). */
  readonly flatten?: boolean;
  /** ABC's mapping script; default `full`. */
  readonly mapping?: CellMapping;
}

export const AREA_SCRIPT = 'area.ys';

/**
 * Synthesizes a design to the standard cells of a liberty library, keeping
 * the hierarchy (areas per module) and keeping memories as $mem_v2 cells
 * (they are reported with a separate model, never as standard cells).
 */
export async function synthesizeArea(opts: AreaOptions): Promise<AreaReport> {
  const libertyPath = path.resolve(opts.liberty ?? OSU018_LIBERTY);
  const liberty = readLiberty(libertyPath);
  const model = memoryModel(liberty);
  const workDir = path.resolve(opts.workDir ?? path.join('build', 'synth', opts.design, 'asic'));
  const mapping = opts.mapping ?? 'full';
  const version = await yosysVersion();
  const run = await runYosys({
    design: opts.design,
    workDir,
    scriptName: AREA_SCRIPT,
    verilogFiles: opts.verilogFiles,
    script: (rtl) =>
      areaScript({
        design: opts.design, top: opts.top, rtl, liberty: libertyPath, blackBoxes: opts.blackBoxes ?? [], flatten: opts.flatten ?? false, mapping,
        hostLoaded: hostLoadedMemories(opts.verilogFiles, opts.top),
        childHostLoaded: opts.flatten ? childHostLoadedMemories(opts.verilogFiles, opts.top) : [],
      }),
    collect: (dir) =>
      areaFigures({
        top: opts.top,
        liberty,
        model,
        statJson: fs.readFileSync(path.join(dir, 'stat.json'), 'utf8'),
        statText: fs.readFileSync(path.join(dir, 'stat.txt'), 'utf8'),
        memoriesJson: fs.readFileSync(path.join(dir, 'memories.json'), 'utf8'),
        blackBoxes: opts.blackBoxes ?? [],
      }),
  });
  return {
    schema: AREA_REPORT_SCHEMA,
    design: opts.design,
    top: opts.top,
    liberty: libertyPath,
    libraryName: liberty.name,
    yosysVersion: version,
    mapping,
    ...run.output,
    wallTimeS: Math.round(run.wallTimeS * 1000) / 1000,
    yosysWarnings: run.warnings,
    files: {
      script: run.scriptFile,
      log: run.logFile,
      verilog: opts.verilogFiles.map((f) => displayPath(path.join(workDir, 'rtl', path.basename(f)))),
    },
  };
}

function areaScript(p: {
  design: string;
  top: string;
  rtl: readonly string[];
  liberty: string;
  blackBoxes: readonly string[];
  flatten: boolean;
  hostLoaded: readonly string[];
  childHostLoaded: readonly string[];
  mapping: CellMapping;
}): string {
  const lib = quoteYosysArg(p.liberty);
  return [
    `# Standard-cell area of design '${p.design}' (top ${p.top}). Written by synth/yosys.ts; run from this folder.`,
    `read_verilog ${p.rtl.map(quoteYosysArg).join(' ')}`,
    ...declareBlackBoxes(p.blackBoxes),
    `hierarchy -check -top ${p.top}`,
    ...keepBlackBoxInstances(p.blackBoxes),
    ...exposeHostPorts(p.top, p.hostLoaded),
    // proc ends with opt_expr, which would fold the children's tied write ports before they are exposed.
    ...(p.flatten ? ['proc -noopt', 'flatten', ...exposeHostPorts(p.top, p.childHostLoaded, true)] : ['proc']),
    '# A problem found here (logic loop, multiple drivers, undriven input of a cell) is a design bug.',
    'check -assert',
    '# The coarse part of synth ends with "memory -nomap": memories stay $mem_v2 cells.',
    `synth -top ${p.top} -run begin:fine`,
    '# The fine part of synth without memory_map, so memories are not turned into flip-flops.',
    'opt -fast -full',
    'opt -full',
    'techmap',
    'opt -fast',
    'abc -fast',
    'opt -fast',
    '# Checked before mapping: check cannot see the port directions of library cells.',
    'check',
    `dfflibmap -liberty ${lib}`,
    ...(p.mapping === 'fast'
      ? ['# Fast mapping (synth/yosys.ts, CellMapping): the default script without SAT sweeping, retiming and choices.', `abc -liberty ${lib} -script ${FAST_MAPPING_SCRIPT}`]
      : [`abc -liberty ${lib}`]),
    'opt_clean',
    `tee -o stat.txt stat -top ${p.top} -liberty ${lib}`,
    `tee -q -o stat.json stat -top ${p.top} -json -liberty ${lib}`,
    '# The mapped netlist, for looking into where the area goes.',
    'write_verilog -noattr netlist.v',
    '# Keep only the memories, for their shapes; this destroys the netlist, so it comes last.',
    '# No opt_clean after it: a memory whose read data fed the deleted logic would be removed too.',
    'delete c:* t:$mem_v2 t:$mem %u %d',
    'write_json memories.json',
    '',
  ].join('\n');
}

