// Runs one command with the test run's own PostgreSQL servers (one per supported major, see postgres.mjs), the way
// `npm test` runs its Jest suites, and removes them afterwards. For a single suite while developing:
//   node scripts/test/with-postgres.mjs yarn backstage-cli package test src/authorization.test.ts
// (run it from the package folder, giving the path of this script).
import { spawn } from 'node:child_process';
import {
  POSTGRES_MAJORS,
  startPostgres,
  testDatabaseVariable,
} from './postgres.mjs';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node scripts/test/with-postgres.mjs COMMAND [ARG...]');
  process.exit(2);
}
const servers = await Promise.all(POSTGRES_MAJORS.map(m => startPostgres(m)));
const env = { ...process.env, BACKSTAGE_TEST_DISABLE_DOCKER: '1' };
for (const s of servers) env[testDatabaseVariable(s.major)] = s.url;
console.error(
  `with-postgres: PostgreSQL ${servers.map(s => s.major).join(' and ')}`,
);
const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
const code = await new Promise(resolve =>
  child.on('close', c => resolve(c ?? 1)),
);
await Promise.all(servers.map(s => s.remove()));
process.exit(code);
