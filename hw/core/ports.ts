import { HwError } from './errors.ts';
import type { Signal } from './signal.ts';
import { SourceLoc } from './source.ts';
import type { BitsType, BundleType, HwType, VecType } from './types.ts';

export type Direction = 'in' | 'out';

export interface PortSpec<T extends HwType = HwType> {
  readonly kind: 'port';
  readonly dir: Direction;
  readonly type: T;
  /** Where the port was declared: the emitted Verilog points there. */
  readonly loc: SourceLoc;
}

/** A module's interface: ports, nested groups of ports (bundles with directions). */
export interface IOSpec {
  readonly [key: string]: PortSpec | IOSpec;
}

/** The signals a value of type T elaborates to. */
export type SignalOf<T> = T extends VecType<infer E>
  ? SignalOf<E>[]
  : T extends BundleType<infer F>
    ? { [K in keyof F]: SignalOf<F[K]> }
    : Signal;

export type IOOf<S> = S extends PortSpec<infer T> ? SignalOf<T> : { [K in keyof S]: IOOf<S[K]> };

export function Input<T extends HwType>(type: T): PortSpec<T> {
  return { kind: 'port', dir: 'in', type, loc: SourceLoc.capture(Input) };
}

export function Output<T extends HwType>(type: T): PortSpec<T> {
  return { kind: 'port', dir: 'out', type, loc: SourceLoc.capture(Output) };
}

function isPortSpec(x: unknown): x is PortSpec {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'port';
}

/** The other side of an interface: every input becomes an output and back. */
export function Flip<S extends IOSpec>(spec: S): S {
  const out: Record<string, PortSpec | IOSpec> = {};
  for (const [k, v] of Object.entries(spec)) {
    out[k] = isPortSpec(v) ? { ...v, dir: v.dir === 'in' ? 'out' : 'in' } : Flip(v);
  }
  return out as S;
}

export interface FlatPort {
  /** Verilog name: the object keys joined by '_'. */
  readonly name: string;
  readonly dir: Direction;
  readonly type: BitsType;
  readonly loc: SourceLoc;
}

/**
 * Walks a shape (an IO spec or a type) and builds the matching object of
 * signals, calling `leaf` for every ground element with its flattened name.
 */
export function buildIO(spec: IOSpec, leaf: (p: FlatPort) => Signal): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(spec)) {
    if (isPortSpec(v)) {
      out[key] = buildTyped(v.type, key, (name, t) => leaf({ name, dir: v.dir, type: t, loc: v.loc }));
    } else if (typeof v === 'object' && v !== null) {
      out[key] = buildIO(v, (p) => leaf({ ...p, name: `${key}_${p.name}` }));
    } else {
      throw new HwError(`IO entry '${key}' is neither a port (Input/Output) nor a group of ports`, SourceLoc.capture());
    }
  }
  return out;
}

export function buildTyped(type: HwType, name: string, leaf: (name: string, t: BitsType) => Signal): unknown {
  switch (type.kind) {
    case 'bits':
      return leaf(name, type);
    case 'vec':
      return Array.from({ length: type.length }, (_, i) => buildTyped(type.element, `${name}_${i}`, leaf));
    case 'bundle': {
      const out: Record<string, unknown> = {};
      for (const [k, t] of Object.entries(type.fields)) out[k] = buildTyped(t as HwType, `${name}_${k}`, leaf);
      return out;
    }
  }
}

/** Every ground signal of an elaborated aggregate, in declaration order. */
export function leaves(x: unknown): Signal[] {
  if (Array.isArray(x)) return x.flatMap(leaves);
  if (x && typeof x === 'object' && !('kind' in x && 'width' in x)) return Object.values(x).flatMap(leaves);
  return [x as Signal];
}
