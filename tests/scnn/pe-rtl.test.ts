import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { ScnnPeTop } from '../../hw/scnn/pe-top.ts';
import { IDLE_PE_COMPUTE } from '../../sim/scnn/array-cycle-model.ts';
import { cycleModel } from '../../sim/scnn/cycle-model.ts';
import { randomWorkUnit } from '../../sim/scnn/random-work-units.ts';
import { ANTICIPATION_MODES, ARRAY_PASSES, type ArrayPass } from '../../sim/scnn/work-unit.ts';
import { buildModel, type VerilatedModel } from '../../sim/verilator/build.ts';
import { CHANNEL_STRIDE_STALLS, channelStrideWeightGradientUnit, HAND_MADE_COMPUTE_CYCLES, handMadeMatmulUnit, pointerBoundWeightGradientUnit, wholePlaneMatmulUnit } from '../../tb/scnn/pe-cases.ts';
import { checkUnitAllModes } from '../../tb/scnn/pe-check.ts';
import { runPeTop } from '../../tb/scnn/pe-run.ts';
import { peTestbench } from '../../tb/scnn/pe.tb.ts';
import { TEST_PE_TOP } from '../../tb/scnn/test-params.ts';

let built: Promise<VerilatedModel> | undefined;
const model = () => (built ??= buildModel(elaborate(ScnnPeTop, TEST_PE_TOP)));
// The PE top's C++ build takes minutes on two busy cores: it gets a budget of its own, not a test's.
beforeAll(async () => {
  await model();
}, 1_800_000);

const DENSITIES = [0.01, 0.05, 0.1, 0.3, 0.6, 1] as const;

describe.each(ARRAY_PASSES.map((p) => [p] as const))('%s on the RTL', (pass: ArrayPass) => {
  test('every density, strides 1 and 2, paddings 0-3: accumulators bit for bit, counters equal to the cycle model, in every mode', async () => {
    const m = await model();
    let stalls = 0;
    let rejected = 0;
    let anticipatedElement = 0;
    let units = 0;
    for (const density of DENSITIES) {
      for (const stride of [1, 2] as const) {
        for (let padding = 0; padding <= 3; padding++) {
          const seed = 1000 * DENSITIES.indexOf(density) + 10 * stride + padding;
          const unit = randomWorkUnit({ pass, density, stride, padding, seed });
          const r = await checkUnitAllModes(m, TEST_PE_TOP, unit, `${pass} density ${density} stride ${stride} padding ${padding} seed ${seed}`, seed);
          stalls += r.counters.off.conflictStalls;
          rejected += r.counters.vector.candidatePairs - r.counters.vector.issuedPairs;
          anticipatedElement += r.counters.element.goldenProducts - r.counters.element.busySlots;
          units++;
        }
      }
    }
    expect(units).toBe(DENSITIES.length * 2 * 4);
    // The random units reach the paths that matter: bank conflicts, and (except matmul's column-only test) rejected pairs.
    expect(stalls).toBeGreaterThan(0);
    if (pass !== 'matmul') expect(rejected).toBeGreaterThan(0);
    expect(anticipatedElement).toBeGreaterThan(0);
  });

  test('property: random units (stride 1, 2 or 4) equal the reference and the cycle model in every mode', async () => {
    const m = await model();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          density: fc.integer({ min: 1, max: 100 }).map((x) => x / 100),
          stride: fc.constantFrom(1 as const, 2 as const, 4 as const),
          padding: fc.integer({ min: 0, max: 3 }),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        async (o) => {
          const unit = randomWorkUnit({ pass, ...o, maxMap: 12 });
          await checkUnitAllModes(m, TEST_PE_TOP, unit, `${pass} ${JSON.stringify(o)}`, o.seed);
        },
      ),
      { numRuns: 12, seed: 9 },
    );
  });
});

test('the hand-made unit (segment boundaries, an empty segment, an empty run, one-element vectors) takes the cycles counted by hand; a PE without segments flushes at once', async () => {
  const r = await checkUnitAllModes(await model(), TEST_PE_TOP, handMadeMatmulUnit(), 'hand-made matmul unit', 3);
  for (const mode of ANTICIPATION_MODES) expect(r.counters[mode].computeCycles, mode).toBe(HAND_MADE_COMPUTE_CYCLES[mode]);
  const unit = handMadeMatmulUnit();
  const idle = await checkUnitAllModes(await model(), TEST_PE_TOP, { ...unit, pes: [{ ...unit.pes[0]!, segments: [] }] }, 'hand-made unit without segments', 3);
  for (const mode of ANTICIPATION_MODES) expect(idle.counters[mode].computeCycles, mode).toBe(IDLE_PE_COMPUTE);
});

test('a stationary vector that meets the whole broadcast plane is issued without a pointer read: every mode takes the counters of off', async () => {
  const r = await checkUnitAllModes(await model(), TEST_PE_TOP, wholePlaneMatmulUnit(), 'whole-plane matmul unit', 3);
  for (const mode of ['vector', 'element'] as const) expect(r.counters[mode], mode).toEqual(r.counters.off);
});

test('a weight-gradient unit whose fill is pointer-bound fills pointerLanes pointers a cycle: bit for bit, and the fill counted by hand', async () => {
  // A dense 16 x 16 output-gradient plane: 256 elements (128 beats of 2), (16 + 1)² = 289 pointers (145 beats of
  // the test PE's 2 pointer lanes, 289 at one a cycle), a 3 x 3 window (1 bank row to clear): the fill is 145 cycles.
  expect(TEST_PE_TOP.pe.pointerLanes).toBe(2);
  const r = await checkUnitAllModes(await model(), TEST_PE_TOP, pointerBoundWeightGradientUnit(16), 'pointer-bound weight-gradient unit', 7);
  for (const mode of ANTICIPATION_MODES) expect(r.counters[mode].fillCycles, mode).toBe(145);
});

test('the RTL banks accumulators by the xor mapping: a weight-gradient pair whose output channels lie a multiple of the bank count apart does not stall', async () => {
  expect(TEST_PE_TOP.pe.bankMapping).toBe('xor');
  const r = await checkUnitAllModes(await model(), TEST_PE_TOP, channelStrideWeightGradientUnit(), 'channel-stride weight-gradient unit', 5);
  for (const mode of ANTICIPATION_MODES) expect(r.counters[mode].conflictStalls, mode).toBe(CHANNEL_STRIDE_STALLS.xor);
});

test('the watchdog ends a run at the cycle limit with the counters so far', async () => {
  const m = await model();
  const unit = randomWorkUnit({ pass: 'weightGradient', density: 0.8, stride: 1, padding: 1, seed: 5 });
  const full = cycleModel(unit, TEST_PE_TOP, 'off');
  const limit = full.fillCycles + Math.floor(full.computeCycles / 2);
  const run = await runPeTop(m, TEST_PE_TOP, unit, 'off', { seed: 5, cycleLimit: limit });
  expect(run.timedOut).toBe(true);
  expect(run.counters.cycles).toBe(limit);
  expect(run.counters.computeCycles).toBe(limit - full.fillCycles);
  expect(run.counters.drainCycles).toBe(0);
  expect(run.counters.issuedPairs).toBeGreaterThan(0);
  expect(run.counters.issuedPairs).toBeLessThan(full.issuedPairs);
  const whole = await runPeTop(m, TEST_PE_TOP, unit, 'off', { seed: 5 });
  expect(whole.timedOut).toBe(false);
  expect(whole.counters.cycles).toBe(full.cycles);
});

test('the make-sim testbench passes with a seed of its own', async () => {
  const r = await peTestbench.run({ seed: 21 });
  expect(r.failure).toBeUndefined();
  expect(r.passed).toBe(true);
});
