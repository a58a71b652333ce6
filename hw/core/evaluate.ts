import { HwError } from './errors.ts';
import type { Signal } from './signal.ts';

function toSigned(v: bigint, w: number): bigint {
  return BigInt.asIntN(w, v);
}

/**
 * The language's own meaning of an expression: evaluates a combinational
 * expression over literals and the given values of its leaves (bit patterns,
 * as unsigned bigints). Used to check the emitted Verilog against the
 * simulator, and to fold constants.
 */
export function evaluate(root: Signal, leafValues: ReadonlyMap<Signal, bigint> = new Map()): bigint {
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
      if (v !== undefined) {
        memo.set(s, BigInt.asUintN(s.width, v));
        work.pop();
        continue;
      }
      if (s.driver && s.driver !== s && (s.kind === 'wire' || s.kind === 'output')) {
        if (!top.expanded) {
          top.expanded = true;
          work.push({ s: s.driver, expanded: false });
          continue;
        }
        memo.set(s, memo.get(s.driver)!);
        work.pop();
        continue;
      }
      throw new HwError(`evaluate(): no value given for ${s.describe()}`, s.loc);
    }
    if (!top.expanded) {
      top.expanded = true;
      for (const a of s.args) if (!memo.has(a)) work.push({ s: a, expanded: false });
      continue;
    }
    work.pop();
    memo.set(s, BigInt.asUintN(s.width, applyOp(s, s.args.map((a) => memo.get(a)!))));
  }
  return memo.get(root)!;
}

function applyOp(s: Signal, v: bigint[]): bigint {
  const a = s.args[0]!;
  const b = s.args[1];
  const sa = (): bigint => (a.signed ? toSigned(v[0]!, a.width) : v[0]!);
  const sb = (): bigint => (b!.signed ? toSigned(v[1]!, b!.width) : v[1]!);
  const bool = (x: boolean): bigint => (x ? 1n : 0n);
  switch (s.op!) {
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
      return v[0]! << BigInt(s.imm[0]!);
    case 'shr':
      return sa() >> BigInt(s.imm[0]!);
    case 'dshl':
      return v[0]! << v[1]!;
    case 'dshr':
      return sa() >> v[1]!;
    case 'bits':
      return v[0]! >> BigInt(s.imm[1]!);
    case 'cat':
      return s.args.reduce((acc, arg, i) => (acc << BigInt(arg.width)) | v[i]!, 0n);
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
    case 'case': {
      const i = s.caseLabels!.findIndex((labels) => labels.includes(v[0]!));
      return i < 0 ? v[1]! : v[i + 2]!;
    }
  }
}
