import { Bool, Bundle, cat, defineModule, Flip, HwError, lit, log2Ceil, mux, reg, UInt, when, type Signal } from '../index.ts';
import { Decoupled } from '../lib/stream.ts';

/** cDMA zero-value compression: one mask word per window of 32 elements [paper]. */
export const ZVC_WINDOW_BITS = 32;

export interface ZvcMaskAssemblerParams {
  /** Lanes per beat; must divide 32. */
  lanes: number;
}

/**
 * Collects the non-zero flags of 32/V consecutive beats into one 32-bit ZVC
 * mask word (bit i = element i of the window, least significant first). A
 * beat marked `last` closes the window early: the bits of the missing
 * elements stay zero. One word waits in an output register; a beat that
 * completes a window only moves when that register is free or leaving.
 */
export const ZvcMaskAssembler = defineModule({
  name: 'ZvcMaskAssembler',
  io: (p: ZvcMaskAssemblerParams) => ({
    in: Flip(Decoupled(Bundle({ nonZero: UInt(p.lanes), last: Bool() }))),
    out: Decoupled(Bundle({ mask: UInt(ZVC_WINDOW_BITS), last: Bool() })),
  }),
  body: (io, p) => {
    const V = p.lanes;
    if (!Number.isInteger(V) || V < 1 || ZVC_WINDOW_BITS % V !== 0) {
      throw new HwError(`ZvcMaskAssembler: lanes must divide ${ZVC_WINDOW_BITS}, got ${V}`);
    }
    const beatsPerWindow = ZVC_WINDOW_BITS / V;
    const partial = reg(UInt(ZVC_WINDOW_BITS), { name: 'partial_mask', init: 0 });
    const maskQ = reg(UInt(ZVC_WINDOW_BITS), { name: 'mask_q' });
    const lastQ = reg(Bool(), { name: 'last_q', init: 0 });
    const validQ = reg(Bool(), { name: 'valid_q', init: 0 });

    let merged: Signal;
    let windowFull: Signal;
    let slot: Signal | undefined;
    if (beatsPerWindow === 1) {
      merged = io.in.bits.nonZero;
      windowFull = lit(1, Bool());
    } else {
      slot = reg(UInt(log2Ceil(beatsPerWindow)), { name: 'beat_in_window', init: 0 });
      const pieces: Signal[] = [];
      for (let s = beatsPerWindow - 1; s >= 0; s--) {
        pieces.push(mux(slot.eq(s), io.in.bits.nonZero, partial.bits((s + 1) * V - 1, s * V)));
      }
      merged = cat(...pieces).named('merged_mask');
      windowFull = slot.eq(beatsPerWindow - 1);
    }
    const closes = windowFull.or(io.in.bits.last).named('closes_window');
    io.in.ready.set(closes.not().or(validQ.not()).or(io.out.ready));
    io.out.valid.set(validQ);
    io.out.bits.mask.set(maskQ);
    io.out.bits.last.set(lastQ);

    const inFire = io.in.valid.and(io.in.ready).named('in_fire');
    when(io.out.ready, () => validQ.set(0));
    when(inFire, () => {
      when(closes, () => {
        maskQ.set(merged);
        lastQ.set(io.in.bits.last);
        validQ.set(1);
        partial.set(0);
        if (slot) slot.set(0);
      }).otherwise(() => {
        partial.set(merged);
        if (slot) slot.set(slot.add(1));
      });
    });
  },
});
