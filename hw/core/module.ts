import { createHash } from 'node:crypto';
import { ModuleBuilder, type InstanceRec } from './builder.ts';
import type { IrDesign } from './ir.ts';
import { currentBuilder, popBuilder, pushBuilder } from './context.ts';
import { HwError } from './errors.ts';
import { checkIdentifier } from './names.ts';
import { buildIO, type IOOf, type IOSpec } from './ports.ts';
import { Signal } from './signal.ts';
import { SourceLoc, UNKNOWN_LOCATION, withLocationMode, type LocationMode } from './source.ts';
// ----------------------------------------------------------------------------
// Module definitions

export interface ModuleDefinition<P, S extends IOSpec> {
  readonly kind: 'moduleDefinition';
  /** Base name; each distinct parameterisation gets its own Verilog module. */
  readonly name: string | ((params: P) => string);
  readonly io: (params: P) => S;
  readonly body: (io: IOOf<S>, params: P) => void;
  readonly loc: SourceLoc;
}

export type AnyModuleDefinition = ModuleDefinition<any, any>;

/**
 * Declares a module once; every distinct parameter object elaborates to one
 * Verilog module, shared by all instances with those parameters.
 */
export function defineModule<P, S extends IOSpec>(def: {
  name: string | ((params: P) => string);
  io: (params: P) => S;
  body: (io: IOOf<S>, params: P) => void;
}): ModuleDefinition<P, S> {
  const loc = SourceLoc.capture(defineModule);
  if (typeof def.name === 'string') checkIdentifier(def.name, 'module', loc);
  return { kind: 'moduleDefinition', name: def.name, io: def.io, body: def.body, loc };
}

// ----------------------------------------------------------------------------
// Elaboration session: module deduplication across the whole hierarchy

interface Session {
  readonly modules: Map<string, ModuleBuilder>;
  readonly namesInUse: Map<string, string>;
  readonly order: ModuleBuilder[];
}

let session: Session | null = null;

/** An elaborated design: its IR (see ir.ts). */
export type Design = IrDesign;

export interface ElaborateOptions {
  /** How much source position to record (see LocationMode); default 'declarations'. */
  readonly locations?: LocationMode;
}

/**
 * Elaborates a top-level module and everything below it. When an error names
 * a node whose location was not recorded, elaboration runs again recording
 * every location, so that the message names the design's line.
 */
export function elaborate<P, S extends IOSpec>(def: ModuleDefinition<P, S>, params: P, opts: ElaborateOptions = {}): Design {
  const mode = opts.locations ?? 'declarations';
  try {
    return withLocationMode(mode, () => elaborateOnce(def, params));
  } catch (e) {
    if (mode === 'all' || !(e instanceof HwError) || !e.message.includes(UNKNOWN_LOCATION)) throw e;
    return withLocationMode('all', () => elaborateOnce(def, params));
  }
}

function elaborateOnce<P, S extends IOSpec>(def: ModuleDefinition<P, S>, params: P): Design {
  if (session) throw new HwError('elaborate() cannot be called inside a module body; use instance()', SourceLoc.capture());
  session = { modules: new Map(), namesInUse: new Map(), order: [] };
  try {
    const top = elaborateModule(def, params, SourceLoc.capture());
    return { top: top.ir!, modules: session.order.map((b) => b.ir!) };
  } finally {
    session = null;
  }
}

function canonicalParams(params: unknown, loc: SourceLoc): string {
  return JSON.stringify(params ?? null, (_k, v: unknown) => {
    if (typeof v === 'function' || typeof v === 'symbol') {
      throw new HwError('module parameters must be plain data (numbers, strings, booleans, arrays, objects)', loc);
    }
    if (typeof v === 'bigint') return `${v}n`;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

function moduleName(def: AnyModuleDefinition, params: unknown, key: string): string {
  if (typeof def.name === 'function') return def.name(params);
  const entries = params && typeof params === 'object' ? Object.entries(params) : [];
  if (entries.length === 0) return def.name;
  const simple = entries.every(([, v]) => ['number', 'boolean', 'string'].includes(typeof v));
  const suffix = entries.map(([k, v]) => `${k}${String(v)}`).join('_').replace(/[^A-Za-z0-9_]/g, '_');
  if (simple && suffix.length <= 48) return `${def.name}_${suffix}`;
  return `${def.name}_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** `loc`: the instance() (or elaborate()) that asks for the module, for messages about its parameters. */
function elaborateModule(def: AnyModuleDefinition, params: unknown, loc: SourceLoc): ModuleBuilder {
  const s = session!;
  const key = `${typeof def.name === 'string' ? def.name : def.loc.short}\u0000${canonicalParams(params, loc)}`;
  const cached = s.modules.get(key);
  if (cached) {
    if (cached.def !== def) {
      throw new HwError(`two different module definitions are named '${cached.displayName}'`, def.loc, [
        `the other is defined at ${cached.def.loc.short}`,
      ]);
    }
    return cached;
  }
  let name = moduleName(def, params, key);
  checkIdentifier(name, 'module', def.loc);
  const owner = s.namesInUse.get(name);
  if (owner !== undefined && owner !== key) name = `${name}_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
  s.namesInUse.set(name, key);

  const b = new ModuleBuilder(name, def, params);
  s.modules.set(key, b);
  pushBuilder(b);
  try {
    const spec = def.io(params) as IOSpec;
    const io = buildIO(spec, (p) => b.addPort(p));
    b.spec = spec;
    def.body(io as never, params);
    b.finish();
  } catch (e) {
    s.modules.delete(key);
    throw e;
  } finally {
    popBuilder();
  }
  s.order.push(b);
  return b;
}

// ----------------------------------------------------------------------------

// ----------------------------------------------------------------------------
// Instances

export interface Instance<S extends IOSpec> {
  readonly name: string;
  /** The child's ports seen from the parent: its inputs are driven here, its outputs read. */
  readonly io: IOOf<S>;
}

/** Instantiates a child module with the given parameters. */
export function instance<P, S extends IOSpec>(def: ModuleDefinition<P, S>, params: P, opts: { name?: string } = {}): Instance<S> {
  const loc = SourceLoc.capture(instance);
  const parent = currentBuilder(loc, 'instance()');
  const child = elaborateModule(def, params, loc);
  const base = typeof def.name === 'string' ? def.name.charAt(0).toLowerCase() + def.name.slice(1) : 'u';
  const name = opts.name ?? parent.nextInstanceName(base);
  checkIdentifier(name, 'instance', loc);
  parent.claimName(name, loc);
  const rec: InstanceRec = { name, module: child, ports: new Map(), loc };
  const io = buildIO(child.spec, (p) => {
    const s = new Signal(p.dir === 'in' ? 'instIn' : 'instOut', p.type.width, p.type.signed, parent, loc);
    s.instance = rec;
    s.portName = p.name;
    rec.ports.set(p.name, s);
    return s;
  });
  parent.instances.push(rec);
  return { name, io: io as IOOf<S> };
}
