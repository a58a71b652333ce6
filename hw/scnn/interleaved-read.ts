import { cat, lit, log2Ceil, reg, select, UInt, when, type Memory, type Signal } from '../index.ts';

/**
 * Reads N consecutive elements starting at any index from N memories that
 * interleave the elements (element e in memory e mod N at address e div N):
 * every memory reads one word, and the words are rotated into element order.
 * The lanes are valid one cycle after `enable`, and hold until the next read.
 * With `half`, the memories hold two buffers (a double buffer): `half` is the
 * top address bit and the element index addresses the lower half.
 */
export function readConsecutive(mems: readonly Memory[], start: Signal, enable: Signal, name: string, half?: Signal): Signal[] {
  const n = mems.length;
  const k = log2Ceil(n);
  const bankAddrBits = mems[0]!.rec.addrWidth - (half ? 1 : 0);
  const startLow = start.bits(k - 1, 0);
  const wide = start.width + 1;
  const words = mems.map((m, b) => {
    const offset = lit(b, UInt(k)).sub(startLow);
    const addr = start.extend(wide).add(offset.extend(wide)).shr(k).trunc(bankAddrBits);
    return m.read((half ? cat(half, addr) : addr).named(`${name}_addr_${b}`), enable);
  });
  const rotation = reg(UInt(k), { name: `${name}_rotation`, init: 0 });
  when(enable, () => rotation.set(startLow));
  return words.map((_, j) => select(words, rotation.add(j)).named(`${name}_lane_${j}`));
}

/**
 * Reads element `index` from N memories that interleave the elements (element e in memory e mod N at
 * address e div N): only the memory it lies in is enabled, and its word is picked a cycle later. The
 * word holds until the next read, as a single memory's would (the pick is latched with the read).
 * With `half`, as in readConsecutive.
 */
export function readInterleaved(mems: readonly Memory[], index: Signal, enable: Signal, name: string, half?: Signal): Signal {
  const n = mems.length;
  const at = (addr: Signal) => (half ? cat(half, addr) : addr);
  if (n === 1) return mems[0]!.read(at(index), enable);
  const k = log2Ceil(n);
  const lane = index.bits(k - 1, 0);
  const addr = index.bits(index.width - 1, k).named(`${name}_addr`);
  const words = mems.map((m, b) => m.read(at(addr), enable.and(lane.eq(b))));
  const picked = reg(UInt(k), { name: `${name}_lane`, init: 0 });
  when(enable, () => picked.set(lane));
  return select(words, picked).named(`${name}_word`);
}
