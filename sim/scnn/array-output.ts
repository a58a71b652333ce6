/**
 * Where a pass's results live on the array (docs/pe-array.md section 3a): every
 * PE drains its window into its own output slice, a bank row per cycle, at a
 * slot of the slice; the halo merge then adds every copy of an output that is
 * not its owner's into the owner's copy, phase by phase, each PE sending one
 * entry and receiving one entry per cycle. This module plans the slots, the
 * owners and the merge program; the image encoder (array-images.ts) writes
 * them into memories and the cycle model (array-cycle-model.ts) costs them.
 */
import { physicalAccumulatorAddress } from '../../hw/scnn/accumulator-banks.ts';
import { mergeDirection, type ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { outputIndexOf, sampleOf, stationaryChannelBaseOf } from './assemble.ts';
import { ImpossibleWorkUnit } from './images.ts';
import type { PassSchedule } from './scheduler.ts';
import { groupRows, isWeightGradientPass, windowSize, type PeWindow } from './work-unit.ts';

/** The PE grid a schedule was made for (the scheduler's ArrayConfig px, py). */
export interface ScheduleArray {
  readonly px: number;
  readonly py: number;
}

/** Hardware PE index of scheduled PE k. */
export function hardwarePe(k: number, grid: ScheduleArray, params: ArrayTopParams): number {
  return Math.floor(k / grid.px) * params.px + (k % grid.px);
}

/** Hops between two PEs on the array's torus in the farther of the two axes: 1 for the eight neighbours the merge links reach. */
function linkDistance(params: Pick<ArrayTopParams, 'px' | 'py'>): (a: number, b: number) => number {
  const axis = (x: number, y: number, n: number) => Math.min(Math.abs(x - y), n - Math.abs(x - y));
  return (a, b) => Math.max(axis(Math.floor(a / params.px), Math.floor(b / params.px), params.py), axis(a % params.px, b % params.px, params.px));
}

/** Whether the drain adds every PE's window in the reduction network (a planar weight gradient: every PE holds the same block). */
export function reduceAcrossPes(schedule: PassSchedule): boolean {
  return isWeightGradientPass(schedule.pass) && schedule.weightGradientMapping !== 'channels';
}

/** Group boundaries: whether each unit opens and closes its window group. */
export function groupFlags(schedule: PassSchedule): { first: boolean; last: boolean }[] {
  const u = schedule.units;
  return u.map((s, i) => ({ first: i === 0 || u[i - 1]!.group !== s.group, last: i === u.length - 1 || u[i + 1]!.group !== s.group }));
}

/**
 * Which accumulator rows get cleared, and when (docs/pe-array.md section 3a). Groups of a run use
 * the accumulator sets in turn (group j of the run: set j mod sets). The run's first fill clears
 * `runClear` rows of every set (the rows of the first group using each: groups 0 .. sets − 1);
 * a group's drain clears, a cycle after reading each row, the first `drainClear` rows of its set
 * (the rows of the next group using that set, 0 if none). Per unit: runClear on unit 0, drainClear
 * on a group's last unit, 0 elsewhere.
 */
export function accumulatorClears(schedule: PassSchedule, banks: number, sets: 1 | 2): { runClear: number; drainClear: number }[] {
  const flags = groupFlags(schedule);
  const firstUnits = flags.flatMap((f, u) => (f.first ? [u] : []));
  const groupOf: number[] = [];
  flags.forEach((f, u) => groupOf.push(u === 0 ? 0 : groupOf[u - 1]! + (f.first ? 1 : 0)));
  const rowsOfGroup = (j: number) => (j < firstUnits.length ? groupRows(schedule.units[firstUnits[j]!]!.unit, banks) : 0);
  return schedule.units.map((_, u) => ({
    runClear: u === 0 ? Math.max(...Array.from({ length: sets }, (_, j) => rowsOfGroup(j))) : 0,
    drainClear: flags[u]!.last ? rowsOfGroup(groupOf[u]! + sets) : 0,
  }));
}

/**
 * One cycle of a merge list: the halo entries of one row of the sender's slice that go into one
 * row of the receiver's, sent at once. Receiver lane lanes[k] of slice row dstRow takes lane
 * srcLanes[k] of the sender's slice row srcRow (each lane of the sent row selects its source lane:
 * neighbours' windows differ in size at the map's edges, so the lanes do not line up by a shift).
 */
export interface RowTransfer {
  readonly srcRow: number;
  readonly dstRow: number;
  readonly lanes: number[];
  readonly srcLanes: number[];
}

/** One sender's list in one merge phase. */
export interface MergeSend {
  readonly sender: number;
  readonly receiver: number;
  /** Slice entries read in the sender's slice and added into the receiver's, in order. */
  readonly src: number[];
  readonly dst: number[];
  /** The same transfers, a row at a time (the list the hardware walks). */
  readonly rows: RowTransfer[];
  /** Row transfers sent (the length of rows when the lists are made): the cycles the list walks. */
  readonly count: number;
}

export interface MergePhase {
  readonly sends: readonly MergeSend[];
  /** Cycles the phase walks: its longest list. */
  readonly length: number;
}

export interface OutputPlan {
  /** Per unit and hardware PE: the slice row its window drains to, and how many bank rows it drains (0: none). */
  readonly sliceRow: readonly (readonly number[])[];
  /** Weight gradient: per unit, the slice the reduction network adds its group's summed window into (0 otherwise). */
  readonly reduceSlice: readonly number[];
  readonly drainRows: readonly (readonly number[])[];
  /** Bank rows each hardware PE's slice uses over the pass. */
  readonly sliceRowsUsed: readonly number[];
  /** Per output element (plans made with the lists): the slice holding its merged value and the entry in it, or -1 (no PE reaches it: zero). */
  readonly ownerSlice: Int32Array;
  readonly ownerEntry: Int32Array;
  readonly phases: readonly MergePhase[];
}

/**
 * Slots: a PE's window of each window group gets the next free rows of the PE's
 * slice, except that windows placing their outputs identically (a block the
 * weight gradient revisits in another region) share a slot and add in the drain.
 * In the weight gradient the reduction network writes the one summed window into
 * PE 0's slice. Owners: of the copies of an output, the one on the PE nearest to all
 * the others (fewest hops to the farthest, so that the merge needs links to
 * neighbours only), then the one deepest inside its window (the neighbours' copies
 * are halo margins); the others are merged into it. A pair that is not
 * neighbours refuses the pass.
 * Phases: sender/receiver pairs, longest list first, each into the first phase
 * where neither the sender nor the receiver is busy.
 */
export function planOutput(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams, withLists: boolean): OutputPlan {
  const A = params.pe.banks;
  const P = params.px * params.py;
  const reduce = reduceAcrossPes(schedule);
  const flags = groupFlags(schedule);
  const nextRow = new Array<number>(P).fill(0);
  const slotOf = new Map<string, number>();
  const slotSlice = new Map<string, number>();
  /** Distinct slots: slice, first entry, window, a unit that places it. */
  const slots: { slice: number; entry: number; window: PeWindow; unit: number; pe: number }[] = [];
  let sliceRow: number[] = [];
  let reduceSlice = 0;
  const reduceSlices: number[] = [];
  let drainRows: number[] = [];
  const sliceRows: number[][] = [];
  const drains: number[][] = [];
  schedule.units.forEach(({ unit, placement }, u) => {
    if (flags[u]!.first) {
      sliceRow = new Array<number>(P).fill(0);
      drainRows = new Array<number>(P).fill(0);
      // The weight gradient's summed window goes to the slice that has the fewest rows in use (the first
      // such), so a run's windows spread over every PE's slice instead of filling PE 0's; a block placed
      // identically before (revisited in another region) goes back to its slot.
      const pes = reduce ? unit.pes.slice(0, 1) : unit.pes;
      pes.forEach((pe, k) => {
        const w = pe.window;
        const rows = Math.ceil(windowSize(w) / A);
        const block = `${sampleOf(placement, k)}|${placement.channelBase}|${stationaryChannelBaseOf(placement, k)}|${placement.rowBase}|${placement.colBase}|${w.originRow}|${w.originCol}|${w.windowRows}|${w.windowCols}|${w.channels}|${w.stationaryChannels}`;
        const home = reduce ? slotSlice.get(block) ?? nextRow.indexOf(Math.min(...nextRow)) : hardwarePe(k, grid, params);
        const key = `${home}|${block}`;
        let row = slotOf.get(key);
        if (row === undefined) {
          row = nextRow[home]!;
          nextRow[home]! += rows;
          slotOf.set(key, row);
          if (reduce) slotSlice.set(block, home);
          slots.push({ slice: home, entry: row * A, window: w, unit: u, pe: k });
        }
        sliceRow[home] = row;
        if (!reduce) drainRows[home] = rows;
        if (reduce) {
          reduceSlice = home;
          // Every PE's descriptor carries the slot row: the reduction network takes it from PE 0's.
          sliceRow.fill(row);
        }
      });
      if (reduce) unit.pes.forEach((_, k) => (drainRows[hardwarePe(k, grid, params)] = Math.ceil(windowSize(unit.pes[0]!.window) / A)));
    }
    sliceRows.push(sliceRow);
    reduceSlices.push(reduce ? reduceSlice : 0);
    drains.push(drainRows);
  });

  const outputs = schedule.outputDims.reduce((x, y) => x * y, 1);
  // Owners are kept for the outputs the windows reach only: a run of a few
  // windows of a large tensor (a weight gradient) must not cost the tensor's size.
  const compact = new Map<number, number>();
  const reached: number[] = [];
  const oSlice: number[] = [];
  const oEntry: number[] = [];
  // A window edge on the output's border is no halo edge: only edges facing a neighbour count.
  const d = schedule.outputDims;
  const [planeRows, planeCols] = schedule.pass === 'matmul' ? [d[0]!, d[1]!] : [d[2]!, d[3]!];
  const far = 1 << 20;
  const visit = (f: (o: number, slice: number, entry: number, depth: number) => void) => {
    for (const s of slots) {
      const w = s.window;
      const { rowBase, colBase } = schedule.units[s.unit]!.placement;
      const size = windowSize(w);
      for (let a = 0; a < size; a++) {
        const o = outputIndexOf(schedule, s.unit, s.pe, w, a);
        if (o < 0) continue;
        const col = a % w.windowCols;
        const row = Math.floor(a / w.windowCols) % w.windowRows;
        const depth = Math.min(
          rowBase + w.originRow > 0 ? row : far,
          rowBase + w.originRow + w.windowRows < planeRows ? w.windowRows - 1 - row : far,
          colBase + w.originCol > 0 ? col : far,
          colBase + w.originCol + w.windowCols < planeCols ? w.windowCols - 1 - col : far,
        );
        f(o, s.slice, s.entry + physicalAccumulatorAddress(a, A, params.pe.bankMapping), depth);
      }
    }
  };
  // Every copy of every output, chained per output (newest first), to choose the owners from.
  const copySlice: number[] = [];
  const copyEntry: number[] = [];
  const copyDepth: number[] = [];
  const copyNext: number[] = [];
  const lastCopy: number[] = [];
  visit((o, slice, entry, depth) => {
    let i = compact.get(o);
    if (i === undefined) {
      i = reached.length;
      compact.set(o, i);
      reached.push(o);
      lastCopy.push(-1);
    }
    copySlice.push(slice);
    copyEntry.push(entry);
    copyDepth.push(depth);
    copyNext.push(lastCopy[i]!);
    lastCopy[i] = copySlice.length - 1;
  });
  const distance = linkDistance(params);
  for (let i = 0; i < reached.length; i++) {
    let best = -1;
    let bestSpread = 0;
    for (let copy = lastCopy[i]!; copy >= 0; copy = copyNext[copy]!) {
      let spread = 0;
      for (let other = lastCopy[i]!; other >= 0; other = copyNext[other]!) spread = Math.max(spread, distance(copySlice[copy]!, copySlice[other]!));
      // Chained newest first: on a tie the earlier copy wins (>=).
      if (best < 0 || spread < bestSpread || (spread === bestSpread && copyDepth[copy]! >= copyDepth[best]!)) {
        best = copy;
        bestSpread = spread;
      }
    }
    oSlice.push(copySlice[best]!);
    oEntry.push(copyEntry[best]!);
  }
  const pairs = new Map<number, { sender: number; receiver: number; src: number[]; dst: number[]; rows: RowTransfer[]; count: number; rowOf: Map<number, number> }>();
  // Entries of a pair with the same src row and the same dst row travel in one row transfer.
  const rowsOfSlice = 2 ** 26;
  visit((o, slice, entry) => {
    const i = compact.get(o)!;
    if (oSlice[i] === slice && oEntry[i] === entry) return;
    const key = slice * P + oSlice[i]!;
    let pair = pairs.get(key);
    if (!pair) {
      pair = { sender: slice, receiver: oSlice[i]!, src: [], dst: [], rows: [], count: 0, rowOf: new Map() };
      pairs.set(key, pair);
    }
    const dst = oEntry[i]!;
    const dstRow = Math.floor(dst / A);
    const srcRow = Math.floor(entry / A);
    const rowKey = dstRow * rowsOfSlice + srcRow;
    let r = pair.rowOf.get(rowKey);
    if (r === undefined) {
      r = pair.count++;
      pair.rowOf.set(rowKey, r);
      if (withLists) pair.rows.push({ srcRow, dstRow, lanes: [], srcLanes: [] });
    }
    if (withLists) {
      pair.src.push(entry);
      pair.dst.push(dst);
      pair.rows[r]!.lanes.push(dst % A);
      pair.rows[r]!.srcLanes.push(entry % A);
    }
  });
  for (const { sender, receiver } of pairs.values()) {
    if (sender !== receiver && mergeDirection(sender, receiver, params) === undefined) {
      const at = (k: number) => `PE (${Math.floor(k / params.px)}, ${k % params.px})`;
      throw new ImpossibleWorkUnit(
        `${schedule.pass} pass refused: its halo merge would send partial sums from ${at(sender)} to ${at(receiver)}, which is not one of its eight neighbours ` +
          `(the merge links reach neighbours only: a kernel whose outputs span more than three PE tiles; docs/pe-array.md section 3a)`,
      );
    }
  }
  // The owner of every output, for reading the tensor back (only with the lists: the encoder's plan).
  const ownerSlice = new Int32Array(withLists ? outputs : 0).fill(-1);
  const ownerEntry = new Int32Array(withLists ? outputs : 0).fill(-1);
  if (withLists) {
    reached.forEach((o, i) => {
      ownerSlice[o] = oSlice[i]!;
      ownerEntry[o] = oEntry[i]!;
    });
  }
  const phases: { sends: MergeSend[]; length: number; senders: Set<number>; receivers: Set<number> }[] = [];
  const ordered = [...pairs.values()].sort((x, y) => y.count - x.count || x.sender - y.sender || x.receiver - y.receiver);
  for (const pair of ordered) {
    let phase = phases.find((ph) => !ph.senders.has(pair.sender) && !ph.receivers.has(pair.receiver));
    if (!phase) {
      phase = { sends: [], length: 0, senders: new Set(), receivers: new Set() };
      phases.push(phase);
    }
    phase.sends.push({ sender: pair.sender, receiver: pair.receiver, src: pair.src, dst: pair.dst, rows: pair.rows, count: pair.count });
    phase.senders.add(pair.sender);
    phase.receivers.add(pair.receiver);
    phase.length = Math.max(phase.length, pair.count);
  }
  return {
    sliceRow: sliceRows,
    reduceSlice: reduceSlices,
    drainRows: drains,
    sliceRowsUsed: nextRow,
    ownerSlice,
    ownerEntry,
    phases: phases.map((ph) => ({ sends: ph.sends, length: ph.length })),
  };
}
