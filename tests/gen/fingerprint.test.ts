import { describe, expect, test } from 'vitest';
import { defineModule, elaborate, Input, Output, reg, UInt } from '../../hw/index.ts';
import { designFingerprint } from '../../gen/fingerprint.ts';
import { designs } from '../../gen/designs.ts';

const Acc = defineModule({
  name: 'Acc',
  io: (_p: { step: number; name: string; op: 'add' | 'sub' }) => ({ x: Input(UInt(8)), y: Output(UInt(8)) }),
  body: (io, p) => {
    const r = reg(UInt(8), { name: p.name, init: 0 });
    r.set(p.op === 'add' ? r.add(io.x).add(p.step) : r.sub(io.x).add(p.step));
    io.y.set(r);
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

  test('tells every project design apart', () => {
    const prints = designs.map((d) => designFingerprint(d.elaborate()));
    expect(new Set(prints).size).toBe(designs.length);
  });
});
