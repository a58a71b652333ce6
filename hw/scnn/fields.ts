import { reg, UInt, when, type Signal } from '../index.ts';

/** Slices a descriptor word into its named fields (high to low). */
export function unpack(word: Signal, fields: readonly [string, number][]): Record<string, Signal> {
  let at = word.width;
  const out: Record<string, Signal> = {};
  for (const [name, bits] of fields) {
    out[name] = word.bits(at - 1, at - bits);
    at -= bits;
  }
  return out;
}

/** Registers holding the fields of a memory word (or only the fields named in `only`), loaded when `load` holds. */
export function latchFields(prefix: string, fields: readonly [string, number][], word: Signal, load: Signal, only?: readonly string[]): Record<string, Signal> {
  const raw = unpack(word, fields);
  const regs: Record<string, Signal> = {};
  for (const [name, bits] of fields) {
    if (only && !only.includes(name)) continue;
    const r = reg(UInt(bits), { name: `${prefix}_${name}`, init: 0 });
    when(load, () => r.set(raw[name]!));
    regs[name] = r;
  }
  return regs;
}

export const fieldBits = (fields: readonly [string, number][]) => fields.reduce((s, [, b]) => s + b, 0);
