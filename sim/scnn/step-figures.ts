/**
 * The figures of a training step on the PE array (`npm run bench:pe`), from
 * the counters of every layer pass in each anticipation mode: cycles and
 * speedups over `off`, the share of redundant Cartesian products (RCPs)
 * anticipated, multiplier utilisation on valid products, the ideal bound
 * (valid products / multipliers) and the data-movement bound (the fill and the
 * drain engine's work: a pass cannot end before its broadcast operands are
 * copied in, fillWidth elements a cycle, nor before its outputs are written,
 * one bank row a cycle), as a table a reader can check by hand.
 */
import type { ArrayCounters } from './array-cycle-model.ts';
import { addCounters, zeroCounters } from './array-runs.ts';
import { ANTICIPATION_MODES, type Anticipation } from './work-unit.ts';

export interface PassFigures {
  readonly layer: string;
  readonly pass: string;
  readonly kind: 'conv' | 'matmul';
  readonly units: number;
  readonly runs: number;
  readonly golden: { readonly products: number; readonly valid: number };
  /** Counters per mode: from the RTL when it ran, else from the cycle model. */
  readonly counters: Readonly<Record<Anticipation, ArrayCounters>>;
}

export interface Derived {
  readonly cycles: Readonly<Record<Anticipation, number>>;
  readonly speedup: Readonly<Record<Anticipation, number>>;
  /** RCPs anticipated / golden RCPs, per mode (0 for off). */
  readonly anticipatedShare: Readonly<Record<Anticipation, number>>;
  /** Valid products / (cycles x multipliers), per mode. */
  readonly utilisation: Readonly<Record<Anticipation, number>>;
  /** Cycles if every multiplier formed a valid product every cycle. */
  readonly idealCycles: number;
  /**
   * Per mode, the largest of the ideal bound, the fill engine's work
   * (`fillBusyCycles`: the broadcast operands and their pointers come in
   * fillWidth elements a cycle on one bus) and the drain engine's
   * (`drainBusyCycles`: the outputs leave one bank row a cycle): this array
   * ends no pass of this schedule sooner. Summed pass by pass for several passes.
   */
  readonly boundCycles: Readonly<Record<Anticipation, number>>;
}

const perMode = <T>(f: (m: Anticipation) => T) => Object.fromEntries(ANTICIPATION_MODES.map((m) => [m, f(m)])) as Record<Anticipation, T>;

/** The bound of one pass in each mode: max(ideal, the fill engine's work, the drain engine's work). */
export function passBound(counters: Readonly<Record<Anticipation, ArrayCounters>>, golden: { valid: number }, multipliers: number): Record<Anticipation, number> {
  const ideal = Math.ceil(golden.valid / multipliers);
  return perMode((m) => Math.max(ideal, counters[m].fillBusyCycles, counters[m].drainBusyCycles));
}

/**
 * The figures of one pass, or of several passes added up by `total` (then
 * `bound` is their bounds' sum: the larger term differs from pass to pass).
 */
export function derive(
  counters: Readonly<Record<Anticipation, ArrayCounters>>,
  golden: { products: number; valid: number },
  multipliers: number,
  bound: Readonly<Record<Anticipation, number>> = passBound(counters, golden, multipliers),
): Derived {
  const rcps = golden.products - golden.valid;
  return {
    cycles: perMode((m) => counters[m].cycles),
    speedup: perMode((m) => counters.off.cycles / Math.max(1, counters[m].cycles)),
    anticipatedShare: perMode((m) => (rcps > 0 ? (counters[m].goldenProducts - counters[m].busySlots) / rcps : 0)),
    utilisation: perMode((m) => counters[m].validProducts / Math.max(1, counters[m].cycles * multipliers)),
    idealCycles: Math.ceil(golden.valid / multipliers),
    boundCycles: bound,
  };
}

/** Counters of several passes added up, with their golden counts and the sum of their bounds. */
export function total(
  passes: readonly PassFigures[],
  multipliers: number,
): { counters: Record<Anticipation, ArrayCounters>; golden: { products: number; valid: number }; bound: Record<Anticipation, number> } {
  const counters = perMode((m) => {
    const sum = zeroCounters();
    for (const p of passes) addCounters(sum, p.counters[m]);
    return sum;
  });
  const golden = passes.reduce((g, p) => ({ products: g.products + p.golden.products, valid: g.valid + p.golden.valid }), { products: 0, valid: 0 });
  const bounds = passes.map((p) => passBound(p.counters, p.golden, multipliers));
  const bound = perMode((m) => bounds.reduce((s, b) => s + b[m], 0));
  return { counters, golden, bound };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const times = (x: number) => `${x.toFixed(2)}x`;

/** A fixed-width text table: one line per layer pass, then the totals per pass kind and of the whole step. */
export function figuresTable(passes: readonly PassFigures[], multipliers: number): string {
  const header = ['layer', 'pass', 'units', 'runs', 'off', 'vector', 'element', 'vec x', 'elt x', 'antic vec', 'antic elt', 'util elt', 'ideal', 'elt/ideal', 'bound elt', 'elt/bound'];
  const row = (layer: string, pass: string, units: string, runs: string, d: Derived) => [
    layer, pass, units, runs,
    String(d.cycles.off), String(d.cycles.vector), String(d.cycles.element),
    times(d.speedup.vector), times(d.speedup.element),
    pct(d.anticipatedShare.vector), pct(d.anticipatedShare.element),
    pct(d.utilisation.element), String(d.idealCycles), times(d.cycles.element / Math.max(1, d.idealCycles)),
    String(d.boundCycles.element), times(d.cycles.element / Math.max(1, d.boundCycles.element)),
  ];
  const rows = passes.map((p) => row(p.layer, p.pass, String(p.units), String(p.runs), derive(p.counters, p.golden, multipliers)));
  const sums: string[][] = [];
  for (const pass of ['forward', 'inputGradient', 'weightGradient']) {
    const of = passes.filter((p) => p.pass === pass);
    if (of.length === 0) continue;
    const t = total(of, multipliers);
    sums.push(row('all layers', pass, '', '', derive(t.counters, t.golden, multipliers, t.bound)));
  }
  const t = total(passes, multipliers);
  sums.push(row('whole step', '', '', '', derive(t.counters, t.golden, multipliers, t.bound)));
  const all = [header, ...rows, ...sums];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line), '', ...sums.map(line)].join('\n');
}
