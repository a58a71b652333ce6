import { expect, test } from 'vitest';
import { HwError } from '../../hw/index.ts';
import { elaborate } from '../../hw/index.ts';
import { ScnnPeTop } from '../../hw/scnn/pe-top.ts';
import { encodePeTop, ImpossibleWorkUnit } from '../../sim/scnn/images.ts';
import { randomWorkUnit } from '../../sim/scnn/random-work-units.ts';
import type { WorkUnit } from '../../sim/scnn/work-unit.ts';
import { TEST_PE_TOP } from '../../tb/scnn/test-params.ts';

const unit = randomWorkUnit({ pass: 'forward', density: 0.5, stride: 1, padding: 1, seed: 3 });
const encode = (u: WorkUnit, params = TEST_PE_TOP, mode: 'off' | 'vector' | 'element' = 'off', limit = 1000) => () => encodePeTop(u, params, mode, limit);

test('a sound unit encodes', () => {
  expect(encode(unit)).not.toThrow();
});

test('impossible configurations are refused with the limit they exceed, before anything runs', () => {
  const geometry = (g: Partial<WorkUnit['geometry']>): WorkUnit => ({ ...unit, geometry: { ...unit.geometry, ...g } });
  expect(encode(geometry({ stride: 3 }))).toThrow(/stride 3 is not supported: strides are 1, 2 or 4/);
  expect(encode(geometry({ stride: 0 }))).toThrow(/stride 0 is not supported/);
  expect(encode(geometry({ outRows: 64 }))).toThrow(/outRows = 64 does not fit 6 coordinate bits/);
  const pe = unit.pes[0]!;
  const bigWindow: WorkUnit = { ...unit, pes: [{ ...pe, window: { ...pe.window, windowRows: 40, windowCols: 40, channels: 2 } }] };
  expect(encode(bigWindow)).toThrow(/window holds 3200 outputs, the PE has 32 banks x 64 = 2048/);
  const overflow: WorkUnit = { ...unit, broadcast: { ...unit.broadcast, values: unit.broadcast.values.map((v, i) => (i === 0 ? 40000 : v)) } };
  expect(encode(overflow)).toThrow(/broadcast value 40000 at element 0 does not fit 16 signed bits/);
  const unsorted: WorkUnit = { ...unit, broadcast: { ...unit.broadcast, row: unit.broadcast.row.map((r, i) => (i === 0 ? 2 : r)) } };
  expect(encode(unsorted)).toThrow(/not sorted by \(row, col, ch\)/);
  expect(encode(unit, { ...TEST_PE_TOP, pe: { ...TEST_PE_TOP.pe, anticipation: 'vector' } }, 'element')).toThrow(/mode 'element' needs a PE elaborated with at least that anticipation; this one has 'vector'/);
  expect(encode(unit, TEST_PE_TOP, 'off', 0)).toThrow(/cycle limit must be an integer/);
  const dense = randomWorkUnit({ pass: 'forward', density: 1, stride: 1, padding: 0, seed: 1, maxMap: 40, maxChannels: 1 });
  expect(encode(dense, { ...TEST_PE_TOP, pe: { ...TEST_PE_TOP.pe, stationaryDepth: 16 } })).toThrow(/stationary elements exceed the stationary buffer \(16\)/);
});

test('an impossible parameter set is refused at elaboration', () => {
  expect(() => elaborate(ScnnPeTop, { ...TEST_PE_TOP, fillWidth: 3 })).toThrow(HwError);
  expect(() => elaborate(ScnnPeTop, { ...TEST_PE_TOP, pe: { ...TEST_PE_TOP.pe, banks: 24 } })).toThrow(/banks must be a power of two/);
  expect(() => elaborate(ScnnPeTop, { ...TEST_PE_TOP, pe: { ...TEST_PE_TOP.pe, accumulatorSets: 3 as 2 } })).toThrow(/ScnnPe: accumulatorSets must be 1 or 2, got 3/);
  expect(ImpossibleWorkUnit.name).toBe('ImpossibleWorkUnit');
});
