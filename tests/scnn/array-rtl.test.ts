import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { ScnnArrayTop } from '../../hw/scnn/array-top.ts';
import { countRcpFast } from '../../sim/golden/rcp-count.ts';
import { arrayCycleModel } from '../../sim/scnn/array-cycle-model.ts';
import { firstMismatch, goldenPassOutput, schedulePass } from '../../sim/scnn/layer-run.ts';
import { ANTICIPATION_MODES, elementList, type WorkUnit } from '../../sim/scnn/work-unit.ts';
import { buildModel, type VerilatedModel } from '../../sim/verilator/build.ts';
import { passCases, RUNS_CASE, SMALL_UNITS } from '../../tb/scnn/array-cases.ts';
import { caseConfig, checkPassAllModes, randomOperands, scheduleConfig, type PassCase } from '../../tb/scnn/array-check.ts';
import type { ConvShape } from '../../sim/golden/conv-shape.ts';
import { runPassInModes, runPassOnArray } from '../../tb/scnn/array-pass-run.ts';
import { runArrayTop } from '../../tb/scnn/array-run.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';
import { arrayTestbench } from '../../tb/scnn/array.tb.ts';
import { HAND_MADE_COMPUTE_CYCLES, handMadeMatmulUnit } from '../../tb/scnn/pe-cases.ts';
import { referenceWorkUnit } from '../../sim/scnn/reference.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import { cycleModel } from '../../sim/scnn/cycle-model.ts';
import { convCaseArb } from '../golden/arbitraries.ts';

let built: Promise<VerilatedModel> | undefined;
const model = () => (built ??= buildModel(elaborate(ScnnArrayTop, TEST_ARRAY_TOP)));
// The 3 x 3 array's C++ build takes minutes on two busy cores: it gets a budget of its own, not a test's.
beforeAll(async () => {
  await model();
}, 1_800_000);

describe.each([['forward'], ['inputGradient'], ['weightGradient']] as const)('%s passes on the 3 x 3 array RTL', (pass) => {
  test('whole layer passes (conv and fully connected, 1 x 1 to 3 x 3 schedules) equal the golden layer bit for bit, counters equal the array cycle model, in every mode', async () => {
    const m = await model();
    let units = 0;
    let groupsSplit = 0;
    let anticipated = 0;
    for (const c of passCases(11, [pass])) {
      const r = await checkPassAllModes(m, TEST_ARRAY_TOP, c, 11);
      units += r.units;
      if (r.units > r.groups) groupsSplit++;
      anticipated += r.counters.element.goldenProducts - r.counters.element.busySlots;
      expect(r.counters.vector.validProducts).toBe(r.counters.off.validProducts);
    }
    // The cases reach what matters: many units per pass, window groups split over units, RCPs anticipated.
    expect(units).toBeGreaterThan(8);
    expect(groupsSplit).toBeGreaterThan(0);
    expect(anticipated).toBeGreaterThan(0);
  });
});

test('property: random layers (densities 0-100 %, strides 1-2, paddings 0-3) on random grids up to 3 x 3 equal the golden layer and the model in every pass and mode', async () => {
  const m = await model();
  await fc.assert(
    fc.asyncProperty(
      convCaseArb(100),
      fc.constantFrom('forward' as const, 'inputGradient' as const, 'weightGradient' as const),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      async (c, pass, px, py) => {
        await checkPassAllModes(m, TEST_ARRAY_TOP, { label: JSON.stringify(c.shape), shape: c.shape, pass, operands: c, grid: { px, py }, capacities: SMALL_UNITS }, 7);
      },
    ),
    { numRuns: 24, seed: 17 },
  );
});

test('the watchdog ends a pass at the cycle limit with the counters so far', async () => {
  const m = await model();
  const c = passCases(3, ['weightGradient'])[0]!;
  const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
  const full = arrayCycleModel(schedule, c.grid, TEST_ARRAY_TOP, 'off').counters;
  const limit = Math.floor(full.cycles / 2);
  const run = await runArrayTop(m, TEST_ARRAY_TOP, schedule, c.grid, 'off', { seed: 3, cycleLimit: limit });
  expect(run.timedOut).toBe(true);
  expect(run.counters.cycles).toBe(limit);
  expect(run.counters.issuedPairs).toBeLessThan(full.issuedPairs);
  const whole = await runArrayTop(m, TEST_ARRAY_TOP, schedule, c.grid, 'off', { seed: 3 });
  expect(whole.timedOut).toBe(false);
  expect(whole.counters.cycles).toBe(full.cycles);
});

test('the make-sim testbench passes with a seed of its own', async () => {
  const r = await arrayTestbench.run({ seed: 21 });
  expect(r.failure).toBeUndefined();
  expect(r.passed).toBe(true);
});

test('a pass larger than the array\'s buffers runs in several runs on the 3 x 3 RTL and equals the golden layer bit for bit, counters equal the model', async () => {
  const m = await model();
  const { shape, operands, grid } = RUNS_CASE;
  const config = scheduleConfig(TEST_ARRAY_TOP, grid, SMALL_UNITS);
  const counts = countRcpFast(shape, operands);
  for (const pass of ['forward', 'inputGradient', 'weightGradient'] as const) {
    const schedule = schedulePass(shape, pass, operands, config, 'runs');
    const golden = goldenPassOutput(shape, pass, operands);
    // Runs are the same in every mode; one pass in all three (sharing their images), the others in element mode, keep the test short.
    const modes = pass === 'forward' ? ANTICIPATION_MODES : (['element'] as const);
    const results = pass === 'forward' ? await runPassInModes(m, TEST_ARRAY_TOP, schedule, grid, modes, { seed: 5 }) : [await runPassOnArray(m, TEST_ARRAY_TOP, schedule, grid, 'element', { seed: 5 })];
    for (const [i, mode] of modes.entries()) {
      const r = results[i]!;
      expect(r.timedOut).toBe(false);
      expect(firstMismatch(r.output, golden), `${pass} ${mode}`).toBeUndefined();
      expect(r.counters, `${pass} ${mode}`).toEqual(r.predicted);
      expect(r.counterMismatches, `${pass} ${mode}`).toEqual([]);
      expect(r.counters.validProducts).toBe(counts[pass].valid);
      expect(r.counters.goldenProducts).toBe(counts[pass].products);
      expect(r.runs.length).toBeGreaterThan(1);
    }
  }
});

test('weight gradients cut into row bands of their output-gradient plane (a unit\'s pointer tables limited) are bit-exact and counter-exact on the 3 x 3 RTL in every mode', async () => {
  const m = await model();
  const stride1: ConvShape = { batch: 2, inChannels: 2, outChannels: 3, height: 10, width: 10, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
  const stride2: ConvShape = { batch: 1, inChannels: 2, outChannels: 2, height: 13, width: 11, kernelHeight: 5, kernelWidth: 5, stride: 2, padding: 2 };
  // Tables for 3 gradient rows (1 of them the padding's leading row): 10 x 10 and 7 x 6 planes in bands of 2 rows.
  const cases: PassCase[] = [
    { label: 'bands, stride 1', shape: stride1, pass: 'weightGradient', operands: randomOperands(stride1, 0.5, 51), grid: { px: 2, py: 2 }, capacities: { ...SMALL_UNITS, pointerCapacity: 4 + 3 * 11 } },
    { label: 'bands, stride 2', shape: stride2, pass: 'weightGradient', operands: randomOperands(stride2, 0.5, 52), grid: { px: 3, py: 3 }, capacities: { ...SMALL_UNITS, pointerCapacity: 4 + 3 * 7 } },
  ];
  for (const c of cases) {
    const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
    expect(schedule.unformedProducts, c.label).toBeGreaterThan(0);
    expect(Math.max(...schedule.units.map((u) => u.unit.geometry.broadcastRows)), c.label).toBe(3);
    await checkPassAllModes(m, TEST_ARRAY_TOP, c, 17);
  }
});

test('samples of a batch side by side on the grid (maps at most half the grid) are bit-exact and counter-exact on the 3 x 3 RTL in every mode', async () => {
  const m = await model();
  const pixel: ConvShape = { batch: 5, inChannels: 2, outChannels: 3, height: 1, width: 1, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 };
  const column: ConvShape = { batch: 4, inChannels: 3, outChannels: 2, height: 3, width: 1, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1 };
  const cases: PassCase[] = (['forward', 'inputGradient', 'weightGradient'] as const).flatMap((pass, i) => [
    { label: `1 x 1 map, batch 5, ${pass}`, shape: pixel, pass, operands: randomOperands(pixel, 0.7, 61 + i), grid: { px: 3, py: 3 }, capacities: SMALL_UNITS },
    { label: `3 x 1 map, batch 4, ${pass}`, shape: column, pass, operands: randomOperands(column, 0.7, 64 + i), grid: { px: 3, py: 3 }, capacities: SMALL_UNITS },
  ]);
  for (const c of cases) {
    const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
    // Several samples work in one unit: on their own blocks of PEs (forward, input gradient: one window each; weight gradient: one broadcast segment each).
    const samplesInUnit = schedule.units.map(({ unit, placement }) =>
      c.pass === 'weightGradient' ? new Set(unit.pes.filter((pe) => pe.segments.length > 0).map((pe) => pe.segments.map((s) => s.broadcastSegment).join())).size : new Set(placement.peSamples?.filter((s) => s >= 0)).size,
    );
    expect(Math.max(...samplesInUnit), c.label).toBeGreaterThan(1);
    await checkPassAllModes(m, TEST_ARRAY_TOP, c, 19);
  }
});

test('weight gradients mapped by channels (every PE its own channels and block, drained side by side without the reduction network) are bit-exact and counter-exact on the 3 x 3 RTL in every mode', async () => {
  const m = await model();
  const shapes: [string, ConvShape, { px: number; py: number }][] = [
    ['20 channels over 9 PEs, 3 each, stride 1, batch 2', { batch: 2, inChannels: 20, outChannels: 3, height: 5, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 }, { px: 3, py: 3 }],
    ['7 channels over 9 PEs (two empty windows), stride 2', { batch: 1, inChannels: 7, outChannels: 4, height: 7, width: 5, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1 }, { px: 3, py: 3 }],
    ['5 channels on a 2 x 1 grid, 2 x 2 kernel', { batch: 2, inChannels: 5, outChannels: 2, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2, stride: 1, padding: 0 }, { px: 2, py: 1 }],
  ];
  for (const [label, shape, grid] of shapes) {
    const c: PassCase = {
      label, shape, pass: 'weightGradient', operands: randomOperands(shape, 0.5, 71), grid, capacities: { ...SMALL_UNITS, stationaryCapacity: 128 }, weightGradientMapping: 'channels', weightGradientStationary: 'activations',
    };
    const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
    expect(schedule.weightGradientMapping, label).toBe('channels');
    expect(new Set(schedule.units[0]!.placement.peStationaryChannelBases).size, label).toBeGreaterThan(1);
    await checkPassAllModes(m, TEST_ARRAY_TOP, c, 23);
  }
});

test('weight gradients with the output gradients stationary and the activations broadcast (weightGradientSwapped), planar and by output channels, are bit-exact and counter-exact on the 3 x 3 RTL in every mode', async () => {
  const m = await model();
  const cases: [string, ConvShape, { px: number; py: number }, 'planar' | 'channels'][] = [
    ['planar, 6 x 5 map, stride 1, batch 2', { batch: 2, inChannels: 5, outChannels: 6, height: 6, width: 5, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 }, { px: 3, py: 3 }, 'planar'],
    ['planar, stride 2, padding 2, 2 x 3 grid', { batch: 1, inChannels: 3, outChannels: 5, height: 7, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 2 }, { px: 3, py: 2 }, 'planar'],
    ['20 output channels over 9 PEs, 3 each, batch 2', { batch: 2, inChannels: 4, outChannels: 20, height: 5, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1 }, { px: 3, py: 3 }, 'channels'],
    ['7 output channels over 9 PEs (two empty windows), stride 2, 2 x 2 kernel', { batch: 1, inChannels: 3, outChannels: 7, height: 7, width: 5, kernelHeight: 2, kernelWidth: 2, stride: 2, padding: 0 }, { px: 3, py: 3 }, 'channels'],
  ];
  for (const [label, shape, grid, mapping] of cases) {
    const c: PassCase = {
      label, shape, pass: 'weightGradient', operands: randomOperands(shape, 0.5, 73), grid, capacities: { ...SMALL_UNITS, stationaryCapacity: 128 }, weightGradientMapping: mapping, weightGradientStationary: 'outputGradients',
    };
    const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
    expect(schedule.pass, label).toBe('weightGradientSwapped');
    expect(schedule.weightGradientMapping, label).toBe(mapping);
    await checkPassAllModes(m, TEST_ARRAY_TOP, c, 29);
  }
});

test('passes whose channels and matrix columns exceed the 6 coordinate bits are split so they fit: bit-exact and counter-exact on the 3 x 3 RTL in every mode', async () => {
  const m = await model();
  const conv: ConvShape = { batch: 1, inChannels: 2, outChannels: 70, height: 2, width: 2, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 };
  const fcLayer: ConvShape = { batch: 2, inChannels: 70, outChannels: 4, height: 1, width: 1, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0 };
  const cases: PassCase[] = [
    { label: 'conv 1x1 2 -> 70', shape: conv, pass: 'forward', operands: randomOperands(conv, 0.5, 41), grid: { px: 2, py: 2 }, capacities: SMALL_UNITS },
    { label: 'fc 70 -> 4', shape: fcLayer, pass: 'inputGradient', operands: randomOperands(fcLayer, 0.3, 42), grid: { px: 3, py: 3 }, capacities: SMALL_UNITS },
    { label: 'fc 70 -> 4', shape: fcLayer, pass: 'weightGradient', operands: randomOperands(fcLayer, 0.3, 43), grid: { px: 3, py: 3 }, capacities: SMALL_UNITS },
  ];
  for (const c of cases) {
    const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
    // 70 output channels are two channel groups (64 + 6); 70 matrix columns are two regions, the second relative to column 63.
    if (c.pass === 'forward') expect(schedule.channelGroup).toBe(64);
    else expect(Math.max(...schedule.units.map((u) => u.placement.colBase))).toBe(63);
    await checkPassAllModes(m, TEST_ARRAY_TOP, c, 13);
  }
});

test('a unit\'s fill runs while the unit before computes: two hand-made units of one group take the cycles counted by hand with the overlap', async () => {
  const m = await model();
  const unit = handMadeMatmulUnit();
  const placement = { n: 0, channelBase: 0, stationaryChannelBase: 0, rowBase: 0, colBase: 0 };
  const schedule: PassSchedule = {
    pass: 'matmul', outputDims: [8, 12], tile: { rows: 8, cols: 4 }, channelGroup: 1, stationaryChannelGroup: 1, unformedProducts: 0,
    units: [{ unit, placement, group: 0 }, { unit, placement, group: 0 }],
  };
  // Each unit's fill: 16 elements (8 beats of 2), 3 segments x (13 row + 12 x 2 column pointers) = 111 pointers
  // (28 beats of the test array's 4 pointer lanes; 111 at one pointer a cycle), 2 bank rows to clear (32
  // accumulators, 16 banks): 28 cycles. Unit 0: UnitRead, UnitLoad (cycles 0, 1) while the fill engine reads and
  // latches its descriptor; its 28 fill cycles end at cycle 29, which starts the PEs; compute c cycles; unit 1's
  // UnitRead at 30 + c. The fill engine starts unit 1 at cycle 30 (into the other half), its last beat is at 59,
  // which starts the PEs: unit 1 waits 59 - (32 + c) + 1 = 28 - c fill cycles, not 28. Then compute c, the drain
  // (2 rows + 1) and the final look-up.
  const fill = 28;
  expect(Math.ceil(111 / TEST_ARRAY_TOP.pe.pointerLanes)).toBe(fill);
  for (const mode of ANTICIPATION_MODES) {
    const c = HAND_MADE_COMPUTE_CYCLES[mode];
    const run = await runArrayTop(m, TEST_ARRAY_TOP, schedule, { px: 1, py: 1 }, mode, { seed: 4 });
    const overlapped = 2 + fill + c + 2 + (fill - c) + c + 3 + 1;
    expect(run.counters.cycles, mode).toBe(overlapped);
    expect(run.counters.cycles, mode).toBeLessThan(2 * (2 + fill + c) + 3 + 1);
    expect(run.counters.fillCycles, mode).toBe(fill + fill - c);
    expect(run.counters.fillBusyCycles, mode).toBe(2 * fill);
    expect(run.counters, mode).toEqual(arrayCycleModel(schedule, { px: 1, py: 1 }, TEST_ARRAY_TOP, mode).counters);
    const acc = referenceWorkUnit(unit)[0]!.accumulators;
    const want = Int32Array.from({ length: 8 * 12 }, (_, o) => (o % 12 >= 4 && o % 12 < 8 ? 2 * acc[Math.floor(o / 12) * 4 + (o % 12) - 4]! : 0));
    expect(firstMismatch(run.output, want), mode).toBeUndefined();
  }
});

/**
 * A 1 x 1 matmul unit made for the drain overlap: C (63 x 4) = A · B with one reduction index, A's 63
 * rows (16 stationary vectors, or one when `stationaryRows` is 4) against B's 4 columns (one broadcast
 * vector). The window is all of C, 252 accumulators: 16 bank rows of the test array's 16 banks, so a
 * drain takes 16 + 1 cycles; the fill 4 elements (2 beats) and 13 pointers (5 row, 4 x 2 column; 4 beats).
 */
function drainTestUnit(stationaryRows: number): WorkUnit {
  return {
    geometry: { pass: 'matmul', stride: 1, padding: 0, outRows: 0, outCols: 0, broadcastRows: 4, broadcastCols: 1 },
    broadcast: elementList([0, 1, 2, 3].map((j) => ({ value: 5 * j - 7, row: j, col: 0 }))),
    broadcastSegments: [{ start: 0, end: 4 }],
    pes: [{
      window: { originRow: 0, originCol: 0, windowRows: 63, windowCols: 4, channels: 1, stationaryChannels: 1 },
      stationary: elementList(Array.from({ length: stationaryRows }, (_, i) => ({ value: 3 * i - 90, row: i, col: 0 }))),
      segments: [{ start: 0, end: stationaryRows, broadcastSegment: 0 }],
    }],
  };
}

test('a group\'s drain runs while the next group computes into the other accumulator set: three groups adding into the same outputs take the cycles counted by hand, bit for bit', async () => {
  const m = await model();
  const big = drainTestUnit(63);
  const small = drainTestUnit(4);
  const placement = { n: 0, channelBase: 0, stationaryChannelBase: 0, rowBase: 0, colBase: 0 };
  const threeGroups = (units: WorkUnit[]): PassSchedule => ({
    pass: 'matmul', outputDims: [63, 4], tile: { rows: 63, cols: 4 }, channelGroup: 1, stationaryChannelGroup: 1, unformedProducts: 0,
    units: units.map((unit, group) => ({ unit, placement, group })),
  });
  const peTop = { pe: TEST_ARRAY_TOP.pe, fillWidth: TEST_ARRAY_TOP.fillWidth };
  for (const mode of ANTICIPATION_MODES) {
    const c = cycleModel(big, peTop, mode).computeCycles;
    const s = cycleModel(small, peTop, mode).computeCycles;
    expect(c, mode).toBeGreaterThanOrEqual(15);
    expect(s, mode).toBeLessThan(14);
    // Unit 0: UnitRead, UnitLoad (0, 1); its fill (16: the clear of 16 rows in both sets) ends at 16, the PEs
    // start at 17 and reach the barrier at 17 + c, which hands group 0's drain (16 rows + 1) to the drain engine:
    // it works from 18 + c to 34 + c. Unit 1's UnitRead at 18 + c, its fill (13) was hidden: start 20 + c.
    // Three big groups: no unit waits for a drain, barriers at 17 + c, 20 + 2c, 23 + 3c; after the last, the
    // look-up at 24 + 3c waits for the last drain (17 cycles) and finds no unit: 42 + 3c. One set: 76 + 3c.
    const same = await runArrayTop(m, TEST_ARRAY_TOP, threeGroups([big, big, big]), { px: 1, py: 1 }, mode, { seed: 6 });
    expect(same.counters.cycles, mode).toBe(42 + 3 * c);
    expect(same.counters.drainCycles, mode).toBe(17);
    expect(same.counters.drainBusyCycles, mode).toBe(3 * 17);
    expect(same.counters.fillCycles, mode).toBe(16 + 1 + 1);
    // A big group, then two small ones: each small group's barrier (at 20 + c + s, then 37 + c + s) waits for the
    // drain of the group before until its last cycle (34 + c, then 51 + c), 14 - s cycles, and hands its own
    // drain off there: the pass is drain-bound at 70 + c. One set: 76 + c + 2s.
    const waits = await runArrayTop(m, TEST_ARRAY_TOP, threeGroups([big, small, small]), { px: 1, py: 1 }, mode, { seed: 6 });
    expect(waits.counters.cycles, mode).toBe(70 + c);
    expect(waits.counters.drainCycles, mode).toBe(2 * (14 - s) + 17);
    expect(waits.counters.drainBusyCycles, mode).toBe(3 * 17);
    for (const [run, units] of [[same, [big, big, big]], [waits, [big, small, small]]] as const) {
      const schedule = threeGroups([...units]);
      expect(run.counters, mode).toEqual(arrayCycleModel(schedule, { px: 1, py: 1 }, TEST_ARRAY_TOP, mode).counters);
      const want = new Int32Array(63 * 4);
      for (const unit of units) referenceWorkUnit(unit)[0]!.accumulators.forEach((v, o) => (want[o] = (want[o]! + v) | 0));
      expect(firstMismatch(run.output, want), mode).toBeUndefined();
    }
    const single = { ...TEST_ARRAY_TOP, pe: { ...TEST_ARRAY_TOP.pe, accumulatorSets: 1 as const } };
    expect(arrayCycleModel(threeGroups([big, big, big]), { px: 1, py: 1 }, single, mode).counters.cycles, mode).toBe(76 + 3 * c);
    expect(arrayCycleModel(threeGroups([big, small, small]), { px: 1, py: 1 }, single, mode).counters.cycles, mode).toBe(76 + c + 2 * s);
  }
});
