import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How much source position elaboration records:
 * - 'declarations' (default): a full location for every declaration (ports,
 *   wires, registers, memories, instances, when()s, named values) and a
 *   shallow one for operator nodes, which names the design's line when the
 *   operator is called from it or through a few library calls;
 * - 'all': a full location for operator nodes too (slower, more memory);
 * - 'off': none at all (fastest; errors and Verilog carry no file:line).
 * When an error names a node whose location was not recorded, elaborate()
 * runs again with 'all' to report it.
 */
export type LocationMode = 'declarations' | 'all' | 'off';

/** Stack frames kept for a declaration: enough to climb out of nested library calls. */
const FULL_FRAMES = 40;
/** Stack frames kept for an operator node: the operator's own frames and a few callers. */
const SHALLOW_FRAMES = 10;

let mode: LocationMode = 'declarations';

export function locationMode(): LocationMode {
  return mode;
}

/** Runs `f` with the given location mode (elaborate() does this). */
export function withLocationMode<T>(m: LocationMode, f: () => T): T {
  const saved = mode;
  mode = m;
  try {
    return f();
  } finally {
    mode = saved;
  }
}

// Frames inside the language's own implementation, and inside libraries
// built on it, are skipped, so that a location always names the line of the
// design that called into them.
const coreDir = path.dirname(fileURLToPath(import.meta.url));
const libraryDirs = new Set<string>([coreDir, path.resolve(coreDir, '../lib')]);
const libraryFiles = new Set<string>();

/**
 * Marks a source file as a library of hardware helpers: declarations and
 * operators it makes are attributed to the line of the design that called
 * it, in error messages and in the emitted Verilog. Call it at the top of the
 * library file: `libraryModule(import.meta.url)`.
 */
export function libraryModule(moduleUrl: string): void {
  libraryFiles.add(moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : path.resolve(moduleUrl));
}

function isLibraryFile(file: string): boolean {
  return libraryFiles.has(file) || libraryDirs.has(path.dirname(file));
}

/** What a location that was not recorded prints as; elaborate() looks for it in messages. */
export const UNKNOWN_LOCATION = '<unknown>';

/**
 * A source position captured when a signal or statement is made. The V8 stack
 * is captured eagerly (cheap) and formatted only when a message or the emitted
 * Verilog needs it (expensive).
 */
export class SourceLoc {
  private readonly holder: { stack?: string } | null;
  private resolved: { file: string; line: number; column: number } | null | undefined;

  private constructor(
    holder: { stack?: string } | null,
    /** Made by SourceLoc.operator(): possibly too shallow to reach the design. */
    readonly isOperator = false,
  ) {
    this.holder = holder;
    if (holder === null) this.resolved = null;
  }

  /** No location recorded. */
  static readonly NONE = new SourceLoc(null);

  /** The full location of a declaration (or of an error). */
  static capture(): SourceLoc {
    if (mode === 'off') return SourceLoc.NONE;
    return SourceLoc.captureFrames(FULL_FRAMES, SourceLoc.capture);
  }

  /** The location of an operator node: shallow or none, depending on the location mode. */
  static operator(): SourceLoc {
    if (mode === 'off') return SourceLoc.NONE;
    return SourceLoc.captureFrames(mode === 'all' ? FULL_FRAMES : SHALLOW_FRAMES, SourceLoc.operator, true);
  }

  /** A full location, whatever the mode: where an error is raised. */
  static here(): SourceLoc {
    return SourceLoc.captureFrames(FULL_FRAMES, SourceLoc.here);
  }

  private static captureFrames(frames: number, above: (...args: never[]) => unknown, isOperator = false): SourceLoc {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = frames;
    Error.captureStackTrace(holder, above);
    Error.stackTraceLimit = limit;
    return new SourceLoc(holder, isOperator);
  }

  private resolve(): { file: string; line: number; column: number } | null {
    if (this.resolved !== undefined) return this.resolved;
    this.resolved = null;
    for (const frame of (this.holder?.stack ?? '').split('\n').slice(1)) {
      const m = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(frame);
      if (!m) continue;
      let file = m[1]!;
      if (file.startsWith('file://')) file = fileURLToPath(file);
      if (file.startsWith('node:') || file.includes('/node_modules/')) continue;
      if (isLibraryFile(file)) continue;
      this.resolved = { file, line: Number(m[2]), column: Number(m[3]) };
      break;
    }
    return this.resolved;
  }

  /** Whether the location names a line of the design. */
  get known(): boolean {
    return this.resolve() !== null;
  }

  /** `file:line`, with the file relative to the working directory. */
  get short(): string {
    const r = this.resolve();
    if (!r) return UNKNOWN_LOCATION;
    return `${path.relative(process.cwd(), r.file) || r.file}:${r.line}`;
  }

  get file(): string | undefined {
    return this.resolve()?.file;
  }

  get line(): number | undefined {
    return this.resolve()?.line;
  }

  toString(): string {
    return this.short;
  }
}
