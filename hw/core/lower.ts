import type { ModuleBuilder } from './builder.ts';
import type { IrInstance, IrMemory, IrModule, IrNode, IrPort, NodeId } from './ir.ts';
import type { Signal } from './signal.ts';

/**
 * The IR of a module whose drivers are resolved: every value becomes a node
 * numbered in creation order, and references between values become node ids.
 * A target left without a driver (an error the caller reports) reads as zero,
 * so that the other checks can still run on the IR.
 */
export function lowerModule(b: ModuleBuilder, declaredNames: ReadonlySet<string>): IrModule {
  const owned: Signal[] = [];
  for (const p of b.ports) owned.push(p.signal);
  for (const s of b.nodes) owned.push(s);
  for (const s of b.wires) owned.push(s);
  for (const s of b.regs) owned.push(s);
  for (const mem of b.memories) for (const rp of mem.readPorts) owned.push(rp.data);
  for (const inst of b.instances) for (const s of inst.ports.values()) owned.push(s);
  // Literals are shared between modules: each module gets nodes for the ones it reads.
  const seen = new Set<Signal>(owned);
  const all = owned.slice();
  const reach = (s: Signal | undefined): void => {
    if (s && !seen.has(s)) {
      seen.add(s);
      all.push(s);
    }
  };
  for (const s of owned) {
    for (const a of s.args) reach(a);
    reach(s.driver);
  }
  all.sort((x, y) => x.id - y.id);
  const ids = new Map<Signal, NodeId>();
  all.forEach((s, i) => ids.set(s, i));
  const memoryIndex = new Map(b.memories.map((m, i) => [m, i]));
  const instanceIndex = new Map(b.instances.map((inst, i) => [inst, i]));

  const nodes: IrNode[] = [];
  let zeroes: Map<number, NodeId> | undefined;
  const driverOf = (s: Signal): NodeId => {
    if (s.driver) return ids.get(s.driver)!;
    // Only after an error: a stand-in so that the loop check sees the rest of the module.
    zeroes ??= new Map();
    let z = zeroes.get(s.width);
    if (z === undefined) {
      z = all.length + zeroes.size;
      zeroes.set(s.width, z);
    }
    return z;
  };
  for (const [id, s] of all.entries()) {
    const base = { id, width: s.width, signed: s.signed, name: s.name, loc: s.loc };
    nodes.push(lowerNode(s, base, ids, driverOf, memoryIndex, instanceIndex));
  }
  for (const [width, id] of zeroes ?? []) {
    nodes.push({ kind: 'lit', id, width, signed: false, name: undefined, loc: b.def.loc, value: 0n, enumLabel: undefined });
  }

  const ports: IrPort[] = b.ports.map((p) => ({ name: p.name, dir: p.dir, width: p.signal.width, signed: p.signal.signed, node: ids.get(p.signal)! }));
  const memories: IrMemory[] = b.memories.map((m) => ({
    name: m.name,
    depth: m.depth,
    width: m.width,
    signed: m.signed,
    addrWidth: m.addrWidth,
    init: m.init,
    testbenchAccess: m.testbenchAccess,
    writeEnable: ids.get(m.writeEnable)!,
    writeAddr: ids.get(m.writeAddr)!,
    writeData: ids.get(m.writeData)!,
    readPorts: m.readPorts.map((rp) => ({ enable: ids.get(rp.enable)!, addr: ids.get(rp.addr)!, data: ids.get(rp.data)! })),
    loc: m.loc,
  }));
  const instances: IrInstance[] = b.instances.map((inst) => {
    const ports = new Map<string, NodeId>();
    for (const [name, s] of inst.ports) ports.set(name, ids.get(s)!);
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
    wires: b.wires.map((s) => ids.get(s)!),
    regs: b.regs.map((s) => ids.get(s)!),
    memories,
    instances,
    declaredNames,
    combPaths: new Map(),
  };
}

type Base = { id: NodeId; width: number; signed: boolean; name: string | undefined; loc: Signal['loc'] };

function lowerNode(
  s: Signal,
  base: Base,
  ids: ReadonlyMap<Signal, NodeId>,
  driverOf: (s: Signal) => NodeId,
  memoryIndex: ReadonlyMap<unknown, number>,
  instanceIndex: ReadonlyMap<unknown, number>,
): IrNode {
  const id = (x: Signal): NodeId => ids.get(x)!;
  switch (s.kind) {
    case 'lit':
      return { ...base, kind: 'lit', value: s.value, enumLabel: s.enumLabel };
    case 'op': {
      if (s.op === 'case') {
        const [select, fallback, ...values] = s.args;
        return { ...base, kind: 'case', select: id(select!), fallback: id(fallback!), values: values.map(id), labels: s.caseLabels! };
      }
      return { ...base, kind: 'op', op: s.op!, args: s.args.map(id), imm: s.imm, synthetic: s.synthetic };
    }
    case 'input':
      return { ...base, kind: 'input', name: s.name! };
    case 'output':
      return { ...base, kind: 'output', name: s.name!, driver: driverOf(s) };
    case 'wire':
      return { ...base, kind: 'wire', driver: driverOf(s) };
    case 'reg':
      return { ...base, kind: 'reg', next: driverOf(s), init: s.init };
    case 'memread':
      return { ...base, kind: 'memread', name: s.name!, memory: memoryIndex.get(s.memory)! };
    case 'instIn':
      return { ...base, kind: 'instIn', instance: instanceIndex.get(s.instance)!, port: s.portName!, driver: driverOf(s) };
    case 'instOut':
      return { ...base, kind: 'instOut', instance: instanceIndex.get(s.instance)!, port: s.portName! };
  }
}
