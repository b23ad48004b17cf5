// Shows which databases the store tests ran on, so CI's log proves PostgreSQL was exercised and not skipped.
const fs = require('fs');

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const counts = {};
for (const suite of report.testResults) {
  for (const test of suite.assertionResults) {
    const match = /"(SQLITE_3|POSTGRES_\d+)"/.exec(test.fullName);
    if (match) {
      const key = `${match[1]} ${test.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
}
for (const [key, n] of Object.entries(counts).sort()) {
  console.log(`database tests: ${key}: ${n}`);
}
