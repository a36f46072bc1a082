import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, PG_ADMIN_URL, testDialects } from '../../test/db.ts';

const DIALECTS = (await testDialects()).filter((d) => d === 'postgres');

describe.each(DIALECTS)('a %s connection that ends while idle', (dialect) => {
  it('does not end the process; the next query takes a fresh connection', async () => {
    const t = await createTestDatabase(dialect, false);
    try {
      const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(t.db)).rows[0]!.pid;
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await admin.end();
      // The idle client hears of it on its socket; without a pool 'error' handler this would be an uncaught error.
      await new Promise((r) => setTimeout(r, 200));
      const again = (await sql<{ one: number }>`select 1 as one`.execute(t.db)).rows[0]!.one;
      expect(Number(again)).toBe(1);
    } finally {
      await t.destroy();
    }
  });
});
