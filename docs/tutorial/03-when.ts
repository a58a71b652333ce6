import { Bool, defineModule, Input, Output, switchOn, UInt, when, wire } from '../../hw/index.ts';

export const NextValue = defineModule({
  name: 'NextValue',
  io: () => ({
    start: Input(Bool()),
    step: Input(Bool()),
    first: Input(UInt(8)),
    prev: Input(UInt(8)),
    op: Input(UInt(2)),
    next: Output(UInt(8)),
    result: Output(UInt(8)),
  }),
  body: (io) => {
    const { start, step, first, prev, op } = io;
    const next = wire(UInt(8), { name: 'next_value', default: 0 });
    when(start, () => next.set(first))
      .elseWhen(step, () => next.set(prev.add(1)))
      .otherwise(() => next.set(prev));
    io.next.set(next);

    const result = wire(UInt(8), { name: 'alu' });
    switchOn(op)
      .is(0, () => result.set(first.add(prev)))
      .is([1, 2], () => result.set(first.xor(prev)))
      .otherwise(() => result.set(0));
    io.result.set(result);
  },
});
