import { Bool, bitsFor, Bundle, cat, defineModule, Flip, HwError, Input, instance, mux, reg, SInt, UInt, Vec, when } from '../index.ts';
import { Decoupled } from '../lib/stream.ts';
import { COMPACTOR_LATENCY, LaneCompactor } from './lane-compactor.ts';
import { LaneCoordinates } from './lane-coordinates.ts';
import { inclusivePrefixCounts } from './prefix-sum.ts';
import { ZVC_WINDOW_BITS, ZvcMaskAssembler } from './zvc-mask-assembler.ts';

export interface CompactionEngineParams {
  /** Dense elements per input beat (V): a power of two dividing 32 (ZVC windows). */
  lanes: number;
  /** Non-zeros per output vector (U); U >= V sustains V elements per cycle at any density. */
  outLanes: number;
  /** Bits of a signed element. */
  elementWidth: number;
  /** Bits of each coordinate (channel, row, column). */
  coordBits: number;
  /** Bits of the row pointers (non-zeros per tensor). */
  pointerBits: number;
}

export const DEFAULT_COMPACTION_ENGINE: CompactionEngineParams = { lanes: 16, outLanes: 16, elementWidth: 16, coordBits: 12, pointerBits: 24 };

/** Cycles from a beat entering to the first vector holding its non-zeros being offered. */
export const COMPACTION_LATENCY = COMPACTOR_LATENCY;

export function validateCompactionEngineParams(p: CompactionEngineParams): void {
  const V = p.lanes;
  if (!Number.isInteger(V) || V < 2 || ZVC_WINDOW_BITS % V !== 0) {
    throw new HwError(`CompactionEngine: lanes must be 2, 4, 8, 16 or 32 (a divisor of the ${ZVC_WINDOW_BITS}-element ZVC window), got ${V}`);
  }
  if (!Number.isInteger(p.outLanes) || p.outLanes < 1) throw new HwError(`CompactionEngine: outLanes must be a positive integer, got ${p.outLanes}`);
  if (!Number.isInteger(p.elementWidth) || p.elementWidth < 2) throw new HwError(`CompactionEngine: elementWidth must be at least 2, got ${p.elementWidth}`);
  if (!Number.isInteger(p.pointerBits) || p.pointerBits < bitsFor(V) || p.pointerBits > 32) {
    throw new HwError(`CompactionEngine: pointerBits must be in [${bitsFor(V)}, 32], got ${p.pointerBits}`);
  }
}

/** The ports, built once the parameters are known to be sound. */
function compactionEngineIO(p: CompactionEngineParams) {
  validateCompactionEngineParams(p);
  return {
    cfg: {
      channels: Input(UInt(p.coordBits)),
      height: Input(UInt(p.coordBits)),
      width: Input(UInt(p.coordBits)),
      /** 1: ZVC masks on `mask`; 0: CSR row pointers on `ptr`. */
      zvc: Input(Bool()),
    },
    in: Flip(Decoupled(Vec(p.lanes, SInt(p.elementWidth)))),
    out: Decoupled(
      Bundle({
        value: Vec(p.outLanes, SInt(p.elementWidth)),
        channel: Vec(p.outLanes, UInt(p.coordBits)),
        row: Vec(p.outLanes, UInt(p.coordBits)),
        col: Vec(p.outLanes, UInt(p.coordBits)),
        count: UInt(bitsFor(p.outLanes)),
        last: Bool(),
      }),
    ),
    ptr: Decoupled(Bundle({ value: Vec(p.outLanes, UInt(p.pointerBits)), count: UInt(bitsFor(p.outLanes)), last: Bool() })),
    mask: Decoupled(Bundle({ bits: UInt(ZVC_WINDOW_BITS), last: Bool() })),
  };
}

/**
 * Dense-to-sparse conversion of a C x H x W activation tensor streamed in CHW
 * order, V elements per beat (Spartan's compaction engine [paper]; this
 * microarchitecture is ours).
 *
 *   in ──► lane coordinates + zero detect ──┬─► element compactor ──► out  (values + (c, h, w))
 *                                           ├─► pointer compactor ──► ptr  (CSR row pointers)
 *                                           └─► ZVC mask assembler ──► mask (cDMA masks)
 *
 * `cfg.zvc` chooses the side stream: the CSR row pointers (rowPtr[1..C*H],
 * rowPtr[0] = 0 implied) or the cDMA zero-value-compression masks. Every
 * tensor ends with one vector marked `last` on each active stream. A beat
 * moves only when every active consumer can take it, so back-pressure on any
 * stream holds the input without losing or repeating an element.
 */
export const CompactionEngine = defineModule({
  name: (p: CompactionEngineParams) => `CompactionEngine_v${p.lanes}_u${p.outLanes}_e${p.elementWidth}_c${p.coordBits}_p${p.pointerBits}`,
  io: compactionEngineIO,
  body: (io, p) => {
    const V = p.lanes;
    const cb = p.coordBits;
    const ew = p.elementWidth;

    const coords = instance(LaneCoordinates, { lanes: V, coordBits: cb }, { name: 'coords' });
    coords.io.channels.set(io.cfg.channels);
    coords.io.height.set(io.cfg.height);
    coords.io.width.set(io.cfg.width);

    const nonZero = io.in.bits.map((v, j) => coords.io.inTensor[j]!.and(v.ne(0)).named(`non_zero_${j}`));
    const tensorEnd = coords.io.tensorEnd;

    // Row pointers: non-zeros of the tensor up to and including each lane.
    const nonZerosBefore = reg(UInt(p.pointerBits), { name: 'non_zeros_before', init: 0 });
    const running = inclusivePrefixCounts(nonZero);
    const beatNonZeros = running[V - 1]!.named('beat_non_zeros');

    const elementItem = (j: number) => cat(io.in.bits[j]!.asUInt(), coords.io.channel[j]!, coords.io.row[j]!, coords.io.col[j]!);
    const itemWidth = ew + 3 * cb;
    const elements = instance(LaneCompactor, { lanes: V, outLanes: p.outLanes, itemWidth }, { name: 'elements' });
    const pointers = instance(LaneCompactor, { lanes: V, outLanes: p.outLanes, itemWidth: p.pointerBits }, { name: 'pointers' });
    const masks = instance(ZvcMaskAssembler, { lanes: V }, { name: 'masks' });

    const zvc = io.cfg.zvc;
    const ready = elements.io.in.ready.and(zvc.or(pointers.io.in.ready)).and(zvc.not().or(masks.io.in.ready)).named('all_ready');
    io.in.ready.set(ready);
    const accept = io.in.valid.and(ready).named('accept');
    coords.io.advance.set(accept);

    elements.io.in.valid.set(accept);
    elements.io.in.bits.last.set(tensorEnd);
    for (let j = 0; j < V; j++) {
      elements.io.in.bits.items[j]!.set(elementItem(j));
      elements.io.in.bits.keep[j]!.set(nonZero[j]!);
    }

    pointers.io.in.valid.set(accept.and(zvc.not()));
    pointers.io.in.bits.last.set(tensorEnd);
    for (let j = 0; j < V; j++) {
      pointers.io.in.bits.items[j]!.set(nonZerosBefore.add(running[j]!.extend(p.pointerBits)));
      pointers.io.in.bits.keep[j]!.set(coords.io.rowEnd[j]!);
    }

    masks.io.in.valid.set(accept.and(zvc));
    masks.io.in.bits.last.set(tensorEnd);
    masks.io.in.bits.nonZero.set(cat(...[...nonZero].reverse()));

    when(accept, () => nonZerosBefore.set(mux(tensorEnd, 0, nonZerosBefore.add(beatNonZeros.extend(p.pointerBits)))));

    // Outputs: unpack (value, channel, row, column) items.
    io.out.valid.set(elements.io.out.valid);
    elements.io.out.ready.set(io.out.ready);
    io.out.bits.count.set(elements.io.out.bits.count);
    io.out.bits.last.set(elements.io.out.bits.last);
    elements.io.out.bits.items.forEach((item, k) => {
      io.out.bits.value[k]!.set(item.bits(itemWidth - 1, 3 * cb).asSInt());
      io.out.bits.channel[k]!.set(item.bits(3 * cb - 1, 2 * cb));
      io.out.bits.row[k]!.set(item.bits(2 * cb - 1, cb));
      io.out.bits.col[k]!.set(item.bits(cb - 1, 0));
    });

    io.ptr.valid.set(pointers.io.out.valid);
    pointers.io.out.ready.set(io.ptr.ready);
    io.ptr.bits.count.set(pointers.io.out.bits.count);
    io.ptr.bits.last.set(pointers.io.out.bits.last);
    pointers.io.out.bits.items.forEach((item, k) => io.ptr.bits.value[k]!.set(item));

    io.mask.valid.set(masks.io.out.valid);
    masks.io.out.ready.set(io.mask.ready);
    io.mask.bits.bits.set(masks.io.out.bits.mask);
    io.mask.bits.last.set(masks.io.out.bits.last);
  },
});
