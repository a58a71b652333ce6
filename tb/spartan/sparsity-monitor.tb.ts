import { DEFAULT_SPARSITY_MONITOR, SparsityMonitor, type SparsityMonitorParams } from '../../hw/spartan/sparsity-monitor.ts';
import type { DenseArray } from '../../sim/golden/dense-array.ts';
import { deriveSeed } from '../../sim/golden/random.ts';
import { validateMonitorConfig, type MonitorConfig } from '../../sim/golden/spartan/sparsity-monitor.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { check, defineTestbench } from '../testbench.ts';
import { checkMonitor } from './monitor-check.ts';
import { runMonitorBulk } from './monitor-run.ts';
import { frontEndTensor, percent, ZERO_FRACTIONS, type TensorShape } from './workloads.ts';

interface Scenario {
  readonly name: string;
  /** C x H x W of the generated tensor. */
  readonly dims: [number, number, number];
  /** Stream it channel-interleaved (HWC) instead of planar (CHW). */
  readonly interleave: boolean;
  readonly cfg: MonitorConfig;
}

const V = DEFAULT_SPARSITY_MONITOR.lanes;
const planar = (rowLength: number, tileCols: number, tileRows: number, dims: [number, number, number], threshold: number): MonitorConfig => ({
  lanes: V,
  rowLength,
  tileCols,
  tileRows,
  rows: (dims[0] * dims[1] * dims[2]) / rowLength,
  threshold,
  channelLayout: 'planar',
  channels: dims[0],
  planeSize: dims[1] * dims[2],
});

const SCENARIOS: readonly Scenario[] = [
  { name: 'channel groups (rows = planes, 4x196 tiles)', dims: [32, 14, 14], interleave: false, cfg: planar(196, 196, 4, [32, 14, 14], 128) },
  { name: 'half planes (3 channels x 392, partial last tile row)', dims: [16, 28, 28], interleave: false, cfg: planar(784, 392, 3, [16, 28, 28], 77) },
  { name: 'spatial tiles (rows = image rows, 4x16 tiles)', dims: [8, 32, 32], interleave: false, cfg: planar(32, 16, 4, [8, 32, 32], 200) },
  {
    name: 'HWC, channels interleaved (rows = image rows of 14 pixels x 32 channels, 2x64 tiles)',
    dims: [32, 14, 14],
    interleave: true,
    cfg: { lanes: V, rowLength: 448, tileCols: 64, tileRows: 2, rows: 14, threshold: 128, channelLayout: 'interleaved', channels: 32 },
  },
];

/** CHW values reordered to HWC (channel fastest). */
function toHwc(t: DenseArray): Int32Array {
  const [C, H, W] = t.dims as [number, number, number];
  const out = new Int32Array(t.values.length);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[(h * W + w) * C + c] = t.values[(c * H + h) * W + w]!;
  return out;
}

const IN_STALL = 0.2;
const OUT_STALL = 0.3;
const RESULT_STALL = 0.3;

/**
 * The V = 16 sparsity monitor (planar and interleaved channel totals) against
 * the golden counts: tile counts and flags, channel totals and the tensor
 * total for every zero fraction, uniform and ReLU tensors, two tensors back
 * to back under random stalls on all three streams; then without stalls the
 * pass-through must take exactly one cycle per beat (no extra cycle).
 */
export const sparsityMonitorTestbench = defineTestbench({
  name: 'sparsity_monitor',
  description: 'Spartan sparsity monitor (V=16): tile/channel/total counts and dense flags vs golden at 0-100% zeros, planar and interleaved, random stalls; zero extra stream cycles',
  run: async ({ seed, build }) => {
    const models = new Map<boolean, { params: SparsityMonitorParams; model: VerilatedModel }>();
    for (const interleave of [false, true]) {
      const params: SparsityMonitorParams = { ...DEFAULT_SPARSITY_MONITOR, channelLayout: interleave ? 'interleaved' : 'planar' };
      models.set(interleave, { params, model: (await build(SparsityMonitor, params)).model });
    }
    let cycles = 0;
    let runs = 0;
    let maxExtra = 0;
    for (const [s, scenario] of SCENARIOS.entries()) {
      const { params, model } = models.get(scenario.interleave)!;
      validateMonitorConfig(scenario.cfg, params);
      for (const shape of ['uniform', 'relu'] as TensorShape[]) {
        for (const zeros of ZERO_FRACTIONS) {
          const tensors = [0, 1].map((t) => {
            const dense = frontEndTensor(scenario.dims, zeros, shape, params.elementWidth, deriveSeed(seed, s, t));
            return scenario.interleave ? toHwc(dense) : dense.values;
          });
          const stalled = await runMonitorBulk(model, params, tensors, scenario.cfg, {
            seed: deriveSeed(seed, s, shape, zeros),
            inStall: IN_STALL,
            outStall: OUT_STALL,
            resultStall: RESULT_STALL,
          });
          checkMonitor(tensors, scenario.cfg, stalled);
          const free = await runMonitorBulk(model, params, tensors, scenario.cfg, { seed: deriveSeed(seed, s, shape, zeros, 'free') });
          checkMonitor(tensors, scenario.cfg, free);
          const extra = free.lastPassCycle + 1 - free.sent[0]!.length;
          check(extra === 0, () => `${scenario.name}, ${shape} ${percent(zeros)} zeros: the stream took ${extra} extra cycles through the monitor`);
          maxExtra = Math.max(maxExtra, extra);
          cycles += stalled.cycles + free.cycles;
          runs += 2;
        }
      }
    }
    return {
      cycles,
      details: `${SCENARIOS.length} tilings x 2 tensor shapes x ${ZERO_FRACTIONS.length} zero fractions, ${runs} bulk runs of 2 tensors: counts, flags and totals equal golden under stalls (in ${IN_STALL}, out ${OUT_STALL}, result ${RESULT_STALL}); extra stream cycles: ${maxExtra}`,
      metrics: { runs, maxExtraStreamCycles: maxExtra },
    };
  },
});
