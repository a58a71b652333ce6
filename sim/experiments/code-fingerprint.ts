/**
 * A digest of the source that computes an experiment's figures (the language,
 * the designs, the models, the flows, the testbenches, the tool lookup). A finished work unit
 * carries it, so a unit computed by other code is never resumed or merged as
 * if it were current: a fix to the array or its model makes every stored unit
 * stale, whatever the settings say.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folders whose files decide a unit's result; docs, tests and scripts do not. */
export const CODE_FOLDERS = ['hw', 'sim', 'gen', 'synth', 'tb', 'toolchain'] as const;

function filesUnder(root: string, folder: string): string[] {
  const dir = path.join(root, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** sha-256 (16 hex digits) over the sorted paths and contents of the code folders under root. */
export function codeFingerprint(root: string = ROOT): string {
  const hash = createHash('sha256');
  const files = CODE_FOLDERS.flatMap((f) => filesUnder(root, f)).sort();
  for (const file of files) {
    const content = fs.readFileSync(path.join(root, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex').slice(0, 16);
}

let current: string | undefined;

/** This checkout's fingerprint, computed once per process (a run does not follow edits made while it runs). */
export function currentCodeFingerprint(): string {
  return (current ??= codeFingerprint());
}
