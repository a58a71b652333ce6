import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IrDesign, IrModule, IrNode } from '../hw/core/ir.ts';

// The emitter's own source: a change to how Verilog is written changes every fingerprint.
const emitterSource = fs.readFileSync(new URL('./verilog.ts', import.meta.url), 'utf8');

/**
 * A hash of everything the emitted Verilog's meaning depends on (names,
 * types, operators, drivers, state, memories, instances) and of the emitter
 * itself, computed from the elaborated design without writing any Verilog.
 * Source-location comments are left out: moving a line of a design does not
 * change what it simulates.
 */
export function designFingerprint(design: IrDesign): string {
  const hash = createHash('sha256');
  hash.update(emitterSource);
  let chunk: string[] = [];
  let size = 0;
  const put = (text: string): void => {
    chunk.push(text);
    size += text.length;
    if (size > 1 << 16) {
      hash.update(chunk.join('\n'));
      chunk = [];
      size = 0;
    }
  };
  for (const m of design.modules) fingerprintModule(m, put);
  hash.update(chunk.join('\n'));
  return hash.digest('hex');
}

function fingerprintModule(m: IrModule, put: (text: string) => void): void {
  put(`module ${m.displayName} ${m.usesClock ? 'c' : ''}${m.usesReset ? 'r' : ''}`);
  for (const p of m.ports) put(`port ${p.name} ${p.dir} ${p.node}`);
  for (const n of m.nodes) put(`${n.name ?? ''} ${n.width}${n.signed ? 's' : 'u'} ${nodeText(n)}`);
  for (const mem of m.memories) {
    put(
      `mem ${mem.name} ${mem.depth} ${mem.width}${mem.signed ? 's' : 'u'} ${mem.testbenchAccess ? 't' : ''} ` +
        `${mem.writeEnable} ${mem.writeAddr} ${mem.writeData} ${mem.readPorts.map((rp) => `${rp.enable}/${rp.addr}/${rp.data}`).join(',')}`,
    );
    if (mem.init) put(`init ${mem.init.map((v) => v.toString(16)).join(',')}`);
  }
  for (const inst of m.instances) {
    const ports: string[] = [];
    for (const [port, id] of inst.ports) ports.push(`${port}=${id}`);
    put(`inst ${inst.name} ${inst.module.displayName} ${ports.join(' ')}`);
  }
}

function nodeText(n: IrNode): string {
  switch (n.kind) {
    case 'lit':
      return `lit ${n.value.toString(16)}`;
    case 'op':
      return `${n.op}${n.synthetic ? '!' : ''} ${n.args.join(',')} ${n.imm.join(',')}`;
    case 'case':
      return `case ${n.select} ${n.fallback} ${n.values.join(',')} [${n.labels.map((l) => l.join(',')).join(';')}]`;
    case 'input':
      return 'input';
    case 'output':
    case 'wire':
      return `${n.kind} ${n.driver}`;
    case 'reg':
      return `reg ${n.next} ${n.init?.toString(16) ?? '-'}`;
    case 'memread':
      return `memread ${n.memory}`;
    case 'instIn':
      return `instIn ${n.instance} ${n.port} ${n.driver}`;
    case 'instOut':
      return `instOut ${n.instance} ${n.port}`;
  }
}
