import { expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { ScnnArrayTop } from '../../hw/scnn/array-top.ts';
import { encodeArrayTop } from '../../sim/scnn/array-images.ts';
import { schedulePass } from '../../sim/scnn/layer-run.ts';
import { passCases } from '../../tb/scnn/array-cases.ts';
import { caseConfig } from '../../tb/scnn/array-check.ts';
import { TEST_ARRAY_TOP } from '../../tb/scnn/array-test-params.ts';

const c = passCases(5, ['forward']).find((x) => x.label === 'conv 6x6 k5 s2 p3')!;
const schedule = schedulePass(c.shape, c.pass, c.operands, caseConfig(TEST_ARRAY_TOP, c), c.label);
const encode = (params = TEST_ARRAY_TOP, grid = c.grid, limit = 1000) => () => encodeArrayTop(schedule, grid, params, 'element', limit);

test('a pass that fits encodes', () => {
  expect(encode()).not.toThrow();
});

test('a pass the array cannot hold is refused with the limit it exceeds, before anything runs', () => {
  const pe = (o: Partial<typeof TEST_ARRAY_TOP.pe>) => ({ ...TEST_ARRAY_TOP, pe: { ...TEST_ARRAY_TOP.pe, ...o } });
  expect(encode({ ...TEST_ARRAY_TOP, px: 1 })).toThrow(/forward pass refused: it is scheduled for 2 x 3 PEs; the array has 1 x 3/);
  expect(encode({ ...TEST_ARRAY_TOP, unitDepth: 2 })).toThrow(/6 work units exceed the descriptor memories \(2\)/);
  expect(encode(pe({ stationaryDepth: 16 }))).toThrow(/PE 0 needs 36 stationary elements over the pass's 6 units; its stationary buffer holds 16/);
  expect(encode(pe({ segmentDepth: 4 }))).toThrow(/PE 0 needs 6 segments over the pass's 6 units; its segment table holds 4/);
  expect(encode(pe({ banks: 4, bankDepth: 4 }))).toThrow(/work unit 0, PE 0: work unit refused: the accumulator window holds 18 outputs, the PE has 4 banks x 4 = 16/);
  expect(encode({ ...TEST_ARRAY_TOP, globalBroadcastDepth: 64 })).toThrow(/broadcast operands need 156 elements \(each unit on a fill beat\); the global broadcast buffer holds 64/);
  expect(encode(TEST_ARRAY_TOP, c.grid, 0)).toThrow(/cycle limit must be an integer/);
});

test('a pass whose windows or halo merge exceed the output slices or the merge program is refused', () => {
  const wide = passCases(5, ['forward']).find((x) => x.label === 'conv 13x15 k3 s2 p1')!;
  const s = schedulePass(wide.shape, wide.pass, wide.operands, caseConfig(TEST_ARRAY_TOP, wide), wide.label);
  const run = (params: typeof TEST_ARRAY_TOP) => () => encodeArrayTop(s, wide.grid, params, 'element', 1000);
  expect(run(TEST_ARRAY_TOP)).not.toThrow();
  expect(run({ ...TEST_ARRAY_TOP, sliceDepth: 128 })).toThrow(/forward pass refused: PE 1's windows need 160 output-slice entries over the pass; its slice holds 128/);
  expect(run({ ...TEST_ARRAY_TOP, mergePhaseDepth: 4 })).toThrow(/forward pass refused: the halo merge needs 5 phases; the merge phase table holds 4/);
  expect(run({ ...TEST_ARRAY_TOP, mergeListDepth: 8 })).toThrow(/forward pass refused: PE \d sends \d+ halo row transfers over the pass; its merge list holds 8/);
});

test('an impossible array parameter set is refused at elaboration', () => {
  expect(() => elaborate(ScnnArrayTop, { ...TEST_ARRAY_TOP, fillWidth: 3 })).toThrow(/fillWidth must be a power of two dividing F = 4/);
  expect(() => elaborate(ScnnArrayTop, { ...TEST_ARRAY_TOP, px: 0 })).toThrow(/px must be an integer in \[1, 16\]/);
  expect(() => elaborate(ScnnArrayTop, { ...TEST_ARRAY_TOP, globalBroadcastDepth: 32 })).toThrow(/globalBroadcastDepth must be a power of two of at least the PE's broadcast buffer \(64\)/);
});
