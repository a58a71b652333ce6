import { Bool, defineModule, Flip, Input, mem, mux, Output, reg, UInt, when } from '../index.ts';
import { Decoupled } from '../lib/stream.ts';

export interface HistogramParams {
  /** log2 of the number of bins; values are this many bits. */
  valueBits: number;
  countBits: number;
}

/**
 * Counts occurrences of each value in a block RAM, one value per cycle.
 * Each value's count is read in one cycle and written back incremented in the
 * next; when the same bin arrives twice in a row, the read returns the count
 * from before the write in flight, so the written value is forwarded instead.
 */
export const Histogram = defineModule({
  name: 'Histogram',
  io: (p: HistogramParams) => ({
    values: Flip(Decoupled(UInt(p.valueBits))),
    query: Input(UInt(p.valueBits)),
    queryCount: Output(UInt(p.countBits)),
    total: Output(UInt(32)),
    idle: Output(Bool()),
  }),
  body: (io, p) => {
    const bins = mem(UInt(p.countBits), 1 << p.valueBits, { name: 'counts', testbenchAccess: true });
    io.values.ready.set(1);
    const accepted = io.values.valid;

    // Stage 1: the read of the bin is in flight.
    const s1Valid = reg(Bool(), { name: 's1_valid', init: 0 });
    const s1Bin = reg(UInt(p.valueBits), { name: 's1_bin' });
    const stored = bins.read(io.values.bits, accepted);
    s1Valid.set(accepted);
    when(accepted, () => s1Bin.set(io.values.bits));

    // Stage 2 (this cycle, for the value read last cycle): increment and write back.
    const lastWriteValid = reg(Bool(), { name: 'last_write_valid', init: 0 });
    const lastWriteBin = reg(UInt(p.valueBits), { name: 'last_write_bin' });
    const lastWriteCount = reg(UInt(p.countBits), { name: 'last_write_count' });
    const hazard = lastWriteValid.and(lastWriteBin.eq(s1Bin)).named('hazard');
    const current = mux(hazard, lastWriteCount, stored).named('current');
    const updated = current.add(1).named('updated');
    when(s1Valid, () => bins.write(s1Bin, updated));
    lastWriteValid.set(s1Valid);
    when(s1Valid, () => {
      lastWriteBin.set(s1Bin);
      lastWriteCount.set(updated);
    });

    const total = reg(UInt(32), { name: 'total_q', init: 0 });
    when(s1Valid, () => total.set(total.add(1)));
    io.total.set(total);
    io.idle.set(s1Valid.not());
    io.queryCount.set(bins.read(io.query));
  },
});
