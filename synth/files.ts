import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes `text` to `file` through a temporary sibling and a rename, so a
 * reader (or an interrupted run) sees either the old file or the new one,
 * never half of one.
 */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
}

/**
 * Runs `fill` on a fresh staging folder beside `dir`, then puts the staging
 * folder in place of `dir`. The swap happens whether `fill` succeeds or
 * fails: a failed tool run leaves its script and log where the reproduce
 * command expects them.
 */
export async function withStagedDir<T>(dir: string, fill: (staging: string) => Promise<T>): Promise<T> {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}-`));
  fs.chmodSync(staging, 0o755);
  try {
    return await fill(staging);
  } finally {
    replaceDir(staging, dir);
  }
}

/** Another run of the same design may put its folder back between our remove and rename: try again. */
function replaceDir(from: string, to: string): void {
  for (let attempt = 1; ; attempt++) {
    fs.rmSync(to, { recursive: true, force: true });
    try {
      fs.renameSync(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw e;
    }
  }
}

/** A path relative to the current folder when it lies inside it, else absolute: for reports and messages. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}
