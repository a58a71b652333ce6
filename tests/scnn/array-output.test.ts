import fc from 'fast-check';
import { expect, test } from 'vitest';
import { physicalAccumulatorAddress } from '../../hw/scnn/accumulator-banks.ts';
import { DEFAULT_ARRAY_TOP, mergeDirection, mergeNeighbour, type ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { groupFlags, hardwarePe, planOutput, reduceAcrossPes, type OutputPlan, type ScheduleArray } from '../../sim/scnn/array-output.ts';
import { firstMismatch, goldenPassOutput, schedulePass } from '../../sim/scnn/layer-run.ts';
import { randomOperands } from '../../tb/scnn/array-check.ts';
import { referenceWorkUnit } from '../../sim/scnn/reference.ts';
import type { PassSchedule } from '../../sim/scnn/scheduler.ts';
import { passCases, SMALL_UNITS } from '../../tb/scnn/array-cases.ts';
import { caseConfig, scheduleConfig } from '../../tb/scnn/array-check.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';
import { convCaseArb } from '../golden/arbitraries.ts';

/**
 * What the array does with the plan, in software: each group's accumulators
 * (the reference windows summed over the group's units) drain into the slots,
 * summed over the PEs in the weight gradient; then every merge phase adds each
 * sent entry into the receiver's slice; the output is read at the owners.
 */
function applyPlan(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams, plan: OutputPlan): Int32Array {
  const A = params.pe.banks;
  const P = params.px * params.py;
  const slices = Array.from({ length: P }, (_, i) => new Int32Array(Math.max(1, plan.sliceRowsUsed[i]!) * A));
  const flags = groupFlags(schedule);
  let acc: Int32Array[] = [];
  schedule.units.forEach(({ unit }, u) => {
    const ref = referenceWorkUnit(unit);
    if (flags[u]!.first) acc = ref.map((r) => new Int32Array(r.accumulators.length));
    ref.forEach((r, k) => r.accumulators.forEach((v, a) => (acc[k]![a] = (acc[k]![a]! + v) | 0)));
    if (!flags[u]!.last) return;
    acc.forEach((window, k) => {
      const slice = reduceAcrossPes(schedule) ? plan.reduceSlice[u]! : hardwarePe(k, grid, params);
      const base = plan.sliceRow[u]![slice]! * A;
      // The drain writes bank b's entry e to lane b of slice row (slot row + e).
      window.forEach((v, a) => {
        const at = base + physicalAccumulatorAddress(a, A, params.pe.bankMapping);
        slices[slice]![at] = (slices[slice]![at]! + v) | 0;
      });
    });
  });
  for (const phase of plan.phases) {
    expect(new Set(phase.sends.map((s) => s.sender)).size).toBe(phase.sends.length);
    expect(new Set(phase.sends.map((s) => s.receiver)).size).toBe(phase.sends.length);
    for (const s of phase.sends) {
      expect(s.rows.length).toBe(s.count);
      expect(s.rows.reduce((n, r) => n + r.lanes.length, 0)).toBe(s.src.length);
      // As the hardware does: lane lanes[k] of the dst row takes lane srcLanes[k] of the src row, each dst lane once.
      for (const r of s.rows) {
        expect(new Set(r.lanes).size).toBe(r.lanes.length);
        r.lanes.forEach((l, k) => {
          const src = r.srcRow * A + r.srcLanes[k]!;
          const dst = r.dstRow * A + l;
          slices[s.receiver]![dst] = (slices[s.receiver]![dst]! + slices[s.sender]![src]!) | 0;
        });
      }
    }
  }
  return Int32Array.from({ length: plan.ownerSlice.length }, (_, o) => (plan.ownerSlice[o]! < 0 ? 0 : slices[plan.ownerSlice[o]!]![plan.ownerEntry[o]!]!));
}

test('the output plan (slots, reduction, halo merge program, owners) applied to the reference windows gives the golden layer, on the fixed cases', () => {
  let wrapped = 0;
  let edgeReceivers = 0;
  let sharedSlots = 0;
  let spanningGroups = 0;
  let entries = 0;
  let rowTransfers = 0;
  let spreadSlices = 0;
  let selfSends = 0;
  for (const c of passCases(11)) {
    const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
    const plan = planOutput(schedule, c.grid, TEST_ARRAY_TOP, true);
    const mismatch = firstMismatch(applyPlan(schedule, c.grid, TEST_ARRAY_TOP, plan), goldenPassOutput(c.shape, c.pass, c.operands, c.label));
    expect(mismatch, `${c.label} ${c.pass}`).toBeUndefined();
    // Corner cases the fixed cases must reach: halos that cross a region boundary (the torus wrap from one array edge
    // to the other, or on a grid one PE wide from a PE to itself), PEs on the array's edge receiving halos, weight-gradient blocks revisited in another region, and
    // halo passes whose window groups span several units.
    const at = (i: number) => ({ x: i % TEST_ARRAY_TOP.px, y: Math.floor(i / TEST_ARRAY_TOP.px) });
    for (const s of plan.phases.flatMap((ph) => ph.sends)) {
      entries += s.src.length;
      rowTransfers += s.count;
      const a = at(s.sender);
      const b = at(s.receiver);
      if (Math.abs(a.x - b.x) > 1 || Math.abs(a.y - b.y) > 1) wrapped++;
      if (s.sender === s.receiver) selfSends++;
      if (b.x === c.grid.px - 1 || b.y === c.grid.py - 1) edgeReceivers++;
    }
    const flags = groupFlags(schedule);
    if (plan.phases.length > 0 && flags.some((f) => !f.last)) spanningGroups++;
    const slotRows = plan.sliceRow.flatMap((rows, u) => (flags[u]!.last ? [`${plan.reduceSlice[u]}|${rows[0]}`] : []));
    if (c.pass === 'weightGradient' && new Set(slotRows).size < slotRows.length) sharedSlots++;
    if (c.pass === 'weightGradient') spreadSlices = Math.max(spreadSlices, new Set(plan.reduceSlice).size);
  }
  expect(wrapped).toBeGreaterThan(0);
  expect(selfSends).toBeGreaterThan(0);
  expect(edgeReceivers).toBeGreaterThan(0);
  expect(sharedSlots).toBeGreaterThan(0);
  expect(spanningGroups).toBeGreaterThan(0);
  // The weight gradient's summed windows spread over the slices (not all into PE 0's).
  expect(spreadSlices).toBeGreaterThan(2);
  // A row transfer carries several halo entries at once.
  expect(entries).toBeGreaterThan(2 * rowTransfers);
});

test('property: the output plan gives the golden layer for random layers, passes and grids', () => {
  fc.assert(
    fc.property(convCaseArb(100), fc.constantFrom('forward' as const, 'inputGradient' as const, 'weightGradient' as const), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (c, pass, px, py) => {
      const grid = { px, py };
      const schedule = schedulePass(c.shape, pass, c, scheduleConfig(TEST_ARRAY_TOP, grid, SMALL_UNITS), 'random layer');
      const plan = planOutput(schedule, grid, TEST_ARRAY_TOP, true);
      expect(firstMismatch(applyPlan(schedule, grid, TEST_ARRAY_TOP, plan), goldenPassOutput(c.shape, pass, c, 'random layer'))).toBeUndefined();
    }),
    { numRuns: 200, seed: 23 },
  );
});

test('a PE whose tile reaches no output has an empty window: it drains no row and takes no part in the halo merge', () => {
  for (const c of passCases(5, ['forward', 'inputGradient']).filter((x) => x.label === 'conv 2x4 k3 s1 p1' || x.label === 'conv 3x3 k1 s2 p0')) {
    const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
    const idle = new Set<number>();
    schedule.units.forEach(({ unit }) => unit.pes.forEach((pe, k) => pe.window.windowRows * pe.window.windowCols === 0 && idle.add(hardwarePe(k, c.grid, TEST_ARRAY_TOP))));
    expect(idle.size, `${c.label} ${c.pass}`).toBeGreaterThan(0);
    const plan = planOutput(schedule, c.grid, TEST_ARRAY_TOP, true);
    for (const pe of idle) {
      expect(plan.drainRows.every((rows) => rows[pe] === 0), `${c.label} ${c.pass}: PE ${pe} drains`).toBe(true);
      expect(plan.phases.some((ph) => ph.sends.some((s) => s.sender === pe || s.receiver === pe)), `${c.label} ${c.pass}: PE ${pe} merges`).toBe(false);
    }
    expect(firstMismatch(applyPlan(schedule, c.grid, TEST_ARRAY_TOP, plan), goldenPassOutput(c.shape, c.pass, c.operands, c.label))).toBeUndefined();
  }
});

test('the merge links: each PE hears its eight torus neighbours, one per direction code', () => {
  // On the 3 x 3 test array the eight directions of any PE name the eight other PEs, so the RTL tests exercise every code.
  for (let i = 0; i < 9; i++) {
    const heard = Array.from({ length: 8 }, (_, d) => mergeNeighbour(i, d, TEST_ARRAY_TOP));
    expect(new Set(heard).size).toBe(8);
    expect(heard).not.toContain(i);
    heard.forEach((pe, d) => expect(mergeDirection(pe, i, TEST_ARRAY_TOP)).toBe(d));
  }
  // On 8 x 8: PE (0, 0) hears (7, 7) across both wraps, and (2, 0) is two rows away.
  expect(mergeDirection(63, 0, DEFAULT_ARRAY_TOP)).toBe(0);
  expect(mergeDirection(16, 0, DEFAULT_ARRAY_TOP)).toBeUndefined();
});

test('owners sit where the merge needs links to neighbours only: stride 2 with one pixel per PE on 8 x 8 PEs (as ResNet-18 layer4.0.conv1)', () => {
  const shape = { batch: 1, inChannels: 3, outChannels: 4, height: 8, width: 8, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1 };
  const grid = { px: 8, py: 8 };
  const operands = randomOperands(shape, 0.6, 31);
  for (const pass of ['forward', 'inputGradient'] as const) {
    const schedule = schedulePass(shape, pass, operands, scheduleConfig(DEFAULT_ARRAY_TOP, grid, SMALL_UNITS), 'stride 2');
    const plan = planOutput(schedule, grid, DEFAULT_ARRAY_TOP, true);
    const sends = plan.phases.flatMap((ph) => ph.sends);
    expect(sends.length, pass).toBeGreaterThan(0);
    // An output's copies lie on up to three PE rows; the first of them (the old owner) is two rows from the last.
    for (const s of sends) expect(mergeDirection(s.sender, s.receiver, DEFAULT_ARRAY_TOP), `${pass}: PE ${s.sender} -> ${s.receiver}`).toBeDefined();
    expect(firstMismatch(applyPlan(schedule, grid, DEFAULT_ARRAY_TOP, plan), goldenPassOutput(shape, pass, operands, 'stride 2'))).toBeUndefined();
  }
});

test('a pass whose halos reach past the neighbours is refused with its reason by the output plan, which the cycle model and the encoder share', () => {
  // A 5 x 5 kernel over one pixel per PE: an output's copies span five PE rows.
  const shape = { batch: 1, inChannels: 2, outChannels: 2, height: 8, width: 8, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2 };
  const grid = { px: 8, py: 8 };
  const schedule = schedulePass(shape, 'forward', randomOperands(shape, 1, 32), scheduleConfig(DEFAULT_ARRAY_TOP, grid, SMALL_UNITS), '5 x 5');
  expect(() => planOutput(schedule, grid, DEFAULT_ARRAY_TOP, false)).toThrow(
    /forward pass refused: its halo merge would send partial sums from PE \(\d, \d\) to PE \(\d, \d\), which is not one of its eight neighbours/,
  );
});
