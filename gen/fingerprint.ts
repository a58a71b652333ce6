import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Design } from '../hw/core/module.ts';
import type { ModuleBuilder } from '../hw/core/builder.ts';
import type { Signal } from '../hw/core/signal.ts';

// The emitter's own source: a change to how Verilog is written changes every fingerprint.
const emitterSource = fs.readFileSync(new URL('./verilog.ts', import.meta.url), 'utf8');

/**
 * A hash of everything the emitted Verilog's meaning depends on (names,
 * types, operators, drivers, state, memories, instances) and of the emitter
 * itself, computed from the elaborated design without writing any Verilog.
 * Source-location comments are left out: moving a line of a design does not
 * change what it simulates.
 */
export function designFingerprint(design: Design): string {
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

function fingerprintModule(m: ModuleBuilder, put: (text: string) => void): void {
  const ids = new Map<Signal, number>();
  const number = (s: Signal): void => {
    if (!ids.has(s)) ids.set(s, ids.size);
  };
  for (const p of m.ports) number(p.signal);
  for (const s of m.nodes) number(s);
  for (const s of m.wires) number(s);
  for (const s of m.regs) number(s);
  for (const mem of m.memories) for (const rp of mem.readPorts) number(rp.data);
  for (const inst of m.instances) for (const s of inst.ports.values()) number(s);
  const ref = (s: Signal | undefined): string => {
    if (s === undefined) return '-';
    if (s.kind === 'lit') return `L${s.width}${s.signed ? 's' : 'u'}${s.value.toString(16)}`;
    const id = ids.get(s);
    if (id === undefined) throw new Error(`internal: ${s.describe()} is used in module '${m.displayName}' but not declared there`);
    return `#${id}`;
  };
  const type = (s: Signal): string => `${s.width}${s.signed ? 's' : 'u'}`;
  put(`module ${m.displayName} ${m.usesClock ? 'c' : ''}${m.usesReset ? 'r' : ''}`);
  for (const p of m.ports) put(`port ${p.name} ${p.dir} ${type(p.signal)} ${ref(p.signal.driver)}`);
  for (const s of m.nodes) {
    const labels = s.caseLabels ? ` [${s.caseLabels.map((l) => l.join(',')).join(';')}]` : '';
    put(`op ${s.name ?? ''} ${s.op} ${type(s)} ${s.synthetic ? 'x' : ''} ${s.args.map(ref).join(',')} ${s.imm.join(',')}${labels}`);
  }
  for (const s of m.wires) put(`wire ${s.name ?? ''} ${type(s)} ${ref(s.driver)}`);
  for (const s of m.regs) put(`reg ${s.name ?? ''} ${type(s)} ${s.init?.toString(16) ?? '-'} ${ref(s.driver)}`);
  for (const mem of m.memories) {
    put(
      `mem ${mem.name} ${mem.depth} ${mem.width}${mem.signed ? 's' : 'u'} ${mem.testbenchAccess ? 't' : ''} ` +
        `${ref(mem.writeEnable)} ${ref(mem.writeAddr)} ${ref(mem.writeData)} ${mem.readPorts.map((rp) => `${ref(rp.enable)}/${ref(rp.addr)}/${ref(rp.data)}`).join(',')}`,
    );
    if (mem.init) put(`init ${mem.init.map((v) => v.toString(16)).join(',')}`);
  }
  for (const inst of m.instances) {
    const ports: string[] = [];
    for (const [port, s] of inst.ports) ports.push(`${port}=${ref(s)}:${ref(s.driver)}`);
    put(`inst ${inst.name} ${inst.module.displayName} ${ports.join(' ')}`);
  }
}
