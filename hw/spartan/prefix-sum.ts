import { bitsFor, HwError, lit, UInt, type Signal } from '../index.ts';

/**
 * Running counts of set flags, c[j] = flags[0] + ... + flags[j], as a
 * Sklansky parallel prefix: log2(n) adder levels and n/2 adders per level, so
 * the last lane is as fast as the first. Every count is UInt(bitsFor(n)).
 */
export function inclusivePrefixCounts(flags: readonly Signal[]): Signal[] {
  const n = flags.length;
  if (n === 0) throw new HwError('inclusivePrefixCounts() needs at least one flag');
  for (const f of flags) {
    if (f.width !== 1 || f.signed) throw new HwError(`inclusivePrefixCounts() takes Bool flags; ${f.describe()} is ${f.typeName()}`);
  }
  const width = bitsFor(n);
  const sums = flags.map((f) => f.extend(width));
  for (let span = 1; span < n; span *= 2) {
    // Each block of 2*span lanes: the upper half adds the last count of the lower half.
    for (let blockStart = 0; blockStart < n; blockStart += 2 * span) {
      const carry = sums[blockStart + span - 1];
      if (carry === undefined) continue;
      for (let j = blockStart + span; j < Math.min(blockStart + 2 * span, n); j++) sums[j] = sums[j]!.add(carry);
    }
  }
  return sums;
}

/** Counts of set flags strictly before each lane: e[0] = 0, e[j] = c[j - 1]. */
export function exclusivePrefixCounts(flags: readonly Signal[]): Signal[] {
  const inclusive = inclusivePrefixCounts(flags);
  const zero = lit(0, UInt(bitsFor(flags.length)));
  return [zero, ...inclusive.slice(0, -1)];
}
