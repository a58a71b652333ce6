/**
 * A whole pass schedule (sim/scnn/scheduler.ts) as the memory images and
 * configuration registers of the array top (hw/scnn/array-top.ts), and the
 * output buffer back as the pass's output tensor. Layout (docs/pe-array.md
 * section 3a):
 *
 * - global broadcast buffer: every unit's broadcast elements, each unit starting
 *   on a fill beat (fillWidth elements), interleaved over fillWidth memories;
 * - global pointer memory: every unit's pointer tables (unit-local pointers);
 * - unit descriptors: beat base, broadcast elements, pointer base and entries,
 *   accumulator entries to clear, first / last unit of its window group;
 * - per PE: its stationary elements of every unit, one after the other, its
 *   segments of every unit (stationary ranges absolute, broadcast ranges and
 *   pointer bases unit-local), and one descriptor per unit: window, segment
 *   range [segBase, segEnd), output base address and the window's rows and
 *   columns inside the output;
 * - output buffer: the output tensor, flat, in the golden layout.
 *
 * Scheduled PE (x, y) of a schedule for sx x sy PEs runs on hardware PE
 * (x, y); hardware PEs outside the schedule get no segments and no window.
 */
import { arrayWidths, peDescriptorFields, unitDescriptorFields, validateArrayTopParams, type ArrayTopParams } from '../../hw/scnn/array-params.ts';
import { ANTICIPATION_CODES, PASS_CODES } from '../../hw/scnn/pe-params.ts';
import type { PeTopParams } from '../../hw/scnn/pe-top.ts';
import { elementWords, encodePeTop, ImpossibleWorkUnit, packFields, pointerTables, segmentWord } from './images.ts';
import { passOutputSpan, spanLength } from './array-runs.ts';
import type { PassSchedule } from './scheduler.ts';
import { windowSize, type Anticipation, type PassGeometry, type PeWindow } from './work-unit.ts';

/** The PE grid a schedule was made for (the scheduler's ArrayConfig px, py). */
export interface ScheduleArray {
  readonly px: number;
  readonly py: number;
}

export interface ArrayTopImages {
  readonly config: Record<string, number>;
  readonly memories: Record<string, bigint[] | number[]>;
  readonly outputMemory: string;
  readonly outputElements: number;
}

/** Hardware PE index of scheduled PE k. */
export function hardwarePe(k: number, grid: ScheduleArray, params: ArrayTopParams): number {
  return Math.floor(k / grid.px) * params.px + (k % grid.px);
}

export function peInstanceName(i: number, params: ArrayTopParams): string {
  return `pe_${Math.floor(i / params.px)}_${i % params.px}`;
}

/** Group boundaries: whether each unit opens and closes its window group. */
export function groupFlags(schedule: PassSchedule): { first: boolean; last: boolean }[] {
  const u = schedule.units;
  return u.map((s, i) => ({ first: i === 0 || u[i - 1]!.group !== s.group, last: i === u.length - 1 || u[i + 1]!.group !== s.group }));
}

/** Whether the drain adds every PE's window in the reduction network (weight gradient: every PE holds the same block). */
export function reduceAcrossPes(schedule: PassSchedule): boolean {
  return schedule.pass === 'weightGradient';
}

/** Output-buffer address steps of a window's broadcast channel, stationary channel and row. */
function outputSteps(schedule: PassSchedule): { ch: number; sch: number; row: number } {
  const d = schedule.outputDims;
  switch (schedule.pass) {
    case 'forward':
    case 'inputGradient':
      return { ch: d[2]! * d[3]!, sch: 0, row: d[3]! };
    case 'weightGradient':
      return { ch: d[1]! * d[2]! * d[3]!, sch: d[2]! * d[3]!, row: d[3]! };
    case 'matmul':
      return { ch: 0, sch: 0, row: d[1]! };
  }
}

/** Output address of a window's first accumulator (what sim/scnn/assemble.ts outputIndexOf gives address 0), and its rows and columns inside the output. */
function windowPlacement(schedule: PassSchedule, unitIndex: number, win: PeWindow): { base: number; rowLimit: number; colLimit: number } {
  const d = schedule.outputDims;
  const { placement } = schedule.units[unitIndex]!;
  const [rows, cols] = schedule.pass === 'matmul' ? [d[0]!, d[1]!] : [d[2]!, d[3]!];
  const clamp = (x: number, hi: number) => Math.max(0, Math.min(x, hi));
  const rowLimit = clamp(rows - win.originRow, win.windowRows);
  const colLimit = clamp(cols - win.originCol, win.windowCols);
  let base: number;
  switch (schedule.pass) {
    case 'forward':
    case 'inputGradient':
      base = ((placement.n * d[1]! + placement.channelBase) * rows + win.originRow) * cols + win.originCol;
      break;
    case 'weightGradient':
      base = ((placement.channelBase * d[1]! + placement.stationaryChannelBase) * rows + win.originRow) * cols + win.originCol;
      break;
    case 'matmul':
      base = win.originRow * cols + win.originCol;
      break;
  }
  return { base, rowLimit, colLimit };
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
  // Addresses wrap at the buffer's depth: outputs within one span of it never alias (a larger pass is cut into runs, sim/scnn/array-runs.ts).
  const span = spanLength(passOutputSpan(schedule));
  if (span > params.outputDepth) fail(`its outputs span ${span} elements of the output tensor, the output buffer holds ${params.outputDepth}; cut the pass into runs (planRuns)`);
  if (!Number.isInteger(cycleLimit) || cycleLimit < 1 || cycleLimit >= 2 ** 32) fail(`the cycle limit must be an integer in [1, 2^32), got ${cycleLimit}`);
  const geometry = units[0]?.unit.geometry;
  const flags = groupFlags(schedule);
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
  const outputMask = params.outputDepth - 1;
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
    const pointerBase = pointerWords.length;
    pointerWords.push(...pointers.table);
    const clearEntries = Math.max(...unit.pes.map((pe) => Math.ceil(windowSize(pe.window) / p.banks)));
    unitWords.push(packFields([beatBase, unit.broadcast.values.length, pointerBase, pointers.table.length, clearEntries, flags[u]!.first ? 1 : 0, flags[u]!.last ? 1 : 0].map((v, i) => [v, unitFields[i]!] as const)));
    for (let i = 0; i < P; i++) {
      const k = scheduled.get(i);
      const segBase = segmentWords[i]!.length;
      if (k === undefined) {
        peDescriptors[i]!.push(packFields(peFields.map((bits, f) => [f === 6 || f === 7 ? segBase % 2 ** bits : 0, bits] as const)));
        continue;
      }
      const pe = unit.pes[k]!;
      const offset = stationaryWords[i]!.length;
      stationaryWords[i]!.push(...elementWords(pe.stationary, p, `work unit ${u}, PE ${k} stationary`));
      for (const s of pe.segments) segmentWords[i]!.push(segmentWord(p, unit, pointers, s, offset));
      const win = pe.window;
      const plane = win.windowRows * win.windowCols;
      const place = windowPlacement(schedule, u, win);
      const values = [
        win.originRow, win.originCol, win.windowRows, win.windowCols,
        (win.stationaryChannels * plane) & addressMask, plane & addressMask,
        segBase, segmentWords[i]!.length,
        win.channels, win.stationaryChannels,
        ((place.base % params.outputDepth) + params.outputDepth) & outputMask, place.rowLimit, place.colLimit,
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
  if (pointerWords.length > params.globalPointerDepth) fail(`the pass's pointer tables need ${pointerWords.length} entries; the global pointer memory holds ${params.globalPointerDepth}`);

  const memories: Record<string, bigint[] | number[]> = {};
  for (let j = 0; j < fw; j++) memories[`global_broadcast_${j}`] = broadcastWords.filter((_, e) => e % fw === j);
  memories.global_pointers = pointerWords;
  memories.units = unitWords;
  for (let i = 0; i < P; i++) {
    const name = peInstanceName(i, params);
    memories[`desc_${i}`] = peDescriptors[i]!;
    for (let j = 0; j < p.I; j++) memories[`${name}.stationary_${j}`] = stationaryWords[i]!.filter((_, e) => e % p.I === j);
    memories[`${name}.segments`] = segmentWords[i]!;
  }
  const steps = outputSteps(schedule);
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
    cfg_outChStep: steps.ch & outputMask,
    cfg_outSchStep: steps.sch & outputMask,
    cfg_outRowStep: steps.row & outputMask,
    cfg_reduceAcrossPes: reduceAcrossPes(schedule) ? 1 : 0,
    cfg_cycleLimit: cycleLimit,
    start: 1,
  };
  return { config, memories, outputMemory: 'output_buffer', outputElements };
}

/** The pass's output tensor from the output buffer dump. */
export function decodeArrayOutput(images: ArrayTopImages, dump: ArrayLike<number>): Int32Array {
  if (dump.length < images.outputElements) throw new ImpossibleWorkUnit(`the output buffer dump has ${dump.length} entries, the output has ${images.outputElements}`);
  return Int32Array.from({ length: images.outputElements }, (_, i) => dump[i]!);
}
