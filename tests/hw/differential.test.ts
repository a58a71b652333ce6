import fc from 'fast-check';
import { test } from 'vitest';
import {
  cat, defineModule, elaborate, evaluate, Input, mux, Output, select, SInt, UInt, type BitsType, type Signal,
} from '../../hw/index.ts';
import { buildModel } from '../../sim/verilator/build.ts';
import { Simulation } from '../../sim/verilator/session.ts';

/** Inputs of the expression module: widths around the 8/16/32/64-bit word edges of Verilator's C++. */
const INPUTS: BitsType[] = [
  UInt(1), UInt(3), UInt(8), SInt(8), UInt(13), SInt(16), UInt(31), SInt(33), UInt(64), SInt(65), UInt(70),
];
const MAX_WIDTH = 96;
const EXPRESSIONS = 300;
const VECTORS = 6;

type Tree =
  | { t: 'in'; i: number }
  | { t: 'lit'; v: bigint; w: number; s: boolean }
  | { t: 'un'; op: 'not' | 'neg' | 'andR' | 'orR' | 'xorR' | 'asSInt' | 'asUInt'; a: Tree }
  | { t: 'bin'; op: 'add' | 'sub' | 'and' | 'or' | 'xor' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'addFull' | 'subFull' | 'mul'; a: Tree; b: Tree }
  | { t: 'shift'; op: 'shl' | 'shr'; n: number; a: Tree }
  | { t: 'dshift'; op: 'shlBy' | 'shrBy'; a: Tree; b: Tree }
  | { t: 'slice'; hi: number; lo: number; a: Tree }
  | { t: 'resize'; w: number; a: Tree }
  | { t: 'cat'; a: Tree; b: Tree }
  | { t: 'mux'; c: Tree; a: Tree; b: Tree }
  | { t: 'select'; i: Tree; v: Tree[] };

const treeArb = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('in' as const), i: fc.nat(INPUTS.length - 1) }),
    fc.record({ t: fc.constant('lit' as const), v: fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }), w: fc.integer({ min: 1, max: 70 }), s: fc.boolean() }),
    fc.record({ t: fc.constant('un' as const), op: fc.constantFrom('not', 'neg', 'andR', 'orR', 'xorR', 'asSInt', 'asUInt'), a: tie('tree') }),
    fc.record({
      t: fc.constant('bin' as const),
      op: fc.constantFrom('add', 'sub', 'and', 'or', 'xor', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'addFull', 'subFull', 'mul'),
      a: tie('tree'),
      b: tie('tree'),
    }),
    fc.record({ t: fc.constant('shift' as const), op: fc.constantFrom('shl', 'shr'), n: fc.nat(80), a: tie('tree') }),
    fc.record({ t: fc.constant('dshift' as const), op: fc.constantFrom('shlBy', 'shrBy'), a: tie('tree'), b: tie('tree') }),
    fc.record({ t: fc.constant('slice' as const), hi: fc.nat(100), lo: fc.nat(100), a: tie('tree') }),
    fc.record({ t: fc.constant('resize' as const), w: fc.integer({ min: 1, max: MAX_WIDTH }), a: tie('tree') }),
    fc.record({ t: fc.constant('cat' as const), a: tie('tree'), b: tie('tree') }),
    fc.record({ t: fc.constant('mux' as const), c: tie('tree'), a: tie('tree'), b: tie('tree') }),
    fc.record({ t: fc.constant('select' as const), i: tie('tree'), v: fc.array(tie('tree'), { minLength: 8, maxLength: 8 }) }),
  ),
})).tree;

/** Explicit resizing, the way a user of a strict-width language writes it. */
function resize(x: Signal, w: number): Signal {
  return x.width === w ? x : x.width < w ? x.extend(w) : x.trunc(w);
}

function conform(x: Signal, like: Signal): Signal {
  const r = resize(x, like.width);
  return like.signed ? r.asSInt() : r.asUInt();
}

function limit(x: Signal): Signal {
  return x.width > MAX_WIDTH ? x.trunc(MAX_WIDTH) : x;
}

/** Builds a tree into hardware; operand types are conformed explicitly. */
function build(t: Tree, ins: Signal[]): Signal {
  switch (t.t) {
    case 'in':
      return ins[t.i]!;
    case 'lit': {
      // A literal operand inside an expression; literal-only trees fold
      // during elaboration and would never reach the Verilog.
      const v = BigInt.asUintN(t.w, t.v);
      const x = ins[0]!.extend(t.w).and(0).or(v);
      return t.s ? x.asSInt() : x;
    }
    case 'un': {
      const a = build(t.a, ins);
      if (t.op === 'neg') return a.asSInt().neg();
      return a[t.op]();
    }
    case 'bin': {
      const a = build(t.a, ins);
      const b = build(t.b, ins);
      if (t.op === 'mul') {
        const bb = b.signed === a.signed ? b : a.signed ? b.asSInt() : b.asUInt();
        return limit(resize(a, Math.min(a.width, 48)).mul(resize(bb, Math.min(bb.width, 48))));
      }
      return limit(a[t.op](conform(b, a)));
    }
    case 'shift':
      return build(t.a, ins)[t.op](t.n);
    case 'dshift': {
      const a = build(t.a, ins);
      return a[t.op](resize(build(t.b, ins).asUInt(), 7));
    }
    case 'slice': {
      const a = build(t.a, ins);
      const lo = t.lo % a.width;
      const hi = lo + (t.hi % (a.width - lo));
      return a.bits(hi, lo);
    }
    case 'resize':
      return resize(build(t.a, ins), t.w);
    case 'cat':
      return limit(cat(build(t.a, ins), build(t.b, ins)));
    case 'mux': {
      const a = build(t.a, ins);
      return mux(build(t.c, ins).orR(), a, conform(build(t.b, ins), a));
    }
    case 'select': {
      const [first, ...rest] = t.v.map((v) => build(v, ins));
      return select([first!, ...rest.map((v) => conform(v, first!))], resize(build(t.i, ins).asUInt(), 3));
    }
  }
}

test(`${EXPRESSIONS} random expressions: the constant evaluator and Verilator agree bit for bit`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(treeArb, { minLength: EXPRESSIONS, maxLength: EXPRESSIONS }),
      fc.array(fc.array(fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }), { minLength: INPUTS.length, maxLength: INPUTS.length }), {
        minLength: VECTORS,
        maxLength: VECTORS,
      }),
      async (trees, vectors) => {
        const outputs: Signal[] = [];
        const inputs: Signal[] = [];
        // The output widths are only known once the trees are built, so the
        // module is defined in two steps: build the trees, then declare ports.
        const widths: BitsType[] = [];
        const Probe = defineModule({
          name: 'RandomExpressionsProbe',
          io: () => Object.fromEntries(INPUTS.map((t, i) => [`x${i}`, Input(t)])),
          body: (io) => {
            const ins = INPUTS.map((_, i) => (io as Record<string, Signal>)[`x${i}`]!);
            for (const t of trees) widths.push(build(t, ins).type);
          },
        });
        elaborate(Probe, {});
        const Top = defineModule({
          name: 'RandomExpressions',
          io: () => ({
            ...Object.fromEntries(INPUTS.map((t, i) => [`x${i}`, Input(t)])),
            ...Object.fromEntries(widths.map((t, i) => [`y${i}`, Output(t)])),
          }),
          body: (io) => {
            const ports = io as Record<string, Signal>;
            const ins = INPUTS.map((_, i) => ports[`x${i}`]!);
            inputs.push(...ins);
            trees.forEach((t, i) => {
              const y = ports[`y${i}`]!;
              y.set(build(t, ins));
              outputs.push(y);
            });
          },
        });
        const design = elaborate(Top, {});
        const model = await buildModel(design, { optimize: 0 });
        const sim = Simulation.open(model, design.top.spec);
        try {
          for (const raw of vectors) {
            const values = new Map<Signal, bigint>();
            inputs.forEach((s, i) => {
              const v = BigInt.asUintN(s.width, raw[i]!);
              values.set(s, v);
              sim.poke(`x${i}`, s.signed ? BigInt.asIntN(s.width, v) : v);
            });
            const got = await Promise.all(outputs.map((_, i) => sim.peek(`y${i}`)));
            outputs.forEach((y, i) => {
              const want = evaluate(y, values);
              const seen = BigInt.asUintN(y.width, got[i]!);
              if (seen !== want) {
                throw new Error(
                  `expression y${i} (${y.typeName()}) differs: evaluator ${want}, Verilator ${seen}\n` +
                    `tree: ${JSON.stringify(trees[i], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}\n` +
                    `inputs: ${[...values.values()].join(', ')}\nVerilog: ${model.dir}/src/${design.top.displayName}.v`,
                );
              }
            });
          }
        } finally {
          await sim.close();
        }
      },
    ),
    // One run is one Verilator build of all the expressions; shrinking would
    // rebuild per step, so the failing case is reported whole, with its seed.
    { numRuns: 1, endOnFailure: true },
  );
});
