import { Bool, Input, Output, type HwType } from '../index.ts';

/**
 * A ready/valid stream as seen by its producer: a beat moves in a cycle where
 * both valid and ready are high. `Flip(Decoupled(t))` is the consumer's side.
 */
export function Decoupled<T extends HwType>(type: T) {
  return { valid: Output(Bool()), ready: Input(Bool()), bits: Output(type) };
}
