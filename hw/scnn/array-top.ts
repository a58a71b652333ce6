import { Bool, defineEnum, defineModule, Input, instance, lit, mem, mux, Output, reduceTree, reg, regNext, select, SInt, stateMachine, UInt, when, type Signal } from '../index.ts';
import { resizeUnsigned } from '../lib/arith.ts';
import { arrayModuleSuffix, arrayWidths, peDescriptorFields, unitDescriptorFields, validateArrayTopParams, type ArrayTopParams } from './array-params.ts';
import { peConfigPorts } from './coordinates.ts';
import { PE_COUNTERS, ScnnPe } from './pe.ts';

const ArrayPhase = defineEnum('ArrayPhase', ['Idle', 'UnitRead', 'UnitLoad', 'Fill', 'Compute', 'Drain', 'DrainFlush', 'Done']);

/** Counters of the array top; the PEs' counters (summed over the array) follow them. */
export const ARRAY_COUNTERS = ['cycles', 'descriptorCycles', 'fillCycles', 'computeCycles', 'drainCycles'] as const;

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
      /** Output-buffer address steps of a window's broadcast channel, stationary channel and row. */
      outChStep: Input(UInt(a.outputAddress)),
      outSchStep: Input(UInt(a.outputAddress)),
      outRowStep: Input(UInt(a.outputAddress)),
      /** Weight gradient: every PE holds the same window; drain their sum once (the cross-PE reduction). */
      reduceAcrossPes: Input(Bool()),
      /** The watchdog: the run ends after this many cycles whatever happens. */
      cycleLimit: Input(UInt(32)),
    },
    start: Input(Bool()),
    done: Output(Bool()),
    timedOut: Output(Bool()),
    counters,
  };
}

/** Slices a descriptor word into its named fields (high to low). */
function unpack(word: Signal, fields: readonly [string, number][]): Record<string, Signal> {
  let at = word.width;
  const out: Record<string, Signal> = {};
  for (const [name, bits] of fields) {
    out[name] = word.bits(at - 1, at - bits);
    at -= bits;
  }
  return out;
}

const fieldBits = (fields: readonly [string, number][]) => fields.reduce((s, [, b]) => s + b, 0);

/**
 * A Px x Py array of outer-product PEs that runs a whole layer pass
 * (docs/pe-array.md section 3a). Per work unit: read the unit's descriptors,
 * fill every PE's broadcast buffer and pointer memory at once from the global
 * buffers (fillWidth elements and one pointer per cycle, clearing the
 * accumulators on a window group's first unit), start every PE, wait for the
 * slowest (the barrier). After a group's last unit, the drain walks each PE's
 * window in turn, one accumulator per cycle, generating its global output
 * address with counters, and adds it into the output buffer (read-modify-write
 * with forwarding): overlapping halos are these additions. In the weight
 * gradient every PE holds the same window, and the drain reads the same
 * accumulator of every PE at once and adds them in an adder tree (the cross-PE
 * reduction), walking the window once.
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

    const pes = Array.from({ length: P }, (_, i) => instance(ScnnPe, pp, { name: `pe_${Math.floor(i / p.px)}_${i % p.px}` }));

    // ---- memories
    const globalElements = Array.from({ length: fw }, (_, j) => mem(UInt(w.element), p.globalBroadcastDepth / fw, { name: `global_broadcast_${j}`, testbenchAccess: true }));
    const globalPointers = mem(UInt(w.broadcastIndex), p.globalPointerDepth, { name: 'global_pointers', testbenchAccess: true });
    const unitFields = unitDescriptorFields(p);
    const peFields = peDescriptorFields(p);
    const unitTable = mem(UInt(fieldBits(unitFields)), p.unitDepth, { name: 'units', testbenchAccess: true });
    const peTables = pes.map((_, i) => mem(UInt(fieldBits(peFields)), p.unitDepth, { name: `desc_${i}`, testbenchAccess: true }));
    const output = mem(SInt(pp.accWidth), p.outputDepth, { name: 'output_buffer', testbenchAccess: true });

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
    const timedOut = reg(Bool(), { name: 'timed_out', init: 0 });
    const running = phase.is('Idle').or(phase.is('Done')).not().named('running');
    when(running, () => cycles.set(cycles.add(1)));
    when(phase.is('UnitRead').or(phase.is('UnitLoad')), () => descriptorCycles.set(descriptorCycles.add(1)));
    when(phase.is('Fill'), () => fillCycles.set(fillCycles.add(1)));
    when(phase.is('Compute'), () => computeCycles.set(computeCycles.add(1)));
    when(phase.is('Drain').or(phase.is('DrainFlush')), () => drainCycles.set(drainCycles.add(1)));

    // ---- descriptors: read in UnitRead, latched in UnitLoad
    const readDescriptors = phase.is('UnitRead').named('read_descriptors');
    const tableAddr = unitIndex.trunc(Math.log2(p.unitDepth));
    const latched = (prefix: string, fields: readonly [string, number][], word: Signal): Record<string, Signal> => {
      const raw = unpack(word, fields);
      const regs: Record<string, Signal> = {};
      for (const [name, bits] of fields) {
        const r = reg(UInt(bits), { name: `${prefix}_${name}`, init: 0 });
        when(phase.is('UnitLoad'), () => r.set(raw[name]!));
        regs[name] = r;
      }
      return regs;
    };
    const unit = latched('unit', unitFields, unitTable.read(tableAddr, readDescriptors));
    const desc = peTables.map((t, i) => latched(`pe${i}`, peFields, t.read(tableAddr, readDescriptors)));

    // ---- fill bus: beat t of the unit's broadcast operand reaches every PE a cycle after it is read
    const filling = phase.is('Fill');
    const fillBeats = unit.broadcastElements!.extend(32).add(fw - 1).shr(Math.log2(fw)).named('fill_beats');
    const pointerEntries = unit.pointerEntries!.extend(32);
    const clearEntries = mux(unit.firstOfGroup!, unit.clearEntries!.extend(32), 0).named('clear_entries');
    const fillPtr = mux(fillBeats.gt(pointerEntries), fillBeats, pointerEntries);
    const fillEnd = mux(fillPtr.gt(clearEntries), fillPtr, clearEntries).named('fill_end');
    const elemRead = filling.and(step.lt(fillBeats));
    const words = globalElements.map((m) => m.read(unit.beatBase!.add(step.trunc(a.beatAddress)), elemRead));
    const ptrRead = filling.and(step.lt(pointerEntries));
    const pointerWord = globalPointers.read(unit.pointerBase!.add(step.trunc(a.globalPointerAddress)), ptrRead);
    const wStep = reg(UInt(32), { name: 'fill_step', init: 0 });
    const wElemValid = reg(Bool(), { name: 'fill_elem_valid', init: 0 });
    const wPtrValid = reg(Bool(), { name: 'fill_ptr_valid', init: 0 });
    wStep.set(step);
    wElemValid.set(elemRead);
    wPtrValid.set(ptrRead);
    // Element k of beat t is element t·fw + k: PE memory (t·fw + k) mod F, address (t·fw + k) div F.
    const groups = F / fw;
    const group = groups === 1 ? lit(0, UInt(1)) : wStep.trunc(Math.log2(groups));
    const peAddr = wStep.shr(Math.log2(groups)).trunc(Math.log2(pp.broadcastDepth / F));
    const laneWrite = Array.from({ length: F }, (_, j) => {
      const elementIndex = wStep.shl(Math.log2(fw)).add(j % fw);
      return wElemValid.and(group.eq(Math.floor(j / fw))).and(elementIndex.lt(unit.broadcastElements!.extend(32))).named(`fill_lane_${j}`);
    });
    const clearing = filling.and(step.lt(clearEntries)).named('clearing');
    const startPulse = filling.and(step.add(1).ge(fillEnd)).named('start_pes');

    // ---- the PEs and the barrier
    const peDone = pes.map((_, i) => reg(Bool(), { name: `pe${i}_done`, init: 0 }));
    pes.forEach((pe, i) => {
      const pcfg = pe.io.cfg as unknown as Record<string, Signal>;
      for (const k of SHARED_PE_CONFIG) pcfg[k]!.set(cfg[k]!);
      for (const k of PER_PE_CONFIG) pcfg[k]!.set(desc[i]![k]!);
      pcfg.segments!.set(desc[i]!.segEnd!);
      pe.io.segBase.set(desc[i]!.segBase!);
      pe.io.start.set(startPulse);
      for (let j = 0; j < F; j++) {
        pe.io.bcastWriteEnable[j]!.set(laneWrite[j]!);
        pe.io.bcastWriteAddr[j]!.set(peAddr);
        pe.io.bcastWriteData[j]!.set(words[j % fw]!);
      }
      pe.io.ptrWriteEnable.set(wPtrValid);
      pe.io.ptrWriteAddr.set(wStep.trunc(w.pointerAddress));
      pe.io.ptrWriteData.set(pointerWord);
      pe.io.accClear.set(clearing);
      pe.io.accClearEntry.set(step.trunc(w.entryBits));
      when(startPulse, () => peDone[i]!.set(0)).elseWhen(pe.io.finished, () => peDone[i]!.set(1));
    });
    const allDone = reduceTree(pes.map((pe, i) => peDone[i]!.or(pe.io.finished)), (x, y) => x.and(y)).named('all_done');

    // ---- drain: one accumulator per cycle, PE after PE, into the output buffer
    const draining = phase.is('Drain');
    const drainPe = reg(UInt(a.peIndex), { name: 'drain_pe', init: 0 });
    const dCol = reg(UInt(pp.coordBits), { name: 'drain_col', init: 0 });
    const dRow = reg(UInt(pp.coordBits), { name: 'drain_row', init: 0 });
    const dSch = reg(UInt(a.channels), { name: 'drain_sch', init: 0 });
    const dCh = reg(UInt(a.channels), { name: 'drain_ch', init: 0 });
    const dAddr = reg(UInt(w.address), { name: 'drain_addr', init: 0 });
    const sel = (name: string) => select(desc.map((d) => d[name]!), drainPe).named(`drain_${name}`);
    const wRows = sel('windowRows');
    const wCols = sel('windowCols');
    const wSch = sel('stationaryChannels');
    const wCh = sel('channels');
    const empty = wRows.eq(0).or(wCols.eq(0)).or(wSch.eq(0)).or(wCh.eq(0)).named('drain_empty');
    const lastCol = dCol.add(1).eq(wCols);
    const lastRow = dRow.add(1).eq(wRows);
    const lastSch = dSch.add(1).eq(wSch);
    const lastCh = dCh.add(1).eq(wCh);
    const windowDone = empty.or(lastCol.and(lastRow).and(lastSch).and(lastCh)).named('drain_window_done');
    const inside = empty.not().and(dRow.extend(a.limit).lt(sel('rowLimit'))).and(dCol.extend(a.limit).lt(sel('colLimit'))).named('drain_inside');
    const ob = a.outputAddress;
    const globalAddr = [
      sel('outBase'),
      resizeUnsigned(dCh.mul(cfg.outChStep!), ob),
      resizeUnsigned(dSch.mul(cfg.outSchStep!), ob),
      resizeUnsigned(dRow.mul(cfg.outRowStep!), ob),
      resizeUnsigned(dCol, ob),
    ].reduce((x, y) => x.add(y)).named('drain_global_addr');
    const reduce = cfg.reduceAcrossPes!;
    pes.forEach((pe, i) => {
      pe.io.drainRead.set(draining.and(empty.not()).and(reduce.or(drainPe.eq(i))));
      pe.io.drainEntry.set(dAddr.shr(w.bankBits).trunc(w.entryBits));
    });
    const s1Valid = reg(Bool(), { name: 's1_valid', init: 0 });
    const s1Bank = reg(UInt(w.bankBits), { name: 's1_bank', init: 0 });
    const s1Pe = reg(UInt(a.peIndex), { name: 's1_pe', init: 0 });
    const s1Addr = reg(UInt(ob), { name: 's1_addr', init: 0 });
    s1Valid.set(draining.and(inside));
    s1Bank.set(dAddr.trunc(w.bankBits));
    s1Pe.set(drainPe);
    s1Addr.set(globalAddr);
    const lanes = pes.map((pe, i) => select([...pe.io.drainData], s1Bank).named(`drain_lane_${i}`));
    // The reduction network: the same accumulator of every PE, summed by an adder tree.
    const reduced = reduceTree(lanes, (x, y) => x.add(y)).named('reduced_value');
    const drained = mux(reduce, reduced, select(lanes, s1Pe)).named('drained_value');
    const outRead = output.read(s1Addr, s1Valid);
    const s2Valid = reg(Bool(), { name: 's2_valid', init: 0 });
    const s2Addr = reg(UInt(ob), { name: 's2_addr', init: 0 });
    const s2Value = reg(SInt(pp.accWidth), { name: 's2_value', init: 0 });
    s2Valid.set(s1Valid);
    s2Addr.set(s1Addr);
    s2Value.set(drained);
    // The read of the cycle before missed the write of that cycle when it was the same address: forward it.
    const lastValid = reg(Bool(), { name: 'out_last_valid', init: 0 });
    const lastAddr = reg(UInt(ob), { name: 'out_last_addr', init: 0 });
    const lastSum = reg(SInt(pp.accWidth), { name: 'out_last_sum', init: 0 });
    const sum = mux(lastValid.and(lastAddr.eq(s2Addr)), lastSum, outRead).add(s2Value).named('out_sum');
    when(s2Valid, () => output.write(s2Addr, sum));
    lastValid.set(s2Valid);
    lastAddr.set(s2Addr);
    lastSum.set(sum);

    const resetDrain = () => {
      dCol.set(0);
      dRow.set(0);
      dSch.set(0);
      dCh.set(0);
      dAddr.set(0);
    };
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
      UnitRead: () => when(unitIndex.ge(cfg.units!), () => phase.goto('Done')).otherwise(() => phase.goto('UnitLoad')),
      UnitLoad: () => {
        step.set(0);
        phase.goto('Fill');
      },
      Fill: () => {
        step.set(step.add(1));
        when(startPulse, () => phase.goto('Compute'));
      },
      Compute: () => when(allDone, () => {
        when(unit.lastOfGroup!, () => {
          drainPe.set(0);
          resetDrain();
          phase.goto('Drain');
        }).otherwise(nextUnit);
      }),
      Drain: () =>
        when(windowDone, () => {
          resetDrain();
          drainPe.set(drainPe.add(1));
          when(reduce.or(drainPe.eq(P - 1)), () => {
            step.set(0);
            phase.goto('DrainFlush');
          });
        }).otherwise(() => {
          dAddr.set(dAddr.add(1));
          when(lastCol.not(), () => dCol.set(dCol.add(1))).otherwise(() => {
            dCol.set(0);
            when(lastRow.not(), () => dRow.set(dRow.add(1))).otherwise(() => {
              dRow.set(0);
              when(lastSch.not(), () => dSch.set(dSch.add(1))).otherwise(() => {
                dSch.set(0);
                dCh.set(dCh.add(1));
              });
            });
          });
        }),
      // Two cycles: the last accumulator leaves the read stage and is written.
      DrainFlush: () => {
        step.set(step.add(1));
        when(step.eq(1), nextUnit);
      },
      Done: () => {},
    });
    when(limitReached, () => {
      timedOut.set(1);
      phase.goto('Done');
    });
    io.done.set(phase.is('Done'));
    io.timedOut.set(timedOut);

    const all: Record<string, Signal> = { cycles, descriptorCycles, fillCycles, computeCycles, drainCycles };
    for (const k of PE_COUNTERS) {
      all[k] = reduceTree(pes.map((pe) => (pe.io.counters as unknown as Record<string, Signal>)[k]!), (x, y) => x.add(y));
    }
    for (const [k, v] of Object.entries(all)) (io.counters as unknown as Record<string, Signal>)[k]!.set(resizeUnsigned(v, 32));
  },
});
