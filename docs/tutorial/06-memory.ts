import { Bool, defineModule, Input, mem, Output, UInt, when } from '../../hw/index.ts';

export const Store = defineModule({
  name: 'Store',
  io: () => ({
    wen: Input(Bool()),
    waddr: Input(UInt(8)),
    wdata: Input(UInt(16)),
    ren: Input(Bool()),
    raddr: Input(UInt(8)),
    q: Output(UInt(16)),
  }),
  body: (io) => {
    const { wen, waddr, wdata, ren, raddr } = io;
    const store = mem(UInt(16), 256, { name: 'store', init: [1, 2, 3], testbenchAccess: true });
    when(wen, () => store.write(waddr, wdata));
    const q = store.read(raddr, ren);       // data one cycle later; holds when not reading
    io.q.set(q);
  },
});
