/**
 * The one seeded pseudo-random generator of the golden models (xoshiro128**,
 * Blackman & Vigna), so every workload is reproducible from a recorded seed.
 */

const UINT32_RANGE = 4294967296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32 step: spreads a small seed over all state bits. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return [next, z >>> 0];
}

export function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= UINT32_RANGE) {
    throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
  }
}

/**
 * Combine a seed with labels (layer name, operand role...) into an independent
 * sub-seed, so a layer's operands do not depend on the order layers are visited.
 */
export function deriveSeed(seed: number, ...labels: ReadonlyArray<string | number>): number {
  assertSeed(seed);
  let hash = 0x811c9dc5 ^ seed;
  for (const label of labels) {
    const text = `${typeof label}:${label}|`;
    for (let i = 0; i < text.length; i++) {
      hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    }
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export class Rng {
  /** xoshiro128** state; a typed array keeps the 32-bit words unboxed in V8. */
  private readonly state = new Int32Array(4);
  private spareNormal: number | undefined;

  constructor(readonly seed: number) {
    assertSeed(seed);
    let state = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, output] = splitmix32(state);
      state = next;
      words.push(output);
    }
    this.state.set(words);
    if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) this.state[0] = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const st = this.state;
    const s0 = st[0]!;
    const s1 = st[1]!;
    const s2 = st[2]! ^ s0;
    const s3 = st[3]! ^ s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    st[0] = s0 ^ s3;
    st[1] = s1 ^ s2;
    st[2] = s2 ^ (s1 << 9);
    st[3] = rotl(s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / UINT32_RANGE;
  }

  /** Uniform integer in [0, bound) without modulo bias (Lemire's method). */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0 || bound > UINT32_RANGE) {
      throw new RangeError(`nextInt bound must be an integer in [1, 2^32], got ${bound}`);
    }
    const threshold = (UINT32_RANGE - bound) % bound;
    for (;;) {
      const x = this.nextUint32();
      if (x >= threshold) return x % bound;
    }
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.nextFloat() < p;
  }

  /** Standard normal variate (Box-Muller, pairs cached). */
  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}
