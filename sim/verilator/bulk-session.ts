import fs from 'node:fs';
import readline from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { SimulationError, tail, type VerilatedModel } from './build.ts';
import { cycleLimitError, prepareJob, processFailure, readResult, reproduceLine, type BulkJob, type BulkResult, type PreparedJob } from './bulk.ts';

export interface BulkSessionOptions {
  /** Ends the model's process when aborted; the job under way and every later one fail with "was cancelled". */
  readonly signal?: AbortSignal;
}

/**
 * Bulk jobs one after another in one model process (the harness's serve
 * mode), so a testbench that runs many jobs starts the process once. The
 * harness builds a fresh model for every job, so a job gives exactly what
 * `runBulk` gives for it, whatever ran before. Jobs run one at a time, in the
 * order `run` was called; each works in a folder of its own under the model's
 * `runs/`, checked as `runBulk` checks it.
 *
 * A job that reaches its cycle limit fails alone; anything that ends the
 * process (a harness error, a crash, the job's `timeoutMs`, its `signal` or
 * the session's) fails the job under way and every later one.
 */
export class BulkSession {
  private readonly proc: ResultPromise;
  private readonly replies: ((line: string) => void)[] = [];
  private stderr = '';
  private failure: Error | undefined;
  private onFailure: ((e: Error) => void) | undefined;
  /** The job the model is on, named when the process dies under it. */
  private current: PreparedJob | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closing = false;

  private constructor(readonly model: VerilatedModel, opts: BulkSessionOptions) {
    this.proc = execa(model.binary, ['--serve'], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // A stopped or hung model gets SIGKILL: SIGTERM waits for a stopped process to continue.
      killSignal: 'SIGKILL',
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => this.replies.shift()?.(line));
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr = tail(this.stderr + d.toString(), 40)));
    // Writing to a process that is gone fails the write; the exit below says why.
    this.proc.stdin!.on('error', () => undefined);
    void this.proc.then((r) => {
      if (this.closing && !this.current && r.exitCode === 0) return;
      const output = tail(this.stderr, 20);
      const job = this.current ? `\n${reproduceLine(model, this.current)}` : '';
      const why = r.exitCode === 0 ? 'exited while in use' : processFailure(r);
      this.fail(new SimulationError(`the bulk session of ${model.top} ${why}${output ? `:\n${output}` : ' with no output'}${job}`));
    });
  }

  static open(model: VerilatedModel, opts: BulkSessionOptions = {}): BulkSession {
    return new BulkSession(model, opts);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.onFailure?.(this.failure);
  }

  /**
   * Runs a job once the jobs asked for before it are done. The job's files
   * are written at once, so a caller can prepare the next job while the model
   * runs this one.
   */
  run(job: BulkJob): Promise<BulkResult> {
    let prepared: PreparedJob;
    try {
      if (this.closing) throw new SimulationError(`the bulk session of ${this.model.top} is closed`);
      prepared = prepareJob(this.model, job);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const result = this.queue.then(() => this.runNow(job, prepared));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(job: BulkJob, prepared: PreparedJob): Promise<BulkResult> {
    if (this.failure) {
      // Never sent: nothing in its folder to reproduce.
      fs.rmSync(prepared.dir, { recursive: true, force: true });
      throw this.failure;
    }
    const t = performance.now();
    const reply = await new Promise<string>((resolve, reject) => {
      const stop = (why: string) => {
        this.fail(new SimulationError(`the bulk simulation of ${this.model.top} ${why}\n${reproduceLine(this.model, prepared)}`));
        this.proc.kill('SIGKILL');
      };
      const timer = Number.isFinite(prepared.numbers.timeoutMs) ? setTimeout(() => stop(`did not finish within its wall-clock limit (${prepared.numbers.timeoutMs} ms)`), prepared.numbers.timeoutMs) : undefined;
      const abort = () => stop('was cancelled');
      job.signal?.addEventListener('abort', abort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        job.signal?.removeEventListener('abort', abort);
        this.onFailure = undefined;
        this.current = undefined;
      };
      this.onFailure = (e) => {
        settle();
        reject(e);
      };
      this.replies.push((line) => {
        settle();
        resolve(line);
      });
      this.current = prepared;
      if (job.signal?.aborted) return abort();
      this.proc.stdin!.write(`job ${prepared.jobFile} ${prepared.resultFile}\n`);
    });
    const modelMs = performance.now() - t;
    if (reply === 'done 3') throw cycleLimitError(this.model, prepared);
    if (reply !== 'done 0') {
      this.fail(new SimulationError(`the bulk session of ${this.model.top} answered '${reply}' to a job; ${reproduceLine(this.model, prepared)}`));
      this.proc.kill('SIGKILL');
      throw this.failure!;
    }
    return readResult(this.model, prepared, job.seed, modelMs);
  }

  /** Ends the process at once: the job under way and every later one fail. */
  kill(): void {
    this.closing = true;
    this.fail(new SimulationError(`the bulk session of ${this.model.top} was ended`));
    this.proc.kill('SIGKILL');
  }

  /** Waits for the jobs asked for, then ends the process. */
  async close(): Promise<void> {
    await this.queue;
    if (!this.closing) {
      this.closing = true;
      if (!this.failure) this.proc.stdin!.end('quit\n');
    }
    await this.proc;
  }
}
