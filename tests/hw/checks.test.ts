import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  Bool, defineModule, elaborate, HwError, Input, instance, mem, Output, reg, SInt, UInt, when, wire, type Signal,
} from '../../hw/index.ts';
import { where } from '../support/source-lines.ts';

const here = fileURLToPath(import.meta.url);
const at = (marker: string): string => where(here, marker);

/** Elaborates a one-off module and returns the HwError it raises. */
function errorOf(body: (io: { a: Signal; b: Signal; s: Signal; y: Signal }) => void): HwError {
  const Bad = defineModule({
    name: 'Bad',
    io: () => ({ a: Input(UInt(8)), b: Input(UInt(9)), s: Input(SInt(8)), y: Output(UInt(8)) }), // @port-y
    body: (io) => body(io),
  });
  try {
    elaborate(Bad, {});
  } catch (e) {
    if (e instanceof HwError) return e;
    throw e;
  }
  throw new Error('the design elaborated without an error');
}

describe('width and signedness', () => {
  test('operands of different widths', () => {
    const e = errorOf((io) => {
      io.y.set(io.a.add(io.b).trunc(8)); // @add-mismatch
    });
    expect(e.message).toContain(`${at('add-mismatch')}: width mismatch in add: input 'a' is UInt(8) but input 'b' is UInt(9)`);
  });

  test('assignment of a different width', () => {
    const e = errorOf((io) => {
      io.y.set(io.b); // @assign-mismatch
    });
    expect(e.message).toContain(`${at('assign-mismatch')}: width mismatch: output 'y' is UInt(8) but is driven with input 'b' of type UInt(9)`);
  });

  test('operands of different signedness', () => {
    const e = errorOf((io) => {
      io.y.set(io.a.lt(io.s).extend(8)); // @sign-mismatch
    });
    expect(e.message).toContain(`${at('sign-mismatch')}: signedness mismatch in lt: input 'a' is UInt(8) but input 's' is SInt(8)`);
  });

  test('a literal that does not fit', () => {
    const e = errorOf((io) => {
      io.y.set(io.a.add(300)); // @literal
    });
    expect(e.message).toContain(`${at('literal')}: literal 300 does not fit UInt(8) (range 0..255)`);
  });
});

describe('drivers', () => {
  test('a wire not driven on every path', () => {
    const e = errorOf((io) => {
      const w = wire(UInt(8), { name: 'partial' }); // @partial-wire
      when(io.a.eq(0), () => w.set(io.a)); // @partial-when
      io.y.set(w);
    });
    expect(e.message).toContain(
      `${at('partial-wire')}: wire 'partial' is not driven on every path (it would be a latch): nothing drives it when the condition of when() at ${at('partial-when')} is false`,
    );
  });

  test('an output never driven', () => {
    const e = errorOf(() => undefined);
    expect(e.message).toContain(`${at('port-y')}: output 'y' is never driven in module 'Bad'`);
  });

  test('two drivers in the same block', () => {
    const e = errorOf((io) => {
      io.y.set(io.a); // @first-driver
      io.y.set(0); // @second-driver
    });
    expect(e.message).toContain(
      `${at('second-driver')}: output 'y' has two drivers in the same block: the connection at ${at('first-driver')} is always overridden by this one`,
    );
  });

  test('driving the output of a child instance', () => {
    const Child = defineModule({ name: 'Child', io: () => ({ q: Output(Bool()) }), body: (io) => io.q.set(1) });
    const e = errorOf((io) => {
      const c = instance(Child, {}, { name: 'kid' });
      c.io.q.set(0); // @child-output
      io.y.set(io.a);
    });
    expect(e.message).toContain(
      `${at('child-output')}: output 'q' of instance 'kid' is driven from its parent 'Bad', but it is already driven inside module 'Child': a parent reads a child's outputs and drives only its inputs`,
    );
  });

  test('an input driven from inside', () => {
    const e = errorOf((io) => {
      io.a.set(1); // @input-driven
      io.y.set(0);
    });
    expect(e.message).toContain(`${at('input-driven')}: input port 'a' of module 'Bad' is driven from inside the module; inputs are driven by the parent`);
  });

  test('an unconnected child input', () => {
    const Child = defineModule({ name: 'Sink', io: () => ({ d: Input(UInt(4)), q: Output(UInt(4)) }), body: (io) => io.q.set(io.d) });
    const e = errorOf((io) => {
      instance(Child, {}, { name: 'sink' }); // @unconnected
      io.y.set(io.a);
    });
    expect(e.message).toContain(`${at('unconnected')}: input 'd' of instance 'sink' (module 'Sink') is never driven in module 'Bad'`);
  });
});

describe('structure', () => {
  test('a combinational loop is reported as its cycle with source lines', () => {
    const e = errorOf((io) => {
      const x = wire(UInt(8), { name: 'loop_x' }); // @loop-x
      const y = wire(UInt(8), { name: 'loop_y' }); // @loop-y
      x.set(y.add(io.a)); // @loop-add
      y.set(x);
      io.y.set(y);
    });
    const lines = e.message.split('\n');
    expect(lines[0]).toMatch(/combinational loop in module 'Bad' through 3 signals:$/);
    expect(e.message).toContain(`wire 'loop_x' at ${at('loop-x')}`);
    expect(e.message).toContain(`wire 'loop_y' at ${at('loop-y')}`);
    expect(e.message).toContain(`'add' result (${at('loop-add')}) at ${at('loop-add')}`);
    expect(e.message).toContain('break the loop with a register');
  });

  test('a loop through a register is not a combinational loop', () => {
    const Ok = defineModule({
      name: 'Acc',
      io: () => ({ a: Input(UInt(8)), y: Output(UInt(8)) }),
      body: (io) => {
        const r = reg(UInt(8), { init: 0, name: 'acc' });
        r.set(r.add(io.a));
        io.y.set(r);
      },
    });
    expect(() => elaborate(Ok, {})).not.toThrow();
  });

  test('a loop through a child instance is found', () => {
    const Pass = defineModule({ name: 'Pass', io: () => ({ d: Input(UInt(8)), q: Output(UInt(8)) }), body: (io) => io.q.set(io.d) });
    const e = errorOf((io) => {
      const p = instance(Pass, {}, { name: 'pass' });
      p.io.d.set(p.io.q.add(io.a)); // @child-loop
      io.y.set(p.io.q);
    });
    expect(e.message).toContain('combinational loop');
    expect(e.message).toContain(`port 'q' of instance 'pass'`);
    expect(e.message).toContain(`port 'd' of instance 'pass'`);
    expect(e.message).toContain(at('child-loop'));
  });

  test('a register read across modules without a port', () => {
    let leaked: Signal | undefined;
    const Child = defineModule({
      name: 'Peeker',
      io: () => ({ q: Output(UInt(8)) }),
      body: (io) => {
        io.q.set(leaked!.add(1)); // @cross-module
      },
    });
    const e = errorOf((io) => {
      leaked = reg(UInt(8), { name: 'secret', init: 0 }); // @secret
      leaked.set(io.a);
      instance(Child, {});
      io.y.set(io.a);
    });
    expect(e.message).toContain(
      `${at('cross-module')}: reg 'secret' belongs to module 'Bad' (declared at ${at('secret')}) but is used in module 'Peeker': signals cross modules only through ports`,
    );
  });
});

describe('names', () => {
  test('a Verilog keyword', () => {
    const e = errorOf((io) => {
      wire(UInt(8), { name: 'module' }); // @keyword
      io.y.set(io.a);
    });
    expect(e.message).toContain(`${at('keyword')}: wire name 'module' is a Verilog/SystemVerilog keyword`);
  });

  test('not a legal identifier', () => {
    const e = errorOf((io) => {
      io.y.set(io.a.add(1).named('3sum')); // @illegal
    });
    expect(e.message).toContain(`${at('illegal')}: signal name '3sum' is not a legal Verilog identifier`);
  });

  test('a name used twice', () => {
    const e = errorOf((io) => {
      reg(UInt(8), { name: 'twice' }); // @twice-1
      wire(UInt(8), { name: 'twice' }); // @twice-2
      io.y.set(io.a);
    });
    expect(e.message).toContain(`${at('twice-2')}: name 'twice' is used twice in module 'Bad'`);
    expect(e.message).toContain(`first used at ${at('twice-1')}`);
  });

  test('the implicit clock name is reserved', () => {
    const e = errorOf((io) => {
      wire(Bool(), { name: 'clk' }); // @clk
      io.y.set(io.a);
    });
    expect(e.message).toContain(`${at('clk')}: name 'clk' is reserved for the implicit clock port`);
  });

  test('a port that is a keyword', () => {
    const Bad = defineModule({ name: 'BadPort', io: () => ({ wire: Input(Bool()) }), body: () => undefined }); // @port-keyword
    expect(() => elaborate(Bad, {})).toThrow(`${at('port-keyword')}: port name 'wire' is a Verilog/SystemVerilog keyword`);
  });
});

describe('statements', () => {
  test('otherwise() must follow its when()', () => {
    const e = errorOf((io) => {
      const c = when(io.a.eq(1), () => io.y.set(1)); // @when-head
      io.y.set(2);
      c.otherwise(() => io.y.set(3)); // @late-otherwise
    });
    expect(e.message).toContain(`${at('late-otherwise')}: otherwise() must directly follow its when() (at ${at('when-head')}) in the same block`);
  });

  test('a memory address of the wrong width', () => {
    const e = errorOf((io) => {
      const m = mem(UInt(8), 16, { name: 'store' });
      io.y.set(m.read(io.a)); // @mem-addr
    });
    expect(e.message).toContain(`${at('mem-addr')}: address of memory 'store' (depth 16) must be UInt(4), but input 'a' is UInt(8)`);
  });

  test('a condition that is not a Bool', () => {
    const e = errorOf((io) => {
      when(io.a, () => io.y.set(1)); // @not-bool
    });
    expect(e.message).toContain(`${at('not-bool')}: the condition of when() must be a Bool, but input 'a' is UInt(8)`);
  });
});
