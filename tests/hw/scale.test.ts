import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  Bool, defineModule, elaborate, evaluate, HwError, Input, instance, Output, reg, switchOn, UInt, when, wire, type Signal, type WhenChain,
} from '../../hw/index.ts';
import { emitDesign } from '../../gen/verilog.ts';
import { writeVerilog } from '../../gen/write.ts';
import { lintVerilog } from '../../toolchain/verilator-files.ts';
import { Rng } from '../../sim/golden/random.ts';

// Designs whose size once crashed the language (stack overflows from
// recursion or argument spreading that grew with the design).

/** The ports of the module elaborated last, for evaluate(). */
let seen: Record<string, Signal> = {};

const Table = defineModule({
  name: 'Table',
  io: (p: { entries: number; seed: number }) => ({ sel: Input(UInt(Math.ceil(Math.log2(p.entries)))), value: Output(UInt(16)), odd: Output(Bool()) }),
  body: (io, p) => {
    seen = io;
    const rng = new Rng(p.seed);
    const sw = switchOn(io.sel);
    io.odd.set(0);
    for (let i = 0; i < p.entries; i++) {
      const v = rng.nextInt(1 << 16);
      sw.is(i, () => {
        io.value.set(v);
        if (v % 2 === 1) io.odd.set(1);
      });
    }
    sw.otherwise(() => io.value.set(0));
  },
});

function tableOf(entries: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: entries }, () => rng.nextInt(1 << 16));
}

describe('no size limits', () => {
  test('a 3,000-case switchOn elaborates to one case statement per output and means the table', () => {
    const design = elaborate(Table, { entries: 3000, seed: 3 });
    const { sel, value, odd } = seen as { sel: Signal; value: Signal; odd: Signal };
    const table = tableOf(3000, 3);
    for (const i of [0, 1, 1234, 2999, 3000, 4095]) {
      const leaf = new Map([[sel, BigInt(i)]]);
      const want = i < 3000 ? table[i]! : 0;
      expect(evaluate(value, leaf)).toBe(BigInt(want));
      expect(evaluate(odd, leaf)).toBe(BigInt(i < 3000 ? want % 2 : 0));
    }
    const text = emitDesign(design)[0]!.text;
    expect(text.match(/case \(sel\)/g)).toHaveLength(2);
    // The odd entries share one case item.
    expect(text.match(/: _case_\d+ = 1'b1;/g)).toHaveLength(1);
  });

  test('a switchOn covering every selector value needs no otherwise()', () => {
    const Full = defineModule({
      name: 'Full',
      io: () => ({ sel: Input(UInt(2)), y: Output(UInt(4)) }),
      body: (io) => {
        seen = io;
        switchOn(io.sel).is(0, () => io.y.set(9)).is([1, 2], () => io.y.set(5)).is(3, () => io.y.set(1));
      },
    });
    elaborate(Full, {});
    const at = (i: number): bigint => evaluate(seen.y!, new Map([[seen.sel!, BigInt(i)]]));
    expect([0, 1, 2, 3].map(at)).toEqual([9n, 5n, 5n, 1n]);
  });

  test('a 3,000-arm elseWhen chain elaborates in linear time and emits bounded expressions', () => {
    const Chain = defineModule({
      name: 'Chain',
      io: () => ({ x: Input(UInt(12)), y: Output(UInt(12)) }),
      body: (io) => {
        seen = io;
        let chain: WhenChain = when(io.x.eq(0), () => io.y.set(1));
        for (let i = 1; i < 3000; i++) chain = chain.elseWhen(io.x.eq(i), () => io.y.set((i * 7) % 4096));
        chain.otherwise(() => io.y.set(io.x));
      },
    });
    const d = elaborate(Chain, {});
    const at = (i: number): bigint => evaluate(seen.y!, new Map([[seen.x!, BigInt(i)]]));
    expect([0, 1, 2999, 3000, 4000].map(at)).toEqual([1n, 7n, BigInt((2999 * 7) % 4096), 3000n, 4000n]);
    const text = emitDesign(d)[0]!.text;
    // No single assignment nests the whole chain: a wire every 64 levels.
    const longest = Math.max(...text.split('\n  assign ').map((a) => a.split('?').length - 1));
    expect(longest).toBeLessThanOrEqual(65);
  });

  test('a module of more than 100 k declarations emits', () => {
    const Wide = defineModule({
      name: 'Wide',
      io: () => ({ x: Input(UInt(2)), y: Output(UInt(2)) }),
      body: (io) => {
        let prev: Signal = io.x;
        for (let i = 0; i < 60_000; i++) {
          const w = wire(UInt(2), { name: `w_${i}` });
          w.set(prev.xor(io.x));
          const r = reg(UInt(2), { name: `r_${i}` });
          r.set(w);
          prev = r;
        }
        io.y.set(prev);
      },
    });
    const d = elaborate(Wide, {}, { locations: 'off' });
    const text = emitDesign(d)[0]!.text;
    expect(text).toContain('reg  [1:0] r_59999;');
    expect(text.split('\n').filter((l) => l.includes(' <= ')).length).toBe(60_000);
    // Registers come in blocks of at most 64: Verilator orders one huge block in super-linear time.
    const blocks = text.split('always @(posedge clk) begin').slice(1);
    expect(blocks).toHaveLength(Math.ceil(60_000 / 64));
    expect(Math.max(...blocks.map((b) => b.split(' <= ').length - 1))).toBe(64);
  });
});

describe('messages in the user\'s words', () => {
  test('a missing branch of an elseWhen names the elseWhen', () => {
    const Bad = defineModule({
      name: 'Bad',
      io: () => ({ a: Input(Bool()), b: Input(Bool()), y: Output(UInt(4)) }),
      body: (io) => {
        when(io.a, () => io.y.set(1)).elseWhen(io.b, () => {}).otherwise(() => io.y.set(3));
      },
    });
    expect(() => elaborate(Bad, {})).toThrow(/nothing drives it when the condition of elseWhen\(\) at tests\/hw\/scale\.test\.ts:\d+ is true/);
  });

  test('a missing arm of a switchOn names the case', () => {
    const Bad = defineModule({
      name: 'Bad',
      io: () => ({ s: Input(UInt(3)), y: Output(UInt(4)) }),
      body: (io) => {
        switchOn(io.s).is(0, () => io.y.set(1)).is([4, 5], () => {}).otherwise(() => io.y.set(2));
      },
    });
    expect(() => elaborate(Bad, {})).toThrow(/nothing drives it when switchOn\(\)\.is\(4, 5\) at tests\/hw\/scale\.test\.ts:\d+ is selected/);
  });

  test('an error at an operator names its line even when the operator recorded none', () => {
    const Bad = defineModule({
      name: 'Bad',
      io: () => ({ a: Input(UInt(8)), b: Input(UInt(9)), y: Output(UInt(9)) }),
      body: (io) => {
        const early = io.a.add(1); // unused by any statement yet: no location in 'declarations' mode
        io.y.set(early.add(io.b));
      },
    });
    let e: unknown;
    try {
      elaborate(Bad, {});
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(HwError);
    const lines = (e as HwError).message;
    // Elaboration ran again recording every location, so the unused operator is named too.
    expect(lines).not.toContain('<unknown>');
    expect(lines).toMatch(/^tests\/hw\/scale\.test\.ts:\d+: width mismatch in add: 'add' result \(tests\/hw\/scale\.test\.ts:\d+\) is UInt\(8\)/);
  });
});

describe('a design of thousands of modules', () => {
  // Each leaf is a module of its own; together their file names pass Linux's 128 KiB limit on one argument.
  const Leaf = defineModule({
    name: (p: { index: number }) => `LeafModuleWithADescriptiveNameForTheArgumentLimit_${p.index}`,
    io: () => ({ x: Input(UInt(8)), y: Output(UInt(8)) }),
    body: (io, p) => io.y.set(io.x.add(p.index & 0xff)),
  });
  const Many = defineModule({
    name: 'ManyModules',
    io: () => ({ x: Input(UInt(8)), y: Output(UInt(8)) }),
    body: (io) => {
      let v: Signal = io.x;
      for (let i = 0; i < 2000; i++) {
        const leaf = instance(Leaf, { index: i }, { name: `leaf_${i}` });
        leaf.io.x.set(v);
        v = leaf.io.y;
      }
      io.y.set(v);
    },
  });

  test('lints clean through a Verilator command file, although its file list is longer than one command-line argument may be', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'many-modules-'));
    try {
      const written = writeVerilog(elaborate(Many, {}), dir);
      expect(written.files).toHaveLength(2001);
      // The premise: on the command line these names alone exceed MAX_ARG_STRLEN, and Verilator's wrapper could not start.
      expect(written.files.join(' ').length).toBeGreaterThan(128 * 1024);
      const r = await lintVerilog(written.top, written.files);
      expect(r.output).toBe('');
      expect(r.exitCode).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('lint without the gate optimisation (how bench:scale --full-lint lints the flat giants)', () => {
  const lintSource = async (top: string, source: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-gate-'));
    try {
      const file = path.join(dir, `${top}.v`);
      fs.writeFileSync(file, source);
      return await lintVerilog(top, [file], { withoutGateOptimisation: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  test('a clean register pipeline is clean: the notice -fno-gate prints is not a finding', async () => {
    const regs = Array.from({ length: 200 }, (_, i) => `  reg [3:0] r_${i};`).join('\n');
    const moves = Array.from({ length: 200 }, (_, i) => `    r_${i} <= ${i === 0 ? 'x' : `r_${i - 1} ^ x`};`).join('\n');
    const r = await lintSource('Pipe', `module Pipe (\n  input wire clk,\n  input wire [3:0] x,\n  output wire [3:0] y\n);\n${regs}\n  assign y = r_199;\n  always @(posedge clk) begin\n${moves}\n  end\nendmodule\n`);
    expect(r.output).toBe('');
    expect(r.clean).toBe(true);
  }, 120_000);

  test('a width mismatch is still reported', async () => {
    const r = await lintSource('Narrow', 'module Narrow (\n  input wire [7:0] x,\n  output wire [3:0] y\n);\n  assign y = x;\nendmodule\n');
    expect(r.clean).toBe(false);
    expect(r.output).toMatch(/%Warning-WIDTH/);
  }, 120_000);
});
