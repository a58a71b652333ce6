/** The front-end benchmark's report and its readable table. */
import type { CompactionEngineParams } from '../hw/spartan/compaction-engine.ts';
import type { SparsityMonitorParams } from '../hw/spartan/sparsity-monitor.ts';
import type { ProfilingCost } from '../sim/spartan/profiling-cost.ts';

export interface FrontEndReport {
  readonly schema: string;
  readonly seed: number;
  readonly host: string;
  wallSeconds: number;
  readonly compaction: {
    readonly params: CompactionEngineParams;
    readonly latencyCycles: number;
    readonly sweepDims: readonly number[];
    readonly tensorsPerRun: number;
    readonly sweep: { shape: string; zeroFraction: number; elements: number; beats: number; cycles: number; elementsPerCycle: number; extraCycles: number }[];
    readonly resnet18: { layer: string; dims: number[]; beats: number; cycles: number }[];
    readonly layerZeroFraction: number;
  };
  readonly monitor: {
    readonly params: SparsityMonitorParams;
    readonly tiling: string;
    readonly layerZeroFraction: number;
    readonly assumptions: readonly string[];
    readonly paperRatio: number;
    readonly networks: {
      network: string;
      input: string;
      layers: (ProfilingCost & { layer: string; dims: number[]; simulatedCycles: number; ratioTilesOnly: number })[];
      meanRatio: number;
      aggregateRatio: number;
      meanRatioTilesOnly: number;
      maxExtraStreamCycles: number;
    }[];
  };
  readonly area: {
    design: string;
    top: string;
    standardCellUm2: number;
    cells: number;
    flipFlops: number;
    modules: { module: string; um2: number; flipFlops: number }[];
    memories: { module: string; memory: string; depth: number; width: number; readPorts: number; bits: number; sramUm2: number; flipFlopBoundUm2: number }[];
    memorySramEstimateUm2: number;
    totalEstimateUm2: number;
    memoryModel: string;
    synthMemoriesListed: number;
    yosysSeconds: number;
  }[];
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const um2 = (x: number) => Math.round(x).toLocaleString('en-US');

export function frontEndText(r: FrontEndReport): string {
  const out: string[] = [];
  const c = r.compaction;
  out.push(`Spartan front end in RTL (seed ${r.seed}; ${r.host}; ${r.wallSeconds} s)`);
  out.push('');
  out.push(`Compaction engine: V=${c.params.lanes} lanes in, U=${c.params.outLanes} non-zeros out per vector, ${c.params.elementWidth}-bit elements, ${c.params.coordBits}-bit (c, h, w)`);
  out.push(`  pipeline latency: ${c.latencyCycles} cycles from a beat entering to its vector being offered`);
  out.push(`  throughput, ${c.tensorsPerRun} tensors of ${c.sweepDims.join('x')} back to back, no stalls (CSR mode, outputs checked against the golden formats):`);
  out.push(`  ${'tensor'.padEnd(8)} ${pad('zeros', 6)} ${pad('beats', 7)} ${pad('cycles', 7)} ${pad('extra', 6)} ${pad('elem/cycle', 11)}`);
  for (const s of c.sweep) {
    out.push(`  ${s.shape.padEnd(8)} ${pad(`${(s.zeroFraction * 100).toFixed(0)}%`, 6)} ${pad(s.beats, 7)} ${pad(s.cycles, 7)} ${pad(s.extraCycles, 6)} ${pad(s.elementsPerCycle.toFixed(3), 11)}`);
  }
  const totalBeats = c.resnet18.reduce((n, l) => n + l.beats, 0);
  const totalCycles = c.resnet18.reduce((n, l) => n + l.cycles, 0);
  out.push(`  ResNet-18 (ImageNet) conv outputs, ReLU-shaped, ${(c.layerZeroFraction * 100).toFixed(0)}% zeros, one layer per run: ${totalCycles} cycles for ${totalBeats} beats (${((c.params.lanes * totalBeats) / totalCycles).toFixed(3)} elements/cycle including ${c.resnet18.length} pipeline fills)`);
  out.push('');

  const m = r.monitor;
  out.push(`Sparsity monitor: V=${m.params.lanes}, ${m.tiling}`);
  out.push(`  ReLU-shaped outputs with ${(m.layerZeroFraction * 100).toFixed(0)}% zeros, every layer simulated and checked against the golden counts.`);
  out.push('  Model of the software alternative (cycles at V elements per cycle):');
  for (const a of m.assumptions) out.push(`    - ${a}`);
  for (const n of m.networks) {
    out.push('');
    out.push(`  ${n.network} (${n.input}): extra stream cycles ${n.maxExtraStreamCycles}; software/monitor mean ${n.meanRatio.toFixed(1)}x, aggregate ${n.aggregateRatio.toFixed(1)}x; tiles only (no channel totals) mean ${n.meanRatioTilesOnly.toFixed(1)}x (paper: ${m.paperRatio}x average)`);
    out.push(`  ${'layer'.padEnd(22)} ${pad('C x H x W', 14)} ${pad('beats', 7)} ${pad('extra', 5)} ${pad('records', 7)} ${pad('monitor', 7)} ${pad('sw read', 7)} ${pad('reduce', 6)} ${pad('write', 5)} ${pad('sw total', 8)} ${pad('ratio', 7)} ${pad('tiles only', 10)}`);
    for (const l of n.layers) {
      out.push(
        `  ${l.layer.padEnd(22)} ${pad(l.dims.join('x'), 14)} ${pad(l.beats, 7)} ${pad(l.monitorStreamCycles, 5)} ${pad(l.records, 7)} ${pad(l.monitorStreamCycles + l.monitorReadoutCycles, 7)} ${pad(l.softwareReadCycles, 7)} ${pad(l.softwareReduceCycles, 6)} ${pad(l.softwareWriteCycles, 5)} ${pad(l.softwareCycles, 8)} ${pad(l.ratio.toFixed(1), 7)} ${pad(l.ratioTilesOnly.toFixed(1), 10)}`,
      );
    }
  }
  out.push('');
  if (r.area.length === 0) out.push('Area: not measured (--no-area)');
  for (const a of r.area) {
    out.push(`Area of ${a.design} (${a.top}), OSU 0.18 um, Yosys: ${um2(a.standardCellUm2)} um^2 standard cells (${a.cells} cells, ${a.flipFlops} flip-flops)`);
    out.push('    per module, children included:');
    const modules = [...a.modules].sort((x, y) => (x.module === a.top ? -1 : y.module === a.top ? 1 : y.um2 - x.um2));
    for (const mod of modules) out.push(`    ${mod.module.padEnd(52)} ${pad(um2(mod.um2), 11)} um^2 ${pad(mod.flipFlops, 5)} FF (own)`);
    for (const mem of a.memories) {
      out.push(`    memory ${`${mem.module}.${mem.memory}`.padEnd(45)} ${mem.depth} x ${mem.width} bits, ${mem.readPorts} read port(s): ~${um2(mem.sramUm2)} um^2 as SRAM (estimate), <= ${um2(mem.flipFlopBoundUm2)} um^2 in flip-flops`);
    }
    if (a.memories.length > 0) out.push(`    total with SRAM estimate: ~${um2(a.totalEstimateUm2)} um^2`);
  }
  if (r.area.length > 0) out.push(`  memory model: ${r.area[0]!.memoryModel}`);
  return `${out.join('\n')}\n`;
}
