import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Bool, defineModule, elaborate, Flip, HwError, Input, Output, reg, regNext, UInt, when, wire, type Design } from '../../hw/index.ts';
import { Decoupled } from '../../hw/lib/stream.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { where } from '../support/source-lines.ts';
import { delayed, hole } from '../support/user-lib.ts';

const here = fileURLToPath(import.meta.url);
const at = (marker: string): string => where(here, marker);

function errorOf(f: () => Design): HwError {
  try {
    f();
  } catch (e) {
    if (e instanceof HwError) return e;
    throw e;
  }
  throw new Error('the design elaborated without an error');
}

/** A stage whose output stream is never driven: every port comes from hw/lib/stream.ts. */
const Leaky = defineModule({
  name: 'Leaky',
  io: () => ({
    in: Flip(Decoupled(UInt(8))), // @leaky-in
    out: Decoupled(UInt(8)), // @leaky-out
  }),
  body: (io) => {
    io.in.ready.set(io.out.ready);
  },
});

describe('library code is attributed to its caller', () => {
  test('hw/lib ports: errors name the design line', () => {
    const e = errorOf(() => elaborate(Leaky, {}));
    expect(e.message).toContain(`${at('leaky-out')}: output 'out_valid' is never driven in module 'Leaky'`);
    expect(e.message).toContain(`${at('leaky-out')}: output 'out_bits' is never driven in module 'Leaky'`);
    expect(e.message).not.toContain('hw/lib/');
  });

  test('hw/lib ports: the emitted Verilog names the design line', () => {
    const Stage = defineModule({
      name: 'Stage',
      io: () => ({ in: Flip(Decoupled(UInt(8))), out: Decoupled(UInt(8)) }), // @stage-io
      body: (io) => {
        io.in.ready.set(io.out.ready);
        io.out.valid.set(io.in.valid);
        io.out.bits.set(io.in.bits);
      },
    });
    const text = emitDesign(elaborate(Stage, {}))[0]!.text;
    expect(text).toMatch(new RegExp(`input  wire \\[7:0\\]\\s+in_bits,\\s+// ${at('stage-io')}\\n`));
    expect(text).not.toContain('hw/lib/');
  });

  test('a user library marked with libraryModule()', () => {
    const User = defineModule({
      name: 'User',
      io: () => ({ x: Input(UInt(4)), y: Output(UInt(4)) }),
      body: (io) => {
        io.y.set(delayed(io.x, 'x_q')); // @delayed
        hole(3, 'gap'); // @hole
      },
    });
    const e = errorOf(() => elaborate(User, {}));
    expect(e.message).toBe(`${at('hole')}: wire 'gap' is never driven in module 'User'`);
    const Fine = defineModule({
      name: 'Fine',
      io: () => ({ x: Input(UInt(4)), y: Output(UInt(4)) }),
      body: (io) => io.y.set(delayed(io.x, 'x_q')), // @fine-delayed
    });
    expect(emitDesign(elaborate(Fine, {}))[0]!.text).toContain(`reg  [3:0] x_q; // ${at('fine-delayed')}`);
  });
});

describe('each entry point names the line of its caller', () => {
  // A capture starts at the caller of the entry point (reg, wire, when...) and
  // looks one frame deep first; these cover that frame being the design, a
  // callback of the design, the language's own helper, and a user library.
  test('declarations in callbacks, through regNext and through a library', () => {
    const Lines = defineModule({
      name: 'Lines',
      io: () => ({ a: Input(UInt(4)), y: Output(UInt(4)) }), // @lines-io
      body: (io) => {
        const taps = [0, 1].map((i) => reg(UInt(4), { name: `tap_${i}` })); // @lines-taps
        taps.forEach((t) => t.set(io.a));
        const later = regNext(io.a, { name: 'later' }); // @lines-regnext
        const w = wire(UInt(4), { name: 'w', default: 0 }); // @lines-wire
        when(io.a.eq(1), () => w.set(later)).otherwise(() => w.set(taps[0]!.xor(taps[1]!)));
        io.y.set(w.xor(delayed(io.a, 'x_q')).named('mixed')); // @lines-named
      },
    });
    const text = emitDesign(elaborate(Lines, {}))[0]!.text;
    expect(text).toMatch(new RegExp(`input  wire \\[3:0\\]\\s+a,\\s+// ${at('lines-io')}\\n`));
    expect(text).toContain(`reg  [3:0] tap_0; // ${at('lines-taps')}`);
    expect(text).toContain(`reg  [3:0] tap_1; // ${at('lines-taps')}`);
    expect(text).toContain(`reg  [3:0] later; // ${at('lines-regnext')}`);
    expect(text).toContain(`wire [3:0] w; // ${at('lines-wire')}`);
    expect(text).toContain(`reg  [3:0] x_q; // ${at('lines-named')}`);
    expect(text).toContain(`wire [3:0] mixed; // ${at('lines-named')}`);
  });

  test('elseWhen() and otherwise() name their own lines', () => {
    const Chain = defineModule({
      name: 'Chain',
      io: () => ({ a: Input(UInt(2)), y: Output(UInt(2)) }),
      body: (io) => {
        when(io.a.eq(0), () => io.y.set(1))
          .elseWhen(io.a.eq(1), () => io.y.set(2)); // @chain-elsewhen
      },
    });
    const e = errorOf(() => elaborate(Chain, {}));
    expect(e.message).toContain(`nothing drives it when the condition of elseWhen() at ${at('chain-elsewhen')} is false`);
    const Late = defineModule({
      name: 'Late',
      io: () => ({ a: Input(UInt(2)), y: Output(UInt(2)), z: Output(UInt(2)) }),
      body: (io) => {
        const chain = when(io.a.eq(0), () => io.y.set(1));
        io.z.set(2);
        chain.otherwise(() => io.y.set(3)); // @late-otherwise
      },
    });
    expect(errorOf(() => elaborate(Late, {})).message).toMatch(new RegExp(`^${at('late-otherwise')}: otherwise\\(\\) must directly follow its when\\(\\)`));
  });
});

describe('all the errors of a module at once', () => {
  test('every undriven target, each with its line', () => {
    const Many = defineModule({
      name: 'Many',
      io: () => ({
        a: Input(Bool()),
        p: Output(UInt(2)), // @many-p
        q: Output(UInt(2)), // @many-q
      }),
      body: (io) => {
        const w = wire(UInt(3), { name: 'w' }); // @many-w
        void w;
        io.q.set(0);
        io.q.set(1); // two drivers: raised at once, in the body
      },
    });
    // A check in the body stops the body at once ...
    expect(errorOf(() => elaborate(Many, {})).message).toContain('has two drivers in the same block');
    const Undriven = defineModule({
      name: 'Undriven',
      io: () => ({
        a: Input(Bool()),
        p: Output(UInt(2)), // @undriven-p
        q: Output(UInt(2)), // @undriven-q
      }),
      body: () => {
        wire(UInt(3), { name: 'w' }); // @undriven-w
      },
    });
    // ... the checks at the end of the module report everything together.
    const e = errorOf(() => elaborate(Undriven, {}));
    expect(e.message.split('\n')).toEqual([
      `3 problems in module 'Undriven':`,
      `  ${at('undriven-p')}: output 'p' is never driven in module 'Undriven'`,
      `  ${at('undriven-q')}: output 'q' is never driven in module 'Undriven'`,
      `  ${at('undriven-w')}: wire 'w' is never driven in module 'Undriven'`,
    ]);
  });
});

describe('location modes', () => {
  const Small = defineModule({ // @small-def
    name: 'Small',
    io: () => ({ a: Input(UInt(4)), b: Input(UInt(4)), y: Output(UInt(4)) }), // @small-io
    body: (io) => {
      const t = io.a.add(io.b); // @small-add
      io.y.set(t.xor(io.a)); // @small-set
    },
  });

  test("'declarations': an operator takes the line of the declaration it reaches; 'all': its own", () => {
    const decl = emitDesign(elaborate(Small, {}))[0]!.text;
    expect(decl).toContain(`wire [3:0] _add_0; // ${at('small-io')}`);
    const all = emitDesign(elaborate(Small, {}, { locations: 'all' }))[0]!.text;
    expect(all).toContain(`wire [3:0] _add_0; // ${at('small-add')}`);
  });

  test("'off': no locations in the Verilog, yet errors still name their line", () => {
    const off = emitDesign(elaborate(Small, {}, { locations: 'off' }))[0]!.text;
    // Only the module's definition, recorded when defineModule() ran, keeps its line.
    expect(off.split('\n').filter((l) => l.includes('.test.ts'))).toEqual([`// Module Small, defined at ${at('small-def')}`]);
    const e = errorOf(() => elaborate(Leaky, {}, { locations: 'off' }));
    expect(e.message).toContain(`${at('leaky-out')}: output 'out_valid' is never driven in module 'Leaky'`);
  });
});
