/**
 * Functional reference of a work unit: what every PE's accumulators hold after
 * it, and the product counts an SCNN-like array issues for it (every pair of a
 * stationary and a broadcast non-zero sharing a segment). No cycles: the RTL and
 * the cycle model must both agree with this bit for bit.
 */
import { wrapSigned } from '../golden/fixed-point.ts';
import { productAddress } from './product-rules.ts';
import { windowSize, type WorkUnit } from './work-unit.ts';

export interface PeReference {
  /** Accumulator window contents, wrapped to accWidth bits (signed). */
  readonly accumulators: Int32Array;
  /** Cartesian products of the golden outer product (all pairs sharing a segment). */
  readonly products: number;
  /** Products whose output coordinate is valid. */
  readonly valid: number;
}

export function referenceWorkUnit(unit: WorkUnit, accWidth = 32): PeReference[] {
  const { geometry: g, broadcast: b, broadcastSegments } = unit;
  return unit.pes.map((pe) => {
    const acc = new Float64Array(windowSize(pe.window));
    const s = pe.stationary;
    let products = 0;
    let valid = 0;
    for (const seg of pe.segments) {
      const bs = broadcastSegments[seg.broadcastSegment];
      if (!bs) throw new RangeError(`segment names broadcast segment ${seg.broadcastSegment}, which does not exist`);
      products += (seg.end - seg.start) * (bs.end - bs.start);
      for (let i = seg.start; i < seg.end; i++) {
        for (let j = bs.start; j < bs.end; j++) {
          const a = productAddress(g, pe.window, s.row[i]!, s.col[i]!, s.ch[i]!, b.row[j]!, b.col[j]!, b.ch[j]!);
          if (a < 0) continue;
          valid++;
          acc[a] = wrapSigned(acc[a]! + s.values[i]! * b.values[j]!, accWidth);
        }
      }
    }
    return { accumulators: Int32Array.from(acc), products, valid };
  });
}
