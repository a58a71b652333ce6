import { libraryModule, reg, wire, type Signal } from '../../hw/index.ts';

// A user's library of hardware helpers: what it declares is attributed to the
// design line that called it.
libraryModule(import.meta.url);

/** `x` one cycle later. */
export function delayed(x: Signal, name: string): Signal {
  const r = reg(x.type, { name });
  r.set(x);
  return r;
}

/** A wire the caller must drive. */
export function hole(width: number, name: string): Signal {
  return wire({ kind: 'bits', width, signed: false }, { name });
}
