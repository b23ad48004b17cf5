import { Worker } from 'node:worker_threads';
import knexFactory, { type Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

/**
 * The worker that answers reads: its own read-only better-sqlite3 connection to the same file, one statement at a
 * time. better-sqlite3 is synchronous, so a long aggregate on the main thread would stop every other request of the
 * backend (the catalog's too) until it ends; here only this thread waits.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { readonly: true, fileMustExist: true, timeout: 5000 });
parentPort.on('message', ({ id, sql, bindings }) => {
  try {
    parentPort.postMessage({ id, rows: db.prepare(sql).all(bindings) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

type Pending = {
  resolve: (rows: unknown[]) => void;
  reject: (error: Error) => void;
};

/** A connection as knex's better-sqlite3 client uses one, whose statements run in a worker thread. */
class WorkerConnection {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(filename: string, driver: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { filename, driver },
    });
    this.worker.unref();
    this.worker.on('message', (m: any) => {
      const waiting = this.pending.get(m.id);
      if (!waiting) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.error) {
        waiting.reject(
          Object.assign(new Error(m.error.message), { code: m.error.code }),
        );
      } else {
        waiting.resolve(m.rows);
      }
    });
    this.worker.on('error', error => this.failAll(error as Error));
    this.worker.on('exit', () =>
      this.failAll(new Error('The SQLite read worker stopped')),
    );
  }

  private failAll(error: Error) {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  private call(sql: string, bindings: unknown[]): Promise<unknown[]> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, sql, bindings });
    });
  }

  /** knex's client asks `reader` and calls `all`; this connection only reads. */
  prepare(sql: string) {
    return {
      reader: /^\s*(select|with)\b/i.test(sql),
      safeIntegers() {
        return this;
      },
      all: (bindings: unknown[]) => this.call(sql, bindings),
      run: () => {
        throw new Error(
          `The SQLite read connection does not write: ${sql.slice(0, 80)}`,
        );
      },
    };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * For a backend on an SQLite file, a second knex whose queries run in worker threads (two, each with its own
 * read-only connection; the file is switched to write-ahead logging so they read while the backend writes).
 * Undefined for PostgreSQL and for an in-memory SQLite database, which only its own connection can see: those
 * read through `db` itself.
 */
export async function sqliteReadsOffThread(
  db: Knex,
): Promise<Knex | undefined> {
  const client = db.client as any;
  if (client.driverName !== 'better-sqlite3') return undefined;
  const connection = client.config?.connection;
  const filename: unknown =
    typeof connection === 'string' ? connection : connection?.filename;
  if (
    typeof filename !== 'string' ||
    !filename ||
    filename === ':memory:' ||
    filename.startsWith('file:')
  ) {
    return undefined;
  }
  // the driver the backend's own knex loaded (a dependency of the backend, not of this plugin): without it, read
  // on the main thread as before
  let driver: string;
  try {
    driver = require.resolve('better-sqlite3', {
      paths: [
        resolvePackagePath('@learning-loop/plugin-learning-backend'),
        process.cwd(),
        ...(require.main?.paths ?? []),
      ],
    });
  } catch {
    return undefined;
  }
  await db.raw('pragma journal_mode = wal');
  const BetterSqlite3Client = client.constructor;
  class WorkerClient extends BetterSqlite3Client {
    async acquireRawConnection() {
      return new WorkerConnection(filename as string, driver);
    }

    async destroyRawConnection(worker: WorkerConnection) {
      await worker.close();
    }
  }
  return knexFactory({
    client: WorkerClient as any,
    connection: { filename },
    useNullAsDefault: true,
    pool: { min: 0, max: 2 },
  });
}
