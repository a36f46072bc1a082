import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, sessionCookie } from '../../test/fixtures.ts';
import { sqliteWriter } from '../db/sqlite-writer.ts';
import { ensureAdmin, ensureCompany } from '../modules/setup/bootstrap.ts';
import { ConsoleSmsAdapter } from '../channels/console-sms.ts';
import { buildApp } from './app.ts';

/**
 * SQLite has one writer at a time: while another connection (an import's writer thread) holds the write lock past the
 * busy timeout (5 s), a request that writes fails whole — and says so in Chinese, as 503, instead of 系统内部错误.
 */
describe('SQLite write lock held elsewhere', () => {
  it('answers 503 DATABASE_BUSY, and nothing of the request is saved', async () => {
    const t = await createTestDatabase('sqlite');
    const other = new SQLite(t.target.location);
    try {
      const app = await buildApp({ ctx: contextOf(t, fixedClock('2026-03-20T02:00:00.000Z')), logger: false, webRoot: '/nonexistent', channels: { sms: new ConsoleSmsAdapter(() => undefined) } });
      other.exec('begin immediate');
      const res = await app.inject({ method: 'POST', url: '/api/portal/auth/code', payload: { phone: '14400000001' } });
      other.exec('rollback');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ code: 'DATABASE_BUSY', message: '数据库正忙（可能正在导入数据），本次操作未保存，请稍后再试' });
      expect(await t.db.selectFrom('portal_account').select('id').execute()).toEqual([]);
      // Once the lock is gone, the same request goes through.
      expect((await app.inject({ method: 'POST', url: '/api/portal/auth/code', payload: { phone: '14400000001' } })).statusCode).toBe(200);
      await app.close();
    } finally {
      other.close();
      await t.destroy();
    }
  }, 30_000);

  it('keeps serving signed-in pages while an import holds the lock: the session touch waits for later', async () => {
    const t = await createTestDatabase('sqlite');
    const clock = fixedClock('2026-03-20T02:00:00.000Z');
    try {
      const ctx = contextOf(t, clock);
      const admin = await ensureAdmin(ctx, await ensureCompany(ctx));
      const app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent' });
      const cookie = await sessionCookie(app, 'admin', admin.password);
      const lastSeen = async () => (await t.db.selectFrom('session').select('last_seen_at').executeTakeFirstOrThrow()).last_seen_at;
      const before = await lastSeen();
      clock.advance(120_000);
      const writer = (await sqliteWriter(t.db))!;
      const trx = await writer.db.startTransaction().execute();
      const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
      expect(me.statusCode, me.body).toBe(200);
      expect(await lastSeen()).toBe(before);
      await trx.rollback().execute();
      await writer.close();
      // The lock released, the next request refreshes it.
      expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
      expect(await lastSeen()).toBe(clock.now().toISOString());
      await app.close();
    } finally {
      await t.destroy();
    }
  }, 30_000);
});

