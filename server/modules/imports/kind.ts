import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { copyRows } from '../../db/bulk.ts';
import type { SqliteWorkerWriter } from '../../db/sqlite-writer.ts';
import type { Actor, ServiceContext } from '../context.ts';
import type { Column, Parsed } from './columns.ts';

/** What an import kind is: its columns (which make the template), how rows are keyed, and how a chunk is applied. */

export interface ChunkRow<P> { row: number; value: P; key: string }
export interface RowFailure { row: number; column: string; value: string; reason: string }

export interface ImportContext {
  ctx: ServiceContext;
  /** The transaction when writing; the database (read only) in a dry run. */
  db: Kysely<DB> | Transaction<DB>;
  write: boolean;
  projectId: number;
  actor: Actor;
  batchId: number;
  at: string;
  today: string;
  /** State kept across the chunks of one import (buildings created so far, names looked up, …). */
  cache: Map<string, unknown>;
  ids: IdAllocator;
  /** Where the rows go (when writing). */
  bulk: BulkWriter;
}

export interface ImportKind<C extends Record<string, Column<unknown>>> {
  kind: string;
  label: string;
  /** Where the rows come from, for the idempotency keys: our template, HC小区管理系统, a bank statement. */
  source: string;
  /** The sheet read from an .xlsx (null: the first). */
  sheet: string | null;
  columns: C;
  /** The row's natural key (within the project). */
  key(v: Parsed<C>): string;
  /** A row that is read but not imported, with the reason shown as a notice (not an error). */
  skip?(v: Parsed<C>): string | null;
  /** Check a chunk against the database and, when writing, write the rows that pass; the failures of the others. */
  apply(ic: ImportContext, rows: ChunkRow<Parsed<C>>[]): Promise<RowFailure[]>;
}

/** A kind with its row type erased, so that kinds of different columns sit in one table. */
export interface AnyImportKind {
  kind: string; label: string; source: string; sheet: string | null; columns: Record<string, Column<unknown>>;
  key(v: unknown): string;
  skip?(v: unknown): string | null;
  apply(ic: ImportContext, rows: ChunkRow<unknown>[]): Promise<RowFailure[]>;
}
export const erased = <C extends Record<string, Column<unknown>>>(k: ImportKind<C>): AnyImportKind => k;

/**
 * Ids for bulk inserts: PostgreSQL from the identity sequence, in blocks of at least 20,000, on a connection other than
 * the import's (a sequence is outside transactions, and the import's connection is busy with the COPYs it was sent);
 * ids left over at the end are a gap in the sequence, nothing more. SQLite: after max(id), in the import's transaction.
 */
export class IdAllocator {
  private readonly next = new Map<string, number>();
  private readonly pools = new Map<string, number[]>();
  constructor(private readonly db: Kysely<DB> | Transaction<DB>, private readonly dialect: ServiceContext['dialect']) {}

  async take(table: 'building' | 'entrance' | 'house' | 'owner' | 'contact' | 'ownership' | 'charge', n: number): Promise<number[]> {
    if (n === 0) return [];
    if (this.dialect === 'postgres') {
      let pool = this.pools.get(table) ?? [];
      if (pool.length < n) {
        // The sequence's name first: pg_get_serial_sequence in the select list would be evaluated per id (ten times the cost).
        const seq = await sql<{ s: string }>`select pg_get_serial_sequence(${table}, 'id') as s`.execute(this.db);
        const r = await sql<{ id: string }>`select nextval(${seq.rows[0]!.s}::regclass) as id from generate_series(1, ${Math.max(n - pool.length, 20_000)})`.execute(this.db);
        pool = [...pool, ...r.rows.map((x) => Number(x.id))];
      }
      this.pools.set(table, pool.slice(n));
      return pool.slice(0, n);
    }
    let start = this.next.get(table);
    if (start === undefined) {
      const r = await sql<{ m: number | null }>`select max(id) as m from ${sql.table(table)}`.execute(this.db);
      start = Number(r.rows[0]?.m ?? 0) + 1;
    }
    this.next.set(table, start + n);
    return Array.from({ length: n }, (_, i) => start + i);
  }
}

/**
 * Where an import's rows go, sent without waiting, so that the next chunks of the file are read, checked and formatted
 * while they are written: PostgreSQL by COPY in the import's transaction (the COPYs queue on its connection); an SQLite
 * file through the writer thread's prepared statements (sqlite-writer.ts; its messages queue). `drain(n)` waits until
 * at most n of them are outstanding (bounded memory) and throws the first error; `settle()` waits for all; `firstError`
 * is that error, for a failure noticed by a later query. (SQLite in memory: inserted at once on the one connection.)
 */
export class BulkWriter {
  private sent: Promise<void>[] = [];
  firstError: Error | null = null;
  private readonly postgres: boolean;
  constructor(private readonly db: Kysely<DB> | Transaction<DB>, private readonly sqlite?: SqliteWorkerWriter) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async insert<T extends keyof DB>(table: T, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    if (rows.length === 0) return;
    if (!this.postgres && !this.sqlite) return insertMany(this.db, table, rows);
    const cols = Object.keys(rows[0]!);
    const keep = (p: Promise<void>) => this.sent.push(p.catch((e: unknown) => { this.firstError ??= e instanceof Error ? e : new Error(String(e)); }));
    for (let i = 0; i < rows.length; i += 5000) {
      const part = rows.slice(i, i + 5000);
      keep(this.sqlite ? this.sqlite.insert(table, cols, part) : copyRows(this.db, table, cols, part));
    }
  }

  async drain(outstanding: number): Promise<void> {
    // The writes run in the order they were sent: waiting for the oldest first loses nothing.
    while (this.sent.length > outstanding && !this.firstError) await this.sent.shift();
    if (this.firstError) throw this.firstError;
  }

  settle(): Promise<void> { return this.drain(0); }
}

/**
 * Insert many rows fast, in the caller's transaction: PostgreSQL with COPY; SQLite with one small statement per 5,000
 * rows that carries them as one JSON parameter (json_each) — not a statement with tens of thousands of placeholders
 * built, parsed and prepared each time. (The import's writer connection uses its cached prepared statements instead:
 * BulkWriter.)
 */
export async function insertMany<T extends keyof DB>(db: Kysely<DB> | Transaction<DB>, table: T, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const list = sql.join(cols.map((c) => sql.id(c)));
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    if (postgres) {
      await copyRows(db, table, cols, chunk);
    } else {
      // Each row as an array, read by position (faster than by key in SQLite).
      const values = sql.join(cols.map((_, k) => sql`value ->> ${sql.raw(String(k))}`));
      await sql`insert into ${sql.table(table)} (${list}) select ${values} from json_each(${JSON.stringify(chunk.map((r) => cols.map((c) => r[c])))})`.execute(db);
    }
  }
}
