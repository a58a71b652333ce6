import { currentBuilder } from './context.ts';
import { HwError } from './errors.ts';
import type { ModuleBuilder, MemoryRec } from './builder.ts';
import { checkIdentifier } from './names.ts';
import { checkBool, checkOperand, makeLiteral, Signal, type Operand } from './signal.ts';
import { SourceLoc } from './source.ts';
import { log2Ceil, type BitsType } from './types.ts';


export interface MemoryOptions {
  name?: string;
  /** Initial contents from address 0; the rest is zero. */
  init?: readonly (number | bigint)[];
  /**
   * Lets testbenches load and read back the contents directly (memory images
   * in bulk simulation). Costs some Verilator optimisation of this memory.
   */
  testbenchAccess?: boolean;
}

/**
 * A synchronous memory with one write port and any number of read ports,
 * each with a read latency of one cycle. A read of an address being written
 * in the same cycle returns the old contents.
 */
export class Memory {
  constructor(
    private readonly b: ModuleBuilder,
    readonly rec: MemoryRec,
  ) {}

  /** Writes `data` at `addr` in this cycle, under the enclosing when() conditions. */
  write(addr: Signal, data: Operand): void {
    const loc = SourceLoc.capture(Memory.prototype.write);
    const b = currentBuilder(loc, 'Memory.write()');
    if (b !== this.b) throw new HwError(`memory '${this.rec.name}' belongs to module '${this.b.displayName}'`, loc);
    const earlier = b.directlyDriven(this.rec.writeEnable);
    if (earlier) {
      throw new HwError(
        `memory '${this.rec.name}' has one write port and is already written at ${earlier.short} in the same block; put the writes under different when() conditions`,
        loc,
      );
    }
    this.checkAddr(addr, loc);
    b.connect(this.rec.writeEnable, 1, loc);
    b.connect(this.rec.writeAddr, addr, loc);
    b.connect(this.rec.writeData, data, loc);
  }

  /**
   * Adds a read port reading `addr` when the enclosing when() conditions (and
   * `enable`, if given) hold; the data appears one cycle later and holds otherwise.
   */
  read(addr: Signal, enable?: Signal): Signal {
    const loc = SourceLoc.capture(Memory.prototype.read);
    const b = currentBuilder(loc, 'Memory.read()');
    if (b !== this.b) throw new HwError(`memory '${this.rec.name}' belongs to module '${this.b.displayName}'`, loc);
    this.checkAddr(addr, loc);
    if (enable) checkBool(enable, 'the enable of Memory.read()', loc);
    const i = this.rec.readPorts.length;
    const mk = (suffix: string, width: number): Signal => {
      const s = b.namedLeaf('wire', `${this.rec.name}_${suffix}${i}`, { kind: 'bits', width, signed: false }, loc);
      s.defaultValue = makeLiteral(0, width, false, loc);
      return s;
    };
    const en = mk('ren', 1);
    const ad = mk('raddr', this.rec.addrWidth);
    b.markDontCare(ad);
    const dataName = `${this.rec.name}_rdata${i}`;
    b.claimName(dataName, loc);
    const data = new Signal('memread', this.rec.width, this.rec.signed, b, loc, dataName);
    data.memory = this.rec;
    b.connect(en, enable ?? 1, loc);
    b.connect(ad, addr, loc);
    this.rec.readPorts.push({ enable: en, addr: ad, data });
    return data;
  }

  private checkAddr(addr: Signal, loc: SourceLoc): void {
    checkOperand(addr, loc);
    if (addr.signed || addr.width !== this.rec.addrWidth) {
      throw new HwError(
        `address of memory '${this.rec.name}' (depth ${this.rec.depth}) must be UInt(${this.rec.addrWidth}), but ${addr.describe()} is ${addr.typeName()}`,
        loc,
      );
    }
  }
}

export function mem(type: BitsType, depth: number, opts: MemoryOptions = {}): Memory {
  const loc = SourceLoc.capture(mem);
  const b = currentBuilder(loc, 'mem()');
  if (!Number.isInteger(depth) || depth < 2) throw new HwError(`memory depth must be an integer of at least 2, got ${depth}`, loc);
  if (type.kind !== 'bits') throw new HwError('memory elements must be UInt or SInt', loc);
  const name = opts.name ?? `mem_${b.memories.length}`;
  checkIdentifier(name, 'memory', loc);
  b.claimName(name, loc);
  if (opts.init && opts.init.length > depth) {
    throw new HwError(`memory '${name}' has depth ${depth} but ${opts.init.length} initial values`, loc);
  }
  const init = opts.init?.map((v) => makeLiteral(v, type.width, type.signed, loc).value);
  const addrWidth = log2Ceil(depth);
  const mk = (suffix: string, width: number): Signal => {
    const s = b.namedLeaf('wire', `${name}_${suffix}`, { kind: 'bits', width, signed: suffix === 'wdata' && type.signed }, loc);
    s.defaultValue = makeLiteral(0, width, s.signed, loc);
    return s;
  };
  const rec: MemoryRec = {
    name,
    depth,
    width: type.width,
    signed: type.signed,
    addrWidth,
    init,
    testbenchAccess: opts.testbenchAccess ?? false,
    writeEnable: mk('we', 1),
    writeAddr: mk('waddr', addrWidth),
    writeData: mk('wdata', type.width),
    readPorts: [],
    loc,
  };
  // The write address and data matter only while writing.
  b.markDontCare(rec.writeAddr);
  b.markDontCare(rec.writeData);
  b.memories.push(rec);
  return new Memory(b, rec);
}
