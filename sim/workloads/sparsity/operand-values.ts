/**
 * Realistic operand values in the datapath's fixed-point range. Activations are
 * ReLU outputs (non-negative), weights and gradients are signed, all roughly
 * Gaussian and scaled well below full range, as quantised training keeps them:
 * standard deviations of 1/16 (activations) and 1/64 (weights, gradients) of the
 * operand range leave the 32-bit accumulators headroom on every table layer.
 * Every value drawn is non-zero, so a generator's zero pattern is exactly its mask.
 * The Gaussian is approximated by the sum of the four bytes of one random word
 * (Irwin-Hall, tails cut at 3.5 standard deviations): a single generator call per
 * value keeps whole-network workloads fast, and real quantised tensors have no
 * far outliers either.
 */
import { signedRange } from '../../golden/fixed-point.ts';
import { type Rng } from '../../golden/random.ts';

export type OperandRole = 'activation' | 'weight' | 'gradient';

const RELATIVE_STD: Record<OperandRole, number> = { activation: 1 / 16, weight: 1 / 64, gradient: 1 / 64 };

const BYTE_SUM_MEAN = 510;
const BYTE_SUM_STD = Math.sqrt((4 * (256 * 256 - 1)) / 12);

/** Non-zero values where mask is 1 (or everywhere without a mask), zero elsewhere. */
export function fillValues(count: number, role: OperandRole, operandBits: number, rng: Rng, mask?: Uint8Array): Int32Array {
  const { max } = signedRange(operandBits);
  const scale = (RELATIVE_STD[role] * (max + 1)) / BYTE_SUM_STD;
  const signed = role !== 'activation';
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (mask !== undefined && mask[i] !== 1) continue;
    const word = rng.nextUint32();
    const centred = (word & 255) + ((word >>> 8) & 255) + ((word >>> 16) & 255) + (word >>> 24) - BYTE_SUM_MEAN;
    let magnitude = (Math.abs(centred) * scale + 0.5) | 0;
    if (magnitude < 1) magnitude = 1;
    else if (magnitude > max) magnitude = max;
    out[i] = signed && centred < 0 ? -magnitude : magnitude;
  }
  return out;
}
