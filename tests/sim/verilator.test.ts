import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Bool, defineModule, elaborate, Input, instance, mem, Output, SInt, UInt } from '../../hw/index.ts';
import { Fifo } from '../../hw/examples/fifo.ts';
import { buildModel, sharesTestbenchMemories, type VerilatedModel } from '../../sim/verilator/build.ts';
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

  test('memories of a module instantiated twice are reached in each instance', async () => {
    const Pair = defineModule({
      name: 'LookupPair',
      io: () => ({ addr: Input(UInt(4)), left: Output(SInt(40)), right: Output(SInt(40)), done: Output(Bool()) }),
      body: (io) => {
        const left = instance(Lookup, {}, { name: 'west' });
        const right = instance(Lookup, {}, { name: 'east' });
        left.io.addr.set(io.addr);
        right.io.addr.set(io.addr);
        io.left.set(left.io.data);
        io.right.set(right.io.data);
        io.done.set(left.io.done);
      },
    });
    const design = elaborate(Pair, {});
    // Verilator keeps a large module used twice as a class of its own: the build inlines everything for the harness.
    expect(sharesTestbenchMemories(design.top)).toBe(true);
    expect(sharesTestbenchMemories(elaborate(Wrapper, {}).top)).toBe(false);
    const m = await buildModel(design);
    const other = image.map((v) => -v + 7n);
    const r = await runBulk(m, { seed: 1, config: { addr: 9 }, loadMemories: { 'west.lut': image, 'east.lut': other }, dumpMemories: ['west.lut', 'east.lut'], donePort: 'done', peek: ['left', 'right'] });
    expect(r.memories['west.lut']).toEqual(image);
    expect(r.memories['east.lut']).toEqual(other);
    expect([r.peeks.left, r.peeks.right]).toEqual([image[9], other[9]]);
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
