import { Bool, cat, defineModule, Input, mem, mux, Output, reg, select, SInt, UInt, Vec, when, type Signal } from '../index.ts';
import { arrayWidths, MERGE_DIRECTION_BITS, mergeTransferFields, peMergeFields, validateArrayTopParams, type ArrayTopParams } from './array-params.ts';
import { fieldBits, latchFields, unpack } from './fields.ts';

function sliceIO(p: ArrayTopParams) {
  validateArrayTopParams(p);
  const a = arrayWidths(p);
  const A = p.pe.banks;
  const row = UInt(A * p.pe.accWidth);
  return {
    /** Weight gradient: the slice takes the reduction tree's rows, not its own PE's drain. */
    reduce: Input(Bool()),
    /** The merge program runs (the merge's read row wins over the drain's and the tree's). */
    merging: Input(Bool()),
    /** Its own PE's drain: bank row `drainRow` of the slice adds the PE's drainData a cycle after drainRead. */
    drainRead: Input(Bool()),
    drainRow: Input(UInt(a.sliceRow)),
    drainData: Input(Vec(A, SInt(p.pe.accWidth))),
    /** The reduction tree: its sum is for this slice; it reads treeReadRow now and writes treeWriteRow when treeWrite holds. */
    treeHere: Input(Bool()),
    treeReadRow: Input(UInt(a.sliceRow)),
    treeWrite: Input(Bool()),
    treeWriteRow: Input(UInt(a.sliceRow)),
    treeSum: Input(Vec(A, SInt(p.pe.accWidth))),
    /** The merge program's phase: its entry is read at phaseAddr when readPhase holds, latched when phaseLoad holds. */
    phaseAddr: Input(UInt(Math.log2(p.mergePhaseDepth))),
    readPhase: Input(Bool()),
    phaseLoad: Input(Bool()),
    /** The phase walks; step is its cycle. */
    walking: Input(Bool()),
    step: Input(UInt(32)),
    /** What this slice sends in a merge phase (a row transfer's data, two cycles after its list read). */
    sendValid: Output(Bool()),
    sendDstRow: Output(UInt(a.sliceRow)),
    sendMask: Output(UInt(A)),
    sendRow: Output(row),
    /** The neighbour whose sends it takes in its phase (a direction code, hw/scnn/array-params.ts; register), and what that PE sends now. */
    receiveFrom: Output(UInt(MERGE_DIRECTION_BITS)),
    heardValid: Input(Bool()),
    heardDstRow: Input(UInt(a.sliceRow)),
    heardMask: Input(UInt(A)),
    heardRow: Input(row),
  };
}

/** Named by what shapes it, which keeps Verilator's file names short. */
export function outputSliceModuleName(p: ArrayTopParams): string {
  return `ScnnOutputSlice_p${p.px * p.py}_a${p.pe.banks}x${p.pe.accWidth}_s${p.sliceDepth}_m${p.mergeListDepth}x${p.mergePhaseDepth}`;
}

/**
 * A PE's output slice (docs/pe-array.md section 3a): one bank row (A accumulators)
 * per word, written by its PE's drain (added in), by the weight gradient's reduction
 * tree, and by the halo merge, whose program (the PE's phase entries and its list of
 * row transfers) it holds. In a merge phase it sends a row of its list per cycle on
 * its output and adds what the neighbour its phase names sends (selected by the top) into
 * the masked lanes of a row. One module for every PE of the array, so a design
 * synthesizes and a simulator compiles it once.
 */
export const ScnnOutputSlice = defineModule({
  name: outputSliceModuleName,
  io: sliceIO,
  body: (io, p) => {
    const a = arrayWidths(p);
    const pp = p.pe;
    const A = pp.banks;
    const laneBits = Math.max(1, Math.log2(A));
    const peMerge = peMergeFields(p);
    const transferFields = mergeTransferFields(p);
    const rows = mem(UInt(A * pp.accWidth), p.sliceDepth / A, { name: 'rows', testbenchAccess: true });
    const phaseTable = mem(UInt(fieldBits(peMerge)), p.mergePhaseDepth, { name: 'merge_phases', testbenchAccess: true });
    const list = mem(UInt(fieldBits(transferFields)), p.mergeListDepth, { name: 'merge_list', testbenchAccess: true });
    const lanesOf = (row: Signal) => Array.from({ length: A }, (_, l) => row.bits((l + 1) * pp.accWidth - 1, l * pp.accWidth).asSInt());
    const rowOf = (lanes: readonly Signal[]) => cat(...[...lanes].reverse().map((v) => v.asUInt()));

    // ---- the sender: c0 list read; c1 the src row read; c2 each lane selects its src lane, and the row goes out
    const pm = latchFields('merge', peMerge, phaseTable.read(io.phaseAddr, io.readPhase), io.phaseLoad);
    const listRead = io.walking.and(io.step.lt(pm.count!.extend(32)));
    const transfer = unpack(list.read(pm.listStart!.add(io.step.trunc(a.mergeListAddress)), listRead), transferFields);
    const v1 = reg(Bool(), { name: 'merge_v1', init: 0 });
    v1.set(listRead);
    const srcLanes = lanesOf(rows.read(transfer.srcRow!, v1));
    const v2 = reg(Bool(), { name: 'merge_v2', init: 0 });
    const dstRow2 = reg(UInt(a.sliceRow), { name: 'merge_dst_row2', init: 0 });
    const mask2 = reg(UInt(A), { name: 'merge_mask2', init: 0 });
    v2.set(v1);
    dstRow2.set(transfer.dstRow!);
    mask2.set(transfer.mask!);
    const sent = Array.from({ length: A }, (_, l) => {
      if (A === 1) return srcLanes[0]!;
      const sel = reg(UInt(laneBits), { name: `merge_select2_${l}`, init: 0 });
      sel.set(transfer[`select${l}`]!);
      return select(srcLanes, sel);
    });
    io.sendValid.set(v2);
    io.sendDstRow.set(dstRow2);
    io.sendMask.set(mask2);
    const sentRow = rowOf(sent).named('merge_row_out');
    io.sendRow.set(sentRow);

    // ---- the receiver: the neighbour its phase names, delayed to meet the sender's data in c2 (the top selects that
    // PE's sends), or its own sends (a PE holding two copies of an output: a grid one PE wide, whose regions' halos meet)
    const from1 = reg(UInt(pm.from!.width), { name: 'merge_from1', init: 0 });
    const from2 = reg(UInt(pm.from!.width), { name: 'merge_from2', init: 0 });
    const self1 = reg(Bool(), { name: 'merge_self1', init: 0 });
    const self2 = reg(Bool(), { name: 'merge_self2', init: 0 });
    const takes1 = reg(Bool(), { name: 'merge_takes1', init: 0 });
    const takes2 = reg(Bool(), { name: 'merge_takes2', init: 0 });
    from1.set(pm.from!);
    from2.set(from1);
    self1.set(pm.fromSelf!.bit(0));
    self2.set(self1);
    takes1.set(io.walking.and(pm.receives!.bit(0)));
    takes2.set(takes1);
    io.receiveFrom.set(from2);
    const inValid = takes2.and(mux(self2, v2, io.heardValid)).named('merge_in_valid');
    const inRow = mux(self2, dstRow2, io.heardDstRow).named('merge_in_row');
    const inMask = mux(self2, mask2, io.heardMask).named('merge_in_mask');
    const inValue = mux(self2, sentRow, io.heardRow).named('merge_in_value');

    // ---- the writes: a drain adds its PE's row, the tree writes its sum added in, the merge adds a masked row
    // (forwarding the row it wrote the cycle before)
    const readRow = mux(io.merging, inRow, mux(io.treeHere, io.treeReadRow, io.drainRow)).named('read_row');
    const old = rows.read(readRow);
    const directValid = reg(Bool(), { name: 'drain_direct_valid', init: 0 });
    const directRow = reg(UInt(a.sliceRow), { name: 'drain_direct_row', init: 0 });
    directValid.set(io.drainRead.and(io.reduce.not()));
    directRow.set(io.drainRow);
    const v3 = reg(Bool(), { name: 'merge_v3', init: 0 });
    const row3 = reg(UInt(a.sliceRow), { name: 'merge_row3', init: 0 });
    const mask3 = reg(UInt(A), { name: 'merge_mask3', init: 0 });
    const value3 = reg(UInt(A * pp.accWidth), { name: 'merge_value3', init: 0 });
    v3.set(inValid);
    row3.set(inRow);
    mask3.set(inMask);
    value3.set(inValue);
    const lastValid = reg(Bool(), { name: 'merge_last_valid', init: 0 });
    const lastRow = reg(UInt(a.sliceRow), { name: 'merge_last_row', init: 0 });
    const lastData = reg(UInt(A * pp.accWidth), { name: 'merge_last_data', init: 0 });
    const baseRow = lanesOf(mux(lastValid.and(lastRow.eq(row3)), lastData, old));
    const addend = lanesOf(value3);
    const merged = rowOf(baseRow.map((x, l) => mux(mask3.bit(l), x.add(addend[l]!), x))).named('merge_row');
    lastValid.set(v3);
    lastRow.set(row3);
    lastData.set(merged);
    const oldLanes = lanesOf(old);
    const drained = rowOf(oldLanes.map((x, l) => x.add(io.drainData[l]!))).named('drain_row_sum');
    const reduced = rowOf(oldLanes.map((x, l) => x.add(io.treeSum[l]!))).named('reduced_row_sum');
    when(io.treeWrite.and(io.treeHere), () => rows.write(io.treeWriteRow, reduced))
      .elseWhen(directValid, () => rows.write(directRow, drained))
      .elseWhen(v3, () => rows.write(row3, merged));
  },
});
