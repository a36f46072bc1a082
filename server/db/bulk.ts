import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

/**
 * SQLite settings for a bulk write (the demo generator, an import): a 128 MB page cache so that the indexes being filled
 * stay in memory (large transactions keep their dirty index pages instead of spilling them), and a WAL checkpoint every
 * 16,384 pages instead of 1,000 while it runs: together about 30% faster for the demo at a million houses. Returns the
 * function that restores the settings and checkpoints (truncates) the WAL once the work is done.
 */
export async function tuneSqliteForBulk(db: Kysely<DB>): Promise<() => Promise<void>> {
  const pragma = async (name: string) => {
    const r = await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db);
    return Math.trunc(Number(Object.values(r.rows[0] ?? {})[0]));
  };
  const [cache, checkpoint] = [await pragma('cache_size'), await pragma('wal_autocheckpoint')];
  await sql`pragma cache_size = -131072`.execute(db);
  await sql`pragma wal_autocheckpoint = 16384`.execute(db);
  return async () => {
    if (Number.isInteger(cache)) await sql.raw(`pragma cache_size = ${cache}`).execute(db);
    if (Number.isInteger(checkpoint)) await sql.raw(`pragma wal_autocheckpoint = ${checkpoint}`).execute(db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  };
}

/** A value in COPY's text format: \N is NULL; backslash, tab, newline and carriage return are escaped. */
export function copyText(v: string | number | null): string {
  if (v === null) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (ch) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[ch]!) : s;
}

interface PgCopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: { writableNeedDrain: boolean; once(event: 'drain', listener: () => void): unknown };
}

/**
 * `COPY … FROM STDIN` as a pg submittable (the interface pg-cursor and pg-copy-streams implement). Kysely's pg
 * connection hands its query text to client.query(), which runs any object with a submit() method as a submittable and
 * returns it; Kysely then awaits it, so this is also a thenable that settles when the server is ready again.
 */
export class CopyFromStdin implements PromiseLike<{ command: string; rowCount: number; rows: never[] }> {
  private error: Error | null = null;
  private readonly done: Promise<{ command: string; rowCount: number; rows: never[] }>;
  private settle!: (err: Error | null) => void;

  constructor(readonly text: string, private readonly chunks: readonly string[], private readonly rowCount: number) {
    this.done = new Promise((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve({ command: 'COPY', rowCount: this.rowCount, rows: [] }));
    });
  }

  then<A = { command: string; rowCount: number; rows: never[] }, B = never>(
    onfulfilled?: ((v: { command: string; rowCount: number; rows: never[] }) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.done.then(onfulfilled, onrejected);
  }

  submit(connection: PgCopyConnection): void { connection.query(this.text); }

  handleCopyInResponse(connection: PgCopyConnection): void {
    (async () => {
      for (const chunk of this.chunks) {
        connection.sendCopyFromChunk(Buffer.from(chunk));
        if (connection.stream.writableNeedDrain) await new Promise<void>((resolve) => { connection.stream.once('drain', resolve); });
      }
      connection.endCopyFrom();
    })().catch((e: unknown) => { connection.sendCopyFail(String(e)); });
  }

  // pg (8.23) forgets the active query when the server reports an error, so no ReadyForQuery reaches it afterwards: an
  // error settles at once (pg holds the next query, Kysely's ROLLBACK, until the server is ready); success settles on
  // ReadyForQuery.
  handleError(err: Error): void { this.error = err; this.settle(err); }
  handleReadyForQuery(): void { this.settle(this.error); }
  handleCommandComplete(): void { /* every row was sent: COPY inserts all of them or none */ }
  handleRowDescription(): void { /* COPY FROM returns no rows */ }
  handleDataRow(): void { /* COPY FROM returns no rows */ }
  handleEmptyQuery(): void { /* not sent */ }
  handlePortalSuspended(): void { /* not sent */ }
  handleCopyData(): void { /* COPY FROM sends data, never receives any */ }
}

/**
 * PostgreSQL: rows into a table with COPY … FROM STDIN in the caller's transaction (text format; chunks of ~256 KB, with
 * back-pressure). A refused row (a constraint) fails the whole COPY, and the transaction with it.
 */
export async function copyRows(db: Kysely<DB> | Transaction<DB>, table: string, columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  await sendCopy(db, table, columns, copyChunks(columns, rows), rows.length);
}

/** Rows in COPY's text format, in chunks of ~256 KB. */
export function copyChunks(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string[] {
  const chunks: string[] = [];
  let chunk = '';
  for (const r of rows) {
    chunk += `${columns.map((c) => copyText(r[c] as string | number | null)).join('\t')}\n`;
    if (chunk.length >= 256 * 1024) { chunks.push(chunk); chunk = ''; }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** COPY … FROM STDIN of chunks already in COPY's text format (`copyChunks`). */
export async function sendCopy(db: Kysely<DB> | Transaction<DB>, table: string, columns: readonly string[], chunks: readonly string[], rowCount: number): Promise<void> {
  const copy = new CopyFromStdin(`copy ${table} (${columns.map((c) => `"${c}"`).join(', ')}) from stdin`, chunks, rowCount);
  await db.executeQuery({ ...CompiledQuery.raw('copy'), sql: copy as unknown as string });
}

/** The file of the main SQLite database, or null (in memory, temporary). */
export async function sqliteFileOf(db: Kysely<DB>): Promise<string | null> {
  const { rows } = await sql<{ name: string; file: string | null }>`pragma database_list`.execute(db);
  const file = rows.find((r) => r.name === 'main')?.file;
  return file ? file : null;
}
