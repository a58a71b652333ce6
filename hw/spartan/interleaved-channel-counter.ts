import { Bool, cat, defineModule, HwError, Input, log2Ceil, mem, mux, Output, reg, select, UInt, when, type Signal } from '../index.ts';

export interface InterleavedChannelCounterParams {
  /** Lanes per beat; a power of two. */
  lanes: number;
  dimBits: number;
  countBits: number;
  /** Channels the memory holds per bank; a power-of-two multiple of lanes. */
  maxChannels: number;
}

export function validateInterleavedChannelCounterParams(p: InterleavedChannelCounterParams): void {
  const pow2 = (x: number) => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0;
  if (!pow2(p.lanes)) throw new HwError(`InterleavedChannelCounter: lanes must be a power of two, got ${p.lanes}`);
  if (!pow2(p.maxChannels / p.lanes)) throw new HwError(`InterleavedChannelCounter: maxChannels (${p.maxChannels}) must be a power-of-two multiple of lanes (${p.lanes})`);
  if (2 ** p.dimBits <= p.maxChannels) throw new HwError(`InterleavedChannelCounter: dimBits ${p.dimBits} cannot index ${p.maxChannels} channels`);
}

/**
 * Per-channel non-zero counts of a channel-interleaved stream (HWC order, C
 * fastest, C a multiple of V): lane j of a beat always holds channel g*V + j,
 * so a beat adds its non-zero flags to one word of V counters, word g.
 *
 * The words live in a memory with two banks (one being counted, one being
 * read out). Read-modify-write in two stages: read word g when the beat
 * passes, add and write back one cycle later. A beat that reads the word the
 * previous beat is writing in the same cycle takes the written value from a
 * bypass register. The first pass over the words of a tensor starts from
 * zero instead of the memory.
 */
export const InterleavedChannelCounter = defineModule({
  name: (p: InterleavedChannelCounterParams) => `InterleavedChannelCounter_v${p.lanes}_d${p.dimBits}_c${p.countBits}_m${p.maxChannels}`,
  io: (p: InterleavedChannelCounterParams) => ({
    fire: Input(Bool()),
    nonZero: Input(UInt(p.lanes)),
    /** The beat ends the tensor: the next beat starts again at channel 0. */
    tensorEnd: Input(Bool()),
    channels: Input(UInt(p.dimBits)),
    /** Bank counted into (the other one is read). */
    bank: Input(Bool()),
    readEnable: Input(Bool()),
    readBank: Input(Bool()),
    readChannel: Input(UInt(p.dimBits)),
    /** Count of readChannel, one cycle after readEnable; holds otherwise. */
    readCount: Output(UInt(p.countBits)),
  }),
  body: (io, p) => {
    validateInterleavedChannelCounterParams(p);
    const V = p.lanes;
    const laneBits = Math.log2(V);
    const words = p.maxChannels / V;
    const wordBits = log2Ceil(words);
    const cw = p.countBits;
    const store = mem(UInt(V * cw), 2 << wordBits, { name: 'counts' });
    const lanesOf = (word: Signal): Signal[] => Array.from({ length: V }, (_, j) => word.bits((j + 1) * cw - 1, j * cw));

    // ---- stage 1: which word this beat counts into
    const word = reg(UInt(wordBits), { name: 'word', init: 0 });
    const firstChannel = reg(UInt(p.dimBits), { name: 'first_channel', init: 0 });
    const firstPass = reg(Bool(), { name: 'first_pass', init: 1 });
    const address = cat(io.bank, word).named('address');
    const stored = store.read(address, io.fire);
    when(io.fire, () => {
      const wraps = firstChannel.add(V).eq(io.channels);
      when(io.tensorEnd.or(wraps), () => {
        word.set(0);
        firstChannel.set(0);
        firstPass.set(io.tensorEnd);
      }).otherwise(() => {
        word.set(word.add(1));
        firstChannel.set(firstChannel.add(V));
      });
    });

    // ---- stage 2: add and write back
    const pendingValid = reg(Bool(), { name: 'pending_valid', init: 0 });
    const pendingAddress = reg(UInt(wordBits + 1), { name: 'pending_address' });
    const pendingNonZero = reg(UInt(V), { name: 'pending_non_zero' });
    const pendingFirst = reg(Bool(), { name: 'pending_first' });
    pendingValid.set(io.fire);
    when(io.fire, () => {
      pendingAddress.set(address);
      pendingNonZero.set(io.nonZero);
      pendingFirst.set(firstPass);
    });
    const bypassValid = reg(Bool(), { name: 'bypass_valid', init: 0 });
    const bypassAddress = reg(UInt(wordBits + 1), { name: 'bypass_address' });
    const bypassWord = reg(UInt(V * cw), { name: 'bypass_word' });
    const current = mux(bypassValid.and(bypassAddress.eq(pendingAddress)), bypassWord, stored).named('current_word');
    const updated = cat(
      ...lanesOf(current)
        .map((count, j) => mux(pendingFirst, 0, count).add(pendingNonZero.bit(j).extend(cw)))
        .reverse(),
    ).named('updated_word');
    bypassValid.set(pendingValid);
    when(pendingValid, () => {
      store.write(pendingAddress, updated);
      bypassAddress.set(pendingAddress);
      bypassWord.set(updated);
    });

    // ---- readout
    const readWord = store.read(cat(io.readBank, io.readChannel.bits(laneBits + wordBits - 1, laneBits)), io.readEnable);
    const readLane = reg(UInt(Math.max(1, laneBits)), { name: 'read_lane' });
    when(io.readEnable, () => readLane.set(laneBits > 0 ? io.readChannel.bits(laneBits - 1, 0) : 0));
    io.readCount.set(select(lanesOf(readWord), readLane));
  },
});
