import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import type { IrDesign, IrModule, IrNode, IrOperator, OperatorNode } from '../hw/core/ir.ts';

// The emitter's own source and the names it imports: a change to how Verilog
// is written changes every fingerprint.
const emitterDigest = createHash('sha256')
  .update(fs.readFileSync(new URL('./verilog.ts', import.meta.url)))
  .update(fs.readFileSync(new URL('../hw/core/names.ts', import.meta.url)))
  .digest();

/** Modules are immutable: each is hashed once per process, however many designs or builds use it. */
const moduleDigests = new WeakMap<IrModule, Buffer>();

/**
 * A hash of everything the emitted Verilog's meaning depends on (names,
 * types, operators, drivers, state, memories, instances) and of the emitter
 * itself, computed from the elaborated design without writing any Verilog.
 * Source-location comments are left out: moving a line of a design does not
 * change what it simulates.
 *
 * Each module is encoded as 32-bit words (strings and lists prefixed by their
 * length, so the encoding is unambiguous) into one reused buffer that is
 * hashed as it fills: no text is built per node.
 */
export function designFingerprint(design: IrDesign): string {
  const hash = createHash('sha256');
  hash.update(emitterDigest);
  for (const m of design.modules) hash.update(moduleDigest(m));
  return hash.digest('hex');
}

function moduleDigest(m: IrModule): Buffer {
  let digest = moduleDigests.get(m);
  if (!digest) {
    stream.begin(createHash('sha256'));
    encodeModule(m, stream);
    digest = stream.digest();
    moduleDigests.set(m, digest);
  }
  return digest;
}

/** 32-bit words per buffer: 256 KiB hashed at a time. */
const CAPACITY = 1 << 16;
/** Marks a number that is not a 32-bit integer; the number follows as text. */
const NOT_INT32 = -0x80000000;

/**
 * Fields written as 32-bit words into a reused buffer, hashed each time it
 * fills: a number is one word, a string its length and one word per UTF-16
 * code unit (no encoding step; design names are short).
 */
class FieldStream {
  private readonly words = new Int32Array(CAPACITY);
  private readonly bytes = new Uint8Array(this.words.buffer);
  private pos = 0;
  private hash: Hash | undefined;

  begin(hash: Hash): void {
    this.hash = hash;
    this.pos = 0;
  }

  int(n: number): void {
    if (this.pos === CAPACITY) this.flush();
    if ((n | 0) === n && n !== NOT_INT32) {
      this.words[this.pos++] = n;
    } else {
      this.words[this.pos++] = NOT_INT32;
      this.str(String(n));
    }
  }

  ints(ns: readonly number[]): void {
    this.int(ns.length);
    for (let i = 0; i < ns.length; i++) this.int(ns[i]!);
  }

  str(s: string): void {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) {
      if (this.pos === CAPACITY) this.flush();
      this.words[this.pos++] = s.charCodeAt(i);
    }
  }

  big(v: bigint): void {
    this.str(v.toString(16));
  }

  digest(): Buffer {
    this.flush();
    const digest = this.hash!.digest();
    this.hash = undefined;
    return digest;
  }

  private flush(): void {
    if (this.pos > 0) this.hash!.update(this.bytes.subarray(0, 4 * this.pos));
    this.pos = 0;
  }
}

/** One buffer for every module: fingerprinting is synchronous, and a fresh 256 KiB per module costs more than the hashing. */
const stream = new FieldStream();

const KIND_CODES: Readonly<Record<IrNode['kind'], number>> = {
  lit: 1, op: 2, case: 3, input: 4, output: 5, wire: 6, reg: 7, memread: 8, instIn: 9, instOut: 10,
};

const OP_CODES: Readonly<Record<IrOperator, number>> = {
  add: 1, sub: 2, mul: 3, neg: 4, and: 5, or: 6, xor: 7, not: 8, eq: 9, ne: 10, lt: 11, le: 12, gt: 13, ge: 14,
  shl: 15, shr: 16, dshl: 17, dshr: 18, bits: 19, cat: 20, zext: 21, sext: 22, cast: 23, andr: 24, orr: 25, xorr: 26, mux: 27, select: 28,
};

function encodeModule(m: IrModule, out: FieldStream): void {
  out.str(m.displayName);
  out.int((m.usesClock ? 1 : 0) | (m.usesReset ? 2 : 0));
  out.int(m.ports.length);
  for (const p of m.ports) {
    out.str(p.name);
    out.int(p.dir === 'in' ? 0 : 1);
    out.int(p.node);
  }
  out.int(m.nodes.length);
  for (const n of m.nodes) encodeNode(n, out);
  out.int(m.memories.length);
  for (const mem of m.memories) {
    out.str(mem.name);
    out.int(mem.depth);
    out.int(mem.width);
    out.int((mem.signed ? 1 : 0) | (mem.testbenchAccess ? 2 : 0) | (mem.init ? 4 : 0));
    out.int(mem.writeEnable);
    out.int(mem.writeAddr);
    out.int(mem.writeData);
    out.int(mem.readPorts.length);
    for (const rp of mem.readPorts) {
      out.int(rp.enable);
      out.int(rp.addr);
      out.int(rp.data);
    }
    if (mem.init) {
      out.int(mem.init.length);
      for (const v of mem.init) out.big(v);
    }
  }
  out.int(m.instances.length);
  for (const inst of m.instances) {
    out.str(inst.name);
    out.str(inst.module.displayName);
    out.int(inst.ports.size);
    for (const [port, id] of inst.ports) {
      out.str(port);
      out.int(id);
    }
  }
}

/**
 * A node's small fields in one word (kind, signedness, whether it is named,
 * an operator and whether the language made it): a quarter fewer bytes to
 * hash (49 MiB instead of 66 for the million-node pe32x44_distinct).
 */
function nodeHeader(n: Exclude<IrNode, OperatorNode>): number {
  return KIND_CODES[n.kind] | (n.signed ? 16 : 0) | (n.name === undefined ? 0 : 32);
}

function encodeNode(n: IrNode, out: FieldStream): void {
  if (n.kind === 'op') {
    // Most nodes are operators: read here, their fields are loaded from one
    // object shape (monomorphic), not from any of the ten node kinds.
    out.int(KIND_CODES.op | (n.signed ? 16 : 0) | (n.name === undefined ? 0 : 32) | ((OP_CODES[n.op] | (n.synthetic ? 32 : 0)) << 6));
    if (n.name !== undefined) out.str(n.name);
    out.int(n.width);
    out.ints(n.args);
    out.ints(n.imm);
    return;
  }
  out.int(nodeHeader(n));
  if (n.name !== undefined) out.str(n.name);
  out.int(n.width);
  switch (n.kind) {
    case 'lit':
      out.big(n.value);
      return;
    case 'case':
      out.int(n.select);
      out.int(n.fallback);
      out.ints(n.values);
      out.int(n.labels.length);
      for (const l of n.labels) {
        out.int(l.length);
        for (const v of l) out.big(v);
      }
      return;
    case 'input':
      return;
    case 'output':
    case 'wire':
      out.int(n.driver);
      return;
    case 'reg':
      out.int(n.next);
      if (n.init === undefined) out.int(-1);
      else out.big(n.init);
      return;
    case 'memread':
      out.int(n.memory);
      return;
    case 'instIn':
      out.int(n.instance);
      out.str(n.port);
      out.int(n.driver);
      return;
    case 'instOut':
      out.int(n.instance);
      out.str(n.port);
      return;
  }
}
