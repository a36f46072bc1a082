import { Worker } from 'node:worker_threads';
import {
  CompiledQuery, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type QueryResult,
} from 'kysely';
import { sqliteFileOf } from './bulk.ts';
import { SQLITE_CONNECTION_PRAGMAS } from './connection.ts';
import type { DB } from './schema.ts';

type Reply = { id: number; result?: { rows: unknown[]; changes?: number; lastInsertRowid?: number } | null; error?: { message: string; code?: string } };

/** An error of the worker's connection, with better-sqlite3's code (SQLITE_CONSTRAINT_…), as the app's driver gives it. */
class SqliteWorkerError extends Error {
  constructor(message: string, readonly code?: string) { super(message); }
}

/** The app databases (their Kysely instances) whose SQLite file a worker writer holds open for a long write. */
const HOLDING = new WeakMap<object, number>();

/**
 * Whether a worker writer (an import) holds this SQLite database's write lock: a write on the app's own connection would
 * wait for the busy timeout (5 s, blocking the event loop, better-sqlite3 being synchronous) and then fail, so
 * optional writes (a session's last-seen time) are skipped meanwhile.
 */
export function sqliteWriterHolds(db: object): boolean {
  return (HOLDING.get(db) ?? 0) > 0;
}

/**
 * A connection to an SQLite file in a worker thread (sqlite-writer-worker.mjs), for a long write: an import. Its
 * statements run on the worker's core while this thread reads and checks the next rows (better-sqlite3 is synchronous:
 * on this thread every insert would wait for the reading, and the reading for every insert). `db` is a Kysely over it
 * whose transactions begin IMMEDIATE (the write lock from the start, so that ids read from max(id) stay free);
 * `insert` queues rows for the cached prepared statements, answered in order. The app's own connection stays free:
 * reads go on meanwhile (WAL); the app's writes wait for it (busy_timeout).
 */
export class SqliteWorkerWriter {
  readonly db: Kysely<DB>;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: Reply['result']) => void; reject: (e: Error) => void }>();
  private next = 1;
  private gone: Error | null = null;

  constructor(file: string, private readonly owner?: object) {
    if (owner) HOLDING.set(owner, (HOLDING.get(owner) ?? 0) + 1);
    this.worker = new Worker(new URL('./sqlite-writer-worker.mjs', import.meta.url), {
      workerData: { file, pragmas: [...SQLITE_CONNECTION_PRAGMAS, 'cache_size = -131072'] },
    });
    this.worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new SqliteWorkerError(m.error.message, m.error.code));
      else w?.resolve(m.result);
    });
    const fail = (e: Error) => {
      if (!this.gone && this.owner) HOLDING.set(this.owner, (HOLDING.get(this.owner) ?? 1) - 1);
      this.gone ??= e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('写入线程已结束')));
    const ask = (m: Record<string, unknown>) => this.ask(m);
    this.db = new Kysely<DB>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new WorkerDriver(ask),
        createQueryCompiler: () => new SqliteQueryCompiler(),
        createIntrospector: (db) => new SqliteIntrospector(db),
      } satisfies Dialect,
    });
  }

  private ask(m: Record<string, unknown>): Promise<Reply['result']> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...m, id });
    });
  }

  /** Rows into a table, in the worker's transaction; settles once they are in (or refused: the error of the first). */
  async insert(table: string, columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    await this.ask({ op: 'insert', table, columns, rows: rows.map((r) => columns.map((c) => r[c] ?? null)) });
  }

  async close(): Promise<void> {
    if (this.gone) return;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage({ op: 'close' });
    await exited;
  }
}

/** Kysely's driver for the worker's one connection (as Kysely's own SQLite driver: one connection, taken in turn). */
class WorkerDriver implements Driver {
  private lock: Promise<void> = Promise.resolve();
  private release: (() => void) | null = null;
  private readonly connection: DatabaseConnection;

  constructor(ask: (m: Record<string, unknown>) => Promise<Reply['result']>) {
    this.connection = {
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        const r = await ask({ op: 'query', sql: q.sql, params: q.parameters });
        if (r?.changes === undefined) return { rows: (r?.rows ?? []) as R[] };
        return { rows: [], numAffectedRows: BigInt(r.changes), ...(r.lastInsertRowid === undefined ? {} : { insertId: BigInt(r.lastInsertRowid) }) };
      },
      streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> { throw new Error('the writer does not stream'); },
    };
  }

  async init(): Promise<void> { /* the worker opened the connection */ }

  async acquireConnection(): Promise<DatabaseConnection> {
    const before = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((resolve) => { release = resolve; });
    await before;
    this.release = release;
    return this.connection;
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> { await c.executeQuery(CompiledQuery.raw('begin immediate')); }
  async commitTransaction(c: DatabaseConnection): Promise<void> { await c.executeQuery(CompiledQuery.raw('commit')); }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> { await c.executeQuery(CompiledQuery.raw('rollback')); }
  releaseConnection(): Promise<void> {
    const r = this.release;
    this.release = null;
    r?.();
    return Promise.resolve();
  }
  async destroy(): Promise<void> { /* closed by SqliteWorkerWriter.close */ }
}

/** The writer for the app's database when it is an SQLite file; null for a database in memory (one connection only). */
export async function sqliteWriter(db: Kysely<DB>): Promise<SqliteWorkerWriter | null> {
  const file = await sqliteFileOf(db);
  return file === null ? null : new SqliteWorkerWriter(file, db);
}
