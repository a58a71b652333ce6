import { Bool, defineModule, elaborate, Input, instance, mem, Output, UInt, when, type Design } from '../../hw/index.ts';

/**
 * A scratchpad with one write and one registered read port. The read data
 * passes through logic before the output: a memory whose data reaches a port
 * directly hid a bug where such memories vanished from the report.
 */
export const Scratchpad = defineModule({
  name: 'Scratchpad',
  io: (p: { depth: number; width: number; addrWidth: number }) => ({
    we: Input(Bool()),
    waddr: Input(UInt(p.addrWidth)),
    wdata: Input(UInt(p.width)),
    raddr: Input(UInt(p.addrWidth)),
    rdata: Output(UInt(p.width)),
  }),
  body: (io, p) => {
    const store = mem(UInt(p.width), p.depth, { name: 'store' });
    when(io.we, () => store.write(io.waddr, io.wdata));
    io.rdata.set(store.read(io.raddr).xor(io.wdata));
  },
});

/** Two scratchpads side by side: the memory must be counted once per instance. */
const ScratchpadPair = defineModule({
  name: 'ScratchpadPair',
  io: () => ({
    we: Input(Bool()),
    addr: Input(UInt(4)),
    wdata: Input(UInt(8)),
    rdata0: Output(UInt(8)),
    rdata1: Output(UInt(8)),
  }),
  body: (io) => {
    for (const [i, out] of [io.rdata0, io.rdata1].entries()) {
      const pad = instance(Scratchpad, { depth: 16, width: 8, addrWidth: 4 }, { name: `pad${i}` });
      pad.io.we.set(io.we);
      pad.io.waddr.set(io.addr);
      pad.io.wdata.set(io.wdata);
      pad.io.raddr.set(io.addr);
      out.set(pad.io.rdata);
    }
  },
});

/** Memory test design: two 16 x 8 scratchpads (256 memory bits in all). */
export function scratchpadPair(): Design {
  return elaborate(ScratchpadPair, {});
}

/**
 * A lookup table only a testbench writes (a `testbenchAccess` memory without a
 * write in the design), read through logic: the area flow must keep it and its
 * readers, as a host would load it on a chip.
 */
const HostLoadedTable = defineModule({
  name: 'HostLoadedTable',
  io: () => ({ addr: Input(UInt(5)), key: Input(UInt(12)), data: Output(UInt(12)) }),
  body: (io) => {
    const table = mem(UInt(12), 32, { name: 'lookup', testbenchAccess: true });
    io.data.set(table.read(io.addr).xor(io.key));
  },
});

/** One 32 x 12 memory (384 bits) written only by a testbench. */
export function hostLoadedTable(): Design {
  return elaborate(HostLoadedTable, {});
}

/** Two host-loaded tables as children: a flattened synthesis must keep both. */
const HostLoadedPair = defineModule({
  name: 'HostLoadedPair',
  io: () => ({ addr: Input(UInt(5)), key: Input(UInt(12)), data0: Output(UInt(12)), data1: Output(UInt(12)) }),
  body: (io) => {
    for (const [i, out] of [io.data0, io.data1].entries()) {
      const t = instance(HostLoadedTable, {}, { name: `table${i}` });
      t.io.addr.set(io.addr);
      t.io.key.set(io.key);
      out.set(t.io.data);
    }
  },
});

export function hostLoadedPair(): Design {
  return elaborate(HostLoadedPair, {});
}
