// How `npm test` counts: each step's own verdict, never a guess. A step is trusted only as far as the tool that
// ran it reported; a report that is missing, unreadable or contradicted by the exit code counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

/**
 * Counts a Jest JSON report. A suite that crashed outside any test (a syntax error, a failing `beforeAll`, a
 * database that could not be reached) has no failed test, but Jest marks the suite failed and `success` false:
 * each such suite counts as one failure.
 */
export function jestVerdict(report, exitCode) {
  const failedTests = report.numFailedTests ?? 0;
  const suitesWithoutFailedTest = (report.testResults ?? []).filter(
    suite =>
      suite.status === 'failed' &&
      !(suite.assertionResults ?? []).some(t => t.status === 'failed'),
  ).length;
  let failed =
    failedTests +
    Math.max(suitesWithoutFailedTest, report.numRuntimeErrorTestSuites ?? 0);
  if (
    failed === 0 &&
    (report.success === false ||
      (report.numFailedTestSuites ?? 0) > 0 ||
      exitCode !== 0)
  ) {
    failed = Math.max(1, report.numFailedTestSuites ?? 0);
  }
  const passed = report.numPassedTests ?? 0;
  if (passed + failed === 0) {
    // a run that executed nothing proves nothing
    failed = 1;
  }
  return { passed, failed };
}

/** Counts a step that wrote `{passed, failed}` itself: a non-zero exit with no failure recorded is one. */
export function countsVerdict(report, exitCode) {
  const passed = Number.isInteger(report.passed) ? report.passed : 0;
  let failed = Number.isInteger(report.failed) ? report.failed : 1;
  if (exitCode !== 0 && failed === 0) failed = 1;
  if (passed + failed === 0) failed = 1;
  return { passed, failed };
}

/** Counts node's test runner from its TAP summary lines ("# pass N", "# fail N"). */
export function tapVerdict(output, exitCode) {
  const number = name => {
    const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output);
    return match ? Number(match[1]) : undefined;
  };
  const passed = number('pass') ?? 0;
  let failed = number('fail') ?? 1;
  if ((number('cancelled') ?? 0) > 0) failed += number('cancelled');
  if (exitCode !== 0 && failed === 0) failed = 1;
  if (passed + failed === 0) failed = 1;
  return { passed, failed };
}

/** Reads a step's results file with the matching rule; a missing or broken file is one failure. */
export function readVerdict(kind, file, exitCode, output = '') {
  if (kind === 'exit') {
    return exitCode === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  }
  if (kind === 'tap') return tapVerdict(output, exitCode);
  if (!file || !existsSync(file)) return { passed: 0, failed: 1 };
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { passed: 0, failed: 1 };
  }
  return kind === 'jest'
    ? jestVerdict(report, exitCode)
    : countsVerdict(report, exitCode);
}

/** Which databases the Jest tests ran on, from the test names that `describe.each(databases.eachSupportedId())` makes. */
export function databaseCounts(report) {
  const counts = {};
  for (const suite of report.testResults ?? []) {
    for (const test of suite.assertionResults ?? []) {
      const match = /(SQLITE_3|POSTGRES_\d+)/.exec(test.fullName);
      if (match) {
        const key = `${match[1]} ${test.status}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
    }
  }
  return counts;
}
