import { bitsFor, HwError, reg, Signal } from '../index.ts';

/**
 * Sums unsigned values as a balanced tree, widening by one bit per level so
 * nothing overflows. With `registerLevels`, a register follows every that
 * many levels (a pipelined tree); `enable` gates those registers.
 */
export function sumTree(values: readonly Signal[], opts: { registerLevels?: number; enable?: Signal; name?: string } = {}): { sum: Signal; latency: number } {
  if (values.length === 0) throw new HwError('sumTree() needs at least one value');
  let level = [...values];
  let depth = 0;
  let latency = 0;
  while (level.length > 1) {
    const next: Signal[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const w = Math.max(level[i]!.width, level[i + 1]!.width);
      next.push(level[i]!.extend(w).addFull(level[i + 1]!.extend(w)));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    depth++;
    level = next;
    if (opts.registerLevels && depth % opts.registerLevels === 0 && level.length > 1) {
      level = level.map((s, i) => {
        const r = reg(s.type, { enable: opts.enable, ...(opts.name ? { name: `${opts.name}_l${depth}_${i}` } : {}) });
        r.set(s);
        return r;
      });
      latency++;
    }
  }
  return { sum: level[0]!, latency };
}

/** Number of set bits of x, as UInt(bitsFor(width)). */
export function popcount(x: Signal): Signal {
  const bits = Array.from({ length: x.width }, (_, i) => x.bit(i));
  const { sum } = sumTree(bits);
  const w = bitsFor(x.width);
  return sum.width >= w ? sum.trunc(w) : sum.extend(w);
}

/** Fits an unsigned value into `width` bits: extend, or drop high bits the caller knows are zero. */
export function resizeUnsigned(x: Signal, width: number): Signal {
  return x.width >= width ? x.trunc(width) : x.extend(width);
}
