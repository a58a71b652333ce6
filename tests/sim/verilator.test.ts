import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Bool, defineModule, elaborate, Input, instance, mem, Output, regNext, SInt, UInt } from '../../hw/index.ts';
import { Fifo } from '../../hw/examples/fifo.ts';
import { buildModel, type VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk } from '../../sim/verilator/bulk.ts';
import { Simulation } from '../../sim/verilator/session.ts';

const params = { width: 16, depth: 8 };
let model: VerilatedModel;
let sim: Simulation;

beforeAll(async () => {
  const design = elaborate(Fifo, params);
  model = await buildModel(design);
  sim = Simulation.open(model, design.top.spec);
});
afterAll(() => sim.close());

describe('fine-grained driver', () => {
  test('a second build of an unchanged design comes from the cache', async () => {
    const again = await buildModel(elaborate(Fifo, params));
    expect(again.built).toBe(false);
    expect(again.binary).toBe(model.binary);
  });

  test('poke, step and peek follow the design cycle by cycle', async () => {
    sim.poke('enq_valid', 1);
    sim.poke('enq_bits', 0xbeef);
    sim.poke('deq_ready', 0);
    await sim.expect('deq_valid', 0);
    sim.step();
    sim.poke('enq_valid', 0);
    await sim.expect('deq_valid', 1);
    await sim.expect('deq_bits', 0xbeef);
    await sim.expect('count', 1);
  });

  test('an unknown port is an error that lists the ports', () => {
    expect(() => sim.poke('nope', 1)).toThrow(/has no port 'nope'/);
    expect(() => sim.port('nope')).toThrow(/ports: enq_valid, enq_ready, enq_bits, deq_valid, deq_ready, deq_bits, count/);
  });

  test('a value that does not fit the port is refused', () => {
    expect(() => sim.poke('enq_bits', 1 << 16)).toThrow("value 65536 does not fit port 'enq_bits' (UInt(16))");
  });

  test('poking an output is refused', () => {
    expect(() => sim.poke('count', 0)).toThrow("'count' is an output of Fifo_width16_depth8; only inputs can be poked");
  });
});

describe('bulk driver', () => {
  test('a beat with the wrong number of values is refused before running', async () => {
    await expect(runBulk(model, { seed: 1, inputs: [{ prefix: 'enq', beats: [[1n, 2n]] }] })).rejects.toThrow(
      'beat 0 of stream \'enq\' has 2 values for 1 data ports (enq_bits)',
    );
  });

  test('a run that never finishes reports the cycle limit and the seed', async () => {
    await expect(runBulk(model, { seed: 7, donePort: 'deq_valid', maxCycles: 50 })).rejects.toThrow(/did not finish within 50 cycles \(seed 7\)/);
  });

  test('a stall probability outside [0, 1) is refused', async () => {
    await expect(runBulk(model, { seed: 1, outputs: [{ prefix: 'deq', stall: 1 }] })).rejects.toThrow(/must be in \[0, 1\)/);
  });

  test('the same seed gives the same cycle count; another seed another one', async () => {
    const beats = Array.from({ length: 500 }, (_, i) => [BigInt(i)]);
    const job = (seed: number) => ({ seed, inputs: [{ prefix: 'enq', beats, stall: 0.5 }], outputs: [{ prefix: 'deq', stall: 0.5 }] });
    const a = await runBulk(model, job(3));
    const b = await runBulk(model, job(3));
    const c = await runBulk(model, job(4));
    expect(b.cycles).toBe(a.cycles);
    expect(c.cycles).not.toBe(a.cycles);
    expect(a.outputs.deq).toEqual(beats);
  });
});

test('a missing Verilator gets a message saying what to install', async () => {
  const script = path.resolve('tests/sim/fixtures/build-counter.ts');
  const tsx = path.resolve('node_modules/.bin/tsx');
  const r = await execa(process.execPath, [tsx, script], { reject: false, env: { PATH: '/nonexistent' }, extendEnv: false });
  expect(r.exitCode).not.toBe(0);
  expect(r.stderr).toContain("'verilator' was not found. Install it with 'make deps' (runs: apt-get install verilator)");
});

describe('memory images', () => {
  const Lookup = defineModule({
    name: 'Lookup',
    io: () => ({ addr: Input(UInt(4)), data: Output(SInt(40)), done: Output(Bool()) }),
    body: (io) => {
      const lut = mem(SInt(40), 16, { name: 'lut', testbenchAccess: true });
      io.data.set(lut.read(io.addr));
      io.done.set(1);
    },
  });
  const Wrapper = defineModule({
    name: 'LookupTop',
    io: () => ({ addr: Input(UInt(4)), data: Output(SInt(40)), done: Output(Bool()) }),
    body: (io) => {
      const inner = instance(Lookup, {}, { name: 'inner' });
      inner.io.addr.set(io.addr);
      io.data.set(inner.io.data);
      io.done.set(inner.io.done);
    },
  });
  const image = Array.from({ length: 16 }, (_, i) => BigInt(i) * -12345678901n);

  test('bulk mode loads an image into a memory deep in the hierarchy and reads it back', async () => {
    const m = await buildModel(elaborate(Wrapper, {}));
    expect(m.memories.map((x) => x.path)).toEqual(['inner.lut']);
    const r = await runBulk(m, { seed: 1, config: { addr: 5 }, loadMemories: { 'inner.lut': image }, dumpMemories: ['inner.lut'], donePort: 'done', peek: ['data'] });
    expect(r.memories['inner.lut']).toEqual(image);
    expect(r.peeks.data).toBe(image[5]);
  });

  test('memories of a module instantiated twice are reached in each instance, at every element width; one copy of its code serves both', async () => {
    // One memory per C++ element type Verilator uses: 8, 16, 32, 64 bits and wide words.
    const widths = [6, 13, 32, 40, 70] as const;
    const Tables = defineModule({
      name: 'Tables',
      io: () => ({ addr: Input(UInt(4)), d6: Output(UInt(6)), d13: Output(UInt(13)), d32: Output(UInt(32)), d40: Output(UInt(40)), d70: Output(UInt(70)), mix: Output(UInt(16)), done: Output(Bool()) }),
      body: (io) => {
        for (const w of widths) io[`d${w}`].set(mem(UInt(w), 16, { name: `lut${w}`, testbenchAccess: true }).read(io.addr));
        // Enough logic that Verilator's inlining heuristic keeps the module a class of its own.
        let mix = io.addr.extend(16);
        for (let k = 1; k <= 1500; k++) mix = mix.xor(mix.shl(1)).add(k & 0xffff);
        io.mix.set(mix);
        io.done.set(1);
      },
    });
    const Pair = defineModule({
      name: 'TablesPair',
      io: () => ({ addr: Input(UInt(4)), left: Output(UInt(70)), right: Output(UInt(70)), done: Output(Bool()) }),
      body: (io) => {
        const west = instance(Tables, {}, { name: 'west' });
        const east = instance(Tables, {}, { name: 'east' });
        west.io.addr.set(io.addr);
        east.io.addr.set(io.addr);
        io.left.set(west.io.d70);
        io.right.set(east.io.d70);
        io.done.set(west.io.done);
      },
    });
    const m = await buildModel(elaborate(Pair, {}));
    // Verilator kept the instances as objects of their own class: the harness must not rely on inlining.
    expect(fs.readdirSync(path.join(m.dir, 'obj')).some((f) => /^VTablesPair_Tables\.h$/.test(f))).toBe(true);
    // One copy of the module's code serves both instances (the emitter keeps the ports of repeated modules public, read-only).
    const obj = path.join(m.dir, 'obj');
    const code = fs.readdirSync(obj).filter((f) => /^VTablesPair_Tables.*\.cpp$/.test(f)).map((f) => fs.readFileSync(path.join(obj, f), 'utf8')).join('\n');
    expect(code).toMatch(/_sequent__TOP__TablesPair__(DOT__)?west__0\(/);
    expect(code).not.toMatch(/_sequent__TOP__TablesPair__(DOT__)?east__/);
    const images: Record<string, bigint[]> = {};
    for (const side of ['west', 'east']) {
      for (const w of widths) {
        const mask = (1n << BigInt(w)) - 1n;
        images[`${side}.lut${w}`] = Array.from({ length: 16 }, (_, i) => ((BigInt(i + 1) * 0x9e3779b97f4a7c15n * (side === 'west' ? 1n : 3n)) ^ BigInt(w)) & mask);
      }
    }
    const r = await runBulk(m, { seed: 1, config: { addr: 9 }, loadMemories: images, dumpMemories: Object.keys(images), donePort: 'done', peek: ['left', 'right'] });
    for (const [name, image] of Object.entries(images)) expect([...(r.memories[name] as Iterable<number | bigint>)].map((v) => BigInt(v)), name).toEqual(image);
    expect([r.peeks.left, r.peeks.right]).toEqual([images['west.lut70']![9], images['east.lut70']![9]]);
  });

  test("a repeated module's logic fed by the parent's registers is not re-evaluated as input logic on every eval()", async () => {
    const steps = 1500;
    const mixOf = (x: number): number => {
      let m = x;
      for (let k = 1; k <= steps; k++) m = ((m ^ (m << 1)) + (k & 0xffff)) & 0xffff;
      return m;
    };
    const Mixer = defineModule({
      name: 'Mixer',
      io: () => ({ x: Input(UInt(16)), y: Output(UInt(16)) }),
      body: (io) => {
        let mix = io.x;
        for (let k = 1; k <= steps; k++) mix = mix.xor(mix.shl(1)).add(k & 0xffff);
        io.y.set(mix);
      },
    });
    const Twice = defineModule({
      name: 'MixerPair',
      io: () => ({ a: Input(UInt(16)), b: Input(UInt(16)), left: Output(UInt(16)), right: Output(UInt(16)), done: Output(Bool()) }),
      body: (io) => {
        const west = instance(Mixer, {}, { name: 'west' });
        const east = instance(Mixer, {}, { name: 'east' });
        west.io.x.set(regNext(io.a, { init: 0 }));
        east.io.x.set(regNext(io.b, { init: 0 }));
        io.left.set(west.io.y);
        io.right.set(east.io.y);
        io.done.set(1);
      },
    });
    const m = await buildModel(elaborate(Twice, {}));
    const obj = path.join(m.dir, 'obj');
    const code = fs.readdirSync(obj).filter((f) => /^VMixerPair_Mixer.*\.cpp$/.test(f)).map((f) => fs.readFileSync(path.join(obj, f), 'utf8')).join('\n');
    // Its code is shared, and runs only after a clock edge (Verilator's "ico" region runs on every eval()).
    expect(code).toMatch(/_nba_sequent__TOP__MixerPair__(DOT__)?west__0\(/);
    expect(code).not.toMatch(/_ico_sequent/);
    const r = await runBulk(m, { seed: 1, config: { a: 5, b: 40000 }, donePort: 'done', peek: ['left', 'right'] });
    expect([r.peeks.left, r.peeks.right]).toEqual([BigInt(mixOf(5)), BigInt(mixOf(40000))]);
  });

  test('the interactive driver loads and dumps too; an unknown path lists the accessible ones', async () => {
    const s = await Simulation.start(Wrapper, {});
    try {
      await s.loadMemory('inner.lut', image.slice(0, 4));
      s.poke('addr', 3);
      s.step();
      await s.expect('data', image[3]!);
      expect((await s.dumpMemory('inner.lut')).slice(0, 5)).toEqual([...image.slice(0, 4), 0n]);
      await expect(s.dumpMemory('lut')).rejects.toThrow("has no memory 'lut' open to testbenches (memories with testbenchAccess: inner.lut)");
    } finally {
      await s.close();
    }
  });
});

test('a failed build reports the tool\'s own message and the command to reproduce it', async () => {
  const fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-verilator-'));
  fs.writeFileSync(
    path.join(fakeBin, 'verilator'),
    '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Verilator 0.0 fake"; exit 0; fi\necho "%Error: src/Counter_width4.v:7:3: syntax error, unexpected something"\nexit 1\n',
    { mode: 0o755 },
  );
  const script = path.resolve('tests/sim/fixtures/build-counter.ts');
  const tsx = path.resolve('node_modules/.bin/tsx');
  const r = await execa(process.execPath, [tsx, script], { reject: false, env: { PATH: `${fakeBin}:/usr/bin:/bin` }, extendEnv: false });
  expect(r.exitCode).not.toBe(0);
  expect(r.stderr).toContain('Verilator failed to build Counter_width4 (exit 1):');
  expect(r.stderr).toContain('%Error: src/Counter_width4.v:7:3: syntax error, unexpected something');
  expect(r.stderr).toMatch(/To reproduce: cd \S+ && verilator --cc --exe --build/);
});

test('a model built with trace writes an FST waveform', async () => {
  const traced = await buildModel(elaborate(Fifo, params), { trace: true });
  const file = path.resolve('build', 'test-waves', 'fifo.fst');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  await runBulk(traced, { seed: 1, inputs: [{ prefix: 'enq', beats: [[1n], [2n]] }], outputs: [{ prefix: 'deq' }], waveform: file });
  expect(fs.statSync(file).size).toBeGreaterThan(200);
  await expect(runBulk(model, { seed: 1, waveform: file })).rejects.toThrow('a waveform needs a model built with trace: true');
});
