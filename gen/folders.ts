import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A new folder named `<prefix>-<pid>-<random>` in `parent`: unique to this
 * process and call, and created with the usual permissions (mkdtemp's are 0700).
 */
export function privateFolder(parent: string, prefix: string): string {
  const dir = path.join(parent, `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir);
  return dir;
}

/** Moves a folder out of the way, then deletes it; another process may be doing the same at once. */
export function discardFolder(dir: string): void {
  const trash = `${path.join(path.dirname(dir), '.trash')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(dir, trash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  fs.rmSync(trash, { recursive: true, force: true });
}

function isOccupied(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

/**
 * Renames a finished `staging` folder to `dir`, replacing whatever is there.
 * Another process may be replacing `dir` at the same time: whoever renames
 * last wins, and neither fails.
 */
export function replaceFolder(staging: string, dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(staging, dir);
      return;
    } catch (e) {
      if (!isOccupied(e) || attempt >= 100) throw e;
    }
    discardFolder(dir);
  }
}

/**
 * Renames a finished `staging` folder to `dir` unless `dir` already holds a
 * good one (`isGood`), which is then kept and `staging` deleted. Returns
 * whether `staging` was placed.
 */
export function placeFolderUnlessGood(staging: string, dir: string, isGood: (dir: string) => boolean): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(staging, dir);
      return true;
    } catch (e) {
      if (!isOccupied(e) || attempt >= 100) throw e;
    }
    if (isGood(dir)) {
      fs.rmSync(staging, { recursive: true, force: true });
      return false;
    }
    discardFolder(dir);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the private folders (staging, trash) in `parent` that belong to
 * processes that no longer run: ones killed with SIGKILL, or by a power loss.
 */
export function sweepAbandoned(parent: string): void {
  for (const name of fs.readdirSync(parent)) {
    const m = /^\..*-(\d+)-[0-9a-f]{8}$/.exec(name);
    if (m && !pidAlive(Number(m[1]))) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}
