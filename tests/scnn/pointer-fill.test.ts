import { expect, test } from 'vitest';
import { elaborate, type Design } from '../../hw/index.ts';
import { ScnnArrayTop } from '../../hw/scnn/array-top.ts';
import { DEFAULT_PE_TOP, ScnnPeTop } from '../../hw/scnn/pe-top.ts';
import { runProblem } from '../../sim/scnn/array-runs.ts';
import { encodeArrayTop } from '../../sim/scnn/array-images.ts';
import { cycleModel } from '../../sim/scnn/cycle-model.ts';
import { pointerTables } from '../../sim/scnn/images.ts';
import { schedulePass } from '../../sim/scnn/layer-run.ts';
import { passCases } from '../../tb/scnn/array-cases.ts';
import { scheduleConfig } from '../../tb/scnn/array-check.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';
import { pointerBoundWeightGradientUnit } from '../../tb/scnn/pe-cases.ts';

const withLanes = <T extends { pe: typeof TEST_ARRAY_TOP.pe }>(params: T, pointerLanes: number): T => ({ ...params, pe: { ...params.pe, pointerLanes } });

test('a pointer lane count that is not a power of two in [1, F] within half the pointer memory is refused at elaboration', () => {
  expect(() => elaborate(ScnnArrayTop, withLanes(TEST_ARRAY_TOP, 3))).toThrow('ScnnPe: pointerLanes must be a power of two in [1, F = 4] and at most pointerDepth / 2 = 256, got 3');
  expect(() => elaborate(ScnnArrayTop, withLanes(TEST_ARRAY_TOP, 8))).toThrow('ScnnPe: pointerLanes must be a power of two in [1, F = 4] and at most pointerDepth / 2 = 256, got 8');
  expect(() => elaborate(ScnnPeTop, { ...DEFAULT_PE_TOP, pe: { ...DEFAULT_PE_TOP.pe, pointerDepth: 2, pointerLanes: 2 } })).toThrow('ScnnPe: pointerLanes must be a power of two in [1, F = 4] and at most pointerDepth / 2 = 1, got 2');
});

/** The pointer memories of the array's top and PE modules: [name, depth, read ports]. */
function pointerMemories(design: Design): { top: [string, number, number][]; pe: [string, number, number][]; bits: number } {
  const pick = (name: RegExp, prefix: RegExp) => design.modules.find((m) => prefix.test(m.displayName))!.memories.filter((m) => name.test(m.name));
  const top = pick(/^global_pointers_\d+$/, /^ScnnArrayTop_/);
  const pe = pick(/^pointers_\d+$/, /^ScnnPe_/);
  const bits = [...top, ...pe].reduce((s, m) => s + m.depth * m.width, 0);
  return { top: top.map((m) => [m.name, m.depth, m.readPorts.length]), pe: pe.map((m) => [m.name, m.depth, m.readPorts.length]), bits };
}

test('the pointer memories are split into lanes without growing: one lane memory per pointer a fill beat carries, each with the PE\'s four read ports', () => {
  const small = { ...TEST_ARRAY_TOP, px: 1, py: 1 };
  const four = pointerMemories(elaborate(ScnnArrayTop, withLanes(small, 4)));
  const one = pointerMemories(elaborate(ScnnArrayTop, withLanes(small, 1)));
  expect(four.top).toEqual([0, 1, 2, 3].map((j) => [`global_pointers_${j}`, 1024, 1]));
  expect(four.pe).toEqual([0, 1, 2, 3].map((j) => [`pointers_${j}`, 256, 4]));
  expect(one.top).toEqual([['global_pointers_0', 4096, 1]]);
  expect(one.pe).toEqual([['pointers_0', 1024, 4]]);
  expect(four.bits).toBe(one.bits);
});

test('the cycle model fills a 32 x 32 weight-gradient unit in element mode in ⌈1,089 / 4⌉ = 273 cycles, not 1,089', () => {
  // 1,024 broadcast elements are 256 beats of 4; (32 + 1)² = 1,089 pointers are 273 beats of 4 lanes.
  const unit = pointerBoundWeightGradientUnit(32);
  expect(DEFAULT_PE_TOP.pe.pointerLanes).toBe(4);
  expect(cycleModel(unit, DEFAULT_PE_TOP, 'element').fillCycles).toBe(273);
  expect(cycleModel(unit, withLanes(DEFAULT_PE_TOP, 1), 'element').fillCycles).toBe(1089);
});

test('the global pointer image starts every unit\'s table on a fill beat, interleaved over the lanes, and the run planner counts the padding', () => {
  const c = passCases(5, ['weightGradient']).find((x) => x.label === 'conv 5x7 k3 s1 p1')!;
  const schedule = schedulePass(c.shape, c.pass, c.operands, scheduleConfig(TEST_ARRAY_TOP, c.grid, c.capacities), c.label);
  const W = TEST_ARRAY_TOP.pe.pointerLanes;
  const images = encodeArrayTop(schedule, c.grid, TEST_ARRAY_TOP, 'element', 100_000);
  const lanes = Array.from({ length: W }, (_, j) => images.memories[`global_pointers_${j}`] as number[]);
  const words = Array.from({ length: lanes[0]!.length * W }, (_, e) => lanes[e % W]![Math.floor(e / W)]);
  let at = 0;
  let unaligned = 0;
  for (const { unit } of schedule.units) {
    const table = pointerTables(unit, TEST_ARRAY_TOP.pe.anticipation).table;
    if (table.length % W !== 0) unaligned++;
    expect(words.slice(at, at + table.length)).toEqual(table);
    const end = at + Math.ceil(table.length / W) * W;
    expect(words.slice(at + table.length, end)).toEqual(new Array(end - at - table.length).fill(0));
    at = end;
  }
  expect(words.length).toBe(at);
  expect(unaligned).toBeGreaterThan(0);
  // The planner counts the same padded entries against the global pointer memory.
  const all = (globalPointerDepth: number) => runProblem(schedule, c.grid, { ...TEST_ARRAY_TOP, unitDepth: 1024, globalBroadcastDepth: 1 << 16, globalPointerDepth })(0, schedule.units.length);
  const below = 2 ** Math.ceil(Math.log2(at)) / 2;
  expect(all(2 * below)).toBeUndefined();
  expect(all(below)).toBe(`${at} pointer entries (each unit on a fill beat), the global pointer memory holds ${below}`);
});
