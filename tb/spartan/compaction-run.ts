import type { CompactionEngineParams } from '../../hw/spartan/compaction-engine.ts';
import type { DenseArray } from '../../sim/golden/dense-array.ts';
import type { CompactionMode, CompactionStreams, ElementVector, MaskWord, PointerVector } from '../../sim/golden/spartan/compaction-engine.ts';
import type { VerilatedModel } from '../../sim/verilator/build.ts';
import { runBulk } from '../../sim/verilator/bulk.ts';
import { laneColumns, rowOf } from './stream-columns.ts';

export interface CompactionRunOptions {
  readonly seed: number;
  readonly mode: CompactionMode;
  /** Probability of a bubble on the dense input in a cycle. */
  readonly inStall?: number;
  /** Probability that a consumer withholds ready in a cycle (all output streams). */
  readonly outStall?: number;
}

export interface CompactionRun {
  /** Decoded streams, lanes at or beyond each vector's count dropped. */
  readonly streams: CompactionStreams;
  /** Cycles until the streams fell idle. */
  readonly cycles: number;
  /** Cycle of the last element vector (the final one of the last tensor). */
  readonly lastVectorCycle: number;
  readonly inputBeats: number;
  readonly consumedBeats: number;
  readonly wallMs: number;
}

/**
 * Streams equally shaped C x H x W tensors back to back through a built
 * compaction engine in one bulk run and decodes what came out.
 */
export async function runCompactionBulk(
  model: VerilatedModel,
  params: CompactionEngineParams,
  tensors: readonly DenseArray[],
  opts: CompactionRunOptions,
): Promise<CompactionRun> {
  if (tensors.length === 0) throw new RangeError('runCompactionBulk needs at least one tensor');
  const dims = tensors[0]!.dims;
  if (dims.length !== 3 || tensors.some((t) => t.dims.join() !== dims.join())) {
    throw new RangeError('the tensors of one run must all be C x H x W with the same dims');
  }
  const columns = laneColumns(tensors.map((t) => t.values), params.lanes);
  const beats = columns[0]!.length;
  const outStall = opts.outStall ?? 0;
  const result = await runBulk(model, {
    seed: opts.seed,
    config: { cfg_channels: dims[0]!, cfg_height: dims[1]!, cfg_width: dims[2]!, cfg_zvc: opts.mode === 'zvc' ? 1 : 0 },
    inputs: [{ prefix: 'in', columns, stall: opts.inStall ?? 0 }],
    outputs: [
      { prefix: 'out', stall: outStall },
      { prefix: 'ptr', stall: outStall },
      { prefix: 'mask', stall: outStall },
    ],
    drainCycles: 200,
    // A stuck engine fails fast instead of running to the harness's default limit.
    maxCycles: 200 * beats + 10_000,
  });
  const U = params.outLanes;
  const rows = (prefix: string): number[][] => {
    const cols = result.columns[prefix] ?? [];
    return Array.from({ length: cols[0]?.length ?? 0 }, (_, i) => rowOf(cols, i));
  };
  const elements: ElementVector[] = rows('out').map((b) => {
    const count = b[4 * U]!;
    const lanes = (field: number) => b.slice(field * U, field * U + count);
    return { values: lanes(0), channels: lanes(1), rows: lanes(2), cols: lanes(3), last: b[4 * U + 1] === 1 };
  });
  const pointers: PointerVector[] = rows('ptr').map((b) => ({ pointers: b.slice(0, b[U]!), last: b[U + 1] === 1 }));
  const masks: MaskWord[] = rows('mask').map((b) => ({ mask: b[0]!, last: b[1] === 1 }));
  return {
    streams: { elements, pointers, masks },
    cycles: result.cycles,
    lastVectorCycle: result.lastBeatCycle.out ?? -1,
    inputBeats: beats,
    consumedBeats: result.consumed.in ?? 0,
    wallMs: result.wallMs,
  };
}
