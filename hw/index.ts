// The hardware-construction language: everything a design file imports.
export { Bool, Bundle, SInt, UInt, Vec, bitCount, bitsFor, log2Ceil, typeName } from './core/types.ts';
export type { BitsType, BundleType, HwType, VecType } from './core/types.ts';
export { Flip, Input, Output, leaves } from './core/ports.ts';
export type { IOOf, IOSpec, PortSpec, SignalOf } from './core/ports.ts';
export { Signal, lit } from './core/signal.ts';
export type { Operand } from './core/signal.ts';
export { defineModule, elaborate, instance } from './core/module.ts';
export type { Design, Instance, ModuleDefinition } from './core/module.ts';
export { connectAll, reg, regNext, when, wire } from './core/statements.ts';
export type { RegOptions, WireOptions } from './core/statements.ts';
export { mem, Memory } from './core/memory.ts';
export type { MemoryOptions } from './core/memory.ts';
export { ModuleBuilder, WhenChain } from './core/builder.ts';
export { cat, fill, mux, oneHotMux, priorityMux, reduceTree, select, switchOn } from './core/ops.ts';
export { defineEnum, stateMachine, Enum, StateMachine } from './core/enums.ts';
export { evaluate } from './core/evaluate.ts';
export { HwError } from './core/errors.ts';
