import type { ModuleBuilder } from './builder.ts';
import type { IrInstance, IrMemory, IrModule, IrNode, IrPort, NodeId } from './ir.ts';
import type { Signal } from './signal.ts';

let stamp = 0;

/**
 * The IR of a module whose drivers are resolved: every value becomes a node
 * numbered in creation order, and references between values become node ids.
 * A target left without a driver (an error the caller reports) reads as zero,
 * so that the other checks can still run on the IR.
 */
export function lowerModule(b: ModuleBuilder, declaredNames: ReadonlySet<string>): IrModule {
  // Each lowering stamps the signals it numbers, so that literals shared
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
  for (let i = 0; i < owned; i++) {
    const s = all[i]!;
    for (const a of s.args) take(a);
    take(s.driver);
  }
  all.sort((x, y) => x.id - y.id);
  for (let i = 0; i < all.length; i++) all[i]!.irId = i;
  const memoryIndex = new Map(b.memories.map((m, i) => [m, i]));
  const instanceIndex = new Map(b.instances.map((inst, i) => [inst, i]));

  let zeroes: Map<number, NodeId> | undefined;
  const driverOf = (s: Signal): NodeId => {
    if (s.driver) return s.driver.irId;
    // Only after an error: a stand-in so that the loop check sees the rest of the module.
    zeroes ??= new Map();
    let z = zeroes.get(s.width);
    if (z === undefined) {
      z = all.length + zeroes.size;
      zeroes.set(s.width, z);
    }
    return z;
  };
  const nodes: IrNode[] = new Array(all.length);
  for (let i = 0; i < all.length; i++) nodes[i] = lowerNode(all[i]!, driverOf, memoryIndex, instanceIndex);
  for (const [width, id] of zeroes ?? []) {
    nodes.push({ kind: 'lit', id, width, signed: false, name: undefined, loc: b.def.loc, value: 0n, enumLabel: undefined });
  }

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
  return {
    kind: 'module',
    displayName: b.displayName,
    definedAt: b.def.loc,
    spec: b.spec,
    usesClock: b.regs.length > 0 || b.memories.length > 0 || instances.some((i) => i.module.usesClock),
    usesReset: b.regs.some((r) => r.init !== undefined) || instances.some((i) => i.module.usesReset),
    ports,
    nodes,
    wires: b.wires.map((s) => s.irId),
    regs: b.regs.map((s) => s.irId),
    memories,
    instances,
    declaredNames,
    combPaths: new Map(),
  };
}

function ids(xs: readonly Signal[]): NodeId[] {
  const out = new Array<NodeId>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i]!.irId;
  return out;
}

// Every node kind is built as one object literal with the common fields
// first, so that each kind keeps one shape (fast property access downstream).
function lowerNode(
  s: Signal,
  driverOf: (s: Signal) => NodeId,
  memoryIndex: ReadonlyMap<unknown, number>,
  instanceIndex: ReadonlyMap<unknown, number>,
): IrNode {
  const { irId: id, width, signed, name, loc } = s;
  switch (s.kind) {
    case 'lit':
      return { kind: 'lit', id, width, signed, name, loc, value: s.value, enumLabel: s.enumLabel };
    case 'op': {
      if (s.op === 'case') {
        const a = ids(s.args);
        return { kind: 'case', id, width, signed, name, loc, select: a[0]!, fallback: a[1]!, values: a.slice(2), labels: s.caseLabels! };
      }
      return { kind: 'op', id, width, signed, name, loc, op: s.op!, args: ids(s.args), imm: s.imm, synthetic: s.synthetic };
    }
    case 'input':
      return { kind: 'input', id, width, signed, name: name!, loc };
    case 'output':
      return { kind: 'output', id, width, signed, name: name!, loc, driver: driverOf(s) };
    case 'wire':
      return { kind: 'wire', id, width, signed, name, loc, driver: driverOf(s) };
    case 'reg':
      return { kind: 'reg', id, width, signed, name, loc, next: driverOf(s), init: s.init };
    case 'memread':
      return { kind: 'memread', id, width, signed, name: name!, loc, memory: memoryIndex.get(s.memory)! };
    case 'instIn':
      return { kind: 'instIn', id, width, signed, name, loc, instance: instanceIndex.get(s.instance)!, port: s.portName!, driver: driverOf(s) };
    case 'instOut':
      return { kind: 'instOut', id, width, signed, name, loc, instance: instanceIndex.get(s.instance)!, port: s.portName! };
  }
}
