import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * SQLite settings for a bulk write (the demo generator, an import): a 128 MB page cache so that the indexes being filled
 * stay in memory, and fewer WAL checkpoints while it runs. Returns the function that restores the settings and
 * checkpoints the WAL once the work is done.
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
