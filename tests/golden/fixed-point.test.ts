import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Accumulators,
  AccumulatorOverflowError,
  assertOperandsFit,
  macWrap,
  validateNumberFormat,
  wrapSigned,
  wrapSignedBig,
} from '../../sim/golden/fixed-point.ts';

describe('wrapSigned', () => {
  it('equals BigInt.asIntN for every safe integer and width 1-53', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 53 }), (x, bits) => {
        expect(BigInt(wrapSigned(x, bits))).toBe(wrapSignedBig(BigInt(x), bits));
      }),
      { numRuns: 2000 },
    );
  });

  it('wraps the 32-bit boundary as two\'s complement', () => {
    expect(wrapSigned(2 ** 31, 32)).toBe(-(2 ** 31));
    expect(wrapSigned(2 ** 31 - 1, 32)).toBe(2 ** 31 - 1);
    expect(wrapSigned(-(2 ** 31) - 1, 32)).toBe(2 ** 31 - 1);
    expect(wrapSigned(0x800000, 24)).toBe(-0x800000);
  });
});

describe('multiply-accumulate', () => {
  it('wrapping after every step equals wrapping the exact sum once, in any order', () => {
    const operand = fc.integer({ min: -32768, max: 32767 });
    fc.assert(
      fc.property(fc.array(fc.tuple(operand, operand), { maxLength: 200 }), fc.integer({ min: 8, max: 32 }), (pairs, bits) => {
        let stepwise = 0;
        let reversed = 0;
        let exact = 0n;
        for (const [a, b] of pairs) {
          stepwise = macWrap(stepwise, a, b, bits);
          exact += BigInt(a) * BigInt(b);
        }
        for (const [a, b] of [...pairs].reverse()) reversed = macWrap(reversed, a, b, bits);
        expect(BigInt(stepwise)).toBe(BigInt.asIntN(bits, exact));
        expect(reversed).toBe(stepwise);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps (-32768)^2 summed twice exact before wrapping a 32-bit accumulator', () => {
    const acc = new Accumulators(1, { operandBits: 16, accumulatorBits: 32 });
    acc.add(0, -32768 * -32768);
    acc.add(0, -32768 * -32768);
    expect(acc.exact[0]).toBe(2 ** 31);
    expect(acc.finish('wrap', 'test', String)[0]).toBe(-(2 ** 31));
    expect(() => acc.finish('throw', 'layer conv9', String)).toThrow(AccumulatorOverflowError);
    expect(() => acc.finish('throw', 'layer conv9', String)).toThrow(/layer conv9: exact sum 2147483648/);
  });
});

describe('operand checks', () => {
  it('rejects a value outside the operand width with its index and range', () => {
    expect(() => assertOperandsFit(Int32Array.of(1, 40000), 16, 'weights')).toThrow(
      'weights[1] = 40000 does not fit a 16-bit signed operand [-32768, 32767]',
    );
  });

  it('rejects impossible number formats', () => {
    expect(() => validateNumberFormat({ operandBits: 16, accumulatorBits: 40 })).toThrow(/accumulatorBits must be an integer in \[2, 32\]/);
    expect(() => validateNumberFormat({ operandBits: 30, accumulatorBits: 32 })).toThrow(/operandBits/);
  });
});
