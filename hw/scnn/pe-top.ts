import { Bool, defineEnum, defineModule, HwError, Input, instance, lit, mem, mux, Output, reg, SInt, stateMachine, UInt, when, type Signal } from '../index.ts';
import { resizeUnsigned } from '../lib/arith.ts';
import { peConfigPorts } from './coordinates.ts';
import { PE_COUNTERS, ScnnPe } from './pe.ts';
import { DEFAULT_PE, peModuleSuffix, peWidths, validatePeParams, type PeParams } from './pe-params.ts';

export interface PeTopParams {
  pe: PeParams;
  /** Broadcast elements the fill engine copies per cycle (a power of two dividing F). */
  fillWidth: number;
}

export const DEFAULT_PE_TOP: PeTopParams = { pe: DEFAULT_PE, fillWidth: 4 };

export function validatePeTopParams(p: PeTopParams): void {
  validatePeParams(p.pe);
  const fw = p.fillWidth;
  if (!Number.isInteger(fw) || fw < 1 || (fw & (fw - 1)) !== 0 || p.pe.F % fw !== 0) {
    throw new HwError(`ScnnPeTop: fillWidth must be a power of two dividing F = ${p.pe.F}, got ${fw}`);
  }
}

const TopPhase = defineEnum('TopPhase', ['Idle', 'Fill', 'Compute', 'Drain', 'Done']);

/** Counters of the top (the PE's counters are passed through with them). */
export const TOP_COUNTERS = ['cycles', 'fillCycles', 'computeCycles', 'drainCycles'] as const;

/** Counters that are differences of others (32-bit two's complement: vectorPairsSkipped can be negative). */
export const DERIVED_COUNTERS = ['rcpsComputed', 'rcpsAnticipated', 'vectorPairsSkipped', 'idleCycles'] as const;

function topIO(p: PeTopParams) {
  validatePeTopParams(p);
  const w = peWidths(p.pe);
  const counters = Object.fromEntries([...TOP_COUNTERS, ...PE_COUNTERS, ...DERIVED_COUNTERS].map((k) => [k, Output(UInt(32))])) as Record<(typeof TOP_COUNTERS | typeof PE_COUNTERS | typeof DERIVED_COUNTERS)[number], ReturnType<typeof Output>>;
  return {
    cfg: {
      ...peConfigPorts(p.pe),
      /** Broadcast elements and pointer-table entries the fill engine copies. */
      broadcastElements: Input(UInt(w.broadcastIndex)),
      pointerEntries: Input(UInt(w.pointerAddress + 1)),
      /** Accumulator entries per bank that the window uses (cleared before, drained after). */
      windowEntries: Input(UInt(w.entryBits + 1)),
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
 * A 1 x 1 array: configuration registers (held inputs), the broadcast global
 * buffer and the fill engine that copies it (fillWidth elements and
 * pointerLanes pointers per cycle) into the PE while the accumulator window is cleared, the
 * PE, the drain of the window (one entry of every bank per cycle) into the
 * output buffer, a done signal and the watchdog.
 */
export const ScnnPeTop = defineModule({
  name: (p: PeTopParams) => `ScnnPeTop_fw${p.fillWidth}_${peModuleSuffix(p.pe)}`,
  io: topIO,
  body: (io, p) => {
    const pp = p.pe;
    const w = peWidths(pp);
    const F = pp.F;
    const fw = p.fillWidth;
    const pe = instance(ScnnPe, pp, { name: 'pe' });
    for (const k of Object.keys(peConfigPorts(pp)) as (keyof ReturnType<typeof peConfigPorts>)[]) {
      (pe.io.cfg as Record<string, Signal>)[k]!.set((io.cfg as Record<string, Signal>)[k]!);
    }

    // ---- buffers
    const globalElements = Array.from({ length: fw }, (_, j) => mem(UInt(w.element), pp.broadcastDepth / fw, { name: `global_broadcast_${j}`, testbenchAccess: true }));
    const pl = pp.pointerLanes;
    const globalPointers = Array.from({ length: pl }, (_, j) => mem(UInt(w.broadcastIndex), pp.pointerDepth / pl, { name: `global_pointers_${j}`, testbenchAccess: true }));
    const output = Array.from({ length: pp.banks }, (_, b) => mem(SInt(pp.accWidth), pp.bankDepth, { name: `output_${b}`, testbenchAccess: true }));

    const phase = stateMachine(TopPhase, { init: 'Idle' });
    const step = reg(UInt(32), { name: 'step', init: 0 });
    const cycles = reg(UInt(32), { name: 'cycles', init: 0 });
    const fillCycles = reg(UInt(32), { name: 'fill_cycles', init: 0 });
    const computeCycles = reg(UInt(32), { name: 'compute_cycles', init: 0 });
    const drainCycles = reg(UInt(32), { name: 'drain_cycles', init: 0 });
    const timedOut = reg(Bool(), { name: 'timed_out', init: 0 });
    const running = phase.is('Fill').or(phase.is('Compute')).or(phase.is('Drain')).named('running');
    when(running, () => cycles.set(cycles.add(1)));
    when(phase.is('Fill'), () => fillCycles.set(fillCycles.add(1)));
    when(phase.is('Compute'), () => computeCycles.set(computeCycles.add(1)));
    when(phase.is('Drain'), () => drainCycles.set(drainCycles.add(1)));

    // ---- fill engine: step t reads global word t, writes it into the PE a cycle later
    const fillBeats = io.cfg.broadcastElements.extend(32).add(fw - 1).shr(Math.log2(fw));
    const pointerEntries = io.cfg.pointerEntries.extend(32);
    const pointerBeats = pointerEntries.add(pl - 1).shr(Math.log2(pl)).named('pointer_beats');
    const fillLength = mux(fillBeats.gt(pointerBeats), fillBeats, pointerBeats);
    const fillEnd = mux(fillLength.gt(io.cfg.windowEntries.extend(32)), fillLength, io.cfg.windowEntries.extend(32)).named('fill_end');
    const filling = phase.is('Fill');
    const globalAddrBits = Math.log2(pp.broadcastDepth / fw);
    const elemRead = filling.and(step.lt(fillBeats));
    const words = globalElements.map((m) => m.read(step.trunc(globalAddrBits), elemRead));
    const ptrReadNow = filling.and(step.lt(pointerBeats));
    const pointerWords = globalPointers.map((m) => m.read(step.trunc(w.pointerLaneAddress), ptrReadNow));
    const wElem = reg(UInt(32), { name: 'fill_elem_step', init: 0 });
    const wElemValid = reg(Bool(), { name: 'fill_elem_valid', init: 0 });
    const wPtrValid = reg(Bool(), { name: 'fill_ptr_valid', init: 0 });
    wElemValid.set(elemRead);
    wPtrValid.set(ptrReadNow);
    wElem.set(step);
    // Element k of beat t is element t·fw + k: interleaved memory (t·fw + k) mod F, address (t·fw + k) div F.
    const groups = F / fw;
    const group = groups === 1 ? lit(0, UInt(1)) : wElem.trunc(Math.log2(groups));
    const peAddr = wElem.shr(Math.log2(groups)).trunc(Math.log2(pp.broadcastDepth / F));
    for (let j = 0; j < F; j++) {
      const lane = j % fw;
      const g = Math.floor(j / fw);
      const elementIndex = wElem.shl(Math.log2(fw)).add(lane);
      pe.io.bcastWriteEnable[j]!.set(wElemValid.and(group.eq(g)).and(elementIndex.lt(io.cfg.broadcastElements.extend(32))));
      pe.io.bcastWriteAddr[j]!.set(peAddr);
      pe.io.bcastWriteData[j]!.set(words[lane]!);
    }
    // One unit per run: the PE's double buffer is not used here, half 0 is filled and read.
    pe.io.readHalf.set(0);
    pe.io.fillHalf.set(0);
    // Pointer j of beat t is entry t·pl + j: PE lane j, address t (the padding after the table is not written).
    for (let j = 0; j < pl; j++) {
      pe.io.ptrWriteEnable[j]!.set(wPtrValid.and(wElem.shl(Math.log2(pl)).add(j).lt(pointerEntries)));
      pe.io.ptrWriteData[j]!.set(pointerWords[j]!);
    }
    pe.io.ptrWriteAddr.set(wElem.trunc(w.pointerLaneAddress));
    // One window per run: set 0 of the accumulators is cleared, computed into and drained.
    pe.io.accSet.set(0);
    pe.io.drainSet.set(0);
    pe.io.accClearAll.set(0);
    pe.io.accClear.set(filling.and(step.lt(io.cfg.windowEntries.extend(32))));
    pe.io.accClearEntry.set(step.trunc(w.entryBits));

    // ---- drain: step t reads entry t of every bank, writes it into the output buffer a cycle later
    const draining = phase.is('Drain');
    const drainRead = draining.and(step.lt(io.cfg.windowEntries.extend(32)));
    pe.io.drainRead.set(drainRead);
    pe.io.drainEntry.set(step.trunc(w.entryBits));
    const drainWrite = reg(Bool(), { name: 'drain_write', init: 0 });
    const drainEntry = reg(UInt(w.entryBits), { name: 'drain_entry', init: 0 });
    drainWrite.set(drainRead);
    drainEntry.set(step.trunc(w.entryBits));
    output.forEach((m, b) => when(drainWrite, () => m.write(drainEntry, pe.io.drainData[b]!)));

    pe.io.start.set(0);
    pe.io.segBase.set(0);
    const limitReached = running.and(cycles.add(1).ge(io.cfg.cycleLimit)).named('limit_reached');
    phase.switch({
      Idle: () => when(io.start, () => {
        step.set(0);
        phase.goto('Fill');
      }),
      Fill: () => {
        step.set(step.add(1));
        when(step.add(1).ge(fillEnd), () => {
          pe.io.start.set(1);
          phase.goto('Compute');
        });
      },
      Compute: () => when(pe.io.finished, () => {
        step.set(0);
        phase.goto('Drain');
      }),
      Drain: () => {
        step.set(step.add(1));
        when(step.ge(io.cfg.windowEntries.extend(32)), () => phase.goto('Done'));
      },
      Done: () => {},
    });
    when(limitReached, () => {
      timedOut.set(1);
      phase.goto('Done');
    });
    io.done.set(phase.is('Done'));
    io.timedOut.set(timedOut);

    const peCounters = pe.io.counters as unknown as Record<string, Signal>;
    const all: Record<string, Signal> = {
      cycles,
      fillCycles,
      computeCycles,
      drainCycles,
      ...peCounters,
      rcpsComputed: peCounters.busySlots!.sub(peCounters.validProducts!),
      rcpsAnticipated: peCounters.goldenProducts!.sub(peCounters.busySlots!),
      vectorPairsSkipped: peCounters.baselinePairs!.sub(peCounters.issuedPairs!),
      idleCycles: computeCycles.sub(peCounters.issuedPairs!).sub(peCounters.conflictStalls!),
    };
    for (const [k, v] of Object.entries(all)) (io.counters as unknown as Record<string, Signal>)[k]!.set(resizeUnsigned(v, 32));
  },
});
