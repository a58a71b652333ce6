import type { Liberty } from './liberty.ts';
import { flipFlopArrayAreaUm2, memoryBits, sramAreaUm2, type MemoryModel, type MemoryShape } from './memory-model.ts';

/** One module of the synthesized hierarchy. */
export interface ModuleArea {
  readonly module: string;
  /** Standard-cell area of this module alone, children excluded (um^2). */
  readonly areaUm2: number;
  /** Standard cells of this module alone. */
  readonly cellCount: number;
  readonly flipFlops: number;
  /** Standard cells of this module alone, by library cell name. */
  readonly cells: Record<string, number>;
  /** Child modules instantiated in this module, with their instance counts. */
  readonly instances: Record<string, number>;
  /** How many times this module occurs in the whole design (the top: 1). */
  readonly occurrences: number;
  /** A black box of this run: its contents were not synthesized here (synth/hierarchical.ts adds them from their own run). */
  readonly blackBox?: true;
  /** Standard-cell area of one instance of this module, children included (um^2). */
  readonly hierarchicalAreaUm2: number;
}

/** One memory (a $mem_v2 cell Yosys kept unmapped) of one module. */
export interface MemoryArea extends MemoryShape {
  readonly module: string;
  readonly memory: string;
  readonly bits: number;
  /** Instances of the module holding it, in the whole design. */
  readonly occurrences: number;
  readonly totalBits: number;
  /** SRAM-macro estimate for one instance (um^2). */
  readonly sramAreaUm2Estimate: number;
  /** Flip-flop-array upper bound for one instance (um^2). */
  readonly flipFlopArrayAreaUm2Bound: number;
}

/** The area figures derived from Yosys's statistics; synthesizeArea adds where they came from. */
export interface AreaFigures {
  /** Standard-cell area of the whole design, each child counted per instance; memories excluded (um^2). */
  readonly areaUm2: number;
  readonly areaMm2: number;
  readonly cellCount: number;
  readonly flipFlops: number;
  /** Standard cells of the whole design by library cell name. */
  readonly cells: Record<string, number>;
  readonly modules: ModuleArea[];
  readonly memories: MemoryArea[];
  readonly memoryBits: number;
  readonly memoryModel: MemoryModel;
  /** Sum of the memories' SRAM-macro estimates over the design: an estimate, not synthesized. */
  readonly memoryAreaUm2Estimate: number;
  readonly memoryAreaUm2FlipFlopBound: number;
  /** areaUm2 + memoryAreaUm2Estimate. */
  readonly totalAreaUm2Estimate: number;
  /** areaUm2 + memoryAreaUm2FlipFlopBound. */
  readonly totalAreaUm2UpperBound: number;
  /** Cells that are neither library cells, modules nor memories (design-wide counts): area not counted. */
  readonly unmappedCells: Record<string, number>;
}

/** The parts of Yosys's `stat -json` output this flow reads. */
interface StatJson {
  modules: Record<string, { num_cells_by_type?: Record<string, number> }>;
}

/** The parts of Yosys's `write_json` output this flow reads. */
interface NetlistJson {
  modules: Record<string, { cells?: Record<string, { type: string; parameters?: Record<string, string | number> }> }>;
}

const MEMORY_CELL_TYPES = new Set(['$mem', '$mem_v2']);

export function areaFigures(input: {
  readonly top: string;
  readonly liberty: Liberty;
  readonly model: MemoryModel;
  /** `stat -json -liberty` output. */
  readonly statJson: string;
  /** `stat -liberty` text output, for cross-checking the areas with Yosys's own. */
  readonly statText: string;
  /** `write_json` of the memory cells. */
  readonly memoriesJson: string;
  /** Modules kept as black boxes: instances with no cells of their own here. */
  readonly blackBoxes?: readonly string[];
}): AreaFigures {
  const { liberty, model, top } = input;
  const blackBoxes = new Set(input.blackBoxes ?? []);
  const stat = JSON.parse(input.statJson) as StatJson;
  const byModule = new Map<string, Record<string, number>>();
  for (const [name, m] of Object.entries(stat.modules)) {
    const counts: Record<string, number> = {};
    for (const [type, n] of Object.entries(m.num_cells_by_type ?? {})) counts[unescape(type)] = n;
    byModule.set(unescape(name), counts);
  }
  for (const box of blackBoxes) if (!byModule.has(box)) byModule.set(box, {});
  if (!byModule.has(top)) throw new Error(`Yosys statistics have no module '${top}' (found: ${[...byModule.keys()].join(', ')})`);

  interface Own {
    cells: Record<string, number>;
    instances: Record<string, number>;
    unmapped: Record<string, number>;
    areaUm2: number;
    cellCount: number;
    flipFlops: number;
  }
  const own = new Map<string, Own>();
  for (const [name, counts] of byModule) {
    const o: Own = { cells: {}, instances: {}, unmapped: {}, areaUm2: 0, cellCount: 0, flipFlops: 0 };
    for (const [type, n] of Object.entries(counts)) {
      const cell = liberty.cells.get(type);
      if (cell) {
        o.cells[type] = n;
        o.areaUm2 += cell.area * n;
        o.cellCount += n;
        if (cell.sequential) o.flipFlops += n;
      } else if (byModule.has(type)) o.instances[type] = n;
      else if (!MEMORY_CELL_TYPES.has(type)) o.unmapped[type] = n;
    }
    own.set(name, o);
  }
  const occurrences = countOccurrences(top, own);
  const hierarchical = new Map<string, number>();
  const hierarchicalArea = (name: string): number => {
    let a = hierarchical.get(name);
    if (a === undefined) {
      const o = own.get(name)!;
      a = o.areaUm2 + Object.entries(o.instances).reduce((s, [child, n]) => s + n * hierarchicalArea(child), 0);
      hierarchical.set(name, a);
    }
    return a;
  };

  crossCheckAreas(input.statText, own, top, hierarchicalArea(top));

  const modules: ModuleArea[] = [...own.entries()]
    .filter(([name]) => occurrences.has(name))
    .map(([name, o]) => ({
      module: name,
      areaUm2: round(o.areaUm2),
      cellCount: o.cellCount,
      flipFlops: o.flipFlops,
      cells: sortKeys(o.cells),
      instances: sortKeys(o.instances),
      occurrences: occurrences.get(name)!,
      hierarchicalAreaUm2: round(hierarchicalArea(name)),
      ...(blackBoxes.has(name) ? { blackBox: true as const } : {}),
    }));

  const cells: Record<string, number> = {};
  const unmappedCells: Record<string, number> = {};
  for (const [name, o] of own) {
    const k = occurrences.get(name) ?? 0;
    for (const [type, n] of Object.entries(o.cells)) cells[type] = (cells[type] ?? 0) + k * n;
    for (const [type, n] of Object.entries(o.unmapped)) if (k > 0) unmappedCells[type] = (unmappedCells[type] ?? 0) + k * n;
  }

  const memories = readMemories(input.memoriesJson, model, occurrences);
  return designFigures({
    areaUm2: hierarchicalArea(top),
    flipFlops: modules.reduce((s, m) => s + m.occurrences * m.flipFlops, 0),
    cells,
    modules,
    memories,
    memoryModel: model,
    unmappedCells,
  });
}

/** The design's figures from its parts: cell and memory totals, the memory estimates and the totals with memories. */
export function designFigures(p: {
  readonly areaUm2: number;
  readonly flipFlops: number;
  readonly cells: Record<string, number>;
  readonly modules: ModuleArea[];
  readonly memories: MemoryArea[];
  readonly memoryModel: MemoryModel;
  readonly unmappedCells: Record<string, number>;
}): AreaFigures {
  const areaUm2 = round(p.areaUm2);
  const memoryAreaUm2Estimate = round(p.memories.reduce((s, m) => s + m.occurrences * m.sramAreaUm2Estimate, 0));
  const memoryAreaUm2FlipFlopBound = round(p.memories.reduce((s, m) => s + m.occurrences * m.flipFlopArrayAreaUm2Bound, 0));
  return {
    areaUm2,
    areaMm2: areaUm2 / 1e6,
    cellCount: Object.values(p.cells).reduce((s, n) => s + n, 0),
    flipFlops: p.flipFlops,
    cells: sortKeys(p.cells),
    modules: p.modules,
    memories: p.memories,
    memoryBits: p.memories.reduce((s, m) => s + m.totalBits, 0),
    memoryModel: p.memoryModel,
    memoryAreaUm2Estimate,
    memoryAreaUm2FlipFlopBound,
    totalAreaUm2Estimate: round(areaUm2 + memoryAreaUm2Estimate),
    totalAreaUm2UpperBound: round(areaUm2 + memoryAreaUm2FlipFlopBound),
    unmappedCells: sortKeys(p.unmappedCells),
  };
}

/** How often each module occurs below (and including) the top. */
function countOccurrences(top: string, own: ReadonlyMap<string, { instances: Record<string, number> }>): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (name: string, times: number, path: string[]): void => {
    if (path.includes(name)) throw new Error(`recursive module hierarchy: ${[...path, name].join(' -> ')}`);
    counts.set(name, (counts.get(name) ?? 0) + times);
    for (const [child, n] of Object.entries(own.get(name)?.instances ?? {})) visit(child, times * n, [...path, name]);
  };
  visit(top, 1, []);
  return counts;
}

function readMemories(json: string, model: MemoryModel, occurrences: ReadonlyMap<string, number>): MemoryArea[] {
  const netlist = JSON.parse(json) as NetlistJson;
  const out: MemoryArea[] = [];
  for (const [escapedModule, m] of Object.entries(netlist.modules)) {
    const module = unescape(escapedModule);
    const k = occurrences.get(module) ?? 0;
    if (k === 0) continue;
    for (const [cellName, cell] of Object.entries(m.cells ?? {})) {
      if (!MEMORY_CELL_TYPES.has(cell.type)) continue;
      const p = cell.parameters ?? {};
      const shape: MemoryShape = {
        depth: intParam(p, 'SIZE', cellName),
        width: intParam(p, 'WIDTH', cellName),
        readPorts: intParam(p, 'RD_PORTS', cellName),
        writePorts: intParam(p, 'WR_PORTS', cellName),
      };
      const memid = p['MEMID'];
      const bits = memoryBits(shape);
      out.push({
        module,
        memory: unescape(typeof memid === 'string' ? memid : cellName),
        ...shape,
        bits,
        occurrences: k,
        totalBits: bits * k,
        sramAreaUm2Estimate: round(sramAreaUm2(model, shape)),
        flipFlopArrayAreaUm2Bound: round(flipFlopArrayAreaUm2(model, shape)),
      });
    }
  }
  return out.sort((a, b) => (a.module === b.module ? cmp(a.memory, b.memory) : cmp(a.module, b.module)));
}

/** Yosys writes integer parameters as binary strings in JSON. */
function intParam(params: Record<string, string | number>, name: string, cell: string): number {
  const v = params[name];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[01]+$/.test(v)) return parseInt(v, 2);
  throw new Error(`memory cell ${cell}: parameter ${name} is ${JSON.stringify(v)}, expected an integer`);
}

/**
 * The liberty areas and Yosys's "Chip area" lines must agree: a mismatch
 * means this flow and Yosys read the library differently.
 */
function crossCheckAreas(statText: string, own: ReadonlyMap<string, { areaUm2: number }>, top: string, topHierarchicalArea: number): void {
  const differs = (ours: number | undefined, yosys: number): boolean => ours === undefined || Math.abs(ours - yosys) > 1e-3 * Math.max(1, yosys);
  let checked = 0;
  for (const m of statText.matchAll(/Chip area for (top )?module '\\?([^']+)': ([\d.eE+-]+)/g)) {
    const [, isTop, name, value] = m;
    const yosysArea = Number(value);
    const ours = isTop ? (name === top ? topHierarchicalArea : undefined) : own.get(name!)?.areaUm2;
    if (differs(ours, yosysArea)) {
      throw new Error(`${isTop ? 'hierarchical ' : ''}area of module '${name}' from the liberty (${ours}) differs from Yosys's (${yosysArea})`);
    }
    checked++;
  }
  const hasCells = [...own.values()].some((o) => o.areaUm2 > 0);
  if (hasCells && checked === 0) throw new Error(`no "Chip area" lines in Yosys's statistics for top '${top}'; has the stat output format changed?`);
}

function unescape(name: string): string {
  return name.startsWith('\\') ? name.slice(1) : name;
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => cmp(a, b)));
}
