import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { COMPACTION_LATENCY, CompactionEngine, type CompactionEngineParams } from '../../hw/spartan/compaction-engine.ts';
import { makeDense, type DenseArray } from '../../sim/golden/dense-array.ts';
import { Rng } from '../../sim/golden/random.ts';
import { beatCount } from '../../sim/golden/spartan/beats.ts';
import { buildModel, type VerilatedModel } from '../../sim/verilator/build.ts';
import { Simulation } from '../../sim/verilator/session.ts';
import { checkCompaction } from '../../tb/spartan/compaction-check.ts';
import { runCompactionBulk } from '../../tb/spartan/compaction-run.ts';

/** Small engines: U = V, U > V (not a power of two), U < V (output-bound). */
const CONFIGS: readonly CompactionEngineParams[] = [
  { lanes: 4, outLanes: 4, elementWidth: 8, coordBits: 5, pointerBits: 12 },
  { lanes: 8, outLanes: 8, elementWidth: 12, coordBits: 6, pointerBits: 14 },
  { lanes: 4, outLanes: 6, elementWidth: 8, coordBits: 5, pointerBits: 12 },
  { lanes: 8, outLanes: 3, elementWidth: 8, coordBits: 6, pointerBits: 14 },
];

const models = new Map<CompactionEngineParams, Promise<VerilatedModel>>();
function model(p: CompactionEngineParams): Promise<VerilatedModel> {
  if (!models.has(p)) models.set(p, buildModel(elaborate(CompactionEngine, p)));
  return models.get(p)!;
}

function randomTensor(dims: [number, number, number], zeroFraction: number, elementWidth: number, seed: number): DenseArray {
  const rng = new Rng(seed);
  const half = 2 ** (elementWidth - 1);
  const values = Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (rng.bernoulli(zeroFraction) ? 0 : rng.nextInt(2 * half - 1) - (half - 1) || half - 1));
  return makeDense(dims, values);
}

// fc.double() over [0, 1] mostly draws tiny values; whole percents cover the range evenly.
const zeroPercent = fc.integer({ min: 0, max: 100 }).map((x) => x / 100);

/** A batch of equally shaped tensors, their zero fraction drawn from the interesting end points too. */
const batch = (p: CompactionEngineParams) =>
  fc.record({
    dims: fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 2 ** p.coordBits - 1 })).filter(([c, h, w]) => c * h * w <= 600),
    zeroFraction: fc.oneof(fc.constantFrom(0, 1, 0.99, 0.01), zeroPercent),
    tensors: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    mode: fc.constantFrom('csr' as const, 'zvc' as const),
    inStall: fc.constantFrom(0, 0.3, 0.7),
    outStall: fc.constantFrom(0, 0.3, 0.7),
  });

describe.each(CONFIGS)('compaction engine V=$lanes U=$outLanes', (p) => {
  test('every random batch comes out exactly as the golden formats say, under any back-pressure', async () => {
    const m = await model(p);
    await fc.assert(
      fc.asyncProperty(batch(p), async (b) => {
        const tensors = Array.from({ length: b.tensors }, (_, t) => randomTensor(b.dims, b.zeroFraction, p.elementWidth, b.seed + t));
        const run = await runCompactionBulk(m, p, tensors, { seed: b.seed, mode: b.mode, inStall: b.inStall, outStall: b.outStall });
        expect(run.consumedBeats).toBe(run.inputBeats);
        checkCompaction(tensors, run.streams, p, b.mode);
      }),
      { numRuns: 25, seed: 0x5eed + p.lanes * 16 + p.outLanes },
    );
  });
});

describe('full rate', () => {
  test.each(CONFIGS.filter((p) => p.outLanes >= p.lanes))('V=$lanes U=$outLanes takes a beat every cycle at any density, plus the pipeline latency and one final vector', async (p) => {
    const m = await model(p);
    await fc.assert(
      fc.asyncProperty(zeroPercent, fc.integer({ min: 0, max: 1e6 }), async (zeros, seed) => {
        const dims: [number, number, number] = [5, 5, 2 ** p.coordBits - 1];
        const tensor = randomTensor(dims, zeros, p.elementWidth, seed);
        const run = await runCompactionBulk(m, p, [tensor], { seed, mode: 'csr' });
        checkCompaction([tensor], run.streams, p, 'csr');
        const beats = beatCount(tensor.values.length, p.lanes);
        expect(run.lastVectorCycle + 1).toBeLessThanOrEqual(beats + COMPACTION_LATENCY + 1);
      }),
      { numRuns: 8, seed: 0xfa57 + p.outLanes },
    );
  });

  test('an output narrower than a beat holds the input back without losing anything', async () => {
    const p = CONFIGS[3]!;
    const tensor = randomTensor([4, 6, 20], 0, p.elementWidth, 7);
    const run = await runCompactionBulk(await model(p), p, [tensor], { seed: 3, mode: 'csr' });
    checkCompaction([tensor], run.streams, p, 'csr');
    // Dense data: U = 3 of V = 8 non-zeros leave per cycle, so the element stream sets the pace.
    expect(run.lastVectorCycle + 1).toBeGreaterThanOrEqual(Math.ceil(tensor.values.length / p.outLanes));
  });
});

test('a beat\'s non-zeros are offered COMPACTION_LATENCY cycles after it enters', async () => {
  const p = CONFIGS[0]!;
  const design = elaborate(CompactionEngine, p);
  const sim = Simulation.open(await model(p), design.top.spec);
  try {
    for (const [port, v] of [['cfg_channels', 1], ['cfg_height', 1], ['cfg_width', 8], ['cfg_zvc', 0], ['out_ready', 1], ['ptr_ready', 1], ['mask_ready', 1]] as const) sim.poke(port, v);
    sim.poke('in_valid', 1);
    for (let j = 0; j < p.lanes; j++) sim.poke(`in_bits_${j}`, j + 1);
    await sim.expect('in_ready', 1);
    sim.step();
    sim.poke('in_valid', 0);
    for (let c = 1; c < COMPACTION_LATENCY; c++) {
      await sim.expect('out_valid', 0, `cycle ${c}`);
      sim.step();
    }
    await sim.expect('out_valid', 1);
    await sim.expect('out_bits_count', p.outLanes);
    await sim.expect('out_bits_value_0', 1);
    await sim.expect('out_bits_col_3', 3);
  } finally {
    await sim.close();
  }
});
