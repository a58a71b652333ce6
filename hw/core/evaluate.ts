import { HwError } from './errors.ts';
import type { IrModule, IrNode, IrOperator, NodeId } from './ir.ts';
import { operandsOf } from './ir.ts';
import { describeNode } from './passes/describe.ts';
import type { Signal } from './signal.ts';

function toSigned(v: bigint, w: number): bigint {
  return BigInt.asIntN(w, v);
}

/**
 * The language's own meaning of an expression: evaluates a combinational
 * expression over literals and the given values of its leaves (bit patterns,
 * as unsigned bigints). Used to check the emitted Verilog against the
 * simulator, and to fold constants. Once its module is elaborated, a signal is
 * evaluated on the module's IR, through wires, outputs and lowered when()s.
 */
export function evaluate(root: Signal, leafValues: ReadonlyMap<Signal, bigint> = new Map()): bigint {
  const m = root.owner?.ir;
  if (m) {
    const leaves = new Map<NodeId, bigint>();
    for (const [s, v] of leafValues) if (s.owner === root.owner) leaves.set(s.irId, v);
    return evaluateNode(m, root.irId, leaves);
  }
  // While a body runs: operators over literals and the given leaves.
  const memo = new Map<Signal, bigint>();
  const work: { s: Signal; expanded: boolean }[] = [{ s: root, expanded: false }];
  while (work.length > 0) {
    const top = work[work.length - 1]!;
    const s = top.s;
    if (memo.has(s)) {
      work.pop();
      continue;
    }
    if (s.kind === 'lit') {
      memo.set(s, s.value);
      work.pop();
      continue;
    }
    if (s.kind !== 'op') {
      const v = leafValues.get(s);
      if (v === undefined) throw new HwError(`evaluate(): no value given for ${s.describe()}`, s.loc);
      memo.set(s, BigInt.asUintN(s.width, v));
      work.pop();
      continue;
    }
    if (!top.expanded) {
      top.expanded = true;
      for (const a of s.args) if (!memo.has(a)) work.push({ s: a, expanded: false });
      continue;
    }
    work.pop();
    memo.set(s, BigInt.asUintN(s.width, applyOperator(s.op!, s.imm, s.args, s.args.map((a) => memo.get(a)!))));
  }
  return memo.get(root)!;
}

/**
 * The value of a node of a module's IR, following wires and outputs to their
 * drivers; `leaves` gives the inputs, registers and other sources it reads.
 */
export function evaluateNode(m: IrModule, root: NodeId, leaves: ReadonlyMap<NodeId, bigint>): bigint {
  const memo = new Map<NodeId, bigint>();
  const operands = (n: IrNode): readonly NodeId[] => {
    switch (n.kind) {
      case 'op':
      case 'case':
        return operandsOf(n);
      case 'wire':
      case 'output':
        return leaves.has(n.id) ? [] : [n.driver];
      default:
        return [];
    }
  };
  const work: { id: NodeId; expanded: boolean }[] = [{ id: root, expanded: false }];
  while (work.length > 0) {
    const top = work[work.length - 1]!;
    if (memo.has(top.id)) {
      work.pop();
      continue;
    }
    const n = m.nodes[top.id]!;
    const deps = operands(n);
    if (!top.expanded && deps.length > 0) {
      top.expanded = true;
      for (const d of deps) if (!memo.has(d)) work.push({ id: d, expanded: false });
      continue;
    }
    work.pop();
    memo.set(n.id, BigInt.asUintN(n.width, valueOf(m, n, leaves, memo)));
  }
  return memo.get(root)!;
}

function valueOf(m: IrModule, n: IrNode, leaves: ReadonlyMap<NodeId, bigint>, memo: ReadonlyMap<NodeId, bigint>): bigint {
  const given = leaves.get(n.id);
  if (given !== undefined) return given;
  switch (n.kind) {
    case 'lit':
      return n.value;
    case 'op':
      return applyOperator(n.op, n.imm, n.args.map((a) => m.nodes[a]!), n.args.map((a) => memo.get(a)!));
    case 'case': {
      const sel = memo.get(n.select)!;
      const i = n.labels.findIndex((labels) => labels.includes(sel));
      return memo.get(i < 0 ? n.fallback : n.values[i]!)!;
    }
    case 'wire':
    case 'output':
      return memo.get(n.driver)!;
    default:
      throw new HwError(`evaluate(): no value given for ${describeNode(m, n)}`, n.loc);
  }
}

/** The operands' types an operator's meaning depends on. */
interface OperandType {
  readonly width: number;
  readonly signed: boolean;
}

/** An operator applied to its operands' values (bit patterns); the result is truncated by the caller. */
export function applyOperator(op: IrOperator, imm: readonly number[], args: readonly OperandType[], v: readonly bigint[]): bigint {
  const a = args[0]!;
  const b = args[1];
  const sa = (): bigint => (a.signed ? toSigned(v[0]!, a.width) : v[0]!);
  const sb = (): bigint => (b!.signed ? toSigned(v[1]!, b!.width) : v[1]!);
  const bool = (x: boolean): bigint => (x ? 1n : 0n);
  switch (op) {
    case 'add':
      return v[0]! + v[1]!;
    case 'sub':
      return v[0]! - v[1]!;
    case 'mul':
      return sa() * sb();
    case 'neg':
      return -v[0]!;
    case 'and':
      return v[0]! & v[1]!;
    case 'or':
      return v[0]! | v[1]!;
    case 'xor':
      return v[0]! ^ v[1]!;
    case 'not':
      return ~v[0]!;
    case 'eq':
      return bool(v[0] === v[1]);
    case 'ne':
      return bool(v[0] !== v[1]);
    case 'lt':
      return bool(sa() < sb());
    case 'le':
      return bool(sa() <= sb());
    case 'gt':
      return bool(sa() > sb());
    case 'ge':
      return bool(sa() >= sb());
    case 'shl':
      return v[0]! << BigInt(imm[0]!);
    case 'shr':
      return sa() >> BigInt(imm[0]!);
    case 'dshl':
      return v[0]! << v[1]!;
    case 'dshr':
      return sa() >> v[1]!;
    case 'bits':
      return v[0]! >> BigInt(imm[1]!);
    case 'cat':
      return args.reduce((acc, arg, i) => (acc << BigInt(arg.width)) | v[i]!, 0n);
    case 'zext':
    case 'cast':
      return v[0]!;
    case 'sext':
      return toSigned(v[0]!, a.width);
    case 'andr':
      return bool(v[0] === (1n << BigInt(a.width)) - 1n);
    case 'orr':
      return bool(v[0] !== 0n);
    case 'xorr': {
      let x = v[0]!;
      let p = 0n;
      while (x) {
        p ^= x & 1n;
        x >>= 1n;
      }
      return p;
    }
    case 'mux':
      return v[0] ? v[1]! : v[2]!;
    case 'select':
      return v[1 + Number(v[0]!)]!;
  }
}
