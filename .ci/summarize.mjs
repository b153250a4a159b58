// Prints the line CI reads, from vitest's JSON report: `Tests: N passed, N failed`.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that failed to load has no tests in it but is a failure all the same.
  const brokenSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0);
  failed += brokenSuites.length;
} catch (error) {
  console.error(`no readable vitest report at ${file}: ${error.message}`);
  failed = 1;
}
console.log(`Tests: ${passed} passed, ${failed} failed`);
