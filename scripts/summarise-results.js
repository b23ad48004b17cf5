// Prints the closing line "N passed, N failed" from the results of every step of `npm test`: Jest's JSON report
// (jest.json) and the one-line {passed, failed} files of the other steps. A step that left no report counts as
// one failure.
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
let passed = 0;
let failed = 0;
for (const step of [
  'tsc',
  'lint',
  'jest',
  'reliability',
  'replicas',
  'benchmark',
  'packs',
  'e2e',
]) {
  const file = path.join(dir, `${step}.json`);
  if (!fs.existsSync(file)) {
    console.log(`${step}: no results`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const isJest = 'numPassedTests' in report;
  const p = isJest ? report.numPassedTests : report.passed;
  let f = isJest ? report.numFailedTests : report.failed;
  if (isJest && report.numRuntimeErrorTestSuites > 0) {
    f += report.numRuntimeErrorTestSuites;
  }
  console.log(`${step}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}
const line = `${passed} passed, ${failed} failed`;
fs.writeFileSync(path.join(dir, 'summary.txt'), `${line}\n`);
console.log(line);
process.exit(failed > 0 ? 1 : 0);
