import { mux2, plainFlipFlop, type Liberty } from './liberty.ts';

/**
 * Effective area of one SRAM bit in a 0.18 um 1.8 V logic process, periphery
 * included. An ESTIMATE, not a library figure: 6T bit cells of that
 * generation are 4.5-5.6 um^2, and compiled macros of a few kbit put about
 * half their area into the array (decoders, sense amplifiers, write drivers
 * and control take the rest). docs/area.md explains the choice.
 */
export const SRAM_UM2_PER_BIT = 10;

export const SRAM_MODEL_BASIS =
  'estimate for a compiled 0.18 um (1.8 V logic process) SRAM macro: 6T bit cell of about 4.5-5.6 um^2 at ~50% array efficiency ' +
  '=> 10 um^2 per bit including periphery; one macro copy per read port (a macro has one read and one write port). ' +
  'Optimistic below ~1 kbit, where periphery dominates; the flip-flop bound is the ceiling.';

/** One memory as Yosys kept it: a $mem_v2 cell of one module. */
export interface MemoryShape {
  readonly depth: number;
  readonly width: number;
  readonly readPorts: number;
  readonly writePorts: number;
}

export interface MemoryModel {
  readonly sramUm2PerBit: number;
  readonly sramBasis: string;
  readonly flipFlopCell: string;
  readonly flipFlopCellAreaUm2: number;
  readonly muxCell: string;
  readonly muxCellAreaUm2: number;
  readonly flipFlopArrayFormula: string;
}

export function memoryModel(lib: Liberty): MemoryModel {
  const ff = plainFlipFlop(lib);
  const mux = mux2(lib);
  return {
    sramUm2PerBit: SRAM_UM2_PER_BIT,
    sramBasis: SRAM_MODEL_BASIS,
    flipFlopCell: ff.name,
    flipFlopCellAreaUm2: ff.area,
    muxCell: mux.name,
    muxCellAreaUm2: mux.area,
    flipFlopArrayFormula:
      'bits*(FF + MUX2) [storage with write-enable hold] + readPorts*width*(depth-1)*MUX2 [read mux trees] + readPorts*width*FF [read registers]; write-address decode not counted',
  };
}

export function memoryBits(m: MemoryShape): number {
  return m.depth * m.width;
}

/** SRAM-macro estimate for one instance of the memory. */
export function sramAreaUm2(model: MemoryModel, m: MemoryShape): number {
  return memoryBits(m) * Math.max(1, m.readPorts) * model.sramUm2PerBit;
}

/** Area if the memory were built from the library's flip-flops and multiplexers: an upper bound. */
export function flipFlopArrayAreaUm2(model: MemoryModel, m: MemoryShape): number {
  const ff = model.flipFlopCellAreaUm2;
  const mux = model.muxCellAreaUm2;
  const storage = memoryBits(m) * (ff + mux);
  const readMuxes = m.readPorts * m.width * (m.depth - 1) * mux;
  const readRegisters = m.readPorts * m.width * ff;
  return storage + readMuxes + readRegisters;
}
