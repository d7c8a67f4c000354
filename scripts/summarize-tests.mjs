// Prints the one line CI records: "N passed, N failed[, N skipped]" over every Vitest suite.
// A run that never produced results (type or lint errors) counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

const [file, status] = process.argv.slice(2);
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A failed suite (one that could not load) has no failed tests of its own; count it once.
const failedSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed')).length;
const failed = r.numFailedTests + failedSuites + (status !== '0' && r.numFailedTests + failedSuites === 0 ? 1 : 0);
// The failures by name just above the last line, so that a log's tail says what failed.
for (const suite of r.testResults ?? []) {
  if (suite.status === 'failed' && suite.assertionResults.every((a) => a.status !== 'failed')) console.log(`FAILED (could not run): ${suite.name}`);
  for (const a of suite.assertionResults) if (a.status === 'failed') console.log(`FAILED: ${suite.name} > ${a.fullName}`);
}
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
