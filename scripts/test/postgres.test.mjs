// The PostgreSQL servers of the test run are its own: a real server of the asked major on a fresh port, which
// survives its own restart with its data, and leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { POSTGRES_MAJORS, startPostgres } from './postgres.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const { Client } = createRequire(
  path.join(root, 'plugins/learning-backend/package.json'),
)('pg');

async function query(url, sql) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

test('each supported major starts on its own port, keeps its data across a restart and is removed', async () => {
  assert.deepEqual(
    POSTGRES_MAJORS.map(m => m.major),
    [15, 18],
  );
  for (const major of POSTGRES_MAJORS) {
    const server = await startPostgres(major);
    try {
      assert.notEqual(server.port, 5432);
      const [{ server_version_num: version }] = await query(
        server.url,
        'show server_version_num',
      );
      assert.equal(Math.floor(Number(version) / 10000), major.major);
      await query(
        server.url,
        'create table kept (n int); insert into kept values (42)',
      );
      await server.stop();
      await assert.rejects(query(server.url, 'select 1'));
      await server.start();
      assert.deepEqual(await query(server.url, 'select n from kept'), [
        { n: 42 },
      ]);
    } finally {
      await server.remove();
    }
    await assert.rejects(query(server.url, 'select 1'));
    assert.equal(existsSync(path.dirname(server.dataDir)), false);
  }
});
