import { Bool, defineEnum, defineModule, Input, instance, lit, mem, mux, Output, reduceTree, reg, regNext, select, SInt, stateMachine, UInt, Vec, when, wire, type Signal } from '../index.ts';
import { resizeUnsigned } from '../lib/arith.ts';
import { arrayModuleSuffix, arrayWidths, MERGE_DIRECTIONS, mergeNeighbour, mergePhaseFields, peDescriptorFields, peInstanceName, sliceInstanceName, unitDescriptorFields, validateArrayTopParams, type ArrayTopParams } from './array-params.ts';
import { peConfigPorts } from './coordinates.ts';
import { fieldBits, latchFields } from './fields.ts';
import { ScnnOutputSlice } from './output-slice.ts';
import { PE_COUNTERS, ScnnPe } from './pe.ts';

const ArrayPhase = defineEnum('ArrayPhase', ['Idle', 'UnitRead', 'UnitLoad', 'Fill', 'Compute', 'DrainWait', 'MergeRead', 'MergeLoad', 'MergeWalk', 'MergeFlush', 'Done']);
/** The fill engine, which runs ahead of the units' compute (double-buffered broadcast buffers). */
const FillPhase = defineEnum('FillPhase', ['Idle', 'Read', 'Load', 'Beat', 'Done']);
/** The drain engine, which empties a window group's accumulator set (beside the next group's compute with two sets). */
const DrainPhase = defineEnum('DrainPhase', ['Idle', 'Rows', 'Flush']);

/**
 * Counters of the array top: cycles and its phases (descriptorCycles + fillCycles + computeCycles +
 * drainCycles = cycles; fillCycles is the fill the units wait for, drainCycles the drain they wait
 * for with the halo merge, mergeCycles the merge part of drainCycles), then fillBusyCycles and
 * drainBusyCycles, the cycles the fill and drain engines work (hidden or not, not part of the sum);
 * the PEs' counters (summed over the array) follow them.
 */
export const ARRAY_COUNTERS = ['cycles', 'descriptorCycles', 'fillCycles', 'computeCycles', 'drainCycles', 'mergeCycles', 'fillBusyCycles', 'drainBusyCycles'] as const;

/** Configuration registers every PE shares during a pass (the rest come from the per-PE descriptors). */
const SHARED_PE_CONFIG = ['pass', 'strideShift', 'padding', 'outRows', 'outCols', 'broadcastRows', 'broadcastCols', 'mode'] as const;
/** Configuration registers of each PE taken from its descriptor of the current unit. */
const PER_PE_CONFIG = ['originRow', 'originCol', 'windowRows', 'windowCols', 'chStride', 'schStride'] as const;

function arrayIO(p: ArrayTopParams) {
  validateArrayTopParams(p);
  const a = arrayWidths(p);
  const ports = peConfigPorts(p.pe);
  const shared = Object.fromEntries(SHARED_PE_CONFIG.map((k) => [k, ports[k]])) as Pick<typeof ports, (typeof SHARED_PE_CONFIG)[number]>;
  const counters = Object.fromEntries([...ARRAY_COUNTERS, ...PE_COUNTERS].map((k) => [k, Output(UInt(32))])) as Record<(typeof ARRAY_COUNTERS)[number] | (typeof PE_COUNTERS)[number], ReturnType<typeof Output>>;
  return {
    cfg: {
      ...shared,
      /** Work units of the pass in the descriptor memories. */
      units: Input(UInt(a.unitIndex)),
      /** Weight gradient: every PE holds the same window; drain their sum once (the cross-PE reduction). */
      reduceAcrossPes: Input(Bool()),
      /** Phases of the halo merge program that ends the pass. */
      mergePhases: Input(UInt(a.mergePhase)),
      /** The watchdog: the run ends after this many cycles whatever happens. */
      cycleLimit: Input(UInt(32)),
    },
    start: Input(Bool()),
    done: Output(Bool()),
    timedOut: Output(Bool()),
    counters,
  };
}


/**
 * A Px x Py array of outer-product PEs that runs a whole layer pass
 * (docs/pe-array.md section 3a). A fill engine copies each unit's broadcast
 * operand and pointer tables into one half of every PE's double-buffered
 * broadcast buffer and pointer memory at once (fillWidth elements and
 * pointerLanes pointers per cycle) while the PEs compute the unit before
 * from the other half. Per work unit: read the unit's descriptors, wait for its fill, start
 * every PE, wait for the slowest (the barrier). After a group's last unit the
 * drain engine has every PE drain its window at once, a bank row per cycle,
 * adding it into its own output slice, and clear the rows of the next group
 * that uses the same accumulator set (the run's first fill clears the first
 * group of each set); in the weight gradient a pipelined lane-wise adder tree
 * sums the same row of every PE into the slice the unit names. With two
 * accumulator sets the next group computes into the other set meanwhile; it
 * waits only for the drain engine to take its group's drain (the drain of the
 * group before, which used its set, has ended).
 * After the last unit the halo merge runs the merge program: phase by phase,
 * every PE sends a row of halo entries per cycle from its list to the neighbour
 * that receives from it (links to the eight neighbours on the torus), which adds
 * them into the masked lanes of a row of its slice.
 */
export const ScnnArrayTop = defineModule({
  name: (p: ArrayTopParams) => `ScnnArrayTop_${arrayModuleSuffix(p)}`,
  io: arrayIO,
  body: (io, p) => {
    const a = arrayWidths(p);
    const pp = p.pe;
    const w = a.pe;
    const P = a.pes;
    const F = pp.F;
    const fw = p.fillWidth;

    const pes = Array.from({ length: P }, (_, i) => instance(ScnnPe, pp, { name: peInstanceName(i, p) }));

    // ---- memories
    const A = pp.banks;
    const globalElements = Array.from({ length: fw }, (_, j) => mem(UInt(w.element), p.globalBroadcastDepth / fw, { name: `global_broadcast_${j}`, testbenchAccess: true }));
    const pl = pp.pointerLanes;
    const globalPointers = Array.from({ length: pl }, (_, j) => mem(UInt(w.broadcastIndex), p.globalPointerDepth / pl, { name: `global_pointers_${j}`, testbenchAccess: true }));
    const unitFields = unitDescriptorFields(p);
    const peFields = peDescriptorFields(p);
    const unitTable = mem(UInt(fieldBits(unitFields)), p.unitDepth, { name: 'units', testbenchAccess: true });
    const peTables = pes.map((_, i) => mem(UInt(fieldBits(peFields)), p.unitDepth, { name: `desc_${i}`, testbenchAccess: true }));
    // Output slices, each with its PE's part of the merge program: one bank row (A accumulators) per word, so a drain writes a whole row per cycle.
    const slices = pes.map((_, i) => instance(ScnnOutputSlice, p, { name: sliceInstanceName(i, p) }));
    const phaseFields = mergePhaseFields(p);
    const phaseTable = mem(UInt(fieldBits(phaseFields)), p.mergePhaseDepth, { name: 'merge_phases', testbenchAccess: true });

    // ---- control and counters
    const phase = stateMachine(ArrayPhase, { init: 'Idle' });
    // Configuration registers, loaded while Idle (the inputs hold still through a run): no PE logic then
    // hangs off a top-level input, which a Verilator model re-evaluates on every eval() of every cycle.
    const cfg: Record<string, Signal> = {};
    for (const [k, input] of Object.entries(io.cfg as unknown as Record<string, Signal>)) cfg[k] = regNext(input, { name: `config_${k}`, init: 0, enable: phase.is('Idle') });
    const unitIndex = reg(UInt(a.unitIndex), { name: 'unit_index', init: 0 });
    const step = reg(UInt(32), { name: 'step', init: 0 });
    const counter = (name: string) => reg(UInt(32), { name, init: 0 });
    const cycles = counter('cycles');
    const descriptorCycles = counter('descriptor_cycles');
    const fillCycles = counter('fill_cycles');
    const computeCycles = counter('compute_cycles');
    const drainCycles = counter('drain_cycles');
    const mergeCycles = counter('merge_cycles');
    const fillBusyCycles = counter('fill_busy_cycles');
    const drainBusyCycles = counter('drain_busy_cycles');
    const timedOut = reg(Bool(), { name: 'timed_out', init: 0 });
    const running = phase.is('Idle').or(phase.is('Done')).not().named('running');
    when(running, () => cycles.set(cycles.add(1)));
    // The drain engine (below): busy from the cycle after a handoff to its last flush cycle, which is
    // already free for the next handoff.
    const drainPhase = stateMachine(DrainPhase, { init: 'Idle', name: 'drain_phase' });
    const drainStep = reg(UInt(32), { name: 'drain_step', init: 0 });
    const drainBusy = drainPhase.is('Idle').not().named('drain_busy');
    // After the last unit the look-up waits for the last drain to end (its writes into the slices).
    const pastLastUnit = phase.is('UnitRead').and(unitIndex.ge(cfg.units!)).named('past_last_unit');
    const drainTail = pastLastUnit.and(drainBusy).named('drain_tail');
    when(phase.is('UnitRead').and(drainTail.not()).or(phase.is('UnitLoad')), () => descriptorCycles.set(descriptorCycles.add(1)));
    when(phase.is('Fill'), () => fillCycles.set(fillCycles.add(1)));
    when(phase.is('Compute'), () => computeCycles.set(computeCycles.add(1)));
    const merging = phase.is('MergeRead').or(phase.is('MergeLoad')).or(phase.is('MergeWalk')).or(phase.is('MergeFlush')).named('merging');
    when(phase.is('DrainWait').or(drainTail).or(merging), () => drainCycles.set(drainCycles.add(1)));
    when(merging, () => mergeCycles.set(mergeCycles.add(1)));
    when(drainBusy.and(running), () => drainBusyCycles.set(drainBusyCycles.add(1)));

    // ---- descriptors of the unit to compute: read in UnitRead, latched in UnitLoad
    const readDescriptors = phase.is('UnitRead').named('read_descriptors');
    const tableAddr = unitIndex.trunc(Math.log2(p.unitDepth));
    const unitLoad = phase.is('UnitLoad');
    const unit = latchFields('unit', unitFields, unitTable.read(tableAddr, readDescriptors), unitLoad, ['groupRows', 'drainClearRows', 'lastOfGroup', 'reduceSlice']);
    const desc = peTables.map((t, i) => latchFields(`pe${i}`, peFields, t.read(tableAddr, readDescriptors), unitLoad));

    // ---- fill engine: fills unit fillIndex into half (fillIndex mod 2) of every PE's broadcast buffer
    // and pointer memory. It may start unit f once the unit computing is f - 1 (unit f - 2, the last
    // reader of that half, has finished), so it runs at most one unit ahead of the compute.
    const fillPhase = stateMachine(FillPhase, { init: 'Idle', name: 'fill_phase' });
    const fillIndex = reg(UInt(a.unitIndex), { name: 'fill_index', init: 0 });
    const fillStep = reg(UInt(32), { name: 'fill_step_count', init: 0 });
    const fillTableAddr = fillIndex.trunc(Math.log2(p.unitDepth));
    const halfFree = fillIndex.extend(a.unitIndex + 1).le(unitIndex.addFull(1)).named('fill_half_free');
    const readFill = fillPhase.is('Read').and(fillIndex.lt(cfg.units!)).and(halfFree).named('read_fill_descriptor');
    const fu = latchFields('fill', unitFields, unitTable.read(fillTableAddr, readFill), fillPhase.is('Load'), ['beatBase', 'broadcastElements', 'pointerBase', 'pointerEntries', 'runClearRows']);
    const filling = fillPhase.is('Beat');
    when(filling.and(running), () => fillBusyCycles.set(fillBusyCycles.add(1)));
    const fillBeats = fu.broadcastElements!.extend(32).add(fw - 1).shr(Math.log2(fw)).named('fill_beats');
    const pointerBeats = fu.pointerEntries!.extend(32).add(pl - 1).shr(Math.log2(pl)).named('pointer_beats');
    // Only the run's first fill clears accumulator rows (in every set, for the first group of each); later
    // groups' rows are cleared by the drain of the group before them in their set.
    const clearEntries = mux(fillIndex.eq(0), fu.runClearRows!.extend(32), 0).named('clear_entries');
    const fillPtr = mux(fillBeats.gt(pointerBeats), fillBeats, pointerBeats);
    const fillEnd = mux(fillPtr.gt(clearEntries), fillPtr, clearEntries).named('fill_end');
    const fillLast = filling.and(fillStep.add(1).ge(fillEnd)).named('fill_last');
    const elemRead = filling.and(fillStep.lt(fillBeats));
    const words = globalElements.map((m) => m.read(fu.beatBase!.add(fillStep.trunc(a.beatAddress)), elemRead));
    const ptrRead = filling.and(fillStep.lt(pointerBeats));
    const pointerWords = globalPointers.map((m) => m.read(fu.pointerBase!.add(fillStep.trunc(a.pointerBeatAddress)), ptrRead));
    const wStep = reg(UInt(32), { name: 'fill_step', init: 0 });
    const wElemValid = reg(Bool(), { name: 'fill_elem_valid', init: 0 });
    const wPtrValid = reg(Bool(), { name: 'fill_ptr_valid', init: 0 });
    const wHalf = reg(Bool(), { name: 'fill_half', init: 0 });
    const wElements = reg(UInt(w.broadcastIndex), { name: 'fill_elements', init: 0 });
    const wPointers = reg(UInt(w.pointerAddress + 1), { name: 'fill_pointers', init: 0 });
    wStep.set(fillStep);
    wElemValid.set(elemRead);
    wPtrValid.set(ptrRead);
    wHalf.set(fillIndex.bit(0));
    wElements.set(fu.broadcastElements!);
    wPointers.set(fu.pointerEntries!);
    // Element k of beat t is element t·fw + k: PE memory (t·fw + k) mod F, address (t·fw + k) div F.
    const groups = F / fw;
    const group = groups === 1 ? lit(0, UInt(1)) : wStep.trunc(Math.log2(groups));
    const peAddr = wStep.shr(Math.log2(groups)).trunc(Math.log2(pp.broadcastDepth / F));
    const laneWrite = Array.from({ length: F }, (_, j) => {
      const elementIndex = wStep.shl(Math.log2(fw)).add(j % fw);
      return wElemValid.and(group.eq(Math.floor(j / fw))).and(elementIndex.lt(wElements.extend(32))).named(`fill_lane_${j}`);
    });
    // Pointer j of beat t is entry t·pl + j: PE lane j, address t (the padding after a table is not written).
    const pointerLaneWrite = Array.from({ length: pl }, (_, j) => wPtrValid.and(wStep.shl(Math.log2(pl)).add(j).lt(wPointers.extend(32))).named(`fill_pointer_lane_${j}`));
    fillPhase.switch({
      Idle: () => when(io.start, () => {
        fillIndex.set(0);
        fillPhase.goto('Read');
      }),
      Read: () => when(fillIndex.ge(cfg.units!), () => fillPhase.goto('Done')).elseWhen(readFill, () => fillPhase.goto('Load')),
      Load: () => {
        fillStep.set(0);
        fillPhase.goto('Beat');
      },
      Beat: () => {
        fillStep.set(fillStep.add(1));
        when(fillLast, () => {
          fillIndex.set(fillIndex.add(1));
          fillPhase.goto('Read');
        });
      },
      Done: () => {},
    });
    // The unit to compute is filled (or its fill ends this cycle): the PEs start now.
    const filled = fillIndex.gt(unitIndex).or(fillIndex.eq(unitIndex).and(fillLast)).named('unit_filled');
    const startPulse = phase.is('Fill').and(filled).named('start_pes');
    const fillClear = filling.and(fillStep.lt(clearEntries)).named('fill_clearing');

    // ---- drain engine: takes a group's drain from the compute side (the handoff), latching what it
    // needs from the group's last unit; every PE reads bank row `drainStep` of that set (rows beyond its
    // window are not read) and clears it a cycle later while it is a row of the next group to use the set.
    const twoSets = pp.accumulatorSets === 2;
    const handoff = wire(Bool(), { name: 'drain_handoff', default: 0 });
    const drainFlush = mux(cfg.reduceAcrossPes!, lit(a.reductionLevels + 1, UInt(8)), lit(1, UInt(8))).named('drain_flush');
    const drainEnding = drainPhase.is('Flush').and(drainStep.add(1).ge(drainFlush.extend(32))).named('drain_ending');
    const drainFree = drainPhase.is('Idle').or(drainEnding).named('drain_free');
    const take = (name: string, v: Signal) => regNext(v, { name: `drain_${name}`, init: 0, enable: handoff });
    const dRows = take('rows', unit.groupRows!);
    const dClearRows = take('clear_rows', unit.drainClearRows!);
    const dReduceSlice = take('reduce_slice', unit.reduceSlice!);
    const dDrainRows = desc.map((d, i) => take(`rows_${i}`, d.drainRows!));
    const dSliceRow = desc.map((d, i) => take(`slice_row_${i}`, d.sliceRow!));
    // The set the PEs compute into: groups of a run take the sets in turn.
    const accSet = reg(Bool(), { name: 'acc_set', init: 0 });
    const dSet = take('set', accSet);
    if (twoSets) when(handoff, () => accSet.set(accSet.not()));
    when(phase.is('Idle'), () => accSet.set(0));
    const draining = drainPhase.is('Rows');
    const drainClear = reg(Bool(), { name: 'drain_clear', init: 0 });
    const drainClearRow = reg(UInt(w.entryBits), { name: 'drain_clear_row', init: 0 });
    drainClear.set(draining.and(drainStep.lt(dClearRows.extend(32))));
    drainClearRow.set(drainStep.trunc(w.entryBits));
    const drainSteps = mux(dRows.gt(dClearRows), dRows, dClearRows).named('drain_steps');
    drainPhase.switch({
      Idle: () => {},
      // One bank row per cycle, as many as the largest window of this group or of the next group of its set.
      Rows: () => {
        drainStep.set(drainStep.add(1));
        when(drainStep.add(1).ge(drainSteps.extend(32)), () => {
          drainStep.set(0);
          drainPhase.goto('Flush');
        });
      },
      // The last row's add and write: a cycle, and the tree's levels in the weight gradient.
      Flush: () => {
        drainStep.set(drainStep.add(1));
        when(drainEnding, () => drainPhase.goto('Idle'));
      },
    });
    when(handoff, () => {
      drainStep.set(0);
      drainPhase.goto('Rows');
    });

    // ---- the PEs and the barrier
    const peDone = pes.map((_, i) => reg(Bool(), { name: `pe${i}_done`, init: 0 }));
    pes.forEach((pe, i) => {
      const pcfg = pe.io.cfg as unknown as Record<string, Signal>;
      for (const k of SHARED_PE_CONFIG) pcfg[k]!.set(cfg[k]!);
      for (const k of PER_PE_CONFIG) pcfg[k]!.set(desc[i]![k]!);
      pcfg.segments!.set(desc[i]!.segEnd!);
      pe.io.segBase.set(desc[i]!.segBase!);
      pe.io.start.set(startPulse);
      pe.io.readHalf.set(unitIndex.bit(0));
      pe.io.fillHalf.set(wHalf);
      for (let j = 0; j < F; j++) {
        pe.io.bcastWriteEnable[j]!.set(laneWrite[j]!);
        pe.io.bcastWriteAddr[j]!.set(peAddr);
        pe.io.bcastWriteData[j]!.set(words[j % fw]!);
      }
      for (let j = 0; j < pl; j++) {
        pe.io.ptrWriteEnable[j]!.set(pointerLaneWrite[j]!);
        pe.io.ptrWriteData[j]!.set(pointerWords[j]!);
      }
      pe.io.ptrWriteAddr.set(wStep.trunc(w.pointerLaneAddress));
      pe.io.accSet.set(accSet);
      pe.io.drainSet.set(dSet);
      // The run's first fill clears every set (nothing computes or drains yet).
      pe.io.accClearAll.set(fillClear);
      pe.io.accClear.set(fillClear.or(drainClear));
      pe.io.accClearEntry.set(mux(drainClear, drainClearRow, fillStep.trunc(w.entryBits)));
      when(startPulse, () => peDone[i]!.set(0)).elseWhen(pe.io.finished, () => peDone[i]!.set(1));
    });
    const allDone = reduceTree(pes.map((pe, i) => peDone[i]!.or(pe.io.finished)), (x, y) => x.and(y)).named('all_done');

    const reduce = cfg.reduceAcrossPes!;
    const drainReads = dDrainRows.map((rows, i) => draining.and(drainStep.lt(rows.extend(32))).named(`drain_read_${i}`));
    const drainRowAt = dSliceRow.map((row, i) => row.add(drainStep.trunc(a.sliceRow)).named(`drain_row_${i}`));
    pes.forEach((pe, i) => {
      pe.io.drainRead.set(drainReads[i]!);
      pe.io.drainEntry.set(drainStep.trunc(w.entryBits));
    });
    // Weight gradient: the lane-wise adder tree over the PEs, a register after every level (a.reductionLevels).
    const L = a.reductionLevels;
    const treeIn = pes.map((pe, i) => {
      const v = reg(Bool(), { name: `tree_in_valid_${i}`, init: 0 });
      v.set(drainReads[i]!.and(reduce));
      return [...pe.io.drainData].map((x) => mux(v, x, lit(0, SInt(pp.accWidth))));
    });
    let level = treeIn;
    for (let k = 1; k <= L; k++) {
      const next: Signal[][] = [];
      for (let j = 0; j < level.length; j += 2) {
        const node = reg(Vec(A, SInt(pp.accWidth)), { name: `tree_l${k}_${j / 2}` });
        const sum = j + 1 < level.length ? level[j]!.map((x, l) => x.add(level[j + 1]![l]!)) : level[j]!;
        sum.forEach((x, l) => node[l]!.set(x));
        next.push(Array.from({ length: A }, (_, l) => node[l]!));
      }
      level = next;
    }
    const treeOut = level[0]!;
    // The slice row and valid bit travel beside the tree: read the slice L cycles after the accumulators, write a cycle later.
    const treeRow: Signal[] = [drainRowAt[0]!];
    const treeValid: Signal[] = [drainReads[0]!.and(reduce)];
    for (let k = 1; k <= L + 1; k++) {
      const r = reg(UInt(a.sliceRow), { name: `tree_row_${k}`, init: 0 });
      const v = reg(Bool(), { name: `tree_valid_${k}`, init: 0 });
      r.set(treeRow[k - 1]!);
      v.set(treeValid[k - 1]!);
      treeRow.push(r);
      treeValid.push(v);
    }

    // ---- halo merge: per phase every PE walks its list of row transfers, one per cycle (the slices' senders
    // and receivers); each slice hears the neighbour its phase names (an 8-way multiplexer of a bank row)
    const mergePhase = reg(UInt(a.mergePhase), { name: 'merge_phase', init: 0 });
    const readPhase = phase.is('MergeRead').and(mergePhase.lt(cfg.mergePhases!)).named('read_merge_phase');
    const phaseAddr = mergePhase.trunc(Math.log2(p.mergePhaseDepth));
    const mergeLoad = phase.is('MergeLoad');
    const phaseLength = latchFields('merge', phaseFields, phaseTable.read(phaseAddr, readPhase), mergeLoad).length!;
    const walking = phase.is('MergeWalk');
    slices.forEach((slice, i) => {
      const s = slice.io;
      s.reduce.set(reduce);
      s.merging.set(merging);
      s.drainRead.set(drainReads[i]!);
      s.drainRow.set(drainRowAt[i]!);
      pes[i]!.io.drainData.forEach((d, l) => s.drainData[l]!.set(d));
      s.treeHere.set(reduce.and(dReduceSlice.eq(i)).named(`tree_here_${i}`));
      s.treeReadRow.set(treeRow[L]!);
      s.treeWrite.set(treeValid[L + 1]!);
      s.treeWriteRow.set(treeRow[L + 1]!);
      treeOut.forEach((x, l) => s.treeSum[l]!.set(x));
      s.phaseAddr.set(phaseAddr);
      s.readPhase.set(readPhase);
      s.phaseLoad.set(mergeLoad);
      s.walking.set(walking);
      s.step.set(step);
      const from = s.receiveFrom;
      const neighbours = MERGE_DIRECTIONS.map((_, d) => slices[mergeNeighbour(i, d, p)]!.io);
      s.heardValid.set(select(neighbours.map((x) => x.sendValid), from).named(`merge_heard_valid_${i}`));
      s.heardDstRow.set(select(neighbours.map((x) => x.sendDstRow), from).named(`merge_heard_row_${i}`));
      s.heardMask.set(select(neighbours.map((x) => x.sendMask), from).named(`merge_heard_mask_${i}`));
      s.heardRow.set(select(neighbours.map((x) => x.sendRow), from).named(`merge_heard_value_${i}`));
    });

    const nextUnit = () => {
      unitIndex.set(unitIndex.add(1));
      phase.goto('UnitRead');
    };
    const limitReached = running.and(cycles.add(1).ge(cfg.cycleLimit!)).named('limit_reached');
    phase.switch({
      Idle: () => when(io.start, () => {
        unitIndex.set(0);
        phase.goto('UnitRead');
      }),
      UnitRead: () =>
        when(pastLastUnit, () => {
          when(drainBusy.not(), () => {
          mergePhase.set(0);
            when(cfg.mergePhases!.eq(0), () => phase.goto('Done')).otherwise(() => phase.goto('MergeRead'));
          });
        }).otherwise(() => phase.goto('UnitLoad')),
      UnitLoad: () => phase.goto('Fill'),
      // Waits for the unit's fill (usually done while the unit before computed); starts the PEs.
      Fill: () => when(startPulse, () => phase.goto('Compute')),
      // A group's last unit hands its drain to the drain engine once that is free. Two sets: the next
      // group starts at once (its set's last drain has ended, as the engine is free). One set: it waits
      // for this drain to end.
      Compute: () => when(allDone, () => {
        when(unit.lastOfGroup!, () => {
          if (twoSets) when(drainFree, () => {
            handoff.set(1);
            nextUnit();
          }).otherwise(() => phase.goto('DrainWait'));
          else {
            handoff.set(1);
            phase.goto('DrainWait');
          }
        }).otherwise(nextUnit);
      }),
      DrainWait: () => {
        if (twoSets) when(drainFree, () => {
          handoff.set(1);
          nextUnit();
        });
        else when(drainEnding, nextUnit);
      },
      MergeRead: () => {
        step.set(0);
        when(readPhase, () => phase.goto('MergeLoad')).otherwise(() => phase.goto('MergeFlush'));
      },
      MergeLoad: () => phase.goto('MergeWalk'),
      MergeWalk: () => {
        step.set(step.add(1));
        when(step.add(1).ge(phaseLength.extend(32)), () => {
          mergePhase.set(mergePhase.add(1));
          phase.goto('MergeRead');
        });
      },
      // The last transfer's c2 and c3.
      MergeFlush: () => {
        step.set(step.add(1));
        when(step.eq(1), () => phase.goto('Done'));
      },
      Done: () => {},
    });
    when(limitReached, () => {
      timedOut.set(1);
      phase.goto('Done');
    });
    io.done.set(phase.is('Done'));
    io.timedOut.set(timedOut);

    const all: Record<string, Signal> = { cycles, descriptorCycles, fillCycles, computeCycles, drainCycles, mergeCycles, fillBusyCycles, drainBusyCycles };
    for (const k of PE_COUNTERS) {
      all[k] = reduceTree(pes.map((pe) => (pe.io.counters as unknown as Record<string, Signal>)[k]!), (x, y) => x.add(y));
    }
    for (const [k, v] of Object.entries(all)) (io.counters as unknown as Record<string, Signal>)[k]!.set(resizeUnsigned(v, 32));
  },
});
