/**
 * area: CNNLab's platform trade-off mirrored on one RTL, as ASIC standard cells
 * (OSU 0.18 µm, Yosys) and FPGA resources (Yosys's xc7 flow), through the synth/
 * API that `npm run synth` uses. Areas at 45 nm and 16 nm are estimates by the
 * rule in `scaleArea`, labelled as such everywhere they appear.
 *
 * Designs: the sparsity monitor (two channel layouts), the compaction engine,
 * the PE in its three anticipation builds (their difference is the
 * anticipation logic) and the 8x8 array.
 */
import path from 'node:path';
import { findDesign } from '../../gen/designs.ts';
import { DEFAULT_ARRAY_TOP } from '../../hw/scnn/array-params.ts';
import { DEFAULT_PE } from '../../hw/scnn/pe-params.ts';
import { DEFAULT_COMPACTION_ENGINE } from '../../hw/spartan/compaction-engine.ts';
import { DEFAULT_SPARSITY_MONITOR } from '../../hw/spartan/sparsity-monitor.ts';
import type { HierarchicalAreaReport } from '../../synth/hierarchical.ts';
import { runAreaFlow, runFpgaFlow, writeDesignVerilog } from '../../synth/run-design.ts';
import { unitId, type CsvRow, type Experiment, type WorkUnit } from './experiment.ts';

/** The node of the measured cells (OSU 0.18 µm). */
export const MEASURED_NODE_NM = 180;
export const SCALED_NODES_NM = [45, 16] as const;

export const SCALING_RULE =
  'estimate: ideal (constant-field) scaling of area with the square of the feature size, A(node) = A(180 nm) · (node / 180 nm)²; ' +
  'real processes scale worse below about 45 nm (FinFET standard-cell and SRAM-cell areas shrink less than the square of the node name), so the 16 nm figure is a lower bound';

/** Area at another node by the stated rule (an estimate, never a measurement). */
export function scaleArea(areaAt180Um2: number, nodeNm: number): number {
  return areaAt180Um2 * (nodeNm / MEASURED_NODE_NM) ** 2;
}

/** Peak work of a design per cycle, from its configuration: for throughput per area. */
interface PeakPerCycle {
  readonly amount: number;
  /** Elements taken in (front end) or multiplies (PE, array). */
  readonly unit: 'elements' | 'multiplies';
}

const PE_MULTIPLIES = DEFAULT_PE.F * DEFAULT_PE.I;
const ARRAY_MULTIPLIES = DEFAULT_ARRAY_TOP.px * DEFAULT_ARRAY_TOP.py * PE_MULTIPLIES;

const PEAK_PER_CYCLE: Readonly<Record<string, PeakPerCycle>> = {
  sparsity_monitor: { amount: DEFAULT_SPARSITY_MONITOR.lanes, unit: 'elements' },
  sparsity_monitor_hwc: { amount: DEFAULT_SPARSITY_MONITOR.lanes, unit: 'elements' },
  compaction_engine: { amount: DEFAULT_COMPACTION_ENGINE.lanes, unit: 'elements' },
  scnn_pe: { amount: PE_MULTIPLIES, unit: 'multiplies' },
  scnn_pe_vector: { amount: PE_MULTIPLIES, unit: 'multiplies' },
  scnn_pe_off: { amount: PE_MULTIPLIES, unit: 'multiplies' },
  scnn_array_8x8: { amount: ARRAY_MULTIPLIES, unit: 'multiplies' },
  scnn_array_8x8_vector: { amount: ARRAY_MULTIPLIES, unit: 'multiplies' },
  scnn_array_8x8_off: { amount: ARRAY_MULTIPLIES, unit: 'multiplies' },
};

export interface AsicFigures {
  readonly flow: 'asic';
  readonly design: string;
  readonly libraryName: string;
  readonly yosysVersion: string;
  readonly stdCellAreaUm2: number;
  readonly cellCount: number;
  readonly flipFlops: number;
  readonly memoryBits: number;
  readonly memoryAreaUm2Estimate: number;
  readonly totalAreaUm2Estimate: number;
  readonly totalAreaUm2UpperBound: number;
  /** Designs synthesized hierarchically (synth/hierarchical.ts): the top's own figures and each black box's. */
  readonly hierarchy?: {
    readonly topStdCellAreaUm2: number;
    readonly topMemoryBits: number;
    readonly topMemoryAreaUm2Estimate: number;
    readonly blackBoxes: { readonly module: string; readonly instances: number; readonly stdCellAreaUm2: number; readonly memoryBits: number; readonly memoryAreaUm2Estimate: number }[];
  };
}

export interface FpgaFigures {
  readonly flow: 'fpga';
  readonly design: string;
  readonly family: string;
  readonly synthCommand: string;
  readonly luts: number;
  readonly flipFlops: number;
  readonly carryCells: number;
  readonly lutRamCells: number;
  readonly dsps: number;
  readonly blockRams: number;
  readonly blockRamKbits: number;
}

const FLOWS = ['asic', 'fpga'] as const;

/** SCNN's PE (Parashar et al., ISCA 2017, 16 nm) and ANT's added area (16 nm), mm². */
const SCNN_PE_MM2_16NM = 0.123;
const ANT_ADDED_MM2_16NM = 0.0017;

/**
 * The anticipation logic alone: the standard cells of the PE built for a mode
 * less those of the PE without anticipation (the pointer memories are counted
 * with the memories), beside ANT's published added area.
 */
function anticipationLines(asic: ReadonlyMap<string, AsicFigures>): string[] {
  const off = asic.get('scnn_pe_off');
  const modes = (['scnn_pe_vector', 'scnn_pe'] as const).filter((d) => asic.has(d));
  if (!off || modes.length === 0) return [];
  const mm2 = (um2: number) => (um2 / 1e6).toFixed(4);
  return [
    '## The anticipation logic',
    '',
    `Standard cells added to the PE without anticipation (scnn_pe_off, ${mm2(off.stdCellAreaUm2)} mm² at 180 nm); ANT reports ${ANT_ADDED_MM2_16NM} mm² added at 16 nm to a PE that SCNN reports as ${SCNN_PE_MM2_16NM} mm² (16 nm).`,
    '',
    '| PE | added std cells (mm², 180 nm) | share of the PE without anticipation | added memory bits | added mm² @16 nm (estimate) |',
    '|---|---|---|---|---|',
    ...modes.map((d) => {
      const a = asic.get(d)!;
      const added = a.stdCellAreaUm2 - off.stdCellAreaUm2;
      return `| ${d === 'scnn_pe' ? 'element (scnn_pe)' : 'vector (scnn_pe_vector)'} | ${mm2(added)} | ${((100 * added) / off.stdCellAreaUm2).toFixed(1)}% | ${(a.memoryBits - off.memoryBits).toLocaleString('en-US')} | ${(scaleArea(added, 16) / 1e6).toFixed(5)} |`;
    }),
    '',
    `ANT's added area is ${((100 * ANT_ADDED_MM2_16NM) / SCNN_PE_MM2_16NM).toFixed(1)}% of SCNN's PE.`,
    '',
  ];
}

/** Where the area of a hierarchically synthesized design goes: the top's own cells and memories against its replicated blocks. */
function hierarchyLines(designs: readonly AsicFigures[]): string[] {
  const withHierarchy = designs.filter((a) => a.hierarchy);
  if (withHierarchy.length === 0) return [];
  const mm2 = (um2: number) => (um2 / 1e6).toFixed(3);
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
  return [
    '## Arrays: the top against its PEs',
    '',
    "Synthesized hierarchically: the array top with the PE kept as a black box, the PE once on its own, total = top + instances × PE (docs/area.md). The top is the fill engine, descriptors, drain, weight-gradient adder tree and halo-merge network; its memories are the global buffers, descriptor tables, output slices and merge lists.",
    '',
    '| design | part | instances | std cells mm² @180 nm (all instances) | share of std cells | memory bits (all instances) | share of memory bits |',
    '|---|---|---|---|---|---|---|',
    ...withHierarchy.flatMap((a) => {
      const h = a.hierarchy!;
      return [
        `| ${a.design} | top | 1 | ${mm2(h.topStdCellAreaUm2)} | ${pct(h.topStdCellAreaUm2, a.stdCellAreaUm2)} | ${h.topMemoryBits.toLocaleString('en-US')} | ${pct(h.topMemoryBits, a.memoryBits)} |`,
        ...h.blackBoxes.map(
          (b) =>
            `| ${a.design} | ${b.module} | ${b.instances} | ${mm2(b.instances * b.stdCellAreaUm2)} | ${pct(b.instances * b.stdCellAreaUm2, a.stdCellAreaUm2)} | ${(b.instances * b.memoryBits).toLocaleString('en-US')} | ${pct(b.instances * b.memoryBits, a.memoryBits)} |`,
        ),
      ];
    }),
    '',
  ];
}

export const areaExperiment: Experiment = {
  name: 'area',
  title: 'Area: the same RTL as ASIC standard cells and as FPGA resources',
  reproduces: "CNNLab (2016)'s GPU-vs-FPGA platform trade-off, mirrored as ASIC area against FPGA resources of one RTL",
  accepts: ['designs'],
  defaults: { designs: ['sparsity_monitor', 'sparsity_monitor_hwc', 'compaction_engine', 'scnn_pe', 'scnn_pe_vector', 'scnn_pe_off', 'scnn_array_8x8'] },
  tools: ['yosys'],
  workUnits(settings) {
    return settings.designs.flatMap((design): WorkUnit[] => FLOWS.map((flow) => ({ id: unitId(design, flow), params: { design, flow } })));
  },
  async runUnit(unit, _settings, context) {
    const entry = findDesign(String(unit.params.design));
    const synthDir = path.join(context.outDir, 'synth');
    const rtl = writeDesignVerilog(entry, synthDir);
    if (unit.params.flow === 'asic') {
      const r = await runAreaFlow(entry.name, rtl, synthDir, { blackBoxes: entry.blackBoxes, mapping: entry.areaMapping });
      const h = (r as Partial<HierarchicalAreaReport>).hierarchy;
      const figures: AsicFigures = {
        flow: 'asic', design: entry.name, libraryName: r.libraryName, yosysVersion: r.yosysVersion,
        stdCellAreaUm2: r.areaUm2, cellCount: r.cellCount, flipFlops: r.flipFlops, memoryBits: r.memoryBits,
        memoryAreaUm2Estimate: r.memoryAreaUm2Estimate, totalAreaUm2Estimate: r.totalAreaUm2Estimate, totalAreaUm2UpperBound: r.totalAreaUm2UpperBound,
        ...(h && {
          hierarchy: {
            topStdCellAreaUm2: h.top.areaUm2,
            topMemoryBits: h.top.memoryBits,
            topMemoryAreaUm2Estimate: h.top.memoryAreaUm2Estimate,
            blackBoxes: h.blackBoxes.map((b) => ({
              module: b.module, instances: b.instances, stdCellAreaUm2: b.areaUm2, memoryBits: b.memoryBits, memoryAreaUm2Estimate: b.report.memoryAreaUm2Estimate,
            })),
          },
        }),
      };
      return figures;
    }
    const f = await runFpgaFlow(entry.name, rtl, synthDir, 'xc7', entry.blackBoxes);
    const figures: FpgaFigures = {
      flow: 'fpga', design: entry.name, family: f.family, synthCommand: f.synthCommand, luts: f.luts, flipFlops: f.flipFlops,
      carryCells: f.carryCells, lutRamCells: f.lutRamCells, dsps: f.dsps, blockRams: f.blockRams, blockRamKbits: f.blockRamKbits,
    };
    return figures;
  },
  report(settings, _units, results) {
    const asic = new Map<string, AsicFigures>();
    const fpga = new Map<string, FpgaFigures>();
    for (const r of results as (AsicFigures | FpgaFigures)[]) (r.flow === 'asic' ? asic : fpga).set(r.design, r as never);
    const rows: CsvRow[] = settings.designs.map((design) => {
      const a = asic.get(design)!;
      const f = fpga.get(design)!;
      const totalMm2 = a.totalAreaUm2Estimate / 1e6;
      const peak = PEAK_PER_CYCLE[design] ?? null;
      return {
        design,
        stdCellAreaUm2: a.stdCellAreaUm2,
        cellCount: a.cellCount,
        flipFlopsAsic: a.flipFlops,
        memoryBits: a.memoryBits,
        memoryAreaUm2Estimate: a.memoryAreaUm2Estimate,
        totalAreaMm2At180nm: totalMm2,
        totalAreaMm2At45nmEstimate: scaleArea(a.totalAreaUm2Estimate, 45) / 1e6,
        totalAreaMm2At16nmEstimate: scaleArea(a.totalAreaUm2Estimate, 16) / 1e6,
        luts: f.luts,
        flipFlopsFpga: f.flipFlops,
        carryCells: f.carryCells,
        lutRamCells: f.lutRamCells,
        dsps: f.dsps,
        blockRams: f.blockRams,
        blockRamKbits: f.blockRamKbits,
        peakPerCycle: peak?.amount ?? null,
        peakUnit: peak?.unit ?? null,
        peakPerCyclePerMm2At180nm: peak === null ? null : peak.amount / totalMm2,
        peakPerCyclePerKLut: peak === null || f.luts === 0 ? null : (1000 * peak.amount) / f.luts,
      };
    });
    const n = (x: unknown, digits = 0) => (typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
    const lib = [...asic.values()][0];
    const markdown = [
      '## ASIC and FPGA figures',
      '',
      `Standard cells: ${lib?.libraryName ?? 'OSU 0.18 µm'} with ${lib?.yosysVersion ?? 'Yosys'}; memories are not standard cells and are added by the SRAM estimate of docs/area.md (10 µm² per bit at 0.18 µm). FPGA: Yosys \`synth_xilinx -family xc7\`, synthesis counts before place and route.`,
      '',
      '| design | std cells (µm², 180 nm) | memory bits | total mm² @180 nm | mm² @45 nm (estimate) | mm² @16 nm (estimate) | LUTs | FFs | DSPs | BRAMs | peak per cycle | peak/cycle per mm² @180 nm | peak/cycle per kLUT |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.design} | ${n(r.stdCellAreaUm2)} | ${n(r.memoryBits)} | ${n(r.totalAreaMm2At180nm, 3)} | ${n(r.totalAreaMm2At45nmEstimate, 4)} | ${n(r.totalAreaMm2At16nmEstimate, 5)} | ${n(r.luts)} | ${n(r.flipFlopsFpga)} | ${n(r.dsps)} | ${n(r.blockRams)} | ${r.peakPerCycle === null ? '—' : `${r.peakPerCycle} ${r.peakUnit}`} | ${n(r.peakPerCyclePerMm2At180nm, 1)} | ${n(r.peakPerCyclePerKLut, 2)} |`,
      ),
      '',
      'Peak per cycle: elements taken in (front end) or multiplies (PE: F·I; array: Px·Py·F·I), per cycle because no clock constraint is synthesized.',
      '',
      `**Scaling to 45 nm and 16 nm is an ${SCALING_RULE}.**`,
      '',
      'Spartan publishes no area for its monitor or compaction engine, so there is no published figure beside these.',
      '',
      ...anticipationLines(asic),
      ...hierarchyLines(settings.designs.flatMap((d) => asic.get(d) ?? [])),
    ].join('\n');
    const breakdown = rows.flatMap((r) => [
      { design: r.design, part: 'standard cells', mm2: (r.stdCellAreaUm2 as number) / 1e6 },
      { design: r.design, part: 'memories (SRAM estimate)', mm2: (r.memoryAreaUm2Estimate as number) / 1e6 },
    ]);
    return {
      figures: {
        measuredNodeNm: MEASURED_NODE_NM,
        scalingRule: SCALING_RULE,
        designs: rows,
        asic: settings.designs.map((d) => asic.get(d)),
        fpga: settings.designs.map((d) => fpga.get(d)),
      },
      comparisons: [],
      rows,
      markdown,
      plots: [
        {
          name: 'area-breakdown',
          title: 'Area at 0.18 µm: standard cells and memories (SRAM estimate)',
          spec: {
            data: { values: breakdown },
            mark: 'bar',
            encoding: {
              y: { field: 'design', type: 'nominal', title: null },
              x: { field: 'mm2', type: 'quantitative', title: 'mm² (OSU 0.18 µm)', stack: 'zero' },
              color: { field: 'part', type: 'nominal', title: null },
            },
            width: 360,
            height: { step: 28 },
          },
        },
      ],
      madeBy: 'Yosys 0.23 synthesis (synth/yosys.ts area flow, synth/fpga.ts xc7 flow)',
    };
  },
};
