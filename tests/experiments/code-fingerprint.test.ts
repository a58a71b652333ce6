import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { codeFingerprint } from '../../sim/experiments/code-fingerprint.ts';
import { tempDir } from './helpers.ts';

test('the code fingerprint follows the code folders, and nothing else', () => {
  const root = tempDir('code');
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('sim/scnn/cycle-model.ts', 'export const a = 1;\n');
  write('hw/scnn/pe.ts', 'export const b = 2;\n');
  write('docs/pe-array.md', '# notes\n');
  const before = codeFingerprint(root);
  expect(before).toMatch(/^[0-9a-f]{16}$/);

  write('docs/pe-array.md', '# other notes\n');
  write('tests/x.test.ts', 'test');
  expect(codeFingerprint(root), 'docs and tests do not compute figures').toBe(before);

  write('sim/scnn/cycle-model.ts', 'export const a = 2;\n');
  const edited = codeFingerprint(root);
  expect(edited, 'an edit to a model').not.toBe(before);

  // Moving content between files is a change too (paths are hashed with the contents).
  fs.renameSync(path.join(root, 'hw/scnn/pe.ts'), path.join(root, 'hw/scnn/pe2.ts'));
  expect(codeFingerprint(root), 'a renamed file').not.toBe(edited);
  write('tb/scnn/new.ts', '');
  expect(codeFingerprint(root), 'a new, empty file').not.toBe(edited);
});
