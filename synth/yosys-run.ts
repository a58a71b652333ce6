import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { requireTool } from '../toolchain/tools.ts';
import { DesignCheckError, YosysError } from './errors.ts';
import { displayPath, withStagedDir } from './files.ts';

export interface YosysJob<T> {
  /** Design name, for messages. */
  readonly design: string;
  /** Folder that ends up holding rtl/, the script, the log and Yosys's outputs. */
  readonly workDir: string;
  readonly scriptName: string;
  /** Verilog inputs; copied into workDir/rtl/ so the folder reproduces the run on its own. */
  readonly verilogFiles: readonly string[];
  /** The script, given the inputs' paths relative to the work folder. */
  readonly script: (rtlFiles: readonly string[]) => string;
  /** Reads Yosys's outputs from the (staging) work folder. */
  readonly collect: (dir: string) => T;
}

export interface YosysResult<T> {
  readonly output: T;
  readonly logFile: string;
  readonly scriptFile: string;
  /** Yosys's own warnings (lines starting "Warning:"), without duplicates. */
  readonly warnings: string[];
  readonly wallTimeS: number;
}

export const LOG_NAME = 'yosys.log';

/**
 * Runs a Yosys script in a staged copy of `workDir` and swaps it in place
 * afterwards, also after a failure, so that the log is where the reproduce
 * command in the error points.
 */
export async function runYosys<T>(job: YosysJob<T>): Promise<YosysResult<T>> {
  const yosys = await requireTool('yosys');
  const logFile = displayPath(path.join(job.workDir, LOG_NAME));
  const scriptFile = displayPath(path.join(job.workDir, job.scriptName));
  const reproduce = `cd ${shellQuote(displayPath(job.workDir))} && yosys -l ${LOG_NAME} -s ${job.scriptName}`;
  return withStagedDir(job.workDir, async (staging) => {
    const rtlFiles = copyInputs(job.verilogFiles, path.join(staging, 'rtl'));
    fs.writeFileSync(path.join(staging, job.scriptName), job.script(rtlFiles));
    const t0 = performance.now();
    const run = await execa(yosys, ['-q', '-l', LOG_NAME, '-s', job.scriptName], { cwd: staging, reject: false, all: true });
    const wallTimeS = (performance.now() - t0) / 1000;
    const logPath = path.join(staging, LOG_NAME);
    const log = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '';
    if (run.exitCode !== 0 || run.failed) {
      const message = failureExcerpt(log, run.all ?? '', run.exitCode, run.signal);
      if (/problems in 'check -assert'/.test(message)) throw new DesignCheckError(job.design, message, logFile, reproduce);
      throw new YosysError(`yosys failed on design '${job.design}'`, message, logFile, reproduce);
    }
    return { output: job.collect(staging), logFile, scriptFile, warnings: yosysWarnings(log), wallTimeS };
  });
}

let version: Promise<string> | undefined;

/** "Yosys 0.23 (git sha1 ...)". */
export function yosysVersion(): Promise<string> {
  version ??= requireTool('yosys').then(async (yosys) => (await execa(yosys, ['-V'])).stdout.trim());
  return version;
}

function copyInputs(files: readonly string[], rtlDir: string): string[] {
  fs.mkdirSync(rtlDir, { recursive: true });
  const seen = new Set<string>();
  return files.map((f) => {
    const base = path.basename(f);
    if (seen.has(base)) throw new Error(`two Verilog inputs are both named ${base}`);
    seen.add(base);
    fs.copyFileSync(f, path.join(rtlDir, base));
    return `rtl/${base}`;
  });
}

/** Yosys's lines about the failure: the failing pass's output up to its ERROR. */
function failureExcerpt(log: string, consoleOutput: string, exitCode: number | undefined, signal: string | undefined): string {
  const lines = log.split('\n');
  let errorAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.includes('ERROR:')) {
      errorAt = i;
      break;
    }
  }
  if (errorAt < 0) {
    const tail = (consoleOutput.trim() || lines.slice(-20).join('\n')).trim();
    return `${tail}\n(yosys ${signal ? `killed by ${signal}` : `exited with code ${exitCode}`})`.trim();
  }
  let start = errorAt;
  while (start > 0 && errorAt - start < 40 && !/^\d+(\.\d+)*\. Executing /.test(lines[start]!)) start--;
  return lines
    .slice(start, errorAt + 1)
    .filter((l) => l.trim() !== '')
    .join('\n');
}

function yosysWarnings(log: string): string[] {
  const found = new Set<string>();
  for (const line of log.split('\n')) if (line.startsWith('Warning: ')) found.add(line.slice('Warning: '.length).trim());
  return [...found];
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
