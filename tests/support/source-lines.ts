import fs from 'node:fs';
import path from 'node:path';

/**
 * The 1-based line of the marker comment `// @name` in a file, so tests can
 * assert that an error names the user's own line without hard-coding numbers.
 */
export function lineOf(file: string, marker: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`// @${marker}`) && !l.includes('lineOf('));
  if (i < 0) throw new Error(`marker @${marker} not found in ${file}`);
  return i + 1;
}

export function where(file: string, marker: string): string {
  return `${path.relative(process.cwd(), file)}:${lineOf(file, marker)}`;
}
