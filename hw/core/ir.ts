// The language's intermediate representation: what elaboration produces and
// every consumer (the Verilog emitter, the Verilator harness, the Icarus
// replay, the area flow, the passes) reads. Immutable, with no reference to
// the builder or to Signal objects: values refer to each other by node id.
import type { IOSpec } from './ports.ts';
import type { SourceLoc } from './source.ts';

/** Index of a node in its module's `nodes`. */
export type NodeId = number;

export type IrOperator =
  | 'add' | 'sub' | 'mul' | 'neg'
  | 'and' | 'or' | 'xor' | 'not'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
  | 'shl' | 'shr' | 'dshl' | 'dshr'
  | 'bits' | 'cat' | 'zext' | 'sext' | 'cast'
  | 'andr' | 'orr' | 'xorr'
  | 'mux'
  /** args[1 + args[0]]: a value chosen by an index that covers the 2^w values exactly. */
  | 'select';

interface NodeBase {
  readonly id: NodeId;
  readonly width: number;
  readonly signed: boolean;
  /** The design's name for it; temporaries have none. */
  readonly name: string | undefined;
  /** Where the design made it (formatted only when read). */
  readonly loc: SourceLoc;
}

export interface LiteralNode extends NodeBase {
  readonly kind: 'lit';
  /** Unsigned bit pattern. */
  readonly value: bigint;
  /** The enum member it stands for, for readable Verilog. */
  readonly enumLabel: string | undefined;
}

export interface OperatorNode extends NodeBase {
  readonly kind: 'op';
  readonly op: IrOperator;
  readonly args: readonly NodeId[];
  /** Shift amounts, slice bounds. */
  readonly imm: readonly number[];
  /** Made by the language itself (the mux of a when()). */
  readonly synthetic: boolean;
}

/** A switchOn's n-way select: `labels[i]` select `values[i]`, anything else `fallback`. */
export interface CaseNode extends NodeBase {
  readonly kind: 'case';
  readonly select: NodeId;
  readonly fallback: NodeId;
  readonly values: readonly NodeId[];
  readonly labels: readonly (readonly bigint[])[];
}

export interface InputNode extends NodeBase {
  readonly kind: 'input';
  readonly name: string;
}

export interface OutputNode extends NodeBase {
  readonly kind: 'output';
  readonly name: string;
  readonly driver: NodeId;
}

export interface WireNode extends NodeBase {
  readonly kind: 'wire';
  readonly driver: NodeId;
}

export interface RegisterNode extends NodeBase {
  readonly kind: 'reg';
  /** Next state (the register itself when it holds). */
  readonly next: NodeId;
  /** Synchronous reset value; none without reset. */
  readonly init: bigint | undefined;
}

/** The registered read data of a memory read port. */
export interface MemoryReadNode extends NodeBase {
  readonly kind: 'memread';
  readonly name: string;
  readonly memory: number;
}

/** An input of a child instance, driven by this module. */
export interface InstanceInputNode extends NodeBase {
  readonly kind: 'instIn';
  readonly instance: number;
  readonly port: string;
  readonly driver: NodeId;
}

/** An output of a child instance, read by this module. */
export interface InstanceOutputNode extends NodeBase {
  readonly kind: 'instOut';
  readonly instance: number;
  readonly port: string;
}

export type IrNode =
  | LiteralNode
  | OperatorNode
  | CaseNode
  | InputNode
  | OutputNode
  | WireNode
  | RegisterNode
  | MemoryReadNode
  | InstanceInputNode
  | InstanceOutputNode;

export interface IrPort {
  readonly name: string;
  readonly dir: 'in' | 'out';
  readonly width: number;
  readonly signed: boolean;
  readonly node: NodeId;
}

export interface IrReadPort {
  readonly enable: NodeId;
  readonly addr: NodeId;
  readonly data: NodeId;
}

export interface IrMemory {
  readonly name: string;
  readonly depth: number;
  readonly width: number;
  readonly signed: boolean;
  readonly addrWidth: number;
  readonly init: readonly bigint[] | undefined;
  /** Testbenches may load and dump the contents. */
  readonly testbenchAccess: boolean;
  readonly writeEnable: NodeId;
  readonly writeAddr: NodeId;
  readonly writeData: NodeId;
  readonly readPorts: readonly IrReadPort[];
  readonly loc: SourceLoc;
}

export interface IrInstance {
  readonly name: string;
  readonly module: IrModule;
  /** Flattened child port name → the node standing for it in this module. */
  readonly ports: ReadonlyMap<string, NodeId>;
  readonly loc: SourceLoc;
}

/** One elaborated module: a distinct parameterisation of a module definition. */
export interface IrModule {
  readonly kind: 'module';
  /** The Verilog module name. */
  readonly displayName: string;
  /** Where the module was defined. */
  readonly definedAt: SourceLoc;
  /** The IO description it was elaborated from (typed testbench access). */
  readonly spec: IOSpec;
  readonly usesClock: boolean;
  readonly usesReset: boolean;
  readonly ports: readonly IrPort[];
  /** Every value of the module in creation order; `nodes[i].id === i`. */
  readonly nodes: readonly IrNode[];
  readonly wires: readonly NodeId[];
  readonly regs: readonly NodeId[];
  readonly memories: readonly IrMemory[];
  readonly instances: readonly IrInstance[];
  /** Names the design declared, which temporaries must not take. */
  readonly declaredNames: ReadonlySet<string>;
  /** For each output port, the input ports it depends on combinationally. */
  readonly combPaths: ReadonlyMap<string, ReadonlySet<string>>;
}

/** An elaborated design: the top module and every distinct module, children before parents. */
export interface IrDesign {
  readonly top: IrModule;
  readonly modules: readonly IrModule[];
}

/** The nodes a node reads combinationally or as next state, in order. */
export function operandsOf(n: IrNode): readonly NodeId[] {
  switch (n.kind) {
    case 'op':
      return n.args;
    case 'case':
      return [n.select, n.fallback, ...n.values];
    case 'output':
    case 'wire':
    case 'instIn':
      return [n.driver];
    case 'reg':
      return [n.next];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------
// The module as its body recorded it, before `when` lowering

/** `target` takes `value` on the paths that reach this connection; the last connection on a path wins. */
export interface IrConnect {
  readonly kind: 'connect';
  readonly target: NodeId;
  readonly value: NodeId;
  readonly loc: SourceLoc;
}

/** One branch of a when / elseWhen / switchOn chain. */
export interface IrWhenArm {
  readonly cond: NodeId;
  readonly body: IrBlock;
  readonly loc: SourceLoc;
  /** How the design wrote it, for messages: `when()`, `elseWhen()`, `switchOn().is(4, 5)`. */
  readonly label: string;
  /** The selector values of a switchOn arm; empty for a when() or elseWhen(). */
  readonly values: readonly bigint[];
}

/**
 * A whole `when().elseWhen()...otherwise()` chain, or a `switchOn`, as one
 * statement: its arms are a list, not nested else-blocks, so that a chain of
 * thousands of arms neither recurses nor takes quadratic time to lower.
 */
export interface IrWhen {
  readonly kind: 'when';
  readonly arms: readonly IrWhenArm[];
  readonly otherwise: IrBlock;
  /** Whether the design wrote an otherwise(). */
  readonly hasOtherwise: boolean;
  readonly loc: SourceLoc;
  /** The selector of a switchOn (its arms exclude each other); undefined for a when() chain. */
  readonly switchOn: NodeId | undefined;
}

export type IrStatement = IrConnect | IrWhen;
export type IrBlock = readonly IrStatement[];

/** The driver of a target (output, wire, register, child input) before when-lowering gives it one. */
export const UNRESOLVED: NodeId = -1;

/**
 * A module as its body recorded it: the nodes the design made, and its
 * connections as statements under `when`s. Targets' drivers are UNRESOLVED;
 * the when-lowering pass (passes/lower-whens.ts) resolves them into an IrModule.
 */
export interface IrRecordedModule extends Omit<IrModule, 'kind' | 'combPaths'> {
  readonly kind: 'recorded';
  readonly body: IrBlock;
  /** A wire's value on paths where nothing drives it (its `default`). */
  readonly defaults: ReadonlyMap<NodeId, NodeId>;
  /** Wires whose value matters only on the paths that drive them (a memory address while not accessing it). */
  readonly dontCares: ReadonlySet<NodeId>;
  /** Registers that only update while their enable is high. */
  readonly enables: ReadonlyMap<NodeId, NodeId>;
}
