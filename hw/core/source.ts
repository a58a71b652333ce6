import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Frames inside the language's own implementation are skipped, so that a
// location always names the line of the design that called into it.
const coreDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * A source position captured when a signal or statement is made. The V8 stack
 * is captured eagerly (cheap) and formatted only when a message or the emitted
 * Verilog needs it (expensive).
 */
export class SourceLoc {
  private readonly holder: { stack?: string };
  private resolved: { file: string; line: number; column: number } | null | undefined;

  private constructor(holder: { stack?: string }) {
    this.holder = holder;
  }

  static capture(): SourceLoc {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    Error.captureStackTrace(holder, SourceLoc.capture);
    Error.stackTraceLimit = limit;
    return new SourceLoc(holder);
  }

  private resolve(): { file: string; line: number; column: number } | null {
    if (this.resolved !== undefined) return this.resolved;
    this.resolved = null;
    for (const frame of (this.holder.stack ?? '').split('\n').slice(1)) {
      const m = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(frame);
      if (!m) continue;
      let file = m[1]!;
      if (file.startsWith('file://')) file = fileURLToPath(file);
      if (file.startsWith('node:') || file.includes('/node_modules/')) continue;
      if (path.dirname(file) === coreDir) continue;
      this.resolved = { file, line: Number(m[2]), column: Number(m[3]) };
      break;
    }
    return this.resolved;
  }

  /** `file:line`, with the file relative to the working directory. */
  get short(): string {
    const r = this.resolve();
    if (!r) return '<unknown>';
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
