/**
 * Where an accumulator address lives. The entry is always address div A (so a drain row is a
 * fixed run of A window addresses); the bank is either the address's low bits ('modulo') or
 * those bits XOR the entry's low bits ('xor', the default) [ours].
 *
 * Why 'xor': in a weight-gradient window the output channel k sits C_g·R·S entries from k + 1,
 * a multiple of A whenever C_g is (64·3·3 = 576 = 18·32), so under 'modulo' the F products of
 * one broadcast vector that differ only in k all fall into one bank and the pair stalls F − 1
 * cycles. Folding the entry's low bits into the bank spreads them; within one entry the map is a
 * permutation of the lanes, so drains, clears and the output slices keep their row structure.
 */
import { cat, type Signal } from '../index.ts';

export type BankMapping = 'xor' | 'modulo';
export const BANK_MAPPINGS: readonly BankMapping[] = ['xor', 'modulo'];

/** The bank (0..banks−1) that holds window address `address`; banks is a power of two. */
export function accumulatorBank(address: number, banks: number, mapping: BankMapping): number {
  const low = address & (banks - 1);
  return mapping === 'modulo' ? low : low ^ (Math.floor(address / banks) & (banks - 1));
}

/** Entry · banks + bank: where the drain puts window address `address` in a row-aligned output slice. */
export function physicalAccumulatorAddress(address: number, banks: number, mapping: BankMapping): number {
  return address - (address & (banks - 1)) + accumulatorBank(address, banks, mapping);
}

/** The RTL of accumulatorBank: `address` is bankBits + entryBits wide. */
export function accumulatorBankSignal(address: Signal, bankBits: number, entryBits: number, mapping: BankMapping): Signal {
  const low = address.bits(bankBits - 1, 0);
  if (mapping === 'modulo') return low;
  // An entry narrower than the bank index folds into the bank's low bits only.
  const fold = Math.min(bankBits, entryBits);
  const entryLow = address.bits(bankBits + fold - 1, bankBits);
  return fold === bankBits ? low.xor(entryLow) : cat(low.bits(bankBits - 1, fold), low.bits(fold - 1, 0).xor(entryLow));
}
