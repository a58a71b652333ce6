import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { SparsityMonitor, type SparsityMonitorParams } from '../../hw/spartan/sparsity-monitor.ts';
import { Rng } from '../../sim/golden/random.ts';
import { beatCount } from '../../sim/golden/spartan/beats.ts';
import { monitorRecords, monitorTensor, tileCount, validateMonitorConfig, type MonitorConfig } from '../../sim/golden/spartan/sparsity-monitor.ts';
import { buildModel, type VerilatedModel } from '../../sim/verilator/build.ts';
import { Simulation } from '../../sim/verilator/session.ts';
import { checkMonitor } from '../../tb/spartan/monitor-check.ts';
import { monitorConfigPorts, runMonitorBulk } from '../../tb/spartan/monitor-run.ts';

const small = (over: Partial<SparsityMonitorParams>): SparsityMonitorParams => ({
  lanes: 4,
  elementWidth: 8,
  dimBits: 10,
  countBits: 16,
  maxTilesPerRow: 4,
  maxTiles: 64,
  channelLayout: 'planar',
  maxChannels: 16,
  ...over,
});

const PLANAR = small({});
const INTERLEAVED = small({ lanes: 8, channelLayout: 'interleaved', maxChannels: 32 });
const NO_CHANNELS = small({ maxTilesPerRow: 1, maxTiles: 32, channelLayout: 'none' });

const models = new Map<SparsityMonitorParams, Promise<VerilatedModel>>();
function model(p: SparsityMonitorParams): Promise<VerilatedModel> {
  if (!models.has(p)) models.set(p, buildModel(elaborate(SparsityMonitor, p)));
  return models.get(p)!;
}

function divisors(n: number, atLeast: number, atMost: number): number[] {
  const out: number[] = [];
  for (let d = atLeast; d <= Math.min(n, atMost); d++) if (n % d === 0) out.push(d);
  return out;
}

const zeroPercent = fc.integer({ min: 0, max: 100 }).map((x) => x / 100);

/**
 * A random valid configuration of the hardware `p`: channels and plane size
 * (or pixels), then a matrix view (row length) and a tiling of it.
 */
function configArb(p: SparsityMonitorParams): fc.Arbitrary<MonitorConfig> {
  const V = p.lanes;
  const channelChoice =
    p.channelLayout === 'interleaved'
      ? fc.integer({ min: 1, max: p.maxChannels / V }).map((k) => k * V)
      : fc.integer({ min: 1, max: Math.min(6, p.maxChannels) });
  return fc
    .record({
      channels: channelChoice,
      perChannel: fc.integer({ min: p.channelLayout === 'interleaved' ? 1 : V, max: 40 }),
      viewPick: fc.nat(),
      tilePick: fc.nat(),
      tileRows: fc.integer({ min: 1, max: 4 }),
      threshold: fc.integer({ min: 0, max: 255 }),
    })
    .map((r) => {
      const total = r.channels * r.perChannel;
      const views = divisors(total, V, 2 ** p.dimBits - 1);
      const rowLength = views[r.viewPick % views.length]!;
      const tilings = divisors(rowLength, V, rowLength).filter((tc) => rowLength / tc <= p.maxTilesPerRow);
      const tileCols = tilings[r.tilePick % Math.max(1, tilings.length)] ?? rowLength;
      const cfg: MonitorConfig = {
        lanes: V,
        rowLength,
        tileCols,
        tileRows: r.tileRows,
        rows: total / rowLength,
        threshold: r.threshold,
        channelLayout: p.channelLayout,
        ...(p.channelLayout === 'none' ? {} : { channels: r.channels }),
        ...(p.channelLayout === 'planar' ? { planeSize: r.perChannel } : {}),
      };
      return cfg;
    })
    .filter((cfg) => {
      try {
        validateMonitorConfig(cfg, p);
        return true;
      } catch {
        return false;
      }
    });
}

function randomValues(n: number, zeroFraction: number, elementWidth: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const max = 2 ** (elementWidth - 1) - 1;
  return Int32Array.from({ length: n }, () => (rng.bernoulli(zeroFraction) ? 0 : (rng.nextInt(2 * max) - max) || max));
}

/** Readout records of one tensor; the next tensor must be longer than that for the readout to keep up. */
function recordsPerTensor(cfg: MonitorConfig): number {
  return tileCount(cfg) + (cfg.channels ?? 0) + 1;
}

describe.each([
  { name: 'planar V=4', p: PLANAR, seed: 101 },
  { name: 'interleaved V=8', p: INTERLEAVED, seed: 102 },
  { name: 'no channels V=4, one tile column', p: NO_CHANNELS, seed: 103 },
])('sparsity monitor, $name', ({ p, seed }) => {
  test('counts, flags, totals and pass-through equal the golden model under random stalls', async () => {
    const m = await model(p);
    const caseArb = configArb(p).chain((cfg) =>
      fc.record({
        cfg: fc.constant(cfg),
        zeros: fc.oneof(fc.constantFrom(0, 1), zeroPercent),
        tensors: fc.integer({ min: 1, max: 3 }),
        seed: fc.integer({ min: 0, max: 2 ** 30 }),
        inStall: fc.constantFrom(0, 0.3, 0.7),
        outStall: fc.constantFrom(0, 0.3, 0.7),
        resultStall: fc.constantFrom(0, 0.3, 0.7),
      }),
    );
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const elements = c.cfg.rows * c.cfg.rowLength;
        // Back-to-back tensors only where the readout (one record per cycle) finishes within the next tensor.
        const tensors = recordsPerTensor(c.cfg) + 3 <= beatCount(elements, p.lanes) ? c.tensors : 1;
        const values = Array.from({ length: tensors }, (_, t) => randomValues(elements, c.zeros, p.elementWidth, c.seed + t));
        const run = await runMonitorBulk(m, p, values, c.cfg, { seed: c.seed, inStall: c.inStall, outStall: c.outStall, resultStall: tensors > 1 ? 0 : c.resultStall });
        checkMonitor(values, c.cfg, run);
        if (c.inStall === 0 && c.outStall === 0) expect(run.lastPassCycle + 1).toBe(run.sent[0]!.length);
      }),
      { numRuns: 30, seed },
    );
  });
});

test('a tensor that ends during the previous readout raises overrun and leaves that readout intact', async () => {
  const cfg: MonitorConfig = { lanes: 4, rowLength: 4, tileCols: 4, tileRows: 1, rows: 3, threshold: 100, channelLayout: 'planar', channels: 3, planeSize: 4 };
  validateMonitorConfig(cfg, PLANAR);
  const values = [Int32Array.from([1, 0, 2, 0, 0, 0, 0, 3, 4, 5, 6, 7]), Int32Array.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])];
  const run = await runMonitorBulk(await model(PLANAR), PLANAR, values, cfg, { seed: 5 });
  expect(run.overrun).toBe(true);
  expect(run.records).toEqual(monitorRecords(monitorTensor(values[0]!, cfg)));
});

test('the monitored stream passes on wires: ready, valid and data unchanged in the same cycle', async () => {
  const design = elaborate(SparsityMonitor, PLANAR);
  const sim = Simulation.open(await model(PLANAR), design.top.spec);
  const cfg: MonitorConfig = { lanes: 4, rowLength: 8, tileCols: 4, tileRows: 2, rows: 4, threshold: 128, channelLayout: 'planar', channels: 2, planeSize: 16 };
  const rng = new Rng(77);
  try {
    for (const [port, v] of Object.entries(monitorConfigPorts(cfg))) sim.poke(port, v);
    sim.poke('result_ready', 1);
    for (let cycle = 0; cycle < 120; cycle++) {
      const valid = rng.bernoulli(0.6);
      const ready = rng.bernoulli(0.6);
      const data = Array.from({ length: PLANAR.lanes }, () => (rng.bernoulli(0.5) ? 0 : rng.nextInt(255) - 127));
      sim.poke('in_valid', valid);
      sim.poke('out_ready', ready);
      data.forEach((v, j) => sim.poke(`in_bits_${j}`, v));
      await sim.expect('in_ready', ready, `cycle ${cycle}`);
      await sim.expect('out_valid', valid, `cycle ${cycle}`);
      for (let j = 0; j < PLANAR.lanes; j++) await sim.expect(`out_bits_${j}`, data[j]!, `cycle ${cycle}`);
      sim.step();
    }
  } finally {
    await sim.close();
  }
});
