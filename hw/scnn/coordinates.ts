/**
 * The index algebra of sim/scnn/product-rules.ts as combinational logic: the
 * output address and valid bit of one product (a coordinate unit), and the
 * broadcast rows or columns that can meet a stationary range (the range unit
 * of the sequencer). Strides are 1, 2 or 4, given as a shift.
 */
import { Input, lit, mux, SInt, UInt, type Signal } from '../index.ts';
import { resizeUnsigned } from '../lib/arith.ts';
import { PASS_CODES, peWidths, type PeParams } from './pe-params.ts';

/** The configuration registers every PE reads (sim/scnn/images.ts fills them). */
export function peConfigPorts(p: PeParams) {
  const w = peWidths(p);
  const coord = () => Input(UInt(p.coordBits));
  return {
    pass: Input(UInt(3)),
    /** log2 of the stride: 0, 1 or 2. */
    strideShift: Input(UInt(2)),
    padding: coord(),
    outRows: coord(),
    outCols: coord(),
    broadcastRows: coord(),
    broadcastCols: coord(),
    originRow: coord(),
    originCol: coord(),
    windowRows: coord(),
    windowCols: coord(),
    /** Accumulator address step of one broadcast channel and of one stationary channel. */
    chStride: Input(UInt(w.address)),
    schStride: Input(UInt(w.address)),
    /** Anticipation mode (0 off, 1 vector, 2 element), at most the elaborated capability. */
    mode: Input(UInt(2)),
    /** Entries of the segment table to run: the run ends before this entry (it starts at the PE's segBase). */
    segments: Input(UInt(w.segmentIndex)),
  };
}

/** The PE's view of the configuration ports (leaf signals by name). */
export interface PeConfig {
  pass: Signal;
  strideShift: Signal;
  padding: Signal;
  outRows: Signal;
  outCols: Signal;
  broadcastRows: Signal;
  broadcastCols: Signal;
  originRow: Signal;
  originCol: Signal;
  windowRows: Signal;
  windowCols: Signal;
  chStride: Signal;
  schStride: Signal;
  mode: Signal;
  segments: Signal;
}

/** An unsigned coordinate as a signed value of the coordinate arithmetic width. */
export function signedCoord(p: PeParams, x: Signal): Signal {
  return x.extend(peWidths(p).signedCoord).asSInt();
}

function isPass(cfg: PeConfig, pass: keyof typeof PASS_CODES): Signal {
  return cfg.pass.eq(PASS_CODES[pass]);
}

/** True when the low strideShift bits of a non-negative signed value are zero. */
function divisibleByStride(cfg: PeConfig, t: Signal): Signal {
  const low = t.bits(1, 0);
  return cfg.strideShift.eq(0).or(cfg.strideShift.eq(1).and(low.bit(0).not())).or(low.eq(0));
}

/** A stationary element's coordinates, one broadcast element's coordinates. */
export interface Coordinates {
  row: Signal;
  col: Signal;
  ch: Signal;
}

/**
 * One coordinate unit: the output address of stationary s times broadcast b
 * inside the PE's window (productAddress), and whether the product is valid.
 * `broadcastChannelBase` is b.ch · chStride, shared by a broadcast lane.
 */
export function productAddressUnit(p: PeParams, cfg: PeConfig, s: Coordinates, b: Coordinates, broadcastChannelBase: Signal, stationaryChannelBase: Signal): { valid: Signal; address: Signal } {
  const w = peWidths(p);
  const S = (x: Signal) => signedCoord(p, x);
  const pad = S(cfg.padding);
  const shift = cfg.strideShift;
  const axis = (sv: Signal, bv: Signal, out: Signal) => {
    // forward: t = s + p - b, valid when t >= 0, stride | t, t/σ < out.
    const t = S(sv).add(pad).sub(S(bv));
    const fwd = t.shrBy(shift);
    const fwdOk = t.msb().not().and(divisibleByStride(cfg, t)).and(fwd.lt(S(out)));
    // input gradient: o = s·σ + b - p.
    const ig = S(sv).shlBy(shift).add(S(bv)).sub(pad);
    // weight gradient: r = s + p - b·σ; swapped (output gradients stationary): r = b + p - s·σ.
    const wg = S(sv).add(pad).sub(S(bv).shlBy(shift));
    const wgs = S(bv).add(pad).sub(S(sv).shlBy(shift));
    const inRange = (x: Signal) => x.msb().not().and(x.lt(S(out)));
    const value = mux(isPass(cfg, 'forward'), fwd, mux(isPass(cfg, 'inputGradient'), ig, mux(isPass(cfg, 'weightGradientSwapped'), wgs, wg)));
    const ok = mux(isPass(cfg, 'forward'), fwdOk, inRange(value));
    return { value, ok };
  };
  const rows = axis(s.row, b.row, cfg.outRows);
  const cols = axis(s.col, b.col, cfg.outCols);
  const matmul = isPass(cfg, 'matmul');
  // Matrix multiplication: C[i, j] with i the stationary row and j the broadcast row.
  const outRow = mux(matmul, S(s.row), rows.value);
  const outCol = mux(matmul, S(b.row), cols.value);
  const passOk = matmul.or(rows.ok.and(cols.ok));
  const wr = outRow.sub(S(cfg.originRow));
  const wc = outCol.sub(S(cfg.originCol));
  const inWindow = wr.msb().not().and(wr.lt(S(cfg.windowRows))).and(wc.msb().not()).and(wc.lt(S(cfg.windowCols)));
  const rowBase = resizeUnsigned(wr.asUInt().trunc(p.coordBits).mul(cfg.windowCols), w.address);
  const address = broadcastChannelBase.add(stationaryChannelBase).add(rowBase).add(resizeUnsigned(wc.asUInt().trunc(p.coordBits), w.address));
  return { valid: passOk.and(inWindow), address };
}

/**
 * meetingBroadcastRange: the broadcast rows (or columns) that can meet
 * stationary coordinates spanning [s0, s1], clamped to [0, extent - 1];
 * signed, empty when lo > hi.
 */
export function meetingRangeUnit(p: PeParams, cfg: PeConfig, dim: 'row' | 'col', s0: Signal, s1: Signal): { lo: Signal; hi: Signal; empty: Signal; full: Signal } {
  const S = (x: Signal) => signedCoord(p, x);
  const pad = S(cfg.padding);
  const shift = cfg.strideShift;
  const out = S(dim === 'row' ? cfg.outRows : cfg.outCols);
  const extent = S(dim === 'row' ? cfg.broadcastRows : cfg.broadcastCols);
  const one = lit(1, SInt(peWidths(p).signedCoord));
  const zero = lit(0, SInt(peWidths(p).signedCoord));
  // forward: [s0 + p - (out-1)·σ, s1 + p]
  const fLo = S(s0).add(pad).sub(out.sub(one).shlBy(shift));
  const fHi = S(s1).add(pad);
  // input gradient: [p - s1·σ, out - 1 + p - s0·σ]
  const iLo = pad.sub(S(s1).shlBy(shift));
  const iHi = out.sub(one).add(pad).sub(S(s0).shlBy(shift));
  // weight gradient: [ceil((s0 + p - out + 1)/σ), floor((s1 + p)/σ)]; ceil(x/2^k) = (x + 2^k - 1) >> k
  const roundUp = one.shlBy(shift).sub(one);
  const wLo = S(s0).add(pad).sub(out).add(one).add(roundUp).shrBy(shift);
  const wHi = S(s1).add(pad).shrBy(shift);
  // swapped weight gradient: [s0·σ - p, s1·σ - p + out - 1]
  const sLo = S(s0).shlBy(shift).sub(pad);
  const sHi = S(s1).shlBy(shift).sub(pad).add(out).sub(one);
  let lo: Signal;
  let hi: Signal;
  const pick = (f: Signal, i: Signal, wg: Signal, wgs: Signal, mm: Signal) =>
    mux(isPass(cfg, 'forward'), f, mux(isPass(cfg, 'inputGradient'), i, mux(isPass(cfg, 'weightGradient'), wg, mux(isPass(cfg, 'weightGradientSwapped'), wgs, mm))));
  if (dim === 'row') {
    const mLo = S(cfg.originCol);
    const mHi = S(cfg.originCol).add(S(cfg.windowCols)).sub(one);
    lo = pick(fLo, iLo, wLo, sLo, mLo);
    hi = pick(fHi, iHi, wHi, sHi, mHi);
  } else {
    lo = pick(fLo, iLo, wLo, sLo, zero);
    hi = pick(fHi, iHi, wHi, sHi, extent.sub(one));
  }
  const top = extent.sub(one);
  const loC = mux(lo.lt(zero), zero, lo);
  const hiC = mux(hi.gt(top), top, hi);
  return { lo: loC, hi: hiC, empty: loC.gt(hiC), full: lo.le(zero).and(hi.ge(top)) };
}
