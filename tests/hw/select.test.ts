import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineModule, elaborate, Input, lit, Output, select, SInt, UInt, Vec } from '../../hw/index.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { Rng } from '../../sim/golden/random.ts';
import { Simulation } from '../../sim/verilator/session.ts';
import { requireTool } from '../../toolchain/tools.ts';

/** Two receivers choosing among the same eight senders, a short list, a wide list and a constant index. */
const Crossbar = defineModule({
  name: 'SelectCrossbar',
  io: () => ({
    lanes: Input(Vec(8, SInt(12))),
    wide: Input(Vec(8, UInt(100))),
    pickA: Input(UInt(3)),
    pickB: Input(UInt(3)),
    pickShort: Input(UInt(2)),
    a: Output(SInt(12)),
    b: Output(SInt(12)),
    few: Output(SInt(12)),
    wideOut: Output(UInt(100)),
    fixed: Output(SInt(12)),
  }),
  body: (io) => {
    const lanes = [...io.lanes];
    io.a.set(select(lanes, io.pickA));
    io.b.set(select(lanes, io.pickB));
    io.few.set(select(lanes.slice(0, 3), io.pickShort));
    io.wideOut.set(select([...io.wide], io.pickB));
    io.fixed.set(select(lanes, lit(5, UInt(3))));
  },
});

describe('select() of many values', () => {
  let text: string;
  let sim: Simulation<ReturnType<typeof Crossbar.io>>;
  beforeAll(async () => {
    text = emitDesign(elaborate(Crossbar, {}))[0]!.text;
    sim = await Simulation.start(Crossbar, {});
  });
  afterAll(() => sim?.close());

  test('is one indexed read of an array declared once per list of values; a short list stays a mux tree, a constant index is the value', () => {
    expect(text.match(/^ {2}wire \[11:0\] _select_values_\d+ \[0:7\]; \/\/ tests\/hw\/select.test.ts:\d+$/gm)).toHaveLength(1);
    expect(text.match(/^ {2}wire \[99:0\] _select_values_\d+ \[0:7\]; \/\/ tests\/hw\/select.test.ts:\d+$/gm)).toHaveLength(1);
    expect(text).toMatch(/assign a = _select_values_0\[pickA\];/);
    expect(text).toMatch(/assign b = _select_values_0\[pickB\];/);
    expect(text).toMatch(/assign few = pickShort\[1\] \?/);
    expect(text).toContain('assign fixed = lanes_5;');
  });

  test('equals the chosen value bit for bit in Verilator', async () => {
    const rng = new Rng(11);
    for (let i = 0; i < 100; i++) {
      const lanes = Array.from({ length: 8 }, () => rng.nextInt(4096) - 2048);
      const wide = Array.from({ length: 8 }, () => (BigInt(rng.nextInt(2 ** 30)) << 70n) | (BigInt(rng.nextInt(2 ** 30)) << 35n) | BigInt(rng.nextInt(2 ** 30)));
      const [pa, pb, ps] = [rng.nextInt(8), rng.nextInt(8), rng.nextInt(4)];
      lanes.forEach((l, k) => sim.io.lanes[k]!.poke(l));
      wide.forEach((w, k) => sim.io.wide[k]!.poke(w));
      sim.io.pickA.poke(pa);
      sim.io.pickB.poke(pb);
      sim.io.pickShort.poke(ps);
      await sim.io.a.expect(lanes[pa]!);
      await sim.io.b.expect(lanes[pb]!);
      // Three values by two bits: index 3 is out of range and gives the last value.
      await sim.io.few.expect(lanes[Math.min(ps, 2)]!);
      await sim.io.wideOut.expect(wide[pb]!);
      await sim.io.fixed.expect(lanes[5]!);
    }
  });
});

describe('select() emitted for synthesis', () => {
  const design = elaborate(Crossbar, {});
  const tree = emitDesign(design, { selects: 'muxTree' })[0]!.text;

  test('is a balanced tree of ?: on the index bits, with no array', () => {
    expect(tree).not.toContain('_select_values_');
    expect(tree).toContain(
      'assign a = pickA[2] ? (pickA[1] ? (pickA[0] ? lanes_7 : lanes_6) : (pickA[0] ? lanes_5 : lanes_4)) : (pickA[1] ? (pickA[0] ? lanes_3 : lanes_2) : (pickA[0] ? lanes_1 : lanes_0));',
    );
    expect(tree).toMatch(/assign wideOut = pickB\[2\] \?/);
    expect(tree).toContain('assign fixed = lanes_5;');
  });

  test('is proved equal to the indexed read by Yosys (SAT over every input)', async () => {
    const yosys = await requireTool('yosys');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'select-equiv-'));
    try {
      const array = emitDesign(design)[0]!.text;
      fs.writeFileSync(path.join(dir, 'array.v'), array);
      fs.writeFileSync(path.join(dir, 'tree.v'), tree.replace('module SelectCrossbar (', 'module SelectCrossbarTree ('));
      const script = 'read_verilog array.v tree.v; proc; miter -equiv -flatten -make_assert SelectCrossbar SelectCrossbarTree miter; sat -verify -prove-asserts miter';
      const r = await execa(yosys, ['-q', '-p', script], { cwd: dir, reject: false, all: true });
      expect(r.all).not.toMatch(/FAIL|ERROR/);
      expect(r.exitCode).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
