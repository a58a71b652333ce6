// Prints the closing line CI reads ('N passed, N failed') from vitest's JSON report.
import fs from 'node:fs';
const file = process.argv[2];
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.success && r.numTotalTests > 0 ? 0 : 1);
