import fc from 'fast-check';
import { expect, test } from 'vitest';
import { cycleModel, derivedCounters } from '../../sim/scnn/cycle-model.ts';
import { randomWorkUnit } from '../../sim/scnn/random-work-units.ts';
import { referenceWorkUnit } from '../../sim/scnn/reference.ts';
import { ANTICIPATION_MODES, ARRAY_PASSES } from '../../sim/scnn/work-unit.ts';
import { BANK_MAPPINGS } from '../../hw/scnn/accumulator-banks.ts';
import { CHANNEL_STRIDE_STALLS, channelStrideWeightGradientUnit, HAND_MADE_COMPUTE_CYCLES, handMadeMatmulUnit, wholePlaneMatmulUnit } from '../../tb/scnn/pe-cases.ts';
import { TEST_PE_TOP } from '../../tb/scnn/test-params.ts';

// Larger units than the RTL runs afford: the model's product accounting against the reference.
test('property: valid products equal the reference in every mode, and computed + anticipated RCPs equal the reference RCPs', () => {
  fc.assert(
    fc.property(
      fc.record({
        pass: fc.constantFrom(...ARRAY_PASSES),
        density: fc.integer({ min: 1, max: 100 }).map((x) => x / 100),
        stride: fc.constantFrom(1 as const, 2 as const, 4 as const),
        padding: fc.integer({ min: 0, max: 3 }),
        seed: fc.integer({ min: 0, max: 2 ** 30 }),
      }),
      (o) => {
        const unit = randomWorkUnit({ ...o, maxMap: 24, maxChannels: 4 });
        const ref = referenceWorkUnit(unit)[0]!;
        for (const mode of ANTICIPATION_MODES) {
          const c = cycleModel(unit, TEST_PE_TOP, mode);
          const d = derivedCounters(c);
          expect(c.validProducts).toBe(ref.valid);
          expect(c.goldenProducts).toBe(ref.products);
          expect(d.rcpsComputed + d.rcpsAnticipated).toBe(ref.products - ref.valid);
          expect(d.idleCycles).toBeGreaterThanOrEqual(0);
        }
        // 'off' multiplies every pair of the golden product.
        expect(cycleModel(unit, TEST_PE_TOP, 'off').busySlots).toBe(ref.products);
      },
    ),
    { numRuns: 300, seed: 4 },
  );
});

// Without the prefetcher (every stationary vector paying its read, latch, range and pointer cycles
// after the previous one's issues, every segment its table read) this unit took 24, 27 and 45 cycles
// in `off`, `vector` and `element` (the model of commit 4cb9bad).
test('a hand-made unit costs the cycles worked out by hand: segments and stationary vectors are prepared while the previous ones issue', () => {
  const unit = handMadeMatmulUnit();
  for (const mode of ANTICIPATION_MODES) {
    expect(cycleModel(unit, TEST_PE_TOP, mode).computeCycles, mode).toBe(HAND_MADE_COMPUTE_CYCLES[mode]);
  }
  const vector = cycleModel(unit, TEST_PE_TOP, 'vector');
  // Three pairs reach the multipliers: one per vector of segment 0 and the one-element pair of segment 3.
  expect([vector.candidatePairs, vector.issuedPairs, vector.validProducts]).toEqual([3, 3, 33]);
});

// A matmul vector meets every column, so its meeting rows' elements are one run: `element` packs
// them across rows (it used to cut a vector per row and spend a cycle per empty row, which made
// ResNet-50's fc input gradient 4x slower than `off`).
test('property: in matmul, element issues no more pairs or products than vector, and no row costs a cycle of its own', () => {
  fc.assert(
    fc.property(
      fc.record({ density: fc.integer({ min: 1, max: 100 }).map((x) => x / 100), seed: fc.integer({ min: 0, max: 2 ** 30 }) }),
      (o) => {
        const unit = randomWorkUnit({ pass: 'matmul', stride: 1, padding: 0, ...o, maxMap: 24 });
        const vector = cycleModel(unit, TEST_PE_TOP, 'vector');
        const element = cycleModel(unit, TEST_PE_TOP, 'element');
        expect(element.issuedPairs).toBeLessThanOrEqual(vector.issuedPairs);
        expect(element.busySlots).toBeLessThanOrEqual(vector.busySlots);
        expect(element.computeCycles - element.conflictStalls).toBeLessThanOrEqual(vector.computeCycles - vector.conflictStalls);
      },
    ),
    { numRuns: 300, seed: 9 },
  );
});

test('a stationary vector that meets the whole broadcast plane skips the pointer read: vector and element issue as off does, in its cycles', () => {
  const unit = wholePlaneMatmulUnit();
  const off = cycleModel(unit, TEST_PE_TOP, 'off');
  for (const mode of ['vector', 'element'] as const) expect(cycleModel(unit, TEST_PE_TOP, mode), mode).toEqual(off);
  // 'off' does not look at the window: the hand-made unit's cycles.
  expect(off.computeCycles).toBe(HAND_MADE_COMPUTE_CYCLES.off);
});

test('the xor bank mapping spreads output channels a multiple of the bank count apart; modulo stacks them in one bank', () => {
  const unit = channelStrideWeightGradientUnit();
  for (const bankMapping of BANK_MAPPINGS) {
    const c = cycleModel(unit, { ...TEST_PE_TOP, pe: { ...TEST_PE_TOP.pe, bankMapping } }, 'element');
    expect([c.issuedPairs, c.validProducts, c.conflictStalls], bankMapping).toEqual([1, 12, CHANNEL_STRIDE_STALLS[bankMapping]]);
  }
});
