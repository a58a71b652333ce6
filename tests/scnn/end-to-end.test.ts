/**
 * The accelerator's front of the pipeline end to end, on the RTL: a dense
 * activation tensor goes through the compaction engine, whose compressed output
 * (values with their (c, h, w) and CSR row pointers) becomes the PE's
 * stationary operand as it came out of the engine; the PE convolves it with
 * the weights, and the result must equal the golden forward convolution.
 */
import { describe, expect, test } from 'vitest';
import { elaborate } from '../../hw/index.ts';
import { CompactionEngine, DEFAULT_COMPACTION_ENGINE } from '../../hw/spartan/compaction-engine.ts';
import { ScnnPeTop } from '../../hw/scnn/pe-top.ts';
import { convForwardDirect } from '../../sim/golden/conv-direct.ts';
import { outputHeight, outputWidth, type ConvShape } from '../../sim/golden/conv-shape.ts';
import { deriveSeed, Rng } from '../../sim/golden/random.ts';
import { cycleModel } from '../../sim/scnn/cycle-model.ts';
import { PlaneIndex } from '../../sim/scnn/plane-index.ts';
import { ANTICIPATION_MODES, type ElementList, type WorkUnit } from '../../sim/scnn/work-unit.ts';
import { fillValues } from '../../sim/workloads/sparsity/operand-values.ts';
import { uniformMask } from '../../sim/workloads/sparsity/uniform.ts';
import { buildModel } from '../../sim/verilator/build.ts';
import { runCompactionBulk } from '../../tb/spartan/compaction-run.ts';
import { frontEndTensor } from '../../tb/spartan/workloads.ts';
import { runPeTop } from '../../tb/scnn/pe-run.ts';
import { TEST_PE_TOP } from '../../tb/scnn/test-params.ts';

/** The compaction engine's element stream as the PE's stationary list: (row, col) = (h, w), segments per channel from the row pointers. */
function stationaryFromCompaction(
  run: Awaited<ReturnType<typeof runCompactionBulk>>,
  channels: number,
  height: number,
): { list: ElementList; channelStarts: number[] } {
  const values: number[] = [];
  const rows: number[] = [];
  const cols: number[] = [];
  const chans: number[] = [];
  for (const v of run.streams.elements) {
    values.push(...v.values);
    rows.push(...v.rows);
    cols.push(...v.cols);
    chans.push(...v.channels);
  }
  // rowPtr[1 .. C*H] from the engine; rowPtr[0] = 0 is implied.
  const rowPtr = [0, ...run.streams.pointers.flatMap((p) => p.pointers)];
  expect(rowPtr.length).toBe(channels * height + 1);
  const channelStarts = Array.from({ length: channels + 1 }, (_, c) => rowPtr[c * height]!);
  // The engine's order is (c, h, w): within a channel, (h, w) order, as a forward segment needs.
  channelStarts.slice(0, -1).forEach((start, c) => {
    for (let i = start; i < channelStarts[c + 1]!; i++) expect(chans[i], `element ${i}`).toBe(c);
  });
  return {
    list: { values: Int32Array.from(values), row: Int32Array.from(rows), col: Int32Array.from(cols), ch: new Int32Array(values.length) },
    channelStarts,
  };
}

describe('dense activations -> compaction engine -> PE -> golden convolution', () => {
  test.each([
    { stride: 1, padding: 1, zeros: 0.5 },
    { stride: 2, padding: 1, zeros: 0.7 },
    { stride: 1, padding: 0, zeros: 0.9 },
  ])('forward, stride $stride, padding $padding, $zeros zeros: bit for bit in every mode, counters equal to the cycle model', async ({ stride, padding, zeros }) => {
    const shape: ConvShape = { batch: 1, inChannels: 4, outChannels: 6, height: 10, width: 10, kernelHeight: 3, kernelWidth: 3, stride, padding };
    const seed = deriveSeed(17, stride, padding, zeros);
    const dims = [shape.inChannels, shape.height, shape.width] as const;
    // Small values keep every sum inside the 32-bit accumulators.
    const activations = frontEndTensor(dims, zeros, 'relu', 8, seed);
    const rng = new Rng(deriveSeed(seed, 'weights'));
    const weightCount = shape.outChannels * shape.inChannels * 9;
    const weights = fillValues(weightCount, 'weight', 8, rng, uniformMask(weightCount, 0.5, rng));

    const compaction = await buildModel(elaborate(CompactionEngine, DEFAULT_COMPACTION_ENGINE));
    const compacted = await runCompactionBulk(compaction, DEFAULT_COMPACTION_ENGINE, [activations], { seed, mode: 'csr', inStall: 0.2, outStall: 0.2 });
    const { list, channelStarts } = stationaryFromCompaction(compacted, shape.inChannels, shape.height);

    // Broadcast: per input channel c, W[k, c, r, s] sorted by (r, s, k), one broadcast segment each.
    const weightIndex = new PlaneIndex(weights, [shape.outChannels, shape.inChannels, 3, 3]);
    const blocks = Array.from({ length: shape.inChannels }, (_, c) =>
      weightIndex.gather(c, 0, { start: 0, end: shape.outChannels }, { start: 0, end: 3 }, { start: 0, end: 3 }),
    );
    const concat = (field: keyof ElementList) => Int32Array.from(blocks.flatMap((b) => Array.from(b[field])));
    let at = 0;
    const broadcastSegments = blocks.map((b) => ({ start: at, end: (at += b.values.length) }));
    const E = outputHeight(shape);
    const F = outputWidth(shape);
    const unit: WorkUnit = {
      geometry: { pass: 'forward', stride, padding, outRows: E, outCols: F, broadcastRows: 3, broadcastCols: 3 },
      broadcast: { values: concat('values'), row: concat('row'), col: concat('col'), ch: concat('ch') },
      broadcastSegments,
      pes: [
        {
          window: { originRow: 0, originCol: 0, windowRows: E, windowCols: F, channels: shape.outChannels, stationaryChannels: 1 },
          stationary: list,
          segments: channelStarts.slice(0, -1).map((start, c) => ({ start, end: channelStarts[c + 1]!, broadcastSegment: c })),
        },
      ],
    };

    const golden = convForwardDirect(shape, activations.values, weights);
    const pe = await buildModel(elaborate(ScnnPeTop, TEST_PE_TOP));
    for (const mode of ANTICIPATION_MODES) {
      const run = await runPeTop(pe, TEST_PE_TOP, unit, mode, { seed });
      expect(run.timedOut).toBe(false);
      // The window is the whole K x E x F output, in the same order as the golden tensor.
      expect(Array.from(run.accumulators), mode).toEqual(Array.from(golden));
      expect(run.counters, mode).toEqual(cycleModel(unit, TEST_PE_TOP, mode));
    }
  });
});
