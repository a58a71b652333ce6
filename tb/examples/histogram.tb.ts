import { Histogram, type HistogramParams } from '../../hw/examples/histogram.ts';
import { Rng } from '../../sim/golden/random.ts';
import { runBulk } from '../../sim/verilator/bulk.ts';
import { check, defineTestbench } from '../testbench.ts';

const PARAMS: HistogramParams = { valueBits: 8, countBits: 16 };
const VALUES = 50_000;

/**
 * Bulk mode with a memory image read back: skewed random values (many
 * repeats in a row, the forwarding case) must give exactly the software
 * histogram.
 */
export const histogramTestbench = defineTestbench({
  name: 'histogram',
  description: 'histogram in block RAM: 50k skewed values, bins read back as a memory image',
  run: async ({ seed, build }) => {
    const { model } = await build(Histogram, PARAMS);
    const rng = new Rng(seed);
    const values = new Uint32Array(VALUES);
    for (let i = 0; i < VALUES; i++) values[i] = rng.bernoulli(0.3) && i > 0 ? values[i - 1]! : rng.nextInt(16) * rng.nextInt(16);
    const expected = new Uint32Array(1 << PARAMS.valueBits);
    for (const v of values) expected[v]!++;
    const r = await runBulk(model, {
      seed,
      inputs: [{ prefix: 'values', columns: [values], stall: 0.2 }],
      dumpMemories: ['counts'],
      drainCycles: 8,
      peek: ['total'],
    });
    const bins = r.memories.counts!;
    const bad = expected.findIndex((c, i) => bins[i] !== c);
    check(bad < 0, () => `bin ${bad} counts ${bins[bad]}, expected ${expected[bad]}`);
    check(r.peeks.total === BigInt(VALUES), () => `total is ${r.peeks.total}, expected ${VALUES}`);
    const repeats = values.reduce((n, v, i) => n + (i > 0 && values[i - 1] === v ? 1 : 0), 0);
    return { cycles: r.cycles, details: `${VALUES} values (${repeats} back-to-back repeats) counted exactly`, metrics: { repeats } };
  },
});
