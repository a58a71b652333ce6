import { elementList, type WorkUnit } from '../../sim/scnn/work-unit.ts';

const row = (rows: readonly number[], value = 1) => rows.map((r, k) => ({ value: value + k, row: r, col: 0 }));

/**
 * A hand-made matrix-multiplication unit whose sequencing is worked out by hand in
 * docs/pe-array.md section 2a: C (8 x 12) = A · B with the PE owning output columns
 * [4, 8), four reduction indices:
 *
 * | segment | stationary (A rows i)  | broadcast (B columns j) | what it exercises |
 * |---|---|---|---|
 * | 0 | 0..7 (two vectors) | 0..11 (three vectors) | consecutive stationary vectors; the row run [4, 8) |
 * | 1 | 0..3 | 0..2 | a vector that meets no broadcast row (an empty run) |
 * | 2 | none | 0..11 | an empty segment |
 * | 3 | 2 (a one-element vector) | 5 (a one-element vector) | a segment boundary, single lanes |
 */
export function handMadeMatmulUnit(): WorkUnit {
  const i = (n: number, from = 0) => Array.from({ length: n }, (_, k) => from + k);
  const stationary = [row(i(8), 3), row(i(4), -5), [], row([2], 7)];
  const broadcast = [row(i(12), 11), row(i(3), -2), row([5], 9)];
  const flat = <T,>(lists: T[][]) => ({ list: lists.flat(), ranges: lists.map((_, k) => ({ start: lists.slice(0, k).flat().length, end: lists.slice(0, k + 1).flat().length })) });
  const s = flat(stationary);
  const b = flat(broadcast);
  const pairing = [0, 1, 0, 2];
  return {
    geometry: { pass: 'matmul', stride: 1, padding: 0, outRows: 0, outCols: 0, broadcastRows: 12, broadcastCols: 1 },
    broadcast: elementList(b.list),
    broadcastSegments: b.ranges,
    pes: [{
      window: { originRow: 0, originCol: 4, windowRows: 8, windowCols: 4, channels: 1, stationaryChannels: 1 },
      stationary: elementList(s.list),
      segments: s.ranges.map((r, k) => ({ ...r, broadcastSegment: pairing[k]! })),
    }],
  };
}

/**
 * handMadeMatmulUnit() with the PE owning every output column: each stationary vector meets the
 * whole broadcast plane, so in `vector` and `element` it is ready in Stat, without a pointer read,
 * and every mode issues what `off` issues in the same cycles.
 */
export function wholePlaneMatmulUnit(): WorkUnit {
  const unit = handMadeMatmulUnit();
  const pe = unit.pes[0]!;
  return { ...unit, pes: [{ ...pe, window: { ...pe.window, originCol: 0, windowCols: unit.geometry.broadcastRows } }] };
}

/** Compute cycles of handMadeMatmulUnit() per mode, counted by hand (docs/pe-array.md section 2a). */
export const HAND_MADE_COMPUTE_CYCLES = { off: 13, vector: 13, element: 13 } as const;

type Element = { value: number; row: number; col: number; ch?: number };

/** A one-PE, one-segment weight-gradient unit of a 3 x 3 kernel at stride 1, its window the whole kernel. */
function oneSegmentWeightGradientUnit(
  plane: { padding: number; broadcastRows: number; broadcastCols: number },
  channels: { channels: number; stationaryChannels: number },
  stationary: readonly Element[],
  broadcast: readonly Element[],
): WorkUnit {
  return {
    geometry: { pass: 'weightGradient', stride: 1, outRows: 3, outCols: 3, ...plane },
    broadcast: elementList(broadcast),
    broadcastSegments: [{ start: 0, end: broadcast.length }],
    pes: [{
      window: { originRow: 0, originCol: 0, windowRows: 3, windowCols: 3, ...channels },
      stationary: elementList(stationary),
      segments: [{ start: 0, end: stationary.length, broadcastSegment: 0 }],
    }],
  };
}

/**
 * A weight-gradient unit whose fill is bound by its pointer tables: a 3 x 3 kernel (stride 1,
 * padding 1) over one input channel, X (side x side) non-zero on its diagonal against a dense
 * output-gradient plane dY (side x side), one batch sample. The broadcast operand is side² elements,
 * its element-mode tables (side + 1) + side · (side + 1) = (side + 1)² pointers.
 */
export function pointerBoundWeightGradientUnit(side: number): WorkUnit {
  const cells = Array.from({ length: side * side }, (_, k) => ({ row: Math.floor(k / side), col: k % side }));
  const x = Array.from({ length: side }, (_, r) => ({ value: (r % 5) - 2 || 3, row: r, col: r }));
  const dy = cells.map((c, k) => ({ value: (k % 7) - 3 || 4, ...c }));
  return oneSegmentWeightGradientUnit({ padding: 1, broadcastRows: side, broadcastCols: side }, { channels: 1, stationaryChannels: 1 }, x, dy);
}

/**
 * One weight-gradient pair laid out like ResNet-18's 64-channel layers: a 3 x 3 kernel, a window of
 * K_g = 3 output channels by C_g = 64 input channels, so output channel k sits 576 entries (18 bank
 * rows of 32) from k + 1. The stationary vector is one input pixel with channels {0, 1, 4, 5}, the
 * broadcast vector one output-gradient pixel with channels {0, 1, 2}; all 12 products are valid, at
 * addresses 576k + 9c. Under 'modulo' banks k does not move the bank: three products per bank, 2
 * stall cycles. Under 'xor' the 12 products fall into 12 banks: no stall.
 */
export function channelStrideWeightGradientUnit(): WorkUnit {
  const stationary = [0, 1, 4, 5].map((c, k) => ({ value: 3 + k, row: 0, col: 0, ch: c }));
  const broadcast = [0, 1, 2].map((k) => ({ value: -2 - k, row: 0, col: 0, ch: k }));
  return oneSegmentWeightGradientUnit({ padding: 0, broadcastRows: 1, broadcastCols: 1 }, { channels: 3, stationaryChannels: 64 }, stationary, broadcast);
}

/** Bank-conflict stall cycles of channelStrideWeightGradientUnit() under each bank mapping, counted by hand. */
export const CHANNEL_STRIDE_STALLS = { xor: 0, modulo: 2 } as const;
