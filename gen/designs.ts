import type { Design } from '../hw/index.ts';
import { elaborate } from '../hw/index.ts';
import { Counter } from '../hw/examples/counter.ts';
import { Fifo } from '../hw/examples/fifo.ts';
import { Histogram } from '../hw/examples/histogram.ts';
import { PipelinedPopcount } from '../hw/examples/popcount.ts';
import { UartTx } from '../hw/examples/uart-tx.ts';

/** A top-level design of the project: what `npm run gen` writes and `make synth` measures. */
export interface DesignEntry {
  /** Folder name under build/verilog/ and key of reports. */
  readonly name: string;
  readonly description: string;
  readonly elaborate: () => Design;
}

export const designs: readonly DesignEntry[] = [
  { name: 'counter', description: 'example: 8-bit counter with enable and clear', elaborate: () => elaborate(Counter, { width: 8 }) },
  { name: 'fifo', description: 'example: ready/valid FIFO, 16 bits x 8 entries', elaborate: () => elaborate(Fifo, { width: 16, depth: 8 }) },
  { name: 'popcount', description: 'example: pipelined popcount of 64 bits, a register every 2 adder levels', elaborate: () => elaborate(PipelinedPopcount, { width: 64, levelsPerStage: 2 }) },
  { name: 'histogram', description: 'example: 256-bin histogram in a block RAM with read-modify-write forwarding', elaborate: () => elaborate(Histogram, { valueBits: 8, countBits: 16 }) },
  { name: 'uart_tx', description: 'example: 8N1 serial transmitter state machine, 4 cycles per bit', elaborate: () => elaborate(UartTx, { cyclesPerBit: 4 }) },
];

export function findDesign(name: string): DesignEntry {
  const d = designs.find((x) => x.name === name);
  if (!d) throw new Error(`unknown design '${name}'; known designs: ${designs.map((x) => x.name).join(', ')}`);
  return d;
}
