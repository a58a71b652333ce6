/** The standard-cell library the area flow needs is not installed. */
export class MissingLibertyError extends Error {
  constructor(readonly libertyPath: string) {
    super(
      `standard-cell library not found: ${libertyPath}\n` +
        `The OSU 0.18 um cells come from the Debian package qflow-tech-osu018: run 'make deps' (or 'sudo apt-get install qflow-tech-osu018').`,
    );
    this.name = 'MissingLibertyError';
  }
}

/** Yosys exited with an error; the message quotes Yosys and says how to rerun it. */
export class YosysError extends Error {
  constructor(
    summary: string,
    /** Yosys's own lines around the failure, from its log. */
    readonly yosysMessage: string,
    readonly logFile: string,
    readonly reproduce: string,
  ) {
    super(`${summary}\n${indent(yosysMessage)}\nlog: ${logFile}\nreproduce: ${reproduce}`);
    this.name = 'YosysError';
  }
}

/**
 * Yosys's `check -assert` found problems (logic loops, multiple drivers,
 * undriven signals) in the generated Verilog: a bug in the design or the
 * generator, not in the flow.
 */
export class DesignCheckError extends YosysError {
  constructor(design: string, yosysMessage: string, logFile: string, reproduce: string) {
    super(`design bug in '${design}': Yosys 'check -assert' found problems in the generated Verilog`, yosysMessage, logFile, reproduce);
    this.name = 'DesignCheckError';
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
