import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaneIndex } from '../../sim/scnn/plane-index.ts';

/** The same cut by scanning every element: (row, col, channel) order, channel relative to the span. */
function gatherByScan(tensor: Int32Array, dims: readonly [number, number, number, number], fixed: number, axis: 0 | 1, ch: [number, number], rows: [number, number], cols: [number, number]) {
  const [, d1, d2, d3] = dims;
  const out: [number, number, number, number][] = [];
  for (let r = rows[0]; r < rows[1]; r++)
    for (let c = cols[0]; c < cols[1]; c++)
      for (let k = ch[0]; k < ch[1]; k++) {
        const [i0, i1] = axis === 0 ? [k, fixed] : [fixed, k];
        const v = tensor[((i0 * d1 + i1) * d2 + r) * d3 + c]!;
        if (v !== 0) out.push([v, r, c, k - ch[0]]);
      }
  return out;
}

describe('PlaneIndex.gather', () => {
  it('property: any channel span, row span and column span (long rows cut mid-row) equals a scan of the tensor', () => {
    const case_ = fc
      .record({ d0: fc.integer({ min: 1, max: 3 }), d1: fc.integer({ min: 1, max: 3 }), d2: fc.integer({ min: 1, max: 6 }), d3: fc.integer({ min: 1, max: 80 }), density: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.integer() })
      .chain((d) =>
        fc.record({
          d: fc.constant(d),
          axis: fc.constantFrom<0 | 1>(0, 1),
          fixedPick: fc.nat(),
          ch: fc.tuple(fc.nat(), fc.nat()),
          rows: fc.tuple(fc.integer({ min: 0, max: d.d2 }), fc.integer({ min: 0, max: d.d2 })),
          cols: fc.tuple(fc.integer({ min: 0, max: d.d3 }), fc.integer({ min: 0, max: d.d3 })),
        }),
      );
    fc.assert(
      fc.property(case_, ({ d, axis, fixedPick, ch, rows, cols }) => {
        const dims = [d.d0, d.d1, d.d2, d.d3] as const;
        const tensor = new Int32Array(d.d0 * d.d1 * d.d2 * d.d3);
        let state = d.seed >>> 0;
        for (let i = 0; i < tensor.length; i++) {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          if (state / 2 ** 32 < d.density) tensor[i] = (state % 255) - 127 || 1;
        }
        const channels = axis === 0 ? d.d0 : d.d1;
        const fixed = fixedPick % (axis === 0 ? d.d1 : d.d0);
        const chSpan: [number, number] = [Math.min(ch[0], ch[1]) % channels, 0];
        chSpan[1] = chSpan[0] + 1 + (Math.max(ch[0], ch[1]) % (channels - chSpan[0]));
        const rowSpan: [number, number] = [Math.min(...rows), Math.max(...rows)];
        const colSpan: [number, number] = [Math.min(...cols), Math.max(...cols)];
        const got = new PlaneIndex(tensor, dims).gather(fixed, axis, { start: chSpan[0], end: chSpan[1] }, { start: rowSpan[0], end: rowSpan[1] }, { start: colSpan[0], end: colSpan[1] });
        const list = Array.from(got.values, (v, i): [number, number, number, number] => [v, got.row[i]!, got.col[i]!, got.ch[i]!]);
        expect(list).toEqual(gatherByScan(tensor, dims, fixed, axis, chSpan, rowSpan, colSpan));
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
