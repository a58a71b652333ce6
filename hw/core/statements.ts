import { currentBuilder } from './context.ts';
import { HwError } from './errors.ts';
import type { ModuleBuilder, WhenChain } from './builder.ts';
import type { SignalOf } from './ports.ts';
import { checkBool, makeLiteral, placeOperators, Signal, type Operand } from './signal.ts';
import { SourceLoc } from './source.ts';
import type { BitsType, HwType } from './types.ts';

/** Runs `body` with its connections conditional on `cond`. Last connection wins. */
export function when(cond: Signal, body: () => void): WhenChain {
  const loc = SourceLoc.capture(when);
  return currentBuilder(loc, 'when()').when(cond, body, loc);
}

type InitOf<T> = T extends BitsType ? Operand : Operand | { [K in keyof SignalOf<T>]?: unknown } | unknown[];

export interface WireOptions<T extends HwType> {
  name?: string;
  /** Value on every path where nothing else drives the wire. */
  default?: InitOf<T>;
}

export interface RegOptions<T extends HwType> {
  name?: string;
  /** Synchronous reset value; without it the register has no reset. */
  init?: InitOf<T>;
  /** The register only updates while this is high. */
  enable?: Signal;
}

function leafInit(init: unknown, path: (string | number)[]): unknown {
  let v: unknown = init;
  for (const k of path) {
    if (v === undefined || typeof v !== 'object' || v instanceof Signal) return v;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function buildState<T extends HwType>(
  kind: 'wire' | 'reg',
  type: T,
  name: string | undefined,
  loc: SourceLoc,
  each: (s: Signal, path: (string | number)[]) => void,
): SignalOf<T> {
  const b = currentBuilder(loc, `${kind}()`);
  return buildLeaves(b, kind, type, name, [], loc, each) as SignalOf<T>;
}

/** The signals of one state element of type `t`: a leaf per ground element, named after its path. */
function buildLeaves(
  b: ModuleBuilder,
  kind: 'wire' | 'reg',
  t: HwType,
  n: string | undefined,
  path: (string | number)[],
  loc: SourceLoc,
  each: (s: Signal, path: (string | number)[]) => void,
): unknown {
  if (t.kind === 'bits') {
    const s = b.namedLeaf(kind, n, t, loc);
    each(s, path);
    return s;
  }
  if (t.kind === 'vec') {
    const out = new Array<unknown>(t.length);
    for (let i = 0; i < t.length; i++) out[i] = buildLeaves(b, kind, t.element, n === undefined ? undefined : `${n}_${i}`, [...path, i], loc, each);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, ft] of Object.entries(t.fields)) {
    out[k] = buildLeaves(b, kind, ft as HwType, n === undefined ? undefined : `${n}_${k}`, [...path, k], loc, each);
  }
  return out;
}

function constantFor(v: unknown, s: Signal, what: string, loc: SourceLoc): Signal {
  if (v instanceof Signal) {
    if (v.kind !== 'lit') throw new HwError(`${what} of ${s.describe()} must be a constant, not ${v.describe()}`, loc);
    if (v.width !== s.width || v.signed !== s.signed) {
      throw new HwError(`${what} of ${s.describe()} is ${v.typeName()} but the ${s.kind} is ${s.typeName()}`, loc);
    }
    return v;
  }
  if (typeof v !== 'number' && typeof v !== 'bigint') {
    throw new HwError(`${what} of ${s.describe()} must be a number, a bigint or a literal`, loc);
  }
  return makeLiteral(v, s.width, s.signed, loc);
}

/** A combinational wire (or an aggregate of wires) of the given type. */
export function wire<T extends HwType>(type: T, opts: WireOptions<T> = {}): SignalOf<T> {
  const loc = SourceLoc.capture(wire);
  return buildState('wire', type, opts.name, loc, (s, path) => {
    const d = leafInit(opts.default, path);
    if (d !== undefined) s.defaultValue = constantFor(d, s, 'the default', loc);
  });
}

/** A register (or an aggregate of registers) clocked by the implicit clock. */
export function reg<T extends HwType>(type: T, opts: RegOptions<T> = {}): SignalOf<T> {
  const loc = SourceLoc.capture(reg);
  if (opts.enable) {
    checkBool(opts.enable, 'the enable of reg()', loc);
    placeOperators(opts.enable, loc);
  }
  return buildState('reg', type, opts.name, loc, (s, path) => {
    const v = leafInit(opts.init, path);
    if (v !== undefined) s.init = constantFor(v, s, 'the reset value', loc).value;
    s.enable = opts.enable;
  });
}

/** A register that takes `next` every cycle (or every enabled cycle). */
export function regNext(next: Signal, opts: Omit<RegOptions<BitsType>, 'next'> = {}): Signal {
  const r = reg(next.type, opts);
  r.set(next);
  return r;
}

/** Connects every leaf of two same-shaped aggregates: `to` is driven by `from`. */
export function connectAll(to: unknown, from: unknown): void {
  const loc = SourceLoc.connection();
  const b = currentBuilder(loc, 'connectAll()');
  const walk = (t: unknown, f: unknown, path: string): void => {
    if (t instanceof Signal || f instanceof Signal) {
      if (!(t instanceof Signal) || !(f instanceof Signal)) throw new HwError(`connectAll: shapes differ at '${path}'`, loc);
      b.connect(t, f, loc);
      return;
    }
    const tk = Object.keys(t as object);
    const fk = Object.keys(f as object);
    if (tk.join() !== fk.join()) throw new HwError(`connectAll: shapes differ at '${path || '.'}' (${tk} vs ${fk})`, loc);
    for (const k of tk) walk((t as Record<string, unknown>)[k], (f as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
  };
  walk(to, from, '');
}

