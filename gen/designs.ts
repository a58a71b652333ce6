import type { Design, ElaborateOptions } from '../hw/index.ts';
import { elaborate } from '../hw/index.ts';
import { Counter } from '../hw/examples/counter.ts';
import { Fifo } from '../hw/examples/fifo.ts';
import { Histogram } from '../hw/examples/histogram.ts';
import { PipelinedPopcount } from '../hw/examples/popcount.ts';
import { UartTx } from '../hw/examples/uart-tx.ts';
import { CompactionEngine, DEFAULT_COMPACTION_ENGINE } from '../hw/spartan/compaction-engine.ts';
import { DEFAULT_SPARSITY_MONITOR, SparsityMonitor } from '../hw/spartan/sparsity-monitor.ts';
import { DEFAULT_ARRAY_TOP, type ArrayTopParams } from '../hw/scnn/array-params.ts';
import type { AnticipationCapability } from '../hw/scnn/pe-params.ts';
import { scnnPeModuleName } from '../hw/scnn/pe.ts';
import { ScnnArrayTop } from '../hw/scnn/array-top.ts';
import { outputSliceModuleName } from '../hw/scnn/output-slice.ts';
import { DEFAULT_PE_TOP, ScnnPeTop, type PeTopParams } from '../hw/scnn/pe-top.ts';
import type { CellMapping } from '../synth/yosys.ts';

/** A top-level design of the project: what `npm run gen` writes and `make synth` measures. */
export interface DesignEntry {
  /** Folder name under build/verilog/ and key of reports. */
  readonly name: string;
  readonly description: string;
  readonly elaborate: (opts?: ElaborateOptions) => Design;
  /**
   * Modules instantiated many times that the synthesis flows keep as black
   * boxes in the top and synthesize once on their own (synth/hierarchical.ts).
   */
  readonly blackBoxes?: readonly string[];
  /** ABC's script for the area flow when the command line names none (default `full`). */
  readonly areaMapping?: CellMapping;
}

export const designs: readonly DesignEntry[] = [
  { name: 'counter', description: 'example: 8-bit counter with enable and clear', elaborate: (o) => elaborate(Counter, { width: 8 }, o) },
  { name: 'fifo', description: 'example: ready/valid FIFO, 16 bits x 8 entries', elaborate: (o) => elaborate(Fifo, { width: 16, depth: 8 }, o) },
  { name: 'popcount', description: 'example: pipelined popcount of 64 bits, a register every 2 adder levels', elaborate: (o) => elaborate(PipelinedPopcount, { width: 64, levelsPerStage: 2 }, o) },
  { name: 'histogram', description: 'example: 256-bin histogram in a block RAM with read-modify-write forwarding', elaborate: (o) => elaborate(Histogram, { valueBits: 8, countBits: 16 }, o) },
  { name: 'uart_tx', description: 'example: 8N1 serial transmitter state machine, 4 cycles per bit', elaborate: (o) => elaborate(UartTx, { cyclesPerBit: 4 }, o) },
  { name: 'sparsity_monitor', description: 'Spartan sparsity monitor: 16 lanes x 16 bits, per-tile counts and dense flags (8 tile columns, 256 tiles), planar channel totals (512)', elaborate: (o) => elaborate(SparsityMonitor, DEFAULT_SPARSITY_MONITOR, o) },
  { name: 'sparsity_monitor_hwc', description: 'Spartan sparsity monitor, channel-interleaved (HWC) totals: 16 lanes x 16 bits, 512 channels in a read-modify-write memory', elaborate: (o) => elaborate(SparsityMonitor, { ...DEFAULT_SPARSITY_MONITOR, channelLayout: 'interleaved' }, o) },
  peDesign('scnn_pe', 'outer-product PE (1 x 1 array top): 4 x 4 multipliers, 32 banks x 64 accumulators, element anticipation, fill engine 4 elements/cycle, drain, watchdog', DEFAULT_PE_TOP.pe.anticipation),
  { name: 'compaction_engine', description: 'Spartan compaction engine: 16 lanes x 16 bits in, vectors of 16 non-zeros with 12-bit (c, h, w) out, CSR row pointers or ZVC masks', elaborate: (o) => elaborate(CompactionEngine, DEFAULT_COMPACTION_ENGINE, o) },
];

/**
 * Designs measured on request (`npm run synth -- -d <name>`, the area
 * experiment) but not written by `npm run gen` nor checked in `make test`: the
 * PE with less anticipation, whose difference to `scnn_pe` is the area of the
 * anticipation logic, and the whole 8 x 8 array, whose lint and synthesis take
 * minutes.
 */
export const measuredDesigns: readonly DesignEntry[] = [
  peDesign('scnn_pe_vector', 'the scnn_pe PE built for vector anticipation only (no column pointers, no element re-packing)', 'vector'),
  peDesign('scnn_pe_off', 'the scnn_pe PE without anticipation: the SCNN-like baseline', 'off'),
  arrayDesign('scnn_array_8x8', 'the default 8 x 8 array of scnn_pe PEs with its global buffers, descriptors, drain and weight-gradient reduction', 'element'),
  arrayDesign('scnn_array_8x8_vector', 'the 8 x 8 array of scnn_pe_vector PEs', 'vector'),
  arrayDesign('scnn_array_8x8_off', 'the 8 x 8 array of scnn_pe_off PEs', 'off'),
];

/**
 * The default PE with its 1 x 1 array top in one anticipation build, the PE
 * synthesized on its own; `fast` cell mapping, since ABC's default script had
 * not finished on the PE after 25 CPU minutes (docs/area.md).
 */
function peDesign(name: string, description: string, anticipation: AnticipationCapability): DesignEntry {
  const params: PeTopParams = { ...DEFAULT_PE_TOP, pe: { ...DEFAULT_PE_TOP.pe, anticipation } };
  return { name, description, elaborate: (o) => elaborate(ScnnPeTop, params, o), blackBoxes: [scnnPeModuleName(params.pe)], areaMapping: 'fast' };
}

/** The default array in one anticipation build, its PE and its output slice (one module each for all 64) synthesized once; `fast` mapping as for the PE. */
function arrayDesign(name: string, description: string, anticipation: AnticipationCapability): DesignEntry {
  const params: ArrayTopParams = { ...DEFAULT_ARRAY_TOP, pe: { ...DEFAULT_ARRAY_TOP.pe, anticipation } };
  return { name, description, elaborate: (o) => elaborate(ScnnArrayTop, params, o), blackBoxes: [scnnPeModuleName(params.pe), outputSliceModuleName(params)], areaMapping: 'fast' };
}

/**
 * The Verilog written for people to read and for synthesis records every
 * operator's own line in its comments (elaboration is slower, which does not
 * matter at the size of these designs).
 */
export const WRITTEN_VERILOG: ElaborateOptions = { locations: 'all' };

export function findDesign(name: string): DesignEntry {
  const all = [...designs, ...measuredDesigns];
  const d = all.find((x) => x.name === name);
  if (!d) throw new Error(`unknown design '${name}'; known designs: ${all.map((x) => x.name).join(', ')}`);
  return d;
}
