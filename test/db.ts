/**
 * The database test harness. Every database spec runs once per dialect: SQLite always, PostgreSQL when it is reachable
 * (DATABASE_URL=postgres://…, else 127.0.0.1:5432). With WUYE_REQUIRE_PG=1 an unreachable PostgreSQL is a failure.
 * Each run gets a fresh database that it creates and drops.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type Dialect } from '../server/db/connection.ts';
import { migrateToLatest } from '../server/db/migrate.ts';

export const PG_ADMIN_URL = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeDialects(): Promise<Dialect[]> {
  if (await postgresReachable()) return ['sqlite', 'postgres'];
  if (process.env.WUYE_REQUIRE_PG === '1') {
    throw new Error(`WUYE_REQUIRE_PG=1 but PostgreSQL is not reachable at ${PG_ADMIN_URL.replace(/\/\/[^@]*@/, '//***@')}`);
  }
  console.warn('PostgreSQL is not reachable: database tests run on SQLite only');
  return ['sqlite'];
}

/** The dialects database specs run on (top-level await in a spec: `const DIALECTS = await testDialects()`). */
export const testDialects = (() => {
  let probe: Promise<Dialect[]> | undefined;
  return () => (probe ??= probeDialects());
})();

export interface TestDatabase extends Database {
  /** Drops the database (postgres) or deletes the file (sqlite). */
  destroy(): Promise<void>;
}

/** A fresh, migrated database of a dialect. */
export async function createTestDatabase(dialect: Dialect, migrate = true): Promise<TestDatabase> {
  let database: Database;
  let cleanup: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'wuye-test-'));
    database = openDatabase({ dialect: 'sqlite', location: join(dir, 'test.db') });
    cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
  } else {
    const name = `wuye_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    database = openDatabase({ dialect: 'postgres', location: url.toString() });
    cleanup = async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    };
  }
  if (migrate) await migrateToLatest(database.db);
  return {
    ...database,
    async destroy() {
      await database.close();
      await cleanup();
    },
  };
}
