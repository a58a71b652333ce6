import { Bool, defineModule, Input, Output, reg, UInt, when } from '../index.ts';

/** A wrapping up-counter with enable and synchronous clear. */
export const Counter = defineModule({
  name: 'Counter',
  io: (p: { width: number }) => ({
    enable: Input(Bool()),
    clear: Input(Bool()),
    count: Output(UInt(p.width)),
    wrap: Output(Bool()),
  }),
  body: (io, p) => {
    const count = reg(UInt(p.width), { name: 'count_q', init: 0 });
    const atMax = count.eq((1 << p.width) - 1).named('at_max');
    when(io.clear, () => count.set(0)).elseWhen(io.enable, () => count.set(count.add(1)));
    io.count.set(count);
    io.wrap.set(atMax.and(io.enable));
  },
});
