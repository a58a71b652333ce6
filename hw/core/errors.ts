import type { SourceLoc } from './source.ts';

/**
 * An error in a design, raised before any Verilog is written. The message
 * starts with the user's source position so editors and terminals can jump to it.
 */
export class HwError extends Error {
  readonly loc: SourceLoc | undefined;
  readonly detail: string;

  constructor(detail: string, loc?: SourceLoc, related: string[] = []) {
    const head = loc ? `${loc.short}: ${detail}` : detail;
    super([head, ...related.map((r) => `  ${r}`)].join('\n'));
    this.name = 'HwError';
    this.loc = loc;
    this.detail = detail;
  }
}
