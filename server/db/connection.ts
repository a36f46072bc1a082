import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { DB } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface DbTarget {
  dialect: Dialect;
  /** File path (sqlite) or connection string (postgres). */
  location: string;
}

export const DEFAULT_SQLITE_PATH = './data/wuye.db';

/** DATABASE_URL: postgres://… or postgresql://… selects PostgreSQL; a path or sqlite:PATH selects SQLite. */
export function parseDatabaseUrl(url: string | undefined): DbTarget {
  if (!url) return { dialect: 'sqlite', location: resolve(DEFAULT_SQLITE_PATH) };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', location: url };
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  return { dialect: 'sqlite', location: path === ':memory:' ? path : resolve(path) };
}

// BIGINT (int8) comes back from pg as a string unless told otherwise. Money in fen stays far below 2^53.
pg.types.setTypeParser(20, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${v} 超出安全整数范围`);
  return n;
});

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  target: DbTarget;
  close(): Promise<void>;
}

/**
 * Every SQLite connection's settings (the app's, and an import's writer): foreign keys enforced, a 5-second wait for
 * the write lock, WAL's usual durability, and LIKE 'prefix%' able to use an ordinary index (owner name, house number).
 */
export const SQLITE_CONNECTION_PRAGMAS = ['foreign_keys = ON', 'busy_timeout = 5000', 'synchronous = NORMAL', 'case_sensitive_like = ON'] as const;

export function openDatabase(target: DbTarget): Database {
  if (target.dialect === 'sqlite') {
    if (target.location !== ':memory:') mkdirSync(dirname(target.location), { recursive: true });
    const conn = new SQLite(target.location);
    conn.pragma('journal_mode = WAL');
    for (const p of SQLITE_CONNECTION_PRAGMAS) conn.pragma(p);
    // Keep the planner's statistics fresh (SQLite's advice for long-lived connections).
    conn.pragma('optimize = 0x10002');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: conn }) });
    return { db, dialect: 'sqlite', target, close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: target.location, max: 10 });
  // An idle client's connection can end under it (a server restart, a dropped database); pg reports that on the pool,
  // and an unhandled 'error' would end the process. The next query simply takes a fresh connection.
  pool.on('error', (e: Error & { code?: string }) => { process.stderr.write(`PostgreSQL: idle connection closed (${e.code ?? e.message})\n`); });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', target, close: () => db.destroy() };
}

export async function pingDatabase(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Refresh the planner's statistics after a bulk load (demo data, imports), so searches start from selective indexes. */
export async function analyzeDatabase(db: Kysely<DB>): Promise<void> {
  await sql`analyze`.execute(db);
}
