import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convForwardDirect,
  convForwardOuterProduct,
  convInputGradientDirect,
  convInputGradientOuterProduct,
  convWeightGradientDirect,
  convWeightGradientOuterProduct,
} from '../../sim/golden/index.ts';
import { Rng } from '../../sim/golden/random.ts';
import { DEFAULT_ARRAY_CONFIG, type ArrayConfig } from '../../sim/scnn/array-config.ts';
import { reduceAcrossPes } from '../../sim/scnn/array-output.ts';
import { assembleOutput, outputIndexOf } from '../../sim/scnn/assemble.ts';
import { windowSize } from '../../sim/scnn/work-unit.ts';
import { referenceWorkUnit } from '../../sim/scnn/reference.ts';
import { scheduleConvPass, scheduleMatmul, type PassSchedule } from '../../sim/scnn/scheduler.ts';
import { segmentPointerEntries } from '../../sim/scnn/images.ts';
import { estimateScheduleCycles } from '../../sim/scnn/schedule-estimate.ts';
import { outputHeight, outputWidth } from '../../sim/golden/conv-shape.ts';
import { convCaseArb, convShapeArbWithin, sparseValues, type ConvCase } from '../golden/arbitraries.ts';

/** Arrays from 1 x 1 to 3 x 2, with buffers small enough that units, regions and broadcast pieces split. */
const arrayArb: fc.Arbitrary<ArrayConfig> = fc.record({
  px: fc.integer({ min: 1, max: 3 }),
  py: fc.integer({ min: 1, max: 3 }),
  F: fc.constant(4),
  I: fc.constant(4),
  banks: fc.constantFrom(4, 8),
  bankDepth: fc.integer({ min: 4, max: 16 }),
  stationaryCapacity: fc.integer({ min: 16, max: 64 }),
  broadcastCapacity: fc.integer({ min: 1, max: 40 }),
  segmentCapacity: fc.integer({ min: 1, max: 6 }),
  coordBits: fc.constantFrom(4, 8),
  pointerDepth: fc.constant(4096),
  anticipation: fc.constant('element' as const),
});

function runReference(schedule: PassSchedule) {
  let products = 0;
  let valid = 0;
  const windows = schedule.units.map(({ unit }) =>
    referenceWorkUnit(unit).map((pe) => {
      products += pe.products;
      valid += pe.valid;
      return pe.accumulators;
    }),
  );
  return { output: assembleOutput(schedule, windows), products, valid };
}

function checkPasses(c: ConvCase, cfg: ArrayConfig): void {
  const opts = { onOverflow: 'wrap' as const };
  const golden = {
    forward: { direct: convForwardDirect(c.shape, c.activations, c.weights, opts), counts: convForwardOuterProduct(c.shape, c.activations, c.weights, opts).counts },
    inputGradient: {
      direct: convInputGradientDirect(c.shape, c.outputGradients, c.weights, opts),
      counts: convInputGradientOuterProduct(c.shape, c.outputGradients, c.weights, opts).counts,
    },
    weightGradient: {
      direct: convWeightGradientDirect(c.shape, c.activations, c.outputGradients, opts),
      counts: convWeightGradientOuterProduct(c.shape, c.activations, c.outputGradients, opts).counts,
    },
  };
  const runs = [
    ...(['forward', 'inputGradient'] as const).map((pass) => ({ pass, cfg })),
    // The weight gradient with either operand stationary (the pass and its swapped twin).
    ...WEIGHT_GRADIENT_OPERANDS.map((weightGradientStationary) => ({ pass: 'weightGradient' as const, cfg: { ...cfg, weightGradientStationary } })),
  ];
  for (const { pass, cfg: passCfg } of runs) {
    const schedule = scheduleConvPass(c.shape, pass, c, passCfg);
    const label = `${schedule.pass}`;
    const got = runReference(schedule);
    expect(Array.from(got.output), label).toEqual(Array.from(golden[pass].direct));
    expect(got.products, `${label} products`).toBe(golden[pass].counts.products);
    expect(got.valid, `${label} valid`).toBe(golden[pass].counts.valid);
  }
}

const WEIGHT_GRADIENT_OPERANDS = ['activations', 'outputGradients'] as const;

/** No output lies in two PEs' windows of one unit (a weight gradient mapped by channels: no reduction). */
function expectDisjointWindows(schedule: PassSchedule): void {
  schedule.units.forEach(({ unit }, u) => {
    const owner = new Map<number, number>();
    unit.pes.forEach((pe, k) => {
      for (let a = 0; a < windowSize(pe.window); a++) {
        const o = outputIndexOf(schedule, u, k, pe.window, a);
        if (o < 0) continue;
        expect(owner.get(o) ?? k, `unit ${u}: output ${o} in PEs ${owner.get(o)} and ${k}`).toBe(k);
        owner.set(o, k);
      }
    });
  });
}

describe('scheduler + functional reference', () => {
  it('reproduce all three convolutions bit for bit, with the golden product and valid counts, on arrays up to 3 x 3', () => {
    fc.assert(
      fc.property(convCaseArb(100), arrayArb, (c, cfg) => checkPasses(c, cfg)),
      { numRuns: 150 },
    );
  });

  it('splits a broadcast operand larger than a work unit into pieces', () => {
    const rng = new Rng(7);
    const shape = { batch: 2, inChannels: 3, outChannels: 4, height: 6, width: 5, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const c: ConvCase = {
      shape,
      activations: sparseValues(2 * 3 * 6 * 5, 0.6, 50, rng),
      weights: sparseValues(4 * 3 * 9, 0.8, 50, rng),
      outputGradients: sparseValues(2 * 4 * 6 * 5, 0.6, 50, rng),
    };
    const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 2, banks: 4, bankDepth: 8, stationaryCapacity: 32, broadcastCapacity: 3, segmentCapacity: 2 };
    const wg = scheduleConvPass(shape, 'weightGradient', c, cfg);
    expect(wg.units.length).toBeGreaterThan(10);
    for (const { unit } of wg.units) expect(unit.broadcast.values.length).toBeLessThanOrEqual(3);
    checkPasses(c, cfg);
  });

  it('cuts a weight gradient whose output-gradient plane outgrows the pointer memory into row bands: bit-exact, every unit\'s tables fit, handed + unformed products = golden', () => {
    fc.assert(
      fc.property(convCaseArb(100), arrayArb, fc.integer({ min: 1, max: 3 }), (c, array, bandRows) => {
        const { padding, stride } = c.shape;
        const [E, Fo] = [outputHeight(c.shape), outputWidth(c.shape)];
        const tableRows = Math.ceil(padding / stride) + bandRows;
        // Pointers for exactly tableRows rows of tables: bands of bandRows gradient rows.
        const pointerDepth = tableRows + 1 + tableRows * (Fo + 1);
        const cfg: ArrayConfig = { ...array, pointerDepth, weightGradientStationary: 'activations' };
        const schedule = scheduleConvPass(c.shape, 'weightGradient', c, cfg);
        for (const { unit } of schedule.units) {
          expect(unit.broadcastSegments.length * segmentPointerEntries(unit.geometry, 'element')).toBeLessThanOrEqual(pointerDepth);
        }
        if (E <= tableRows) expect(schedule.unformedProducts).toBe(0);
        const opts = { onOverflow: 'wrap' as const };
        const got = runReference(schedule);
        const counts = convWeightGradientOuterProduct(c.shape, c.activations, c.outputGradients, opts).counts;
        expect(Array.from(got.output)).toEqual(Array.from(convWeightGradientDirect(c.shape, c.activations, c.outputGradients, opts)));
        expect(got.valid).toBe(counts.valid);
        expect(got.products + schedule.unformedProducts).toBe(counts.products);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves out of a band only stationary rows that meet none of its gradient rows inside the kernel', () => {
    // A 12 x 12 plane, 3 x 3 kernel, padding 1: bands of 2 gradient rows (tables for 3 rows: 1 leading row for the padding).
    const shape = { batch: 1, inChannels: 1, outChannels: 1, height: 12, width: 12, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const dense = { activations: new Int32Array(144).fill(1), weights: new Int32Array(9), outputGradients: new Int32Array(144).fill(1) };
    const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, px: 1, py: 1, pointerDepth: 3 + 1 + 3 * 13, weightGradientStationary: 'activations' };
    const schedule = scheduleConvPass(shape, 'weightGradient', dense, cfg);
    // Band [e0, e0 + 2) is shifted by e0 - 1 rows: the e0 - 1 activation rows above are left out, 12 x 24 products each.
    const bands = [0, 2, 4, 6, 8, 10];
    expect(schedule.unformedProducts).toBe(bands.reduce((sum, e0) => sum + Math.max(0, e0 - 1) * 12 * 24, 0));
    expect(Array.from(runReference(schedule).output)).toEqual(Array.from(convWeightGradientDirect(shape, dense.activations, dense.outputGradients)));
  });

  it('refuses a weight gradient one row of whose output-gradient plane brings more pointers than a unit may use, and says what to do', () => {
    const shape = { batch: 1, inChannels: 1, outChannels: 1, height: 40, width: 40, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const zeros = { activations: new Int32Array(1600), weights: new Int32Array(9), outputGradients: new Int32Array(1600) };
    expect(() => scheduleConvPass(shape, 'weightGradient', zeros, { ...DEFAULT_ARRAY_CONFIG, pointerDepth: 60, weightGradientStationary: 'activations' }, 'conv1')).toThrow(
      "conv1: one row of the 40 x 40 output-gradient plane, with the 1 leading row(s) its padding needs, brings more pointers than the PE's pointer memory holds (60); use a PE with a larger pointerDepth or without element anticipation",
    );
  });

  it('refuses a stride the coordinate units cannot shift by', () => {
    const shape = { batch: 1, inChannels: 1, outChannels: 1, height: 9, width: 9, kernelHeight: 3, kernelWidth: 3, stride: 3, padding: 0 };
    const zeros = { activations: new Int32Array(81), weights: new Int32Array(9), outputGradients: new Int32Array(9) };
    expect(() => scheduleConvPass(shape, 'forward', zeros, DEFAULT_ARRAY_CONFIG, 'conv1')).toThrow(
      'conv1: stride 3 is not supported by the array (strides 1, 2 and 4 are shifts in the coordinate units)',
    );
  });

  it('maps matrix multiplication onto output tiles: every true product valid once, the rest RCPs of the PEs that do not own the column', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        arrayArb,
        fc.constantFrom(2, 3, 8),
        (M, Kd, Nd, density, seed, cfg, coordBits) => {
          const rng = new Rng(seed);
          const a = { rows: M, cols: Kd, values: sparseValues(M * Kd, density, 100, rng) };
          const b = { rows: Kd, cols: Nd, values: sparseValues(Kd * Nd, density, 100, rng) };
          // 2 and 3 coordinate bits cut the matrices into regions relative to their corners.
          const got = runReference(scheduleMatmul(a, b, { ...cfg, coordBits }));
          const expected = new Int32Array(M * Nd);
          let trueProducts = 0;
          for (let k = 0; k < Kd; k++) {
            for (let i = 0; i < M; i++) {
              const av = a.values[i * Kd + k]!;
              if (av === 0) continue;
              for (let j = 0; j < Nd; j++) {
                const bv = b.values[k * Nd + j]!;
                if (bv === 0) continue;
                trueProducts++;
                expected[i * Nd + j] = (expected[i * Nd + j]! + av * bv) | 0;
              }
            }
          }
          expect(Array.from(got.output)).toEqual(Array.from(expected));
          expect(got.valid).toBe(trueProducts);
          expect(got.products).toBeGreaterThanOrEqual(trueProducts);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('runPass', () => {
  it('runs a fully-connected layer in matrix-multiplication mode and matches the golden layer in every pass', async () => {
    const { runPass } = await import('../../sim/scnn/layer-run.ts');
    const rng = new Rng(3);
    const shape = { batch: 5, inChannels: 12, outChannels: 7, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 };
    const operands = { activations: sparseValues(60, 0.4, 90, rng), weights: sparseValues(84, 0.4, 90, rng), outputGradients: sparseValues(35, 0.4, 90, rng) };
    const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 3, banks: 4, bankDepth: 2 };
    const execute = (unit: Parameters<typeof referenceWorkUnit>[0]) => {
      const pes = referenceWorkUnit(unit);
      return { windows: pes.map((p) => p.accumulators), stats: pes.reduce((s, p) => s + p.valid, 0) };
    };
    for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
      const outcome = await runPass(shape, pass, operands, cfg, execute, { label: 'fc', check: true });
      expect(outcome.schedule.pass).toBe('matmul');
    }
  });

  it('names the first differing element when an executor returns a wrong window', async () => {
    const { runPass } = await import('../../sim/scnn/layer-run.ts');
    const rng = new Rng(4);
    const shape = { batch: 1, inChannels: 2, outChannels: 2, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const operands = { activations: sparseValues(32, 0.5, 9, rng), weights: sparseValues(36, 0.5, 9, rng), outputGradients: sparseValues(32, 0.5, 9, rng) };
    const corrupt = (unit: Parameters<typeof referenceWorkUnit>[0]) => {
      const windows = referenceWorkUnit(unit).map((p) => p.accumulators);
      windows[0]![0]! += 1;
      return { windows, stats: 0 };
    };
    await expect(runPass(shape, 'forward', operands, { ...DEFAULT_ARRAY_CONFIG, px: 1, py: 1 }, corrupt, { label: 'conv', check: true })).rejects.toThrow(
      /^conv, forward pass: the array's output differs from the golden model: element \d+ is -?\d+, expected -?\d+$/,
    );
  });
});

describe('impossible work is refused before anything runs', () => {
  it('refuses a layer whose sums overflow the 32-bit accumulators without calling the executor', async () => {
    const { runPass } = await import('../../sim/scnn/layer-run.ts');
    const shape = { batch: 1, inChannels: 8, outChannels: 1, height: 3, width: 3, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const big = 32767;
    const operands = { activations: new Int32Array(72).fill(big), weights: new Int32Array(72).fill(big), outputGradients: new Int32Array(9) };
    let calls = 0;
    const execute = () => {
      calls++;
      return { windows: [], stats: 0 };
    };
    await expect(runPass(shape, 'forward', operands, DEFAULT_ARRAY_CONFIG, execute, { label: 'conv9', check: true })).rejects.toThrow(/conv9.*overflow/);
    expect(calls).toBe(0);
  });
});

describe('window groups', () => {
  it('number groups in order, one per output block, with every unit of a group sharing placement and windows', () => {
    const rng = new Rng(11);
    const shape = { batch: 2, inChannels: 6, outChannels: 5, height: 6, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const operands = { activations: sparseValues(2 * 6 * 36, 0.8, 9, rng), weights: sparseValues(5 * 6 * 9, 0.8, 9, rng), outputGradients: sparseValues(2 * 5 * 36, 0.8, 9, rng) };
    const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 2, banks: 4, bankDepth: 8, stationaryCapacity: 20, broadcastCapacity: 12, segmentCapacity: 4 };
    for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
      const { units } = scheduleConvPass(shape, pass, operands, cfg);
      expect(units[0]!.group).toBe(0);
      for (let i = 1; i < units.length; i++) {
        const [a, b] = [units[i - 1]!, units[i]!];
        expect(b.group === a.group || b.group === a.group + 1).toBe(true);
        if (b.group === a.group) {
          expect(b.placement).toEqual(a.placement);
          expect(b.unit.pes.map((p) => p.window)).toEqual(a.unit.pes.map((p) => p.window));
        }
      }
      expect(units.some((u, i) => i > 0 && units[i - 1]!.group === u.group), `${pass} has a group of several units`).toBe(true);
    }
  });

  it('cuts a broadcast operand too long for one unit into interleaved pieces, each spanning the whole plane, not a band of rows', () => {
    // One dense 16 x 16 output-gradient plane (256 elements) in pieces of at most 64: four pieces.
    const shape = { batch: 1, inChannels: 1, outChannels: 1, height: 16, width: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const dense = (n: number) => Int32Array.from({ length: n }, (_, i) => 1 + (i % 7));
    const operands = { activations: dense(256), weights: dense(9), outputGradients: dense(256) };
    const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 2, stationaryCapacity: 256, broadcastCapacity: 64, segmentCapacity: 4, pointerDepth: 4096, weightGradientStationary: 'activations' };
    const segments = scheduleConvPass(shape, 'weightGradient', operands, cfg).units.flatMap(({ unit }) =>
      unit.broadcastSegments.map(({ start, end }) => ({ rows: unit.broadcast.row.slice(start, end), cols: unit.broadcast.col.slice(start, end) })),
    );
    expect(segments.map((g) => g.rows.length)).toEqual([64, 64, 64, 64]);
    segments.forEach((g, p) => {
      // Piece p holds elements p, p + 4, ... of the (row, col)-sorted plane: still sorted, every row.
      expect(Math.min(...g.rows), `piece ${p}`).toBe(0);
      expect(Math.max(...g.rows), `piece ${p}`).toBe(15);
      expect(Array.from(g.rows, (r, i) => r * 16 + g.cols[i]!)).toEqual(Array.from({ length: 64 }, (_, i) => p + 4 * i));
    });
  });
});

describe('a batch folded into the grid (samples side by side when a map covers at most half the PEs)', () => {
  /** Maps of 1-3 pixels a side on grids of 2-6 PEs a side, batches of 2-5: most cases fold. */
  const foldedCaseArb = convCaseArb(
    50,
    convShapeArbWithin({ batch: [2, 5], inChannels: [1, 3], outChannels: [1, 3], height: [1, 3], width: [1, 3], kernelHeight: [1, 3], kernelWidth: [1, 3], stride: [1, 2], padding: [0, 2] }),
  );
  const gridArb = fc.record({ px: fc.integer({ min: 2, max: 6 }), py: fc.integer({ min: 2, max: 6 }) });

  it('reproduces all three convolutions bit for bit with the golden counts, and puts several samples in one unit', () => {
    let folded = 0;
    fc.assert(
      fc.property(foldedCaseArb, gridArb, (c, grid) => {
        const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, ...grid, banks: 8, bankDepth: 16, stationaryCapacity: 64, broadcastCapacity: 64, segmentCapacity: 16 };
        checkPasses(c, cfg);
        const forward = scheduleConvPass(c.shape, 'forward', c, cfg);
        if (forward.units.some((u) => new Set(u.placement.peSamples?.filter((s) => s >= 0)).size > 1)) folded++;
      }),
      { numRuns: 200, seed: 5 },
    );
    expect(folded).toBeGreaterThan(40);
  });

  it('runs a 2 x 2 map of 4 samples on a 4 x 4 grid as one grid of four blocks: the forward pass broadcasts each weight once, not once per sample', () => {
    const shape = { batch: 4, inChannels: 2, outChannels: 3, height: 2, width: 2, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const rng = new Rng(3);
    const operands = { activations: sparseValues(4 * 2 * 4, 1, 9, rng), weights: sparseValues(3 * 2 * 9, 1, 9, rng), outputGradients: sparseValues(4 * 3 * 4, 1, 9, rng) };
    const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, px: 4, py: 4 };
    const forward = scheduleConvPass(shape, 'forward', operands, cfg);
    // PE (x, y) holds pixel (y mod 2, x mod 2) of sample 2 * floor(y / 2) + floor(x / 2).
    expect(forward.units[0]!.placement.peSamples).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    const broadcast = forward.units.reduce((sum, u) => sum + u.unit.broadcast.values.length, 0);
    expect(broadcast).toBe(3 * 2 * 9);
    // The weight gradient gives each sample its own broadcast segment, on its own block of PEs.
    const gradient = scheduleConvPass(shape, 'weightGradient', operands, { ...cfg, weightGradientStationary: 'activations' });
    expect(gradient.units).toHaveLength(1);
    const { pes, broadcastSegments } = gradient.units[0]!.unit;
    expect(broadcastSegments).toHaveLength(4);
    expect(pes.map((pe) => pe.segments.map((s) => s.broadcastSegment))).toEqual(
      [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3].map((sample) => [sample]),
    );
  });
});

describe('a weight gradient mapped by channels (every PE holds its own channels and its own block, no reduction)', () => {
  const channelCaseArb = convCaseArb(
    60,
    convShapeArbWithin({ batch: [1, 3], inChannels: [1, 40], outChannels: [1, 6], height: [1, 5], width: [1, 5], kernelHeight: [1, 3], kernelWidth: [1, 3], stride: [1, 2], padding: [0, 2] }),
  );
  const gridArb = fc.record({ px: fc.integer({ min: 1, max: 3 }), py: fc.integer({ min: 1, max: 3 }) });
  const config = (grid: { px: number; py: number }): ArrayConfig => ({
    ...DEFAULT_ARRAY_CONFIG,
    ...grid,
    banks: 8,
    bankDepth: 16,
    stationaryCapacity: 1024,
    broadcastCapacity: 40,
    segmentCapacity: 4,
    weightGradientMapping: 'channels',
    weightGradientStationary: 'activations',
  });

  it('reproduces the weight gradient bit for bit with the golden counts, and no output lies in two PEs\' windows of a unit', () => {
    fc.assert(
      fc.property(channelCaseArb, gridArb, (c, grid) => {
        const opts = { onOverflow: 'wrap' as const };
        const schedule = scheduleConvPass(c.shape, 'weightGradient', c, config(grid));
        expect(schedule.weightGradientMapping).toBe('channels');
        expect(reduceAcrossPes(schedule)).toBe(false);
        const got = runReference(schedule);
        expect(Array.from(got.output)).toEqual(Array.from(convWeightGradientDirect(c.shape, c.activations, c.outputGradients, opts)));
        const counts = convWeightGradientOuterProduct(c.shape, c.activations, c.outputGradients, opts).counts;
        expect(got.products).toBe(counts.products);
        expect(got.valid).toBe(counts.valid);
        expectDisjointWindows(schedule);
      }),
      { numRuns: 150, seed: 9 },
    );
  });

  it('gives PE k channels [k * perPe, (k + 1) * perPe) of the group, and an empty window to PEs past the last channel', () => {
    const shape = { batch: 1, inChannels: 10, outChannels: 2, height: 3, width: 3, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const rng = new Rng(4);
    const operands = { activations: sparseValues(10 * 9, 1, 9, rng), weights: sparseValues(2 * 10 * 9, 1, 9, rng), outputGradients: sparseValues(2 * 9, 1, 9, rng) };
    const schedule = scheduleConvPass(shape, 'weightGradient', operands, config({ px: 2, py: 2 }));
    // 10 channels over 4 PEs: 3 each, the last PE 1; one window group of 2 x 3 x 3 x 3 per PE.
    expect(schedule.stationaryChannelGroup).toBe(3);
    const [first] = schedule.units;
    expect(first!.placement.peStationaryChannelBases).toEqual([0, 3, 6, 9]);
    expect(first!.unit.pes.map((pe) => pe.window.stationaryChannels)).toEqual([3, 3, 3, 1]);
    expect(first!.unit.pes.map((pe) => pe.stationary.values.length)).toEqual([27, 27, 27, 9]);
    // A segment per row of the plane, so that no stationary vector spans two rows: 3 rows of 3 channels x 3 pixels;
    // with a capacity of 2 segments, rows 1 and 2 share one.
    expect(first!.unit.pes[0]!.segments.map((g) => [g.start, g.end])).toEqual([[0, 9], [9, 18], [18, 27]]);
    const two = scheduleConvPass(shape, 'weightGradient', operands, { ...config({ px: 2, py: 2 }), segmentCapacity: 2 });
    expect(two.units[0]!.unit.pes[3]!.segments.map((g) => [g.start, g.end])).toEqual([[0, 3], [3, 9]]);
    const twelve = { ...shape, inChannels: 12 };
    const small = scheduleConvPass(twelve, 'weightGradient', { ...operands, activations: sparseValues(12 * 9, 1, 9, rng) }, { ...config({ px: 2, py: 2 }), bankDepth: 2 });
    // 16 accumulators hold one 3 x 3 block: one channel per PE and one output channel per window,
    // so groups of 4 channels, each for output channels 0 and 1.
    expect(small.stationaryChannelGroup).toBe(1);
    expect(small.units.map((u) => [u.placement.channelBase, ...u.placement.peStationaryChannelBases!])).toEqual([
      [0, 0, 1, 2, 3],
      [1, 0, 1, 2, 3],
      [0, 4, 5, 6, 7],
      [1, 4, 5, 6, 7],
      [0, 8, 9, 10, 11],
      [1, 8, 9, 10, 11],
    ]);
  });

  it('is what auto chooses when every PE gets at least I channels whose non-zeros fit the stationary buffer in every sample; planar otherwise', () => {
    const shape = (inChannels: number, side: number) => ({ batch: 2, inChannels, outChannels: 2, height: side, width: side, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 });
    const operands = (s: ReturnType<typeof shape>, density: number) => {
      const rng = new Rng(5);
      return { activations: sparseValues(2 * s.inChannels * s.height * s.width, density, 9, rng), weights: sparseValues(2 * s.inChannels * 9, 0.5, 9, rng), outputGradients: sparseValues(2 * 2 * s.height * s.width, 0.5, 9, rng) };
    };
    const auto: ArrayConfig = { ...config({ px: 2, py: 2 }), weightGradientMapping: 'auto', stationaryCapacity: 64 };
    const mapping = (s: ReturnType<typeof shape>, density: number) => scheduleConvPass(s, 'weightGradient', operands(s, density), auto).weightGradientMapping;
    expect(mapping(shape(16, 4), 1)).toBe('channels');
    expect(mapping(shape(15, 4), 1)).toBe('planar');
    // 16 channels on 4 PEs are 4 per PE: 4 x 5 x 5 = 100 dense elements do not fit 64, half of them do.
    expect(mapping(shape(16, 5), 1)).toBe('planar');
    expect(mapping(shape(16, 5), 0.4)).toBe('channels');
    // One more non-zero than the buffer holds, in the second sample's first slice (channels 0-3), is refused by name.
    const dense = shape(16, 4);
    const ops = operands(dense, 0);
    ops.activations.fill(1, 16 * 16, 16 * 16 + 64);
    ops.activations[16 * 16 + 64] = 1;
    expect(() => scheduleConvPass(dense, 'weightGradient', ops, { ...auto, stationaryCapacity: 63, weightGradientMapping: 'channels' }, 'conv')).toThrow(
      "conv: a weight gradient mapped by channels needs 64 activation non-zeros (sample 1, channels 0-3 of the 4 x 4 plane) in one PE's stationary buffer, which holds 63; use the planar mapping",
    );
  });
});

describe('a weight gradient with the output gradients stationary and the activations broadcast (weightGradientSwapped)', () => {
  const swappedCaseArb = convCaseArb(
    60,
    convShapeArbWithin({ batch: [1, 3], inChannels: [1, 6], outChannels: [1, 40], height: [1, 6], width: [1, 6], kernelHeight: [1, 3], kernelWidth: [1, 3], stride: [1, 2], padding: [0, 2] }),
  );
  const gridArb = fc.record({ px: fc.integer({ min: 1, max: 3 }), py: fc.integer({ min: 1, max: 3 }) });
  const config = (grid: { px: number; py: number }, weightGradientMapping: 'planar' | 'channels'): ArrayConfig => ({
    ...DEFAULT_ARRAY_CONFIG,
    ...grid,
    banks: 8,
    bankDepth: 16,
    stationaryCapacity: 2048,
    broadcastCapacity: 40,
    segmentCapacity: 4,
    weightGradientMapping,
    weightGradientStationary: 'outputGradients',
  });

  it('reproduces the weight gradient bit for bit with the golden counts, planar and by output channels; by channels no output lies in two PEs\' windows of a unit', () => {
    fc.assert(
      fc.property(swappedCaseArb, gridArb, fc.constantFrom('planar' as const, 'channels' as const), (c, grid, mapping) => {
        const opts = { onOverflow: 'wrap' as const };
        const schedule = scheduleConvPass(c.shape, 'weightGradient', c, config(grid, mapping));
        expect(schedule.pass).toBe('weightGradientSwapped');
        expect(schedule.weightGradientMapping).toBe(mapping);
        expect(reduceAcrossPes(schedule)).toBe(mapping === 'planar');
        const got = runReference(schedule);
        expect(Array.from(got.output)).toEqual(Array.from(convWeightGradientDirect(c.shape, c.activations, c.outputGradients, opts)));
        const counts = convWeightGradientOuterProduct(c.shape, c.activations, c.outputGradients, opts).counts;
        expect(got.products).toBe(counts.products);
        expect(got.valid).toBe(counts.valid);
        if (mapping === 'channels') expectDisjointWindows(schedule);
      }),
      { numRuns: 150, seed: 13 },
    );
  });

  it('holds output gradients in the PEs and broadcasts activations with their input channel; PE k of a channel mapping takes output channels [k * perPe, (k + 1) * perPe)', () => {
    const shape = { batch: 1, inChannels: 3, outChannels: 10, height: 3, width: 3, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
    const rng = new Rng(6);
    const operands = { activations: sparseValues(3 * 9, 1, 9, rng), weights: sparseValues(10 * 3 * 9, 1, 9, rng), outputGradients: sparseValues(10 * 9, 1, 9, rng) };
    const schedule = scheduleConvPass(shape, 'weightGradient', operands, config({ px: 2, py: 2 }, 'channels'));
    const [first] = schedule.units;
    expect(first!.placement.peStationaryChannelBases).toEqual([0, 3, 6, 9]);
    expect(first!.unit.pes.map((pe) => pe.stationary.values.length)).toEqual([27, 27, 27, 9]);
    // The broadcast is the 3 x 3 activation plane in its 3 input channels, sorted by (row, col, channel).
    const b = first!.unit.broadcast;
    expect(Array.from(b.ch.slice(0, 3))).toEqual([0, 1, 2]);
    expect(first!.unit.geometry).toMatchObject({ pass: 'weightGradientSwapped', broadcastRows: 3, broadcastCols: 3, outRows: 3, outCols: 3 });
  });

  it('is what auto chooses where its estimate is lower and the activation plane\'s pointer tables fit the PE; forcing it where they do not is refused with what to do', () => {
    const shape = (side: number) => ({ batch: 1, inChannels: 16, outChannels: 16, height: side, width: side, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 });
    const operands = (side: number, activationDensity: number, gradientDensity: number) => {
      const rng = new Rng(8);
      return { activations: sparseValues(16 * side * side, activationDensity, 9, rng), weights: sparseValues(16 * 16 * 9, 0.5, 9, rng), outputGradients: sparseValues(16 * side * side, gradientDensity, 9, rng) };
    };
    // Element tables of a 12 x 12 plane: 13 row pointers and 12 x 13 column pointers = 169.
    const cfg: ArrayConfig = { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 2, pointerDepth: 169 };
    const choices = [];
    for (const [a, g] of [[0.1, 1], [1, 0.1], [0.3, 0.3]] as const) {
      const ops = operands(12, a, g);
      const estimate = (weightGradientStationary: 'activations' | 'outputGradients') =>
        estimateScheduleCycles(scheduleConvPass(shape(12), 'weightGradient', ops, { ...cfg, weightGradientStationary }), cfg);
      const auto = scheduleConvPass(shape(12), 'weightGradient', ops, cfg).pass;
      expect(auto, `activations ${a}, gradients ${g}`).toBe(estimate('outputGradients') < estimate('activations') ? 'weightGradientSwapped' : 'weightGradient');
      choices.push(auto);
    }
    // Sparse activations against dense gradients swap; the other way round they stay.
    expect(choices.slice(0, 2)).toEqual(['weightGradientSwapped', 'weightGradient']);
    expect(scheduleConvPass(shape(13), 'weightGradient', operands(13, 0.1, 1), cfg).pass).toBe('weightGradient');
    expect(() => scheduleConvPass(shape(13), 'weightGradient', operands(13, 0.1, 1), { ...cfg, weightGradientStationary: 'outputGradients' }, 'conv')).toThrow(
      "conv: a weight gradient with the output gradients stationary broadcasts the whole 13 x 13 activation plane, whose pointer tables do not fit the PE's pointer memory (169 entries); keep the activations stationary",
    );
  });

  it('maps by output channels under auto when every PE gets one and the activations fill a broadcast vector; planar otherwise', () => {
    const shape = (inChannels: number, outChannels: number) => ({ batch: 1, inChannels, outChannels, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 });
    const mapping = (inChannels: number, outChannels: number) => {
      const s = shape(inChannels, outChannels);
      const rng = new Rng(9);
      const ops = { activations: sparseValues(inChannels * 16, 0.5, 9, rng), weights: sparseValues(outChannels * inChannels * 9, 0.5, 9, rng), outputGradients: sparseValues(outChannels * 16, 1, 9, rng) };
      return scheduleConvPass(s, 'weightGradient', ops, { ...DEFAULT_ARRAY_CONFIG, px: 2, py: 2, weightGradientStationary: 'outputGradients' }).weightGradientMapping;
    };
    expect(mapping(4, 4)).toBe('channels');
    expect(mapping(4, 3)).toBe('planar');
    expect(mapping(3, 4)).toBe('planar');
  });
});
