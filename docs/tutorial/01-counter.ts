import { Bool, defineModule, elaborate, Input, Output, reg, UInt, when } from '../../hw/index.ts';
import { writeVerilog } from '../../gen/write.ts';

export const Counter = defineModule({
  name: 'Counter',
  io: (p: { width: number }) => ({
    enable: Input(Bool()),
    clear: Input(Bool()),
    count: Output(UInt(p.width)),
  }),
  body: (io, p) => {
    const count = reg(UInt(p.width), { name: 'count_q', init: 0 });
    when(io.clear, () => count.set(0)).elseWhen(io.enable, () => count.set(count.add(1)));
    io.count.set(count);
  },
});

/** Elaborates the counter and writes its Verilog under `dir`. */
export function writeCounter(dir = 'build/tutorial/counter') {
  return writeVerilog(elaborate(Counter, { width: 8 }), dir);
}
