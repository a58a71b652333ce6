import fs from 'node:fs';
import path from 'node:path';

/**
 * An emptied folder build/tests/synth/<name> for one test's outputs. Fixed
 * names keep the last run's files for a look after a failure without
 * piling up folders; each test uses its own name.
 */
export function scratchDir(name: string): string {
  const dir = path.resolve('build', 'tests', 'synth', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
