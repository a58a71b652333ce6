import { Bool, defineModule, HwError, Input, lit, mux, Output, reg, UInt, Vec, when, type Signal } from '../index.ts';

export interface LaneCoordinatesParams {
  lanes: number;
  /** Bits of each of channel, row and column; tensors up to 2^bits - 1 along each. */
  coordBits: number;
}

interface Coordinate {
  readonly channel: Signal;
  readonly row: Signal;
  readonly col: Signal;
}

/**
 * The (channel, row, column) of every lane of the beat being accepted, for a
 * C x H x W tensor streamed in CHW order (W fastest), V elements per beat,
 * each tensor starting on a new beat.
 *
 * Each lane keeps its own coordinate register and advances it by V elements
 * per beat with one add-and-wrap per dimension, so any W and H work (rows
 * narrower than a beat included). The lane offsets 0..V-1 and the stride V,
 * decomposed into (channel, row, column) steps, depend only on the
 * configuration: a chain of incrementers computes them once per configuration
 * (a static path).
 */
export const LaneCoordinates = defineModule({
  name: 'LaneCoordinates',
  io: (p: LaneCoordinatesParams) => ({
    advance: Input(Bool()),
    channels: Input(UInt(p.coordBits)),
    height: Input(UInt(p.coordBits)),
    width: Input(UInt(p.coordBits)),
    channel: Output(Vec(p.lanes, UInt(p.coordBits))),
    row: Output(Vec(p.lanes, UInt(p.coordBits))),
    col: Output(Vec(p.lanes, UInt(p.coordBits))),
    /** The lane holds an element of the tensor (false past its end, in its last beat). */
    inTensor: Output(Vec(p.lanes, Bool())),
    /** The lane holds the last element of a row. */
    rowEnd: Output(Vec(p.lanes, Bool())),
    /** This beat holds the tensor's last element. */
    tensorEnd: Output(Bool()),
  }),
  body: (io, p) => {
    if (!Number.isInteger(p.lanes) || p.lanes < 1) throw new HwError(`LaneCoordinates: lanes must be a positive integer, got ${p.lanes}`);
    if (!Number.isInteger(p.coordBits) || p.coordBits < 2 || 2 ** p.coordBits <= p.lanes) {
      throw new HwError(`LaneCoordinates: coordBits must be an integer with 2^coordBits > lanes, got ${p.coordBits}`);
    }
    const V = p.lanes;
    const cb = p.coordBits;
    // The channel runs one bit wider: lanes past the end count on beyond C.
    const channelType = UInt(cb + 1);
    const C = io.channels.extend(cb + 1);
    const H = io.height;
    const W = io.width;

    const increment = (x: Coordinate): Coordinate => {
      const colNext = x.col.add(1);
      const colWraps = colNext.eq(W);
      const rowNext = x.row.add(colWraps.extend(cb));
      const rowWraps = colWraps.and(rowNext.eq(H));
      return {
        col: mux(colWraps, 0, colNext),
        row: mux(rowWraps, 0, rowNext),
        channel: x.channel.add(rowWraps.extend(cb + 1)),
      };
    };
    const offsets: Coordinate[] = [{ channel: lit(0, channelType), row: lit(0, UInt(cb)), col: lit(0, UInt(cb)) }];
    for (let k = 1; k <= V; k++) offsets.push(increment(offsets[k - 1]!));
    const stride = offsets[V]!;
    const strideCol = stride.col.named('stride_col');
    const strideRow = stride.row.named('stride_row');
    const strideChannel = stride.channel.named('stride_channel');

    // `fresh`: the next beat starts a tensor, its lanes sit at the offsets.
    const fresh = reg(Bool(), { name: 'fresh', init: 1 });
    const channelQ = reg(Vec(V, channelType), { name: 'lane_channel' });
    const rowQ = reg(Vec(V, UInt(cb)), { name: 'lane_row' });
    const colQ = reg(Vec(V, UInt(cb)), { name: 'lane_col' });

    const lanes: Coordinate[] = Array.from({ length: V }, (_, j) => ({
      channel: mux(fresh, offsets[j]!.channel, channelQ[j]!).named(`beat_channel_${j}`),
      row: mux(fresh, offsets[j]!.row, rowQ[j]!).named(`beat_row_${j}`),
      col: mux(fresh, offsets[j]!.col, colQ[j]!).named(`beat_col_${j}`),
    }));

    const lastRow = H.sub(1);
    const lastCol = W.sub(1);
    lanes.forEach((x, j) => {
      const inTensor = x.channel.lt(C).named(`in_tensor_${j}`);
      io.channel[j]!.set(x.channel.trunc(cb));
      io.row[j]!.set(x.row);
      io.col[j]!.set(x.col);
      io.inTensor[j]!.set(inTensor);
      io.rowEnd[j]!.set(inTensor.and(x.col.eq(lastCol)));
    });
    const top = lanes[V - 1]!;
    const topIsLast = top.channel.eq(C.sub(1)).and(top.row.eq(lastRow)).and(top.col.eq(lastCol));
    const tensorEnd = top.channel.lt(C).not().or(topIsLast).named('tensor_end');
    io.tensorEnd.set(tensorEnd);

    when(io.advance, () => {
      fresh.set(tensorEnd);
      lanes.forEach((x, j) => {
        // col + stride_col < 2W and row + stride_row + 1 < 2H: one conditional subtraction each.
        const colSum = x.col.addFull(strideCol);
        const colCarry = colSum.ge(W.extend(cb + 1));
        const rowSum = x.row.addFull(strideRow).add(colCarry.extend(cb + 1));
        const rowCarry = rowSum.ge(H.extend(cb + 1));
        colQ[j]!.set(mux(colCarry, colSum.sub(W.extend(cb + 1)), colSum).trunc(cb));
        rowQ[j]!.set(mux(rowCarry, rowSum.sub(H.extend(cb + 1)), rowSum).trunc(cb));
        channelQ[j]!.set(x.channel.add(strideChannel).add(rowCarry.extend(cb + 1)));
      });
    });
  },
});
