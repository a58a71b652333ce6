import { bitsFor, defineModule, Flip, HwError, log2Ceil, Output, reg, select, UInt, Vec, when } from '../index.ts';
import { Decoupled } from '../lib/stream.ts';

export interface FifoParams {
  width: number;
  /** Number of entries, a power of two. */
  depth: number;
}

/**
 * A ready/valid FIFO in registers. Enqueue and dequeue can both happen every
 * cycle; the output is read from the head register (no read latency).
 */
export const Fifo = defineModule({
  name: 'Fifo',
  io: (p: FifoParams) => ({
    enq: Flip(Decoupled(UInt(p.width))),
    deq: Decoupled(UInt(p.width)),
    count: Output(UInt(bitsFor(p.depth))),
  }),
  body: (io, p) => {
    if (p.depth < 2 || (p.depth & (p.depth - 1)) !== 0) throw new HwError(`Fifo depth must be a power of two of at least 2, got ${p.depth}`);
    const ptrWidth = log2Ceil(p.depth);
    const slots = reg(Vec(p.depth, UInt(p.width)), { name: 'slot' });
    const head = reg(UInt(ptrWidth), { name: 'head', init: 0 });
    const tail = reg(UInt(ptrWidth), { name: 'tail', init: 0 });
    const count = reg(UInt(bitsFor(p.depth)), { name: 'used', init: 0 });

    io.enq.ready.set(count.ne(p.depth));
    io.deq.valid.set(count.ne(0));
    io.deq.bits.set(select(slots, head));
    io.count.set(count);

    const doEnq = io.enq.valid.and(io.enq.ready).named('do_enq');
    const doDeq = io.deq.valid.and(io.deq.ready).named('do_deq');
    when(doEnq, () => {
      slots.forEach((slot, i) => when(tail.eq(i), () => slot.set(io.enq.bits)));
      tail.set(tail.add(1));
    });
    when(doDeq, () => head.set(head.add(1)));
    when(doEnq.and(doDeq.not()), () => count.set(count.add(1))).elseWhen(doDeq.and(doEnq.not()), () => count.set(count.sub(1)));
  },
});
