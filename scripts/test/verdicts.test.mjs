// The closing line of `npm test` cannot lie: each step is counted from its tool's own verdict.
// Run by `npm test` (step "scripts") with node's test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  countsVerdict,
  databaseCounts,
  jestVerdict,
  readVerdict,
  tapVerdict,
} from './verdicts.mjs';

const suite = (status, tests) => ({
  status,
  assertionResults: tests.map(([fullName, s]) => ({ fullName, status: s })),
});

test('a Jest suite that crashed outside any test is a failure', () => {
  // what Jest reports when a suite throws at import time or in beforeAll: no failed test, but a failed suite
  const report = {
    success: false,
    numPassedTests: 10,
    numFailedTests: 0,
    numFailedTestSuites: 1,
    numRuntimeErrorTestSuites: 1,
    testResults: [suite('passed', [['a', 'passed']]), suite('failed', [])],
  };
  assert.deepEqual(jestVerdict(report, 1), { passed: 10, failed: 1 });
});

test('failed tests are counted one by one, and a crashed suite adds to them', () => {
  const report = {
    success: false,
    numPassedTests: 5,
    numFailedTests: 2,
    numFailedTestSuites: 2,
    numRuntimeErrorTestSuites: 1,
    testResults: [
      suite('failed', [
        ['x', 'failed'],
        ['y', 'failed'],
      ]),
      suite('failed', []),
    ],
  };
  assert.deepEqual(jestVerdict(report, 1), { passed: 5, failed: 3 });
});

test('Jest saying it did not succeed is a failure even when every counted test passed', () => {
  const report = {
    success: false,
    numPassedTests: 3,
    numFailedTests: 0,
    numFailedTestSuites: 0,
    numRuntimeErrorTestSuites: 0,
    testResults: [],
  };
  assert.deepEqual(jestVerdict(report, 1), { passed: 3, failed: 1 });
});

test('a green Jest run counts its passed tests', () => {
  const report = {
    success: true,
    numPassedTests: 7,
    numFailedTests: 0,
    numFailedTestSuites: 0,
    numRuntimeErrorTestSuites: 0,
    testResults: [suite('passed', [['a', 'passed']])],
  };
  assert.deepEqual(jestVerdict(report, 0), { passed: 7, failed: 0 });
});

test('a run that executed nothing is a failure', () => {
  assert.deepEqual(
    jestVerdict({ success: true, numPassedTests: 0, numFailedTests: 0 }, 0),
    { passed: 0, failed: 1 },
  );
  assert.deepEqual(countsVerdict({ passed: 0, failed: 0 }, 0), {
    passed: 0,
    failed: 1,
  });
});

test('a script that exits non-zero without recording a failure has failed once', () => {
  assert.deepEqual(countsVerdict({ passed: 4, failed: 0 }, 1), {
    passed: 4,
    failed: 1,
  });
  assert.deepEqual(countsVerdict({ passed: 4, failed: 2 }, 1), {
    passed: 4,
    failed: 2,
  });
});

test('a missing or unreadable report is a failure', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'verdicts-'));
  assert.deepEqual(readVerdict('jest', path.join(dir, 'none.json'), 0), {
    passed: 0,
    failed: 1,
  });
  writeFileSync(path.join(dir, 'broken.json'), '{"numPassedTests": 3');
  assert.deepEqual(readVerdict('counts', path.join(dir, 'broken.json'), 0), {
    passed: 0,
    failed: 1,
  });
  assert.deepEqual(readVerdict('exit', undefined, 2), { passed: 0, failed: 1 });
  assert.deepEqual(readVerdict('exit', undefined, 0), { passed: 1, failed: 0 });
});

test("node's test runner is counted from its TAP summary", () => {
  assert.deepEqual(tapVerdict('# tests 3\n# pass 2\n# fail 1\n', 1), {
    passed: 2,
    failed: 1,
  });
  assert.deepEqual(tapVerdict('# pass 5\n# fail 0\n# cancelled 1\n', 1), {
    passed: 5,
    failed: 1,
  });
  assert.deepEqual(tapVerdict('no summary at all', 1), {
    passed: 0,
    failed: 1,
  });
});

test('database counts read the database of each test from its name', () => {
  const report = {
    testResults: [
      suite('passed', [
        ['store on "SQLITE_3" lists', 'passed'],
        ['store on "POSTGRES_15" lists', 'passed'],
        ['store on "POSTGRES_18" lists', 'failed'],
        ['no database here', 'passed'],
      ]),
    ],
  };
  assert.deepEqual(databaseCounts(report), {
    'SQLITE_3 passed': 1,
    'POSTGRES_15 passed': 1,
    'POSTGRES_18 failed': 1,
  });
});
