/**
 * A whole pass schedule (sim/scnn/scheduler.ts) as the memory images and
 * configuration registers of the array top (hw/scnn/array-top.ts), and the
 * output slices back as the pass's output tensor. Layout (docs/pe-array.md
 * section 3a):
 *
 * - global broadcast buffer: every unit's broadcast elements, each unit starting
 *   on a fill beat (fillWidth elements), interleaved over fillWidth memories;
 * - global pointer memory: every unit's pointer tables (unit-local pointers);
 * - unit descriptors: beat base, broadcast elements, pointer base and entries,
 *   the bank rows of its window group (drained after its last unit, cleared by
 *   the run's first fill), on a group's last unit the next group's bank rows
 *   (cleared during this drain), last unit of its window group;
 * - per PE: its stationary elements of every unit, one after the other, its
 *   segments of every unit (stationary ranges absolute, broadcast ranges and
 *   pointer bases unit-local), and one descriptor per unit: window, segment
 *   range [segBase, segEnd), the slice row it drains to and its bank rows;
 * - output slices: per PE, one word per bank row; where the windows go, which
 *   copy of each output owns it and the halo merge program that adds the other
 *   copies into it are planned by sim/scnn/array-output.ts;
 * - merge program: per phase its length, per PE and phase the list it sends
 *   and the PE it receives from, per PE its lists of row transfers (src row,
 *   dst row, lane mask, a source lane per lane: a row of halo entries per cycle).
 *
 * Scheduled PE (x, y) of a schedule for sx x sy PEs runs on hardware PE
 * (x, y); hardware PEs outside the schedule get no segments and no window.
 */
import { arrayWidths, mergeDirection, mergePhaseFields, mergeTransferFields, peDescriptorFields, peInstanceName, peMergeFields, sliceInstanceName, unitDescriptorFields, validateArrayTopParams, type ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { ANTICIPATION_CODES, PASS_CODES } from '../../hw/scnn/pe-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { accumulatorClears, groupFlags, hardwarePe, planOutput, reduceAcrossPes, type OutputPlan, type ScheduleArray } from './array-output.ts';
import { elementWords, encodePeTop, ImpossibleWorkUnit, packFields, pointerTables, segmentWord } from './images.ts';
import type { PassSchedule } from './scheduler.ts';
import { groupRows, type Anticipation, type PassGeometry, type PeWindow } from './work-unit.ts';

export { groupFlags, hardwarePe, reduceAcrossPes, type ScheduleArray };

export interface ArrayTopImages {
  readonly config: Record<string, number>;
  readonly memories: Record<string, bigint[] | number[]>;
  /** The output slices to read back, and where each output element sits in them. */
  readonly sliceMemories: readonly string[];
  readonly plan: OutputPlan;
  readonly outputElements: number;
}

const sameGeometry = (a: PassGeometry, b: PassGeometry) =>
  a.pass === b.pass && a.stride === b.stride && a.padding === b.padding && a.outRows === b.outRows && a.outCols === b.outCols && a.broadcastRows === b.broadcastRows && a.broadcastCols === b.broadcastCols;
const sameWindow = (a: PeWindow, b: PeWindow) =>
  a.originRow === b.originRow && a.originCol === b.originCol && a.windowRows === b.windowRows && a.windowCols === b.windowCols && a.channels === b.channels && a.stationaryChannels === b.stationaryChannels;

/**
 * The images of a whole pass in one anticipation mode. Everything the array
 * cannot hold is refused here, naming the limit, before anything runs.
 */
export function encodeArrayTop(schedule: PassSchedule, grid: ScheduleArray, params: ArrayTopParams, mode: Anticipation, cycleLimit: number): ArrayTopImages {
  validateArrayTopParams(params);
  const p = params.pe;
  const a = arrayWidths(params);
  const fw = params.fillWidth;
  const fail = (m: string): never => {
    throw new ImpossibleWorkUnit(`${schedule.pass} pass refused: ${m}`);
  };
  if (grid.px > params.px || grid.py > params.py) fail(`it is scheduled for ${grid.px} x ${grid.py} PEs; the array has ${params.px} x ${params.py}`);
  const units = schedule.units;
  if (units.some(({ unit }) => unit.pes.length !== grid.px * grid.py)) fail(`its work units do not all have ${grid.px * grid.py} PEs`);
  if (units.length > params.unitDepth) fail(`${units.length} work units exceed the descriptor memories (${params.unitDepth})`);
  const outputElements = schedule.outputDims.reduce((x, y) => x * y, 1);
  if (!Number.isInteger(cycleLimit) || cycleLimit < 1 || cycleLimit >= 2 ** 32) fail(`the cycle limit must be an integer in [1, 2^32), got ${cycleLimit}`);
  const geometry = units[0]?.unit.geometry;
  const flags = groupFlags(schedule);
  const clears = accumulatorClears(schedule, p.banks, p.accumulatorSets);
  units.forEach(({ unit }, u) => {
    if (!sameGeometry(unit.geometry, geometry!)) fail(`work unit ${u} has another pass geometry than unit 0`);
    if (reduceAcrossPes(schedule)) unit.pes.forEach((pe, k) => sameWindow(pe.window, unit.pes[0]!.window) || fail(`work unit ${u}, PE ${k}: a weight-gradient window differs from PE 0's; the reduction network adds the same window of every PE`));
    if (!flags[u]!.first) unit.pes.forEach((pe, k) => sameWindow(pe.window, units[u - 1]!.unit.pes[k]!.window) || fail(`work unit ${u}, PE ${k}: its window differs from the unit before in the same window group`));
  });

  const peTop: PeTopParams = { pe: p, fillWidth: fw };
  const P = a.pes;
  const stationaryWords: bigint[][] = Array.from({ length: P }, () => []);
  const segmentWords: bigint[][] = Array.from({ length: P }, () => []);
  const peDescriptors: bigint[][] = Array.from({ length: P }, () => []);
  const broadcastWords: bigint[] = [];
  const pointerWords: number[] = [];
  const unitWords: bigint[] = [];
  const peFields = peDescriptorFields(params).map(([, bits]) => bits);
  const unitFields = unitDescriptorFields(params).map(([, bits]) => bits);
  const addressMask = 2 ** a.pe.address - 1;
  const plan = planOutput(schedule, grid, params, true);
  const scheduled = new Map<number, number>();
  for (let k = 0; k < grid.px * grid.py; k++) scheduled.set(hardwarePe(k, grid, params), k);

  units.forEach(({ unit }, u) => {
    // Every per-unit limit of the PE (window, buffers, coordinates, sortedness) is checked by the 1 x 1 encoder.
    unit.pes.forEach((pe, k) => {
      try {
        encodePeTop({ ...unit, pes: [pe] }, peTop, mode, cycleLimit);
      } catch (e) {
        fail(`work unit ${u}, PE ${k}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    const pointers = pointerTables(unit, p.anticipation);
    const beatBase = broadcastWords.length / fw;
    broadcastWords.push(...elementWords(unit.broadcast, p, `work unit ${u} broadcast`));
    while (broadcastWords.length % fw !== 0) broadcastWords.push(0n);
    const pointerBase = pointerWords.length / p.pointerLanes;
    pointerWords.push(...pointers.table);
    while (pointerWords.length % p.pointerLanes !== 0) pointerWords.push(0);
    const { runClear, drainClear } = clears[u]!;
    unitWords.push(packFields([beatBase, unit.broadcast.values.length, pointerBase, pointers.table.length, groupRows(unit, p.banks), runClear, drainClear, flags[u]!.last ? 1 : 0, plan.reduceSlice[u]!].map((v, i) => [v, unitFields[i]!] as const)));
    for (let i = 0; i < P; i++) {
      const k = scheduled.get(i);
      const segBase = segmentWords[i]!.length;
      if (k === undefined) {
        peDescriptors[i]!.push(packFields(peFields.map((bits, f) => [f === 6 || f === 7 ? segBase % 2 ** bits : f === 9 ? plan.drainRows[u]![i]! : f === 8 ? plan.sliceRow[u]![i]! % (params.sliceDepth / p.banks) : 0, bits] as const)));
        continue;
      }
      const pe = unit.pes[k]!;
      const offset = stationaryWords[i]!.length;
      stationaryWords[i]!.push(...elementWords(pe.stationary, p, `work unit ${u}, PE ${k} stationary`));
      for (const s of pe.segments) segmentWords[i]!.push(segmentWord(p, unit, pointers, s, offset));
      const win = pe.window;
      const plane = win.windowRows * win.windowCols;
      const values = [
        win.originRow, win.originCol, win.windowRows, win.windowCols,
        (win.stationaryChannels * plane) & addressMask, plane & addressMask,
        segBase, segmentWords[i]!.length,
        plan.sliceRow[u]![i]! % (params.sliceDepth / p.banks), plan.drainRows[u]![i]!,
      ];
      peDescriptors[i]!.push(packFields(values.map((v, f) => [v, peFields[f]!] as const)));
    }
  });
  for (let i = 0; i < P; i++) {
    const k = scheduled.get(i);
    if (stationaryWords[i]!.length > p.stationaryDepth) fail(`PE ${k} needs ${stationaryWords[i]!.length} stationary elements over the pass's ${units.length} units; its stationary buffer holds ${p.stationaryDepth}`);
    if (segmentWords[i]!.length > p.segmentDepth) fail(`PE ${k} needs ${segmentWords[i]!.length} segments over the pass's ${units.length} units; its segment table holds ${p.segmentDepth}`);
  }
  if (broadcastWords.length > params.globalBroadcastDepth) fail(`the pass's broadcast operands need ${broadcastWords.length} elements (each unit on a fill beat); the global broadcast buffer holds ${params.globalBroadcastDepth}`);
  if (pointerWords.length > params.globalPointerDepth) fail(`the pass's pointer tables need ${pointerWords.length} entries (each unit on a fill beat); the global pointer memory holds ${params.globalPointerDepth}`);
  plan.sliceRowsUsed.forEach((rows, i) => rows * p.banks <= params.sliceDepth || fail(`PE ${scheduled.get(i)}'s windows need ${rows * p.banks} output-slice entries over the pass; its slice holds ${params.sliceDepth}`));
  if (plan.phases.length > params.mergePhaseDepth) fail(`the halo merge needs ${plan.phases.length} phases; the merge phase table holds ${params.mergePhaseDepth}`);
  const merge = encodeMerge(params, plan);
  merge.lists.forEach((list, i) => list.length <= params.mergeListDepth || fail(`PE ${scheduled.get(i)} sends ${list.length} halo row transfers over the pass; its merge list holds ${params.mergeListDepth}`));

  const memories: Record<string, bigint[] | number[]> = { merge_phases: merge.phases };
  for (let j = 0; j < fw; j++) memories[`global_broadcast_${j}`] = broadcastWords.filter((_, e) => e % fw === j);
  for (let j = 0; j < p.pointerLanes; j++) memories[`global_pointers_${j}`] = pointerWords.filter((_, e) => e % p.pointerLanes === j);
  memories.units = unitWords;
  for (let i = 0; i < P; i++) {
    const name = peInstanceName(i, params);
    memories[`desc_${i}`] = peDescriptors[i]!;
    memories[`${sliceInstanceName(i, params)}.merge_phases`] = merge.pePhases[i]!;
    memories[`${sliceInstanceName(i, params)}.merge_list`] = merge.lists[i]!;
    for (let j = 0; j < p.I; j++) memories[`${name}.stationary_${j}`] = stationaryWords[i]!.filter((_, e) => e % p.I === j);
    memories[`${name}.segments`] = segmentWords[i]!;
  }
  const g = geometry ?? { pass: schedule.pass, stride: 1, padding: 0, outRows: 0, outCols: 0, broadcastRows: 0, broadcastCols: 0 };
  const config: Record<string, number> = {
    cfg_pass: PASS_CODES[g.pass],
    cfg_strideShift: Math.log2(g.stride),
    cfg_padding: g.padding,
    cfg_outRows: g.outRows,
    cfg_outCols: g.outCols,
    cfg_broadcastRows: g.broadcastRows,
    cfg_broadcastCols: g.broadcastCols,
    cfg_mode: ANTICIPATION_CODES[mode],
    cfg_units: units.length,
    cfg_reduceAcrossPes: reduceAcrossPes(schedule) ? 1 : 0,
    cfg_mergePhases: plan.phases.length,
    cfg_cycleLimit: cycleLimit,
    start: 1,
  };
  return { config, memories, sliceMemories: Array.from({ length: P }, (_, i) => `${sliceInstanceName(i, params)}.rows`), plan, outputElements };
}

/** The merge program as memory words: per phase its length; per PE and phase its list and the neighbour it receives from; per PE its lists. */
function encodeMerge(params: ArrayTopParams, plan: OutputPlan): { phases: bigint[]; pePhases: bigint[][]; lists: bigint[][] } {
  const P = params.px * params.py;
  const bitsOf = (fields: [string, number][]) => fields.map(([, b]) => b);
  const phaseBits = bitsOf(mergePhaseFields(params));
  const peBits = bitsOf(peMergeFields(params));
  const transferBits = bitsOf(mergeTransferFields(params));
  const pack = (values: number[], bits: number[]) => packFields(values.map((v, f) => [v, bits[f]!] as const));
  const A = params.pe.banks;
  const rows = params.sliceDepth / A;
  const lists: bigint[][] = Array.from({ length: P }, () => []);
  const pePhases: bigint[][] = Array.from({ length: P }, () => []);
  const phases = plan.phases.map((phase) => {
    const sendOf = new Map(phase.sends.map((s) => [s.sender, s]));
    const fromOf = new Map(phase.sends.map((s) => [s.receiver, s.sender]));
    for (let i = 0; i < P; i++) {
      const s = sendOf.get(i);
      const from = fromOf.get(i);
      const self = from === i;
      const direction = from === undefined || self ? 0 : mergeDirection(from, i, params);
      if (direction === undefined) throw new ImpossibleWorkUnit(`the halo merge sends from PE ${from} to PE ${i}, which is not one of its neighbours`);
      pePhases[i]!.push(pack([s ? lists[i]!.length % params.mergeListDepth : 0, s ? s.rows.length : 0, from === undefined ? 0 : 1, self ? 1 : 0, direction], peBits));
      if (s) {
        for (const r of s.rows) {
          const select = new Array<number>(A).fill(0);
          r.lanes.forEach((l, k) => (select[l] = r.srcLanes[k]!));
          lists[i]!.push(pack([r.srcRow % rows, r.dstRow % rows, r.lanes.reduce((m, l) => m + 2 ** l, 0), ...select.reverse()], transferBits));
        }
      }
    }
    return pack([phase.length], phaseBits);
  });
  return { phases, pePhases, lists };
}

/** The pass's output tensor from the output slices read back: each element from its owner's entry. */
export function decodeArrayOutput(images: ArrayTopImages, params: ArrayTopParams, dumps: readonly (readonly bigint[])[]): Int32Array {
  const A = params.pe.banks;
  const width = BigInt(params.pe.accWidth);
  const { ownerSlice, ownerEntry } = images.plan;
  return Int32Array.from({ length: images.outputElements }, (_, o) => {
    const slice = ownerSlice[o]!;
    if (slice < 0) return 0;
    const row = dumps[slice]?.[Math.floor(ownerEntry[o]! / A)];
    if (row === undefined) throw new ImpossibleWorkUnit(`output ${o} lies in slice ${slice}, entry ${ownerEntry[o]}, beyond the slices read back`);
    return Number(BigInt.asIntN(params.pe.accWidth, row >> (BigInt(ownerEntry[o]! % A) * width)));
  });
}
