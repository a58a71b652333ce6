import { defineModule, Input, Output, SInt, UInt } from '../../hw/index.ts';

export const Widths = defineModule({
  name: 'Widths',
  io: () => ({
    a: Input(UInt(8)),
    b: Input(UInt(8)),
    c: Input(UInt(4)),
    sum: Output(UInt(8)),
    exact: Output(UInt(9)),
    product: Output(UInt(12)),
    wide: Output(UInt(16)),
    low: Output(UInt(4)),
    asSigned: Output(SInt(8)),
    next: Output(UInt(8)),
  }),
  body: (io) => {
    const { a, b, c } = io;
    io.sum.set(a.add(b));          // a and b must both be UInt(8) (or both SInt(8)); the result is 8 bits, wrapping
    io.exact.set(a.addFull(b));    // 9 bits, exact
    io.product.set(a.mul(c));      // UInt(8) x UInt(4) -> UInt(12), exact; signedness must agree
    io.wide.set(a.extend(16));     // zero-extends a UInt, sign-extends an SInt
    io.low.set(a.trunc(4));        // keeps the low 4 bits
    io.asSigned.set(a.asSInt());   // the same bits read as signed
    io.next.set(a.add(1));         // a plain number takes the other operand's type, and must fit it
  },
});
