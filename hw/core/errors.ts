import { SourceLoc } from './source.ts';

/**
 * An error in a design, raised before any Verilog is written. The message
 * starts with the user's source position so editors and terminals can jump to it.
 */
export class HwError extends Error {
  readonly loc: SourceLoc | undefined;
  readonly detail: string;

  constructor(detail: string, at?: SourceLoc, related: string[] = []) {
    // An operator keeps a shallow location (or none); the error raised at
    // the operator is where the design's line is still on the stack.
    const loc = at?.isOperator && !at.known ? SourceLoc.here() : at;
    const head = loc ? `${loc.exact}: ${detail}` : detail;
    super([head, ...related.map((r) => `  ${r}`)].join('\n'));
    this.name = 'HwError';
    this.loc = loc;
    this.detail = detail;
  }
}

/** At most this many problems of one module are listed; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 50;

/**
 * Several problems found together (by the checks at the end of a module),
 * reported at once so that one run shows them all, each with its own line.
 */
export class HwErrors extends HwError {
  readonly errors: readonly HwError[];

  constructor(errors: readonly HwError[], where: string) {
    const shown = errors.slice(0, MAX_REPORTED_PROBLEMS);
    const more = errors.length - shown.length;
    super(`${errors.length} problems in ${where}:`, undefined, [
      ...shown.flatMap((e) => e.message.split('\n')),
      ...(more > 0 ? [`... and ${more} more`] : []),
    ]);
    this.name = 'HwError';
    this.errors = errors;
  }
}

/** Throws nothing for no problem, the problem itself for one, and all of them together for several. */
export function throwProblems(problems: readonly HwError[], where: string): void {
  if (problems.length === 1) throw problems[0]!;
  if (problems.length > 1) throw new HwErrors(problems, where);
}
