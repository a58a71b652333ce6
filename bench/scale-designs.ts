// Synthetic designs at accelerator scale, built with the public API only, as
// a new user would write them: PE arrays (deduplicated and distinct), one very
// large hierarchy, flat modules of many operations and many declarations, and
// a large lookup table written as a switchOn.
import {
  Input, Output, UInt, Vec, Bool, connectAll, defineModule, elaborate, instance, mux, reduceTree, reg, select, switchOn, when, wire,
  type Design, type ElaborateOptions, type LocationMode, type Signal,
} from '../hw/index.ts';
import { Rng } from '../sim/golden/random.ts';

const LANES = 16;
const BANKS = 32;

/** What every PE of an array shares: the crossbar routing, the bank selected and the accumulate enable. */
const control = () => ({ route: Input(Vec(LANES, UInt(4))), bank: Input(UInt(5)), accEn: Input(Bool()) });

/**
 * One PE: a crossbar picking 16 activations, 16 multipliers, an adder tree and
 * 32 accumulator banks. `tag` makes PEs distinct (an edge PE that differs).
 */
const Pe = defineModule({
  name: (p: { tag: number }) => (p.tag < 0 ? 'Pe' : `Pe_${p.tag}`),
  io: () => ({
    aIn: Input(Vec(LANES, UInt(8))),
    wIn: Input(Vec(LANES, UInt(8))),
    ctl: control(),
    aOut: Output(Vec(LANES, UInt(8))),
    sum: Output(UInt(24)),
  }),
  body: (io, p) => {
    const picked = io.ctl.route.map((r) => select(io.aIn, r));
    const products = picked.map((a, i) => a.mul(io.wIn[i]!).extend(24));
    let total = reduceTree(products, (a, b) => a.add(b));
    if (p.tag >= 0) total = total.add(p.tag & 0xffff);
    const acc = Array.from({ length: BANKS }, (_, j) => reg(UInt(24), { name: `acc_${j}`, init: 0 }));
    acc.forEach((r, j) => {
      when(io.ctl.accEn.and(io.ctl.bank.eq(j)), () => r.set(r.add(total)));
    });
    io.sum.set(select(acc, io.ctl.bank));
    // A pipeline stage passes the activations on to the next PE of the row.
    io.aIn.forEach((a, i) => {
      const q = reg(UInt(8), { name: `a_${i}` });
      q.set(a);
      io.aOut[i]!.set(q);
    });
  },
});

const PeRow = defineModule({
  name: (p: { row: number; cols: number; distinct: boolean }) => `PeRow_${p.distinct ? `${p.row}_` : ''}${p.cols}`,
  io: (p: { row: number; cols: number; distinct: boolean }) => ({
    aIn: Input(Vec(LANES, UInt(8))),
    wIn: Input(Vec(p.cols, Vec(LANES, UInt(8)))),
    ctl: control(),
    sum: Output(UInt(24)),
  }),
  body: (io, p) => {
    let a: Signal[] = io.aIn;
    const sums: Signal[] = [];
    for (let c = 0; c < p.cols; c++) {
      const pe = instance(Pe, { tag: p.distinct ? p.row * p.cols + c : -1 }, { name: `pe_${c}` });
      a.forEach((x, i) => pe.io.aIn[i]!.set(x));
      io.wIn[c]!.forEach((w, i) => pe.io.wIn[i]!.set(w));
      connectAll(pe.io.ctl, io.ctl);
      a = pe.io.aOut;
      sums.push(pe.io.sum);
    }
    io.sum.set(reduceTree(sums, (x, y) => x.xor(y)));
  },
});

const PeArray = defineModule({
  name: (p: { rows: number; cols: number; distinct: boolean }) => `PeArray_${p.rows}x${p.cols}${p.distinct ? '_distinct' : ''}`,
  io: (p: { rows: number; cols: number; distinct: boolean }) => ({
    aIn: Input(Vec(p.rows, Vec(LANES, UInt(8)))),
    wIn: Input(Vec(p.cols, Vec(LANES, UInt(8)))),
    ctl: control(),
    sum: Output(UInt(24)),
  }),
  body: (io, p) => {
    const sums: Signal[] = [];
    for (let r = 0; r < p.rows; r++) {
      const row = instance(PeRow, { row: r, cols: p.cols, distinct: p.distinct }, { name: `row_${r}` });
      io.aIn[r]!.forEach((x, i) => row.io.aIn[i]!.set(x));
      io.wIn.forEach((ws, c) => ws.forEach((w, i) => row.io.wIn[c]![i]!.set(w)));
      connectAll(row.io.ctl, io.ctl);
      sums.push(row.io.sum);
    }
    io.sum.set(reduceTree(sums, (x, y) => x.xor(y)));
  },
});

/** One module of `ops` operations over 128 inputs, each reading two earlier values. */
const FlatOps = defineModule({
  name: (p: { ops: number; seed: number }) => `FlatOps_${p.ops}`,
  io: () => ({ x: Input(Vec(128, UInt(16))), y: Output(Vec(64, UInt(16))) }),
  body: (io, p) => {
    const rng = new Rng(p.seed);
    const vals: Signal[] = [...io.x];
    for (let i = 0; i < p.ops; i++) {
      // Mostly recent values, sometimes far back: long and wide cones.
      const pick = (): Signal => vals[rng.nextInt(8) === 0 ? rng.nextInt(vals.length) : vals.length - 1 - rng.nextInt(Math.min(64, vals.length))]!;
      const a = pick();
      const b = pick();
      const k = rng.nextInt(4);
      vals.push(k === 0 ? a.add(b) : k === 1 ? a.xor(b) : k === 2 ? a.and(b.not()) : mux(a.bit(0), a, b));
    }
    io.y.forEach((y, i) => y.set(vals[vals.length - 1 - i]!));
  },
});

/** One module of `decls` named declarations: half registers, half wires, as a chain. */
const FlatDecls = defineModule({
  name: (p: { decls: number }) => `FlatDecls_${p.decls}`,
  io: () => ({ x: Input(UInt(4)), y: Output(UInt(4)) }),
  body: (io, p) => {
    let prev: Signal = io.x;
    for (let i = 0; i < p.decls / 2; i++) {
      const w = wire(UInt(4), { name: `w_${i}` });
      w.set(prev.xor(io.x));
      const r = reg(UInt(4), { name: `r_${i}` });
      r.set(w);
      prev = r;
    }
    io.y.set(prev);
  },
});

/** A lookup table of `cases` entries written as a switchOn, driving two outputs. */
const Lookup = defineModule({
  name: (p: { cases: number; seed: number }) => `Lookup_${p.cases}`,
  io: (p: { cases: number; seed: number }) => ({
    sel: Input(UInt(Math.ceil(Math.log2(p.cases)))),
    value: Output(UInt(16)),
    hit: Output(Bool()),
  }),
  body: (io, p) => {
    const rng = new Rng(p.seed);
    io.hit.set(0);
    const sw = switchOn(io.sel);
    for (let i = 0; i < p.cases; i++) {
      const v = rng.nextInt(1 << 16);
      sw.is(i, () => {
        io.value.set(v);
        if (i % 3 === 0) io.hit.set(1);
      });
    }
    sw.otherwise(() => io.value.set(0));
  },
});

/** The location mode to elaborate with: BENCH_LOCATIONS=all|declarations|off (default: the language's default). */
const LOC: ElaborateOptions = process.env.BENCH_LOCATIONS ? { locations: process.env.BENCH_LOCATIONS as LocationMode } : {};

export interface ScaleDesign {
  readonly name: string;
  readonly description: string;
  readonly elaborate: () => Design;
  /**
   * The design linted in its place: Verilator's lint of one flat module grows
   * about quadratically with its size (its scheduling stages, see
   * docs/language.md), so a flat design too large to lint is represented by
   * the same generator at a size that lints in about a minute.
   */
  readonly lintedAs?: string;
}

export const scaleDesigns: readonly ScaleDesign[] = [
  { name: 'pe8x8_identical', description: '8x8 identical PEs, deduplicated', elaborate: () => elaborate(PeArray, { rows: 8, cols: 8, distinct: false }, LOC) },
  { name: 'pe16x16_distinct', description: '16x16 distinct PEs', elaborate: () => elaborate(PeArray, { rows: 16, cols: 16, distinct: true }, LOC) },
  { name: 'pe32x44_distinct', description: '32x44 distinct PEs (1.01 M distinct nodes until selects became one node each, 0.27 M since)', elaborate: () => elaborate(PeArray, { rows: 32, cols: 44, distinct: true }, LOC) },
  { name: 'pe64x84_distinct', description: '64x84 distinct PEs (about 1 M distinct nodes with one node per select)', elaborate: () => elaborate(PeArray, { rows: 64, cols: 84, distinct: true }, LOC) },
  { name: 'flat_200k_ops', description: 'one module, 200 k operations over 128 inputs', elaborate: () => elaborate(FlatOps, { ops: 200_000, seed: 1 }, LOC), lintedAs: 'flat_20k_ops' },
  { name: 'flat_20k_ops', description: 'one module, 20 k operations over 128 inputs (the largest flat_*_ops Verilator lints in about a minute)', elaborate: () => elaborate(FlatOps, { ops: 20_000, seed: 1 }, LOC) },
  { name: 'flat_1m_decls', description: 'one module, 1 M named declarations (wires and registers)', elaborate: () => elaborate(FlatDecls, { decls: 1_000_000 }, LOC), lintedAs: 'flat_20k_decls' },
  { name: 'flat_20k_decls', description: 'one module, 20 k named declarations (the flat_*_decls size linted)', elaborate: () => elaborate(FlatDecls, { decls: 20_000 }, LOC) },
  { name: 'switch_4096', description: 'a 4,096-case switchOn lookup table', elaborate: () => elaborate(Lookup, { cases: 4096, seed: 1 }, LOC) },
];
