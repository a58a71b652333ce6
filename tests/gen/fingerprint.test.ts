import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { defineModule, elaborate, Input, instance, mem, Output, reg, switchOn, UInt, type LocationMode } from '../../hw/index.ts';
import { designFingerprint } from '../../gen/fingerprint.ts';
import { designs } from '../../gen/designs.ts';
import { emitDesign } from '../../gen/verilog.ts';

const Acc = defineModule({
  name: 'Acc',
  io: (_p: { step: number; name: string; op: 'add' | 'sub' }) => ({ x: Input(UInt(8)), y: Output(UInt(8)) }),
  body: (io, p) => {
    const r = reg(UInt(8), { name: p.name, init: 0 });
    r.set(p.op === 'add' ? r.add(io.x).add(p.step) : r.sub(io.x).add(p.step));
    io.y.set(r);
  },
});

interface Knobs {
  width: number;
  op: 'add' | 'xor' | 'sub';
  step: number;
  regName: string;
  init: number | undefined;
  children: number;
  cases: readonly number[];
  memInit: readonly bigint[] | undefined;
  unused: number;
  locations: LocationMode;
}

const Child = defineModule({
  name: (p: { width: number }) => `Child_${p.width}`,
  io: (p: { width: number }) => ({ a: Input(UInt(p.width)), b: Output(UInt(p.width)) }),
  body: (io) => io.b.set(io.a.not()),
});

/** One fixed module name whatever the knobs, so that only the logic tells designs apart. */
const Knobbed = defineModule({
  name: () => 'Knobbed',
  io: (p: Knobs) => ({ x: Input(UInt(p.width)), sel: Input(UInt(4)), y: Output(UInt(p.width)), z: Output(UInt(p.width)), m: Output(UInt(p.width)) }),
  body: (io, p) => {
    const r = reg(UInt(p.width), { name: p.regName, ...(p.init === undefined ? {} : { init: p.init }) });
    r.set(r[p.op](io.x).add(p.step));
    let v = r.add(0);
    for (let i = 0; i < p.children; i++) {
      const c = instance(Child, { width: p.width }, { name: `child_${i}` });
      c.io.a.set(v);
      v = c.io.b;
    }
    io.y.set(v);
    io.z.set(0);
    const sw = switchOn(io.sel);
    p.cases.forEach((label, i) => sw.is(label, () => io.z.set(i + 1)));
    const table = mem(UInt(p.width), 2, { name: 'lut', ...(p.memInit ? { init: p.memInit } : {}) });
    io.m.set(table.read(io.x.bit(0)));
  },
});

describe('the fingerprint that keys the Verilator model cache', () => {
  const base = { step: 1, name: 'acc', op: 'add' } as const;

  test('is the same for the same design, whatever the location mode', () => {
    const a = designFingerprint(elaborate(Acc, base));
    expect(designFingerprint(elaborate(Acc, base))).toBe(a);
    expect(designFingerprint(elaborate(Acc, base, { locations: 'all' }))).toBe(a);
    expect(designFingerprint(elaborate(Acc, base, { locations: 'off' }))).toBe(a);
  });

  test('changes with a constant, a name or an operator', () => {
    const a = designFingerprint(elaborate(Acc, base));
    expect(designFingerprint(elaborate(Acc, { ...base, step: 2 }))).not.toBe(a);
    expect(designFingerprint(elaborate(Acc, { ...base, name: 'total' }))).not.toBe(a);
    expect(designFingerprint(elaborate(Acc, { ...base, op: 'sub' }))).not.toBe(a);
  });

  test('is equal exactly when the emitted Verilog is, comments aside', () => {
    // Pairs of small designs from a few knobs, one of which (`unused`) changes
    // nothing: equal Verilog from different parameters must share a key, and
    // any difference in the Verilog must change it.
    const knobs = fc.record({
      width: fc.constantFrom(4, 8),
      op: fc.constantFrom('add', 'xor', 'sub'),
      step: fc.constantFrom(0, 1, 2),
      regName: fc.constantFrom('acc', 'ac', 'c'),
      init: fc.constantFrom(0, 3, undefined),
      children: fc.constantFrom(0, 1, 2),
      cases: fc.constantFrom([], [5], [5, 9], [9, 5]),
      memInit: fc.constantFrom(undefined, [1n, 2n], [2n, 1n]),
      unused: fc.constantFrom(0, 1),
      locations: fc.constantFrom<LocationMode>('off', 'declarations', 'all'),
    });
    const uncommented = (k: Knobs): string =>
      emitDesign(elaborate(Knobbed, k, { locations: k.locations }))
        .flatMap((f) => f.text.split('\n'))
        .map((line) => line.replace(/\/\/.*$/, '').trimEnd())
        .filter((line) => line !== '')
        .join('\n');
    let equalPairs = 0;
    fc.assert(
      // The second design differs from the first in a few knobs, so that equal Verilog comes up too.
      fc.property(knobs, knobs, fc.array(fc.nat(3), { minLength: 10, maxLength: 10 }), (a, other, pick) => {
        const b = Object.fromEntries(Object.entries(a).map(([key, v], i) => [key, pick[i] === 0 ? other[key as keyof Knobs] : v])) as unknown as Knobs;
        const sameVerilog = uncommented(a) === uncommented(b);
        if (sameVerilog) equalPairs++;
        const sameKey = designFingerprint(elaborate(Knobbed, a, { locations: a.locations })) === designFingerprint(elaborate(Knobbed, b, { locations: b.locations }));
        expect(sameKey).toBe(sameVerilog);
      }),
      { seed: 7, numRuns: 150 },
    );
    // Equal pairs from different knobs were drawn, not only different ones.
    expect(equalPairs).toBeGreaterThan(20);
  });

  test('tells every project design apart', () => {
    const prints = designs.map((d) => designFingerprint(d.elaborate()));
    expect(new Set(prints).size).toBe(designs.length);
  });
});
