import { SimulationError } from './build.ts';

/** Anything packed as words: a port, or a memory's element. */
export interface WordLayout {
  readonly name: string;
  readonly width: number;
  readonly signed: boolean;
}

/** One data port's values over a stream: numbers for ports of up to 32 bits. */
export type Column = ArrayLike<number> | readonly bigint[];

/** Values read back: Uint32Array (Int32Array for SInt) up to 32 bits, bigint[] above. */
export type OutputColumn = Uint32Array | Int32Array | bigint[];

function range(p: WordLayout): [bigint, bigint] {
  return p.signed ? [-(1n << BigInt(p.width - 1)), (1n << BigInt(p.width - 1)) - 1n] : [0n, (1n << BigInt(p.width)) - 1n];
}

function misfit(p: WordLayout, v: bigint | number): SimulationError {
  return new SimulationError(`value ${v} does not fit ${p.name} (${p.signed ? 'SInt' : 'UInt'}(${p.width}))`);
}

export function hexOf(p: WordLayout, v: bigint): string {
  const [min, max] = range(p);
  if (v < min || v > max) throw misfit(p, v);
  return BigInt.asUintN(p.width, v).toString(16);
}

const wordsOf = (p: WordLayout): number => Math.ceil(p.width / 32);

/**
 * Packs columns into the harness's binary layout: per row, each field as
 * ceil(width/32) little-endian 32-bit words.
 */
export function packColumns(what: string, fields: readonly WordLayout[], columns: readonly Column[]): Uint8Array {
  if (columns.length !== fields.length) {
    throw new SimulationError(`${what} has ${columns.length} columns for ${fields.length} fields (${fields.map((p) => p.name).join(', ')})`);
  }
  const n = columns[0]?.length ?? 0;
  const rowWords = fields.reduce((s, p) => s + wordsOf(p), 0);
  const out = new Uint32Array(n * rowWords);
  let offset = 0;
  fields.forEach((p, j) => {
    const col = columns[j]!;
    if (col.length !== n) throw new SimulationError(`column ${j} of ${what} has ${col.length} values, column 0 has ${n}`);
    const [min, max] = range(p);
    const w = wordsOf(p);
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      const at = i * rowWords + offset;
      if (typeof v === 'number' && p.width <= 32) {
        if (!Number.isInteger(v) || v < Number(min) || v > Number(max)) throw misfit(p, v);
        out[at] = p.width < 32 ? v & (2 ** p.width - 1) : v >>> 0;
        continue;
      }
      const b = BigInt(v);
      if (b < min || b > max) throw misfit(p, b);
      let u = BigInt.asUintN(p.width, b);
      for (let k = 0; k < w; k++, u >>= 32n) out[at + k] = Number(u & 0xffffffffn);
    }
    offset += w;
  });
  return new Uint8Array(out.buffer);
}

/** Unpacks the harness's binary layout into one typed column per field. */
export function unpackColumns(fields: readonly WordLayout[], bytes: Uint8Array): OutputColumn[] {
  const copy = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Uint32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  const rowWords = fields.reduce((s, p) => s + wordsOf(p), 0);
  const n = words.length / rowWords;
  let offset = 0;
  return fields.map((p) => {
    const w = wordsOf(p);
    const at = offset;
    offset += w;
    if (p.width <= 32) {
      const col = p.signed ? new Int32Array(n) : new Uint32Array(n);
      const shift = 32 - p.width;
      for (let i = 0; i < n; i++) {
        const x = words[i * rowWords + at]!;
        col[i] = p.signed ? (x << shift) >> shift : x;
      }
      return col;
    }
    const col: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      let v = 0n;
      for (let k = w - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[i * rowWords + at + k]!);
      col[i] = p.signed ? BigInt.asIntN(p.width, v) : v;
    }
    return col;
  });
}
