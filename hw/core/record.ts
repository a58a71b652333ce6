import type { Block, ModuleBuilder } from './builder.ts';
import type { IrBlock, IrInstance, IrMemory, IrNode, IrPort, IrRecordedModule, IrStatement, NodeId } from './ir.ts';
import { UNRESOLVED } from './ir.ts';
import type { Signal } from './signal.ts';

let stamp = 0;

/**
 * The IR of a module as its body recorded it: every value becomes a node
 * numbered in creation order, references between values become node ids, and
 * the connections stay statements under their `when`s, for the when-lowering
 * pass (passes/lower-whens.ts) to resolve into drivers.
 */
export function recordModule(b: ModuleBuilder, declaredNames: ReadonlySet<string>): IrRecordedModule {
  // Each recording stamps the signals it numbers, so that literals shared
  // between modules are numbered afresh in each (no map from signals to ids).
  const mine = ++stamp;
  const all: Signal[] = [];
  const take = (s: Signal | undefined): void => {
    if (s && s.loweringStamp !== mine) {
      s.loweringStamp = mine;
      all.push(s);
    }
  };
  for (const p of b.ports) take(p.signal);
  for (const s of b.nodes) take(s);
  for (const s of b.wires) take(s);
  for (const s of b.regs) take(s);
  for (const mem of b.memories) for (const rp of mem.readPorts) take(rp.data);
  for (const inst of b.instances) for (const s of inst.ports.values()) take(s);
  // Literals are shared between modules: each module gets nodes for the ones it reads.
  const owned = all.length;
  for (let i = 0; i < owned; i++) for (const a of all[i]!.args) take(a);
  for (const w of b.wires) take(w.defaultValue);
  for (const r of b.regs) take(r.enable);
  forEachStatementSignal(b.body, take);
  all.sort((x, y) => x.id - y.id);
  for (let i = 0; i < all.length; i++) all[i]!.irId = i;
  const memoryIndex = new Map(b.memories.map((m, i) => [m, i]));
  const instanceIndex = new Map(b.instances.map((inst, i) => [inst, i]));

  const nodes: IrNode[] = new Array(all.length);
  for (let i = 0; i < all.length; i++) nodes[i] = recordNode(all[i]!, memoryIndex, instanceIndex);

  const ports: IrPort[] = b.ports.map((p) => ({ name: p.name, dir: p.dir, width: p.signal.width, signed: p.signal.signed, node: p.signal.irId }));
  const memories: IrMemory[] = b.memories.map((m) => ({
    name: m.name,
    depth: m.depth,
    width: m.width,
    signed: m.signed,
    addrWidth: m.addrWidth,
    init: m.init,
    testbenchAccess: m.testbenchAccess,
    writeEnable: m.writeEnable.irId,
    writeAddr: m.writeAddr.irId,
    writeData: m.writeData.irId,
    readPorts: m.readPorts.map((rp) => ({ enable: rp.enable.irId, addr: rp.addr.irId, data: rp.data.irId })),
    loc: m.loc,
  }));
  const instances: IrInstance[] = b.instances.map((inst) => {
    const ports = new Map<string, NodeId>();
    for (const [name, s] of inst.ports) ports.set(name, s.irId);
    const child = inst.module.ir;
    if (!child) throw new Error(`internal: module '${inst.module.displayName}' is instantiated before it is finished`);
    return { name: inst.name, module: child, ports, loc: inst.loc };
  });
  const defaults = new Map<NodeId, NodeId>();
  for (const w of b.wires) if (w.defaultValue) defaults.set(w.irId, w.defaultValue.irId);
  const enables = new Map<NodeId, NodeId>();
  for (const r of b.regs) if (r.enable) enables.set(r.irId, r.enable.irId);
  const dontCares = new Set<NodeId>();
  for (const s of b.dontCares) dontCares.add(s.irId);
  return {
    kind: 'recorded',
    displayName: b.displayName,
    definedAt: b.def.loc,
    spec: b.spec,
    usesClock: b.regs.length > 0 || b.memories.length > 0 || instances.some((i) => i.module.usesClock),
    usesReset: b.regs.some((r) => r.init !== undefined) || instances.some((i) => i.module.usesReset),
    ports,
    nodes,
    wires: ids(b.wires),
    regs: ids(b.regs),
    memories,
    instances,
    declaredNames,
    body: recordBlock(b.body),
    defaults,
    dontCares,
    enables,
  };
}

/** Every signal the statements of a block read or drive. Recursion follows the nesting of when() bodies in the source. */
function forEachStatementSignal(block: Block, f: (s: Signal) => void): void {
  for (const stmt of block.stmts) {
    if (stmt.kind === 'connect') {
      f(stmt.target);
      f(stmt.value);
      continue;
    }
    if (stmt.switchOn) f(stmt.switchOn);
    for (const arm of stmt.arms) {
      f(arm.cond);
      forEachStatementSignal(arm.body, f);
    }
    forEachStatementSignal(stmt.otherwise, f);
  }
}

const NO_VALUES: readonly bigint[] = [];

function recordBlock(block: Block): IrBlock {
  const out: IrStatement[] = new Array(block.stmts.length);
  for (let i = 0; i < block.stmts.length; i++) {
    const stmt = block.stmts[i]!;
    out[i] =
      stmt.kind === 'connect'
        ? { kind: 'connect', target: stmt.target.irId, value: stmt.value.irId, loc: stmt.loc }
        : {
            kind: 'when',
            arms: stmt.arms.map((arm) => ({ cond: arm.cond.irId, body: recordBlock(arm.body), loc: arm.loc, label: arm.label, values: arm.values ?? NO_VALUES })),
            otherwise: recordBlock(stmt.otherwise),
            hasOtherwise: stmt.closed,
            loc: stmt.loc,
            switchOn: stmt.switchOn?.irId,
          };
  }
  return out;
}

function ids(xs: readonly Signal[]): NodeId[] {
  const out = new Array<NodeId>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i]!.irId;
  return out;
}

// Every node kind is built as one object literal with the common fields
// first, so that each kind keeps one shape (fast property access downstream).
function recordNode(s: Signal, memoryIndex: ReadonlyMap<unknown, number>, instanceIndex: ReadonlyMap<unknown, number>): IrNode {
  const { irId: id, width, signed, name, loc } = s;
  switch (s.kind) {
    case 'lit':
      return { kind: 'lit', id, width, signed, name, loc, value: s.value, enumLabel: s.enumLabel };
    case 'op':
      return { kind: 'op', id, width, signed, name, loc, op: s.op!, args: ids(s.args), imm: s.imm, synthetic: false };
    case 'input':
      return { kind: 'input', id, width, signed, name: name!, loc };
    case 'output':
      return { kind: 'output', id, width, signed, name: name!, loc, driver: UNRESOLVED };
    case 'wire':
      return { kind: 'wire', id, width, signed, name, loc, driver: UNRESOLVED };
    case 'reg':
      return { kind: 'reg', id, width, signed, name, loc, next: UNRESOLVED, init: s.init };
    case 'memread':
      return { kind: 'memread', id, width, signed, name: name!, loc, memory: memoryIndex.get(s.memory)! };
    case 'instIn':
      return { kind: 'instIn', id, width, signed, name, loc, instance: instanceIndex.get(s.instance)!, port: s.portName!, driver: UNRESOLVED };
    case 'instOut':
      return { kind: 'instOut', id, width, signed, name, loc, instance: instanceIndex.get(s.instance)!, port: s.portName! };
  }
}
