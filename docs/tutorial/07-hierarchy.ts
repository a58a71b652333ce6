import { defineModule, Flip, instance, UInt } from '../../hw/index.ts';
import { Decoupled } from '../../hw/lib/stream.ts';
import { Fifo } from '../../hw/examples/fifo.ts';

export const Buffered = defineModule({
  name: 'Buffered',
  io: () => ({ in: Flip(Decoupled(UInt(16))), out: Decoupled(UInt(16)) }),
  body: (io) => {
    const fifo = instance(Fifo, { width: 16, depth: 8 }, { name: 'in_fifo' });
    fifo.io.enq.valid.set(io.in.valid);
    fifo.io.enq.bits.set(io.in.bits);
    io.in.ready.set(fifo.io.enq.ready);
    io.out.valid.set(fifo.io.deq.valid);
    io.out.bits.set(fifo.io.deq.bits);
    fifo.io.deq.ready.set(io.out.ready);
  },
});
