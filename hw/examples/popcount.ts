import { Bool, defineModule, Input, Output, reg, UInt, bitsFor } from '../index.ts';
import { sumTree, resizeUnsigned } from '../lib/arith.ts';

export interface PopcountParams {
  width: number;
  /** A pipeline register after every this many adder levels. */
  levelsPerStage: number;
}

/**
 * Pipelined population count: an adder tree over the input bits with
 * registers between levels, one result per cycle after a fixed latency.
 */
export const PipelinedPopcount = defineModule({
  name: 'PipelinedPopcount',
  io: (p: PopcountParams) => ({
    inValid: Input(Bool()),
    inBits: Input(UInt(p.width)),
    outValid: Output(Bool()),
    outCount: Output(UInt(bitsFor(p.width))),
  }),
  body: (io, p) => {
    const bits = Array.from({ length: p.width }, (_, i) => io.inBits.bit(i));
    const { sum, latency } = sumTree(bits, { registerLevels: p.levelsPerStage, name: 'sum' });
    let valid = io.inValid;
    for (let i = 0; i < latency; i++) {
      const v = reg(Bool(), { name: `valid_s${i + 1}`, init: 0 });
      v.set(valid);
      valid = v;
    }
    io.outValid.set(valid);
    io.outCount.set(resizeUnsigned(sum, bitsFor(p.width)));
  },
});

/** Latency in cycles of PipelinedPopcount with these parameters. */
export function popcountLatency(p: PopcountParams): number {
  const levels = Math.ceil(Math.log2(p.width));
  // No register after the last level: the output is combinational from it.
  return Math.floor((levels - 1) / p.levelsPerStage);
}
