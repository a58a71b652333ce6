import { MonitorRecord, type SparsityMonitorParams } from '../../hw/spartan/sparsity-monitor.ts';
import type { MonitorConfig, MonitorRecordKind, MonitorRecordValue } from '../../sim/golden/spartan/sparsity-monitor.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk, type OutputColumn } from '../../sim/verilator/bulk.ts';
import { laneColumns, rowOf } from './stream-columns.ts';

export interface MonitorRunOptions {
  readonly seed: number;
  /** Probability of a bubble on the monitored stream's producer side in a cycle. */
  readonly inStall?: number;
  /** Probability that the monitored stream's consumer withholds ready in a cycle. */
  readonly outStall?: number;
  /** Probability that the reader of the results withholds ready in a cycle. */
  readonly resultStall?: number;
}

export interface MonitorRun {
  readonly records: MonitorRecordValue[];
  /** Lane columns of the beats that left on the pass-through output. */
  readonly passedThrough: readonly OutputColumn[];
  /** Lane columns of the beats sent. */
  readonly sent: readonly Int32Array[];
  readonly overrun: boolean;
  readonly cycles: number;
  /** Cycle of the last beat on the pass-through output. */
  readonly lastPassCycle: number;
  readonly wallMs: number;
}

/** The hardware's configuration ports for a monitor configuration. */
export function monitorConfigPorts(cfg: MonitorConfig): Record<string, number> {
  const ports: Record<string, number> = {
    cfg_rowLength: cfg.rowLength,
    cfg_tileCols: cfg.tileCols,
    cfg_tileRows: cfg.tileRows,
    cfg_rows: cfg.rows,
    cfg_threshold: cfg.threshold,
  };
  if (cfg.channelLayout !== 'none') ports.cfg_channels = cfg.channels!;
  if (cfg.channelLayout === 'planar') ports.cfg_planeSize = cfg.planeSize!;
  return ports;
}

/** Streams tensors (flat, same configuration) back to back past a built monitor in one bulk run. */
export async function runMonitorBulk(
  model: VerilatedModel,
  params: SparsityMonitorParams,
  tensors: readonly Int32Array[],
  cfg: MonitorConfig,
  opts: MonitorRunOptions,
): Promise<MonitorRun> {
  const sent = laneColumns(tensors, params.lanes);
  const beats = sent[0]!.length;
  const result = await runBulk(model, {
    seed: opts.seed,
    config: monitorConfigPorts(cfg),
    inputs: [{ prefix: 'in', columns: sent, stall: opts.inStall ?? 0 }],
    outputs: [
      { prefix: 'out', stall: opts.outStall ?? 0 },
      { prefix: 'result', stall: opts.resultStall ?? 0 },
    ],
    peek: ['overrun'],
    drainCycles: 200,
    maxCycles: 200 * beats + 10_000,
  });
  const recordColumns = result.columns.result ?? [];
  const records = Array.from({ length: recordColumns[0]?.length ?? 0 }, (_, i) => {
    const [kind, index, nonZeros, dense, last] = rowOf(recordColumns, i);
    return { kind: MonitorRecord.members[kind!] as MonitorRecordKind, index: index!, nonZeros: nonZeros!, dense: dense === 1, last: last === 1 };
  });
  return {
    records,
    passedThrough: result.columns.out ?? [],
    sent,
    overrun: result.peeks.overrun === 1n,
    cycles: result.cycles,
    lastPassCycle: result.lastBeatCycle.out ?? -1,
    wallMs: result.wallMs,
  };
}
