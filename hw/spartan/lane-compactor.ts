import { Bool, bitsFor, Bundle, defineModule, Flip, HwError, log2Ceil, mux, reg, UInt, Vec, when, type Signal } from '../index.ts';
import { Decoupled } from '../lib/stream.ts';
import { exclusivePrefixCounts, inclusivePrefixCounts } from './prefix-sum.ts';

export interface LaneCompactorParams {
  /** Input lanes per beat (V). */
  lanes: number;
  /** Items per output vector (U). */
  outLanes: number;
  /** Bits of one item (value and whatever travels with it). */
  itemWidth: number;
}

/**
 * Entries of the output buffer: fewer than U leftover items plus a whole beat
 * of V always fit, so with U >= V and a ready consumer the buffer takes a beat
 * every cycle whatever the density.
 */
export function compactorBufferEntries(p: LaneCompactorParams): number {
  return p.outLanes + p.lanes - 1;
}

/** Cycles from a beat entering to its items being offered in an output vector. */
export const COMPACTOR_LATENCY = 2;

export function validateLaneCompactorParams(p: LaneCompactorParams): void {
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < 1) throw new HwError(`LaneCompactor: ${k} must be a positive integer, got ${v}`);
  }
  if (p.lanes < 2) throw new HwError(`LaneCompactor: lanes must be at least 2, got ${p.lanes}`);
}

/**
 * Packs the kept items of each V-lane beat to the front, in lane order, and
 * regroups them into vectors of U items.
 *
 *   stage 1: prefix count of dropped lanes -> log2(V) shift stages: an item
 *            moves down by bit b of its drop count at stage b (items never
 *            collide because drop counts never decrease along the lanes)
 *   stage 2: register (packed items, count, last)
 *   stage 3: output buffer of U + V - 1 entries; a barrel shifter places the
 *            packed items after the ones waiting, and a full vector leaves
 *            from the front as soon as U items wait
 *
 * A beat with `last` ends a group: after its items, the buffer emits one final
 * vector with `last` set holding the remaining 0..U-1 items, so vector
 * boundaries depend only on the data, never on the timing.
 */
export const LaneCompactor = defineModule({
  name: 'LaneCompactor',
  io: (p: LaneCompactorParams) => ({
    in: Flip(Decoupled(Bundle({ items: Vec(p.lanes, UInt(p.itemWidth)), keep: Vec(p.lanes, Bool()), last: Bool() }))),
    out: Decoupled(Bundle({ items: Vec(p.outLanes, UInt(p.itemWidth)), count: UInt(bitsFor(p.outLanes)), last: Bool() })),
  }),
  body: (io, p) => {
    validateLaneCompactorParams(p);
    const V = p.lanes;
    const U = p.outLanes;
    const keep = io.in.bits.keep;

    // ---- stage 1: prefix sum of dropped lanes, then the shift network
    const shiftBits = log2Ceil(V);
    const dropsBefore = exclusivePrefixCounts(keep.map((k) => k.not())).map((z) => z.trunc(shiftBits));
    const keptCount = inclusivePrefixCounts(keep)[V - 1]!.named('kept_count');
    let items: Signal[] = [...io.in.bits.items];
    let present: Signal[] = [...keep];
    let shift: Signal[] = dropsBefore;
    for (let b = 0; b < shiftBits; b++) {
      const step = 1 << b;
      const nextItems: Signal[] = [];
      const nextPresent: Signal[] = [];
      const nextShift: Signal[] = [];
      for (let pos = 0; pos < V; pos++) {
        const stays = present[pos]!.and(shift[pos]!.bit(b).not());
        const from = pos + step;
        if (from >= V) {
          nextItems.push(items[pos]!);
          nextPresent.push(stays);
          nextShift.push(shift[pos]!);
          continue;
        }
        const arrives = present[from]!.and(shift[from]!.bit(b)).named(`pack${b}_arrives_${pos}`);
        nextItems.push(mux(arrives, items[from]!, items[pos]!).named(`pack${b}_item_${pos}`));
        nextPresent.push(arrives.or(stays));
        nextShift.push(mux(arrives, shift[from]!, shift[pos]!));
      }
      items = nextItems;
      present = nextPresent;
      shift = nextShift;
    }

    // ---- stage 2: packed beat register
    const held = reg(Vec(V, UInt(p.itemWidth)), { name: 'packed_item' });
    const heldCount = reg(UInt(bitsFor(V)), { name: 'packed_count', init: 0 });
    const heldLast = reg(Bool(), { name: 'packed_last', init: 0 });
    const heldValid = reg(Bool(), { name: 'packed_valid', init: 0 });

    // ---- stage 3: output buffer
    const entries = compactorBufferEntries(p);
    const fillWidth = bitsFor(entries);
    const slots = reg(Vec(entries, UInt(p.itemWidth)), { name: 'slot' });
    const fill = reg(UInt(fillWidth), { name: 'fill', init: 0 });
    const flushPending = reg(Bool(), { name: 'flush_pending', init: 0 });

    const emitFull = fill.ge(U).named('emit_full');
    const emitFinal = flushPending.and(emitFull.not()).named('emit_final');
    io.out.valid.set(emitFull.or(emitFinal));
    io.out.bits.count.set(mux(emitFull, U, fill.trunc(bitsFor(U))));
    io.out.bits.last.set(emitFinal);
    io.out.bits.items.forEach((o, k) => o.set(slots[k]!));

    const outFire = io.out.valid.and(io.out.ready).named('out_fire');
    const shiftOut = outFire.and(emitFull).named('shift_out');
    const finalOut = outFire.and(emitFinal).named('final_out');
    // Items still waiting once this cycle's vector has left.
    const base = mux(shiftOut, fill.sub(U), mux(finalOut, 0, fill)).named('base');
    const filled = base.addFull(heldCount.extend(fillWidth)).named('filled');
    const accept = heldValid.and(flushPending.not().or(finalOut)).and(filled.le(entries)).named('accept');

    io.in.ready.set(heldValid.not().or(accept));
    const inFire = io.in.valid.and(io.in.ready).named('in_fire');
    when(inFire, () => {
      held.forEach((h, j) => h.set(items[j]!));
      heldCount.set(keptCount);
      heldLast.set(io.in.bits.last);
    });
    heldValid.set(inFire.or(heldValid.and(accept.not())));
    fill.set(mux(accept, filled.trunc(fillWidth), base));
    flushPending.set(mux(accept.and(heldLast), 1, mux(finalOut, 0, flushPending)));

    // Barrel shifter: packed item k lands in slot base + k. Slots past the
    // packed items take whatever arrives there: they lie beyond the fill.
    let placed: Signal[] = Array.from({ length: entries }, (_, i) => held[i % V]!);
    for (let s = 0; s < fillWidth && 1 << s < entries; s++) {
      const step = 1 << s;
      const prev = placed;
      placed = prev.map((x, i) => (i < step || prev[i - step] === x ? x : mux(base.bit(s), prev[i - step]!, x).named(`place${s}_${i}`)));
    }
    slots.forEach((slot, i) => {
      const waiting = i + U < entries ? mux(shiftOut, slots[i + U]!, slot) : slot;
      slot.set(mux(base.gt(i), waiting, placed[i]!));
    });
  },
});
