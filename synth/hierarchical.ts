import path from 'node:path';
import { designFigures, round, sortKeys, type AreaFigures, type MemoryArea, type ModuleArea } from './area-report.ts';
import { resourceTotals, synthesizeFpga, type FpgaOptions, type FpgaReport } from './fpga.ts';
import { synthesizeArea, type AreaOptions, type AreaReport } from './yosys.ts';

export const HIERARCHICAL_METHOD =
  'hierarchical synthesis: the top is synthesized with each replicated module kept as a black box (Yosys `blackbox`, ports only), ' +
  'each black-box module is synthesized once on its own as a top, and total = top-level cells + instances x module, ' +
  'the same for flip-flops, cells by type and memories (every level\'s memories reported separately, with their instance counts). ' +
  'No optimization crosses a black box boundary (constant inputs, unused outputs), as in a flow that hardens one block and places it many times.';

/** One black-box module of a hierarchical run, synthesized on its own. */
export interface BlackBoxPart {
  readonly module: string;
  /** Instances of it in the whole design. */
  readonly instances: number;
  /** Standard-cell area of one instance, its own children included (um^2). */
  readonly areaUm2: number;
  /** Memory bits of one instance. */
  readonly memoryBits: number;
  readonly report: AreaReport;
}

export interface HierarchicalAreaReport extends AreaReport {
  readonly hierarchy: {
    readonly method: string;
    /** The top's own run, black boxes not counted. */
    readonly top: AreaReport;
    readonly blackBoxes: BlackBoxPart[];
  };
}

/**
 * The area of `top` from one run of the top with `blackBoxes` kept as black
 * boxes and one run of each black-box module on its own (the runs at the same
 * time), added up by `addBlackBoxes`.
 */
export async function synthesizeAreaHierarchical(opts: AreaOptions & { readonly blackBoxes: readonly string[] }): Promise<HierarchicalAreaReport> {
  const workDir = path.resolve(opts.workDir ?? path.join('build', 'synth', opts.design, 'asic'));
  const { top, parts, wallTimeS, yosysWarnings } = await runTopAndParts(
    opts.blackBoxes,
    () => synthesizeArea({ ...opts, workDir: path.join(workDir, 'top') }),
    (module) => synthesizeArea({ ...opts, design: `${opts.design}/${module}`, top: module, blackBoxes: [], workDir: path.join(workDir, module) }),
  );
  return {
    ...top,
    ...addBlackBoxes(top, parts),
    wallTimeS,
    yosysWarnings,
    hierarchy: {
      method: HIERARCHICAL_METHOD,
      top,
      blackBoxes: [...parts].map(([module, r]) => ({
        module,
        instances: top.modules.find((m) => m.module === module)!.occurrences,
        areaUm2: r.areaUm2,
        memoryBits: r.memoryBits,
        report: r,
      })),
    },
  };
}

/** Runs the top and each black-box module at the same time; the wall time is their sum, the warnings their union. */
async function runTopAndParts<R extends { readonly wallTimeS: number; readonly yosysWarnings: readonly string[] }>(
  blackBoxes: readonly string[],
  runTop: () => Promise<R>,
  runPart: (module: string) => Promise<R>,
): Promise<{ top: R; parts: Map<string, R>; wallTimeS: number; yosysWarnings: string[] }> {
  const [top, ...partReports] = await Promise.all([runTop(), ...blackBoxes.map(runPart)]);
  const parts = new Map(blackBoxes.map((module, i) => [module, partReports[i]!]));
  const all = [top, ...parts.values()];
  return { top, parts, wallTimeS: round(all.reduce((s, r) => s + r.wallTimeS, 0)), yosysWarnings: [...new Set(all.flatMap((r) => r.yosysWarnings))] };
}

/**
 * The figures of the whole design: the top's run (black boxes as empty
 * instances) with each black box's own run added once per instance. A module
 * found both in the top's run and inside a black box is counted in both places,
 * with the occurrences added.
 */
export function addBlackBoxes(top: AreaFigures, parts: ReadonlyMap<string, AreaFigures>): AreaFigures {
  const instances = new Map<string, number>();
  for (const m of top.modules) {
    if (!m.blackBox) continue;
    if (!parts.has(m.module)) throw new Error(`black box '${m.module}' has no synthesis run of its own`);
    instances.set(m.module, m.occurrences);
  }
  for (const module of parts.keys()) {
    if (!instances.has(module)) throw new Error(`black box '${module}' is not instantiated as a black box under the top`);
  }

  const modules = new Map<string, ModuleArea>();
  const addModule = (m: ModuleArea, times: number): void => {
    const before = modules.get(m.module);
    modules.set(m.module, { ...m, occurrences: (before?.occurrences ?? 0) + times * m.occurrences });
  };
  for (const m of top.modules) if (!m.blackBox) addModule(m, 1);
  const cells = { ...top.cells };
  const unmappedCells = { ...top.unmappedCells };
  const memories: MemoryArea[] = [...top.memories];
  let areaUm2 = top.areaUm2;
  let flipFlops = top.flipFlops;
  for (const [module, part] of parts) {
    const k = instances.get(module)!;
    for (const m of part.modules) addModule(m, k);
    addCounts(cells, part.cells, k);
    addCounts(unmappedCells, part.unmappedCells, k);
    for (const mem of part.memories) memories.push({ ...mem, occurrences: k * mem.occurrences, totalBits: k * mem.totalBits });
    areaUm2 += k * part.areaUm2;
    flipFlops += k * part.flipFlops;
  }
  return designFigures({ areaUm2, flipFlops, cells, modules: [...modules.values()], memories, memoryModel: top.memoryModel, unmappedCells });
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>, times: number): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + times * n;
}

export interface HierarchicalFpgaReport extends FpgaReport {
  readonly hierarchy: {
    readonly method: string;
    /** The top's own run: the black boxes appear as cells of their module's name. */
    readonly top: FpgaReport;
    readonly blackBoxes: { readonly module: string; readonly instances: number; readonly report: FpgaReport }[];
  };
}

/** FPGA primitives by the same method as synthesizeAreaHierarchical: the top with black boxes, each black box once. */
export async function synthesizeFpgaHierarchical(opts: FpgaOptions & { readonly blackBoxes: readonly string[] }): Promise<HierarchicalFpgaReport> {
  const family = opts.family ?? 'xc7';
  const workDir = path.resolve(opts.workDir ?? path.join('build', 'synth', opts.design, `fpga-${family}`));
  const { top, parts, wallTimeS, yosysWarnings } = await runTopAndParts(
    opts.blackBoxes,
    () => synthesizeFpga({ ...opts, family, workDir: path.join(workDir, 'top') }),
    (module) => synthesizeFpga({ ...opts, family, design: `${opts.design}/${module}`, top: module, blackBoxes: [], workDir: path.join(workDir, module) }),
  );
  const { cells, instances } = addFpgaBlackBoxes(top.cells, new Map([...parts].map(([m, r]) => [m, r.cells])));
  return {
    ...top,
    ...resourceTotals(family, cells),
    wallTimeS,
    yosysWarnings,
    hierarchy: {
      method: HIERARCHICAL_METHOD,
      top,
      blackBoxes: [...parts].map(([module, report]) => ({ module, instances: instances.get(module)!, report })),
    },
  };
}

/**
 * The flattened top's primitives with each black box (a cell of its module's
 * name) replaced by the primitives of its own run, once per instance.
 */
export function addFpgaBlackBoxes(
  topCells: Readonly<Record<string, number>>,
  parts: ReadonlyMap<string, Readonly<Record<string, number>>>,
): { cells: Record<string, number>; instances: Map<string, number> } {
  const cells = { ...topCells };
  const instances = new Map<string, number>();
  for (const [module, partCells] of parts) {
    const key = [module, `\\${module}`].find((k) => k in cells);
    if (key === undefined) throw new Error(`black box '${module}' is not instantiated as a black box under the top`);
    const k = cells[key]!;
    delete cells[key];
    instances.set(module, k);
    addCounts(cells, partCells, k);
  }
  return { cells: sortKeys(cells), instances };
}
