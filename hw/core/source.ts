import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How much source position elaboration records:
 * - 'declarations' (default): a location for every declaration (ports,
 *   wires, registers, memories, instances, when()s, named values);
 *   connections and operator nodes record none: an operator takes the
 *   location of the first declaration its value reaches (the wire, port or
 *   register it drives, the when() or named() it feeds);
 * - 'all': a location for every connection and operator node too (slower);
 * - 'off': none at all (fastest; errors and Verilog carry no file:line).
 * When an error names a node whose location was not recorded, elaborate()
 * runs again with 'all' to report it.
 */
export type LocationMode = 'declarations' | 'all' | 'off';

/** Stack frames searched for the design's line of a declaration: enough to climb out of a few nested library calls. */
const DECLARATION_FRAMES = 12;
/** Frames tried first: a call straight from the design is found within them. */
const FIRST_TRY_FRAMES = 4;
/** Frames searched in mode 'all' and for errors: deep library nesting. */
const ALL_FRAMES = 40;

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

function isDesignFile(file: string): boolean {
  return !file.startsWith('node:') && !file.includes('/node_modules/') && !isLibraryFile(file);
}

interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/;

/** The first frame of a formatted stack that belongs to the design. */
function firstDesignFrame(lines: readonly string[]): Position | null {
  for (const frame of lines) {
    const m = FRAME.exec(frame);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (!isDesignFile(file)) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return null;
}

const relativeNames = new Map<string, string>();

/** The file relative to the working directory (memoised: every location of a design names a few files). */
function relativeName(file: string): string {
  const cwd = process.cwd();
  const key = `${cwd}\0${file}`;
  let r = relativeNames.get(key);
  if (r === undefined) {
    r = path.relative(cwd, file) || file;
    relativeNames.set(key, r);
  }
  return r;
}

/** What a location that was not recorded prints as; elaborate() looks for it in messages. */
export const UNKNOWN_LOCATION = '<unknown>';

type CallSite = NodeJS.CallSite;

/** What a stack capture enters a location from: the language function the design called. */
type Entry = (...args: never[]) => unknown;

const grabCallSites = (_e: Error, callSites: CallSite[]): CallSite[] => callSites;

/**
 * The one object every capture writes its stack into: capturing into a fresh
 * object makes V8 install a `stack` accessor on it each time, which costs as
 * much as capturing the frame itself.
 */
const scratch = new Error();

/**
 * Every location captured in this process, one per call site of the design
 * (a loop making a million wires shares one): file, then line and column as
 * one number, so that a capture builds no key string.
 */
const declarationSites = new Map<string, Map<number, SourceLoc>>();
const operatorSites = new Map<string, Map<number, SourceLoc>>();
const designFiles = new Map<string, boolean>();

function isDesignFileCached(raw: string): boolean {
  let yes = designFiles.get(raw);
  if (yes === undefined) {
    yes = isDesignFile(raw.startsWith('file://') ? fileURLToPath(raw) : raw);
    designFiles.set(raw, yes);
  }
  return yes;
}

/** Line and column as one key; columns stay below 2^20 in any source a person writes. */
const COLUMN_SPAN = 1 << 20;

/**
 * A source position: the line of the design that made a signal or a
 * statement. Captured as the first stack frame outside the language and its
 * libraries, shared by every capture at that call site, and formatted (through
 * the process's source maps) only when a message or the Verilog needs it.
 */
export class SourceLoc {
  private resolved: Position | null | undefined;

  private borrowedCopy: SourceLoc | undefined;
  /** `short`, memoised for the working directory it is relative to. */
  private shortText: string | undefined;
  private shortCwd: string | undefined;

  private constructor(
    private readonly site: CallSite | null,
    /** Made by SourceLoc.operator() in mode 'all'. */
    readonly isOperator = false,
    /** Lent by a declaration to the operators feeding it: near the operator's line, not it. */
    readonly borrowed = false,
  ) {
    if (site === null) this.resolved = null;
  }

  /** This location lent to an operator node (the same line in the Verilog; not precise enough for messages). */
  lent(): SourceLoc {
    if (this.site === null) return this;
    this.borrowedCopy ??= new SourceLoc(this.site, false, true);
    return this.borrowedCopy;
  }

  /**
   * `file:line` for messages: a borrowed location is not the operator's own
   * line, so it prints as unknown, which makes elaborate() run again with
   * every location recorded.
   */
  get exact(): string {
    return this.borrowed ? UNKNOWN_LOCATION : this.short;
  }

  /** No location recorded. */
  static readonly NONE = new SourceLoc(null);

  /** An operator node not yet placed: it takes the location of the first statement using it. */
  static readonly UNPLACED = new SourceLoc(null, true);

  /**
   * The location of a declaration or statement. `entry` is the language
   * function the design called (`reg`, `when`, `Input`...): the capture starts
   * at its caller, so a call straight from the design costs one frame; one
   * through a library searches further.
   */
  static capture(entry?: Entry): SourceLoc {
    if (mode === 'off') return SourceLoc.NONE;
    return SourceLoc.captureFrames(mode === 'all' ? ALL_FRAMES : DECLARATION_FRAMES, entry ?? SourceLoc.capture, entry !== undefined);
  }

  /** The location of an operator node: its own in mode 'all', else none until a statement uses it. */
  static operator(): SourceLoc {
    if (mode === 'all') return SourceLoc.captureFrames(ALL_FRAMES, SourceLoc.operator, false, true);
    return mode === 'off' ? SourceLoc.NONE : SourceLoc.UNPLACED;
  }

  /**
   * The location of a connection (`set()`, `connectAll()`): recorded only in
   * mode 'all'. Otherwise an error raised at the connection captures its own
   * site, and one naming an earlier connection re-runs with 'all'.
   */
  static connection(): SourceLoc {
    if (mode === 'all') return SourceLoc.captureFrames(ALL_FRAMES, SourceLoc.connection, false);
    return mode === 'off' ? SourceLoc.NONE : SourceLoc.UNPLACED;
  }

  /** A full location, whatever the mode: where an error is raised. */
  static here(): SourceLoc {
    return SourceLoc.captureFrames(ALL_FRAMES, SourceLoc.here, false);
  }

  private static captureFrames(frames: number, above: Entry, fromEntry: boolean, isOperator = false): SourceLoc {
    // Most calls come straight from the design: a few frames find it (one when
    // the capture starts at the design's caller), and capturing fewer frames costs less.
    const first = fromEntry ? 1 : FIRST_TRY_FRAMES;
    return SourceLoc.tryCapture(Math.min(first, frames), above, isOperator) ?? SourceLoc.tryCapture(frames, above, isOperator) ?? (isOperator ? SourceLoc.UNPLACED : SourceLoc.NONE);
  }

  /** The location at the first design frame among the `frames` innermost, or undefined (then an error naming it re-runs with 'all'). */
  private static tryCapture(frames: number, above: Entry, isOperator: boolean): SourceLoc | undefined {
    const limit = Error.stackTraceLimit;
    const format = Error.prepareStackTrace;
    Error.stackTraceLimit = frames;
    Error.prepareStackTrace = grabCallSites;
    let sites: CallSite[];
    try {
      Error.captureStackTrace(scratch, above);
      sites = scratch.stack as unknown as CallSite[];
    } finally {
      Error.stackTraceLimit = limit;
      Error.prepareStackTrace = format;
    }
    for (const site of sites) {
      const file = site.getFileName();
      if (!file || !isDesignFileCached(file)) continue;
      const byFile = isOperator ? operatorSites : declarationSites;
      let inFile = byFile.get(file);
      if (!inFile) byFile.set(file, (inFile = new Map()));
      const key = (site.getLineNumber() ?? 0) * COLUMN_SPAN + (site.getColumnNumber() ?? 0);
      let loc = inFile.get(key);
      if (!loc) {
        loc = new SourceLoc(site, isOperator);
        inFile.set(key, loc);
      }
      return loc;
    }
    return undefined;
  }

  /** Formats the one frame through whatever maps stack positions to sources in this process (tsx's or vitest's source maps). */
  private resolve(): Position | null {
    if (this.resolved !== undefined) return this.resolved;
    this.resolved = null;
    const site = this.site!;
    const raw = site.getFileName()!;
    const file = raw.startsWith('file://') ? fileURLToPath(raw) : raw;
    const format = Error.prepareStackTrace;
    const text = format ? String(format(new Error(''), [site])) : `    at ${file}:${site.getLineNumber()}:${site.getColumnNumber()}`;
    this.resolved = firstDesignFrame(text.split('\n').slice(1)) ?? { file, line: site.getLineNumber() ?? 0, column: site.getColumnNumber() ?? 0 };
    return this.resolved;
  }

  /** Whether the location names a line of the design. */
  get known(): boolean {
    return this.resolve() !== null;
  }

  /** `file:line`, with the file relative to the working directory. */
  get short(): string {
    const cwd = process.cwd();
    if (this.shortText !== undefined && this.shortCwd === cwd) return this.shortText;
    const r = this.resolve();
    this.shortText = r ? `${relativeName(r.file)}:${r.line}` : UNKNOWN_LOCATION;
    this.shortCwd = cwd;
    return this.shortText;
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
