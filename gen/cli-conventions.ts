/**
 * What every command-line tool of the project shares (docs/cli.md):
 *   exit 0  the tool did its job;
 *   exit 1  it ran and the job failed (a testbench failed, a tool or a design
 *           failed, a file could not be written);
 *   exit 2  it was called wrongly (a bad or missing option, an unknown name, a
 *           stray argument): nothing was run.
 * Errors are one `error: ...` line on stderr; numbers are plain decimals only.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the tool was called, found after parsing (an unknown design name, say). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Runs `f`, turning what it throws into a UsageError: for look-ups of names given on the command line. */
export function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A plain decimal from `min` to `max`: no sign, exponent, hex prefix or blanks ('0x1' is not 1). */
export function decimalArg(min: number, max: number, hint = ''): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!DECIMAL.test(text) || !(value >= min && value <= max)) {
      throw new InvalidArgumentError(`expected a decimal number from ${min} to ${max}${hint}.`);
    }
    return value;
  };
}

/** A plain decimal integer from `min` to `max`. */
export function integerArg(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return value;
  };
}

/**
 * Applies the conventions to a program: parser errors exit 2 and suggest
 * --help; a positional argument the tool does not take is named.
 */
export function strictCommand(program: Command): Command {
  return program
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(true)
    .hook('preAction', (_, action) => {
      const declared = action.registeredArguments.length;
      const stray = action.args.slice(declared);
      if (stray.length) {
        action.error(`error: unexpected argument '${stray[0]}'${stray.length > 1 ? ` (and ${stray.length - 1} more)` : ''}; options start with --`, {
          exitCode: EXIT_USAGE,
          code: 'cli.strayArgument',
        });
      }
    });
}

/** Parses and runs a program made with strictCommand, and exits by the convention. */
export async function runCli(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message; help and --version end with exit 0.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof UsageError) console.error('(run with --help for usage)');
    process.exitCode = e instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  }
}

/**
 * Parses the options of a script without an action (a benchmark whose body
 * follows), by the same conventions: a usage mistake prints one message and
 * exits 2, --help exits 0.
 */
export function parseOptions<T>(program: Command, argv: readonly string[] = process.argv): T {
  try {
    program.parse(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
    throw e;
  }
  if (program.args.length) {
    console.error(`error: unexpected argument '${program.args[0]}'; options start with --\n(run with --help for usage)`);
    process.exit(EXIT_USAGE);
  }
  return program.opts<T & object>();
}
