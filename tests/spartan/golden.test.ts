import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { makeDense } from '../../sim/golden/dense-array.ts';
import { chunkWithFinal, tensorToBeats } from '../../sim/golden/spartan/beats.ts';
import { compactTensor, type CompactionShape } from '../../sim/golden/spartan/compaction-engine.ts';
import { monitorRecords, monitorTensor, tileCount, validateMonitorConfig, type MonitorConfig, type MonitorLimits } from '../../sim/golden/spartan/sparsity-monitor.ts';
import { checkCompaction } from '../../tb/spartan/compaction-check.ts';
import { checkMonitor } from '../../tb/spartan/monitor-check.ts';
import { laneColumns } from '../../tb/spartan/stream-columns.ts';
import { CheckFailure } from '../../tb/testbench.ts';

const SHAPE: CompactionShape = { outLanes: 4, elementWidth: 16, coordBits: 8, pointerBits: 20 };

const sparseValues = (n: number) => fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -300, max: 300 })), { minLength: n, maxLength: n });
const dims3 = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }));
const tensorArb = dims3.chain((d) => sparseValues(d[0] * d[1] * d[2]).map((v) => makeDense(d, v)));

describe('stream layout', () => {
  test('a tensor fills beats in order and pads the last one', () => {
    expect(tensorToBeats([1, 2, 3, 4, 5], 2)).toEqual([[1n, 2n], [3n, 4n], [5n, 0n]]);
  });

  test('vectors are full, then one final vector holds the rest (possibly none)', () => {
    expect(chunkWithFinal([1, 2, 3, 4, 5], 2)).toEqual([{ items: [1, 2], last: false }, { items: [3, 4], last: false }, { items: [5], last: true }]);
    expect(chunkWithFinal([1, 2], 2)).toEqual([{ items: [1, 2], last: false }, { items: [], last: true }]);
    expect(chunkWithFinal([], 3)).toEqual([{ items: [], last: true }]);
  });
});

describe('compaction golden model', () => {
  test('elements, coordinates and row pointers agree with a direct scan of the tensor', () => {
    fc.assert(
      fc.property(tensorArb, (t) => {
        const [C, H, W] = t.dims as [number, number, number];
        const scan: { v: number; c: number; h: number; w: number }[] = [];
        const rowPtr = [0];
        for (let c = 0; c < C; c++) {
          for (let h = 0; h < H; h++) {
            for (let w = 0; w < W; w++) {
              const v = t.values[(c * H + h) * W + w]!;
              if (v !== 0) scan.push({ v, c, h, w });
            }
            rowPtr.push(scan.length);
          }
        }
        const out = compactTensor(t, SHAPE, 'csr');
        const flat = out.elements.flatMap((e) => e.values.map((v, k) => ({ v, c: e.channels[k]!, h: e.rows[k]!, w: e.cols[k]! })));
        expect(flat).toEqual(scan);
        expect(out.elements.filter((e) => e.last)).toHaveLength(1);
        expect(out.elements.slice(0, -1).every((e) => e.values.length === SHAPE.outLanes)).toBe(true);
        expect([0, ...out.pointers.flatMap((p) => p.pointers)]).toEqual(rowPtr);
        expect(out.masks).toEqual([]);
      }),
      { seed: 4201 },
    );
  });

  test('ZVC masks have bit i of word w set exactly for the non-zero 32w + i', () => {
    fc.assert(
      fc.property(tensorArb, (t) => {
        const out = compactTensor(t, SHAPE, 'zvc');
        expect(out.masks).toHaveLength(Math.ceil(t.values.length / 32));
        out.masks.forEach((m, w) => {
          for (let i = 0; i < 32; i++) expect(((m.mask >>> i) & 1) === 1).toBe(t.values[32 * w + i] !== undefined && t.values[32 * w + i] !== 0);
          expect(m.last).toBe(w === out.masks.length - 1);
        });
        expect(out.pointers).toEqual([]);
      }),
      { seed: 4202 },
    );
  });

  test('a tensor beyond the coordinate or element range is refused', () => {
    expect(() => compactTensor(makeDense([256, 1, 1]), SHAPE, 'csr')).toThrow(/coordinates/);
    expect(() => compactTensor(makeDense([1, 1, 2], [40000, 0]), SHAPE, 'csr')).toThrow(/16-bit/);
  });

  test('the stream check catches a lost, a duplicated and a misplaced element', () => {
    const t = makeDense([2, 3, 5], [0, 4, 0, 5, 6, 0, 0, 7, 0, 0, 0, 0, 8, 0, 9, 1, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 11]);
    const good = compactTensor(t, SHAPE, 'csr');
    expect(() => checkCompaction([t], good, SHAPE, 'csr')).not.toThrow();
    const first = good.elements[0]!;
    const tampered = [
      { ...first, values: first.values.slice(1), channels: first.channels.slice(1), rows: first.rows.slice(1), cols: first.cols.slice(1) },
      { ...first, values: [first.values[0]!, ...first.values], channels: [0, ...first.channels], rows: [0, ...first.rows], cols: [1, ...first.cols] },
      { ...first, cols: [first.cols[0]! + 1, ...first.cols.slice(1)] },
    ];
    for (const bad of tampered) {
      expect(() => checkCompaction([t], { ...good, elements: [bad, ...good.elements.slice(1)] }, SHAPE, 'csr')).toThrow(CheckFailure);
    }
  });
});

const LIMITS: MonitorLimits = { lanes: 4, dimBits: 12, countBits: 20, maxTilesPerRow: 4, maxTiles: 64, channelLayout: 'planar', maxChannels: 16 };

/** A random valid monitor configuration for LIMITS (planar channels = matrix rows of one plane each when possible). */
const monitorCase = fc
  .record({
    tileColsBeats: fc.integer({ min: 1, max: 3 }),
    extra: fc.integer({ min: 0, max: 3 }),
    tilesPerRow: fc.integer({ min: 1, max: 4 }),
    tileRows: fc.integer({ min: 1, max: 4 }),
    rows: fc.integer({ min: 1, max: 9 }),
    threshold: fc.integer({ min: 0, max: 255 }),
  })
  .map((r): MonitorConfig => {
    const tileCols = r.tileColsBeats * LIMITS.lanes + r.extra;
    return { lanes: LIMITS.lanes, rowLength: tileCols * r.tilesPerRow, tileCols, tileRows: r.tileRows, rows: r.rows, threshold: r.threshold, channelLayout: 'planar', channels: r.rows, planeSize: tileCols * r.tilesPerRow };
  })
  .chain((cfg) => sparseValues(cfg.rows * cfg.rowLength).map((v) => ({ cfg, values: Int32Array.from(v) })));

describe('monitor golden model', () => {
  test('tile counts, flags and totals agree with assigning every element to its tile', () => {
    fc.assert(
      fc.property(monitorCase, ({ cfg, values }) => {
        validateMonitorConfig(cfg, LIMITS);
        const tilesPerRow = cfg.rowLength / cfg.tileCols;
        const counts = new Array<number>(tileCount(cfg)).fill(0);
        const sizes = new Array<number>(tileCount(cfg)).fill(0);
        values.forEach((v, i) => {
          const r = Math.floor(i / cfg.rowLength);
          const tile = Math.floor(r / cfg.tileRows) * tilesPerRow + Math.floor((i % cfg.rowLength) / cfg.tileCols);
          sizes[tile]!++;
          if (v !== 0) counts[tile]!++;
        });
        const result = monitorTensor(values, cfg);
        expect(result.tiles.map((t) => t.nonZeros)).toEqual(counts);
        expect(result.tiles.map((t) => t.elements)).toEqual(sizes);
        expect(result.tiles.map((t) => t.dense)).toEqual(counts.map((n, k) => 256 * n >= cfg.threshold * sizes[k]!));
        expect(result.totalNonZeros).toBe(counts.reduce((a, b) => a + b, 0));
        expect(result.channelNonZeros).toEqual(Array.from({ length: cfg.rows }, (_, c) => values.slice(c * cfg.rowLength, (c + 1) * cfg.rowLength).filter((v) => v !== 0).length));
        const records = monitorRecords(result);
        expect(records.at(-1)).toMatchObject({ kind: 'Total', last: true });
        expect(records.filter((r) => r.last)).toHaveLength(1);
      }),
      { seed: 4203 },
    );
  });

  test('interleaved channel totals count every C-th element', () => {
    const values = Int32Array.from([1, 0, 0, 0, 2, 3, 0, 0, 0, 4, 5, 0]);
    const cfg: MonitorConfig = { lanes: 4, rowLength: 12, tileCols: 12, tileRows: 1, rows: 1, threshold: 0, channelLayout: 'interleaved', channels: 4 };
    validateMonitorConfig(cfg, { ...LIMITS, channelLayout: 'interleaved' });
    expect(monitorTensor(values, cfg).channelNonZeros).toEqual([2, 2, 1, 0]);
  });

  test.each([
    [{ tileCols: 3 }, /narrower than a beat/],
    [{ rowLength: 10, tileCols: 4 }, /not a multiple/],
    [{ rowLength: 20, tileCols: 4 }, /tiles per row/],
    [{ rows: 130 }, /exceed the result memory/],
    [{ planeSize: 16, channels: 3 }, /planes/],
    [{ threshold: 256 }, /threshold/],
  ] as [Partial<MonitorConfig>, RegExp][])('configuration %o is refused', (change, reason) => {
    const base: MonitorConfig = { lanes: 4, rowLength: 8, tileCols: 8, tileRows: 2, rows: 4, threshold: 10, channelLayout: 'planar', channels: 4, planeSize: 8 };
    expect(() => validateMonitorConfig(base, LIMITS)).not.toThrow();
    expect(() => validateMonitorConfig({ ...base, ...change }, LIMITS)).toThrow(reason);
  });

  test('the monitor check catches an altered count, flag, pass-through beat and a dropped readout', () => {
    const cfg: MonitorConfig = { lanes: 4, rowLength: 8, tileCols: 4, tileRows: 1, rows: 2, threshold: 128, channelLayout: 'none' };
    const values = Int32Array.from([0, 1, 2, 0, 0, 0, 0, 3, 4, 4, 0, 0, 0, 0, 0, 0]);
    const records = monitorRecords(monitorTensor(values, cfg));
    const sent = laneColumns([values], 4);
    const run = { records, passedThrough: sent, sent, overrun: false, cycles: 10, lastPassCycle: 3, wallMs: 0 };
    expect(() => checkMonitor([values], cfg, run)).not.toThrow();
    const broken = [
      { ...run, records: records.map((r, i) => (i === 1 ? { ...r, nonZeros: r.nonZeros + 1 } : r)) },
      { ...run, records: records.map((r, i) => (i === 0 ? { ...r, dense: !r.dense } : r)) },
      { ...run, passedThrough: sent.map((lane, j) => (j === 2 ? lane.map((v, i) => (i === 1 ? v + 1 : v)) : lane)) },
      { ...run, passedThrough: sent.map((lane) => lane.slice(1)) },
      { ...run, overrun: true },
      { ...run, records: records.slice(0, -1) },
    ];
    for (const b of broken) expect(() => checkMonitor([values], cfg, b)).toThrow(CheckFailure);
  });
});
