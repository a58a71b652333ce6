import fs from 'node:fs';
import path from 'node:path';
import type { Design } from '../hw/index.ts';
import { privateFolder, replaceFolder, sweepAbandoned } from './folders.ts';
import { emitDesign, type VerilogFile } from './verilog.ts';

export interface WrittenDesign {
  readonly dir: string;
  readonly top: string;
  /** Absolute paths, children before parents. */
  readonly files: readonly string[];
}

/**
 * Writes a design's Verilog into `dir`, replacing what was there only once
 * every file is written: an interrupted run leaves the old files intact, and
 * two runs writing the same folder at once both succeed.
 */
export function writeVerilog(design: Design, dir: string, files: VerilogFile[] = emitDesign(design)): WrittenDesign {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  sweepAbandoned(parent);
  const staging = privateFolder(parent, `.${path.basename(dir)}`);
  try {
    for (const f of files) fs.writeFileSync(path.join(staging, f.fileName), f.text);
    replaceFolder(staging, dir);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return { dir, top: design.top.displayName, files: files.map((f) => path.join(dir, f.fileName)) };
}
