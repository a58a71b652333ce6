import { Bool, defineModule, elaborate, Input, instance, mem, Output, reg, UInt, when, type Design } from '../../hw/index.ts';
import { Scratchpad } from './memory-design.ts';

export const REPLICAS = 3;
export const REPLICATED_CHILD = 'Scratchpad_depth16_width8_addrWidth4';

/**
 * A top with logic and a memory of its own around three instances of one
 * child with a memory: the shape of the PE array, small enough for Yosys to
 * take a second. The child's inputs are partly constant, so flattening has
 * something to optimize across the boundary.
 */
const ReplicatedPads = defineModule({
  name: 'ReplicatedPads',
  io: () => ({
    we: Input(Bool()),
    addr: Input(UInt(4)),
    wdata: Input(UInt(8)),
    sum: Output(UInt(8)),
    log: Output(UInt(8)),
  }),
  body: (io) => {
    const outs = Array.from({ length: REPLICAS }, (_, i) => {
      const pad = instance(Scratchpad, { depth: 16, width: 8, addrWidth: 4 }, { name: `pad${i}` });
      pad.io.we.set(io.we);
      pad.io.waddr.set(io.addr);
      pad.io.wdata.set(i === 0 ? io.wdata : io.wdata.and(0x0f));
      pad.io.raddr.set(io.addr);
      return pad.io.rdata;
    });
    const sum = reg(UInt(8), { name: 'sum_r', init: 0 });
    sum.set(outs.reduce((a, b) => a.add(b)));
    io.sum.set(sum);
    const history = mem(UInt(8), 32, { name: 'history' });
    const at = reg(UInt(5), { name: 'at', init: 0 });
    when(io.we, () => {
      history.write(at, sum);
      at.set(at.add(1));
    });
    io.log.set(history.read(io.addr.extend(5)).xor(sum));
  },
});

/** Three 16 x 8 scratchpads (384 bits) under a top with a 32 x 8 memory (256 bits). */
export function replicatedPads(): Design {
  return elaborate(ReplicatedPads, {});
}
