import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Bool, Bundle, cat, connectAll, defineModule, elaborate, Input, instance, lit, mux, oneHotMux, Output, priorityMux, reg, select,
  SInt, switchOn, UInt, Vec, wire, type Design,
} from '../../hw/index.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { Rng } from '../../sim/golden/random.ts';
import { Simulation } from '../../sim/verilator/session.ts';

/** A child used three times: twice with the same parameters. */
const Scale = defineModule({
  name: 'Scale',
  io: (_p: { shift: number }) => ({ x: Input(SInt(8)), y: Output(SInt(8)) }),
  body: (io, p) => io.y.set(io.x.shl(p.shift)),
});

const Features = defineModule({
  name: 'Features',
  io: () => ({
    op: Input(UInt(2)),
    pixel: Input(Bundle({ x: UInt(4), y: UInt(4) })),
    lanesIn: Input(Vec(4, SInt(8))),
    pick: Input(UInt(2)),
    hot: Input(UInt(4)),
    alu: Output(UInt(8)),
    lanesOut: Output(Vec(4, SInt(8))),
    picked: Output(SInt(8)),
    firstNegative: Output(UInt(3)),
    hotValue: Output(SInt(8)),
    history: Output(Vec(2, UInt(8))),
  }),
  body: (io) => {
    const alu = wire(UInt(8), { name: 'alu_result' });
    const { x, y } = io.pixel;
    switchOn(io.op)
      .is(0, () => alu.set(cat(x, y)))
      .is(1, () => alu.set(x.extend(8).add(y.extend(8))))
      .is(2, () => alu.set(x.mul(y)))
      .otherwise(() => alu.set(mux(x.gt(y), x, y).extend(8)));
    io.alu.set(alu);

    const scaled = [instance(Scale, { shift: 1 }), instance(Scale, { shift: 1 }), instance(Scale, { shift: 2 }), instance(Scale, { shift: 0 })];
    scaled.forEach((s, i) => s.io.x.set(io.lanesIn[i]!));
    connectAll(io.lanesOut, scaled.map((s) => s.io.y));

    io.picked.set(select(io.lanesIn, io.pick));
    io.firstNegative.set(priorityMux(io.lanesIn.map((l, i) => [l.lt(0), i] as const), lit(4, UInt(3))));
    io.hotValue.set(oneHotMux(io.hot, io.lanesIn));

    const hist = reg(Vec(2, UInt(8)), { name: 'hist', init: [7, 9] });
    hist[0]!.set(alu);
    hist[1]!.set(hist[0]!);
    connectAll(io.history, hist);
  },
});

const wrap8 = (v: number): number => ((v << 24) >> 24);

describe('language features in Verilator', () => {
  let design: Design;
  let sim: Simulation<ReturnType<typeof Features.io>>;
  beforeAll(async () => {
    design = elaborate(Features, {});
    sim = await Simulation.start(Features, {});
  });
  afterAll(() => sim?.close());

  test('one Verilog module per distinct parameterisation', () => {
    expect(design.modules.map((m) => m.displayName)).toEqual(['Scale_shift1', 'Scale_shift2', 'Scale_shift0', 'Features']);
    expect(design.top.instances.map((i) => `${i.name}:${i.module.displayName}`)).toEqual([
      'scale_0:Scale_shift1', 'scale_1:Scale_shift1', 'scale_2:Scale_shift2', 'scale_3:Scale_shift0',
    ]);
  });

  test('bundles, vectors, switch, select, priority and one-hot muxes, aggregate registers', async () => {
    const rng = new Rng(5);
    await sim.io.history[0]!.expect(7);
    await sim.io.history[1]!.expect(9);
    let prev = [7, 9];
    for (let i = 0; i < 200; i++) {
      const op = rng.nextInt(4), x = rng.nextInt(16), y = rng.nextInt(16), pick = rng.nextInt(4);
      const lanes = Array.from({ length: 4 }, () => rng.nextInt(256) - 128);
      const hotIndex = rng.nextInt(5);
      const hot = hotIndex === 4 ? 0 : 1 << hotIndex;
      sim.io.op.poke(op);
      sim.io.pixel.x.poke(x);
      sim.io.pixel.y.poke(y);
      lanes.forEach((l, k) => sim.io.lanesIn[k]!.poke(l));
      sim.io.pick.poke(pick);
      sim.io.hot.poke(hot);
      const alu = [(x << 4) | y, x + y, x * y, Math.max(x, y)][op]!;
      await sim.io.alu.expect(alu, `op ${op} x ${x} y ${y}`);
      for (const [k, shift] of [1, 1, 2, 0].entries()) await sim.io.lanesOut[k]!.expect(wrap8(lanes[k]! << shift));
      await sim.io.picked.expect(lanes[pick]!);
      const neg = lanes.findIndex((l) => l < 0);
      await sim.io.firstNegative.expect(neg < 0 ? 4 : neg);
      await sim.io.hotValue.expect(hotIndex === 4 ? 0 : lanes[hotIndex]!);
      sim.step();
      prev = [alu, prev[0]!];
      await sim.io.history[0]!.expect(prev[0]!);
      await sim.io.history[1]!.expect(prev[1]!);
    }
  });
});

test('a Bool port has the same type as UInt(1)', () => {
  const M = defineModule({ name: 'B', io: () => ({ a: Input(Bool()), y: Output(UInt(1)) }), body: (io) => io.y.set(io.a) });
  expect(() => elaborate(M, {})).not.toThrow();
});

test('naming a value that already has a name gives a named alias', () => {
  const M = defineModule({
    name: 'Alias',
    io: () => ({ a: Input(UInt(8)), y: Output(UInt(8)), z: Output(UInt(8)) }),
    body: (io) => {
      io.y.set(io.a.extend(8).named('same_width'));
      io.z.set(lit(3, UInt(8)).named('three'));
    },
  });
  const text = emitDesign(elaborate(M, {}))[0]!.text;
  expect(text).toContain('assign same_width = a;');
  expect(text).toContain("assign three = 8'd3;");
  expect(text).toContain('assign y = same_width;');
});
