import { Bundle, connectAll, defineModule, Flip, Input, Output, SInt, UInt, Vec, wire } from '../../hw/index.ts';
import { Decoupled } from '../../hw/lib/stream.ts';

export const Streams = defineModule({
  name: 'Streams',
  io: (p: { width: number }) => ({
    enq: Flip(Decoupled(UInt(p.width))),   // consumer side: valid/bits in, ready out
    deq: Decoupled(UInt(p.width)),         // producer side
    lanes: Output(Vec(4, SInt(16))),       // io.lanes is a Signal[4]; ports lanes_0..lanes_3
    pixel: Input(Bundle({ x: UInt(10), y: UInt(10) })),  // io.pixel.x, ports pixel_x, pixel_y
  }),
  body: (io) => {
    // A pass-through stream: the producer's valid and bits, the consumer's ready.
    io.deq.valid.set(io.enq.valid);
    io.deq.bits.set(io.enq.bits);
    io.enq.ready.set(io.deq.ready);
    const lanes = wire(Vec(4, SInt(16)), { name: 'lane' });
    lanes.forEach((l, i) => l.set(i % 2 === 0 ? io.pixel.x.extend(16).asSInt() : io.pixel.y.extend(16).asSInt()));
    connectAll(io.lanes, lanes);
  },
});
