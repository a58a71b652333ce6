import { defineConfig } from 'vitest/config';

// Verilator builds dominate test time; they are cached under build/, and the
// two cores of the CI machine are shared between test files.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
