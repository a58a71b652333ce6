// The system tools the flows run (Verilator, Yosys, Icarus) and the standard-cell library: shared by sim/, synth/ and bench/.
import fs from 'node:fs';
import path from 'node:path';

/** The system tools the flows call, with the Debian package that provides each. */
export const TOOLS = {
  verilator: 'verilator',
  yosys: 'yosys',
  iverilog: 'iverilog',
  vvp: 'iverilog',
} as const;

export type ToolName = keyof typeof TOOLS;

export const OSU018_LIBERTY = '/usr/share/qflow/tech/osu018/osu018_stdcells.lib';

export class MissingToolError extends Error {
  constructor(what: string, pkg: string) {
    super(`${what} was not found. Install it with 'make deps' (runs: apt-get install ${pkg}), or 'sudo apt-get install ${pkg}'.`);
    this.name = 'MissingToolError';
  }
}

const found = new Map<ToolName, Promise<string>>();

/** Resolves the tool's path, or fails with a message saying what to install. */
export function requireTool(tool: ToolName): Promise<string> {
  let p = found.get(tool);
  if (!p) {
    const file = findOnPath(tool);
    p = file ? Promise.resolve(file) : Promise.reject(new MissingToolError(`'${tool}'`, TOOLS[tool]));
    // A rejection nobody awaits yet must not end the process.
    p.catch(() => undefined);
    found.set(tool, p);
  }
  return p;
}

/**
 * The first executable file of that name on PATH, as `which` finds it,
 * without starting a process (every testbench start looks up Verilator).
 */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
