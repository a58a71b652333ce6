import { HwError } from './errors.ts';
import type { ModuleBuilder } from './builder.ts';
import type { SourceLoc } from './source.ts';

// The module whose body is running. Bodies of child modules are elaborated
// while the parent's body is suspended, hence a stack.
const stack: ModuleBuilder[] = [];

export function pushBuilder(b: ModuleBuilder): void {
  stack.push(b);
}

export function popBuilder(): void {
  stack.pop();
}

export function currentBuilder(loc: SourceLoc, what: string): ModuleBuilder {
  const b = stack[stack.length - 1];
  if (!b) {
    throw new HwError(`${what} can only be used inside a module body (defineModule(...).body)`, loc);
  }
  return b;
}
