import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteWorkerWriter, sqliteWriterHolds } from './sqlite-writer.ts';

/** The import's SQLite writer: a connection in a worker thread, driven through Kysely and a queue of inserts. */
describe('SQLite writer in a worker thread', () => {
  let writer: SqliteWorkerWriter | null = null;
  afterEach(async () => { await writer?.close(); writer = null; });

  function file() {
    const path = join(mkdtempSync(join(tmpdir(), 'wuye-writer-')), 'w.db');
    const db = new SQLite(path);
    db.pragma('journal_mode = WAL');
    db.exec('create table item (id integer primary key, name text not null unique, parent_id integer references item (id))');
    db.close();
    return path;
  }

  it('writes queued rows and queries in one immediate transaction that others see only once committed', async () => {
    const path = file();
    writer = new SqliteWorkerWriter(path);
    const app = new SQLite(path);
    app.pragma('busy_timeout = 0');
    const trx = await writer.db.startTransaction().execute();
    // The write lock is taken at BEGIN: nobody else can write (and so take ids) meanwhile.
    expect(() => app.exec("insert into item (name) values ('外人')")).toThrow(/locked|busy/i);
    const pending = [writer.insert('item', ['id', 'name', 'parent_id'], [{ id: 1, name: '甲', parent_id: null }, { id: 2, name: '乙', parent_id: 1 }]),
      writer.insert('item', ['id', 'name', 'parent_id'], [{ id: 3, name: '丙', parent_id: 2 }])];
    expect((await sql`insert into item (name) values (${'丁'})`.execute(trx)).insertId).toBe(4n);
    expect((await sql`update item set name = ${'丁丁'} where id = ${4}`.execute(trx)).numAffectedRows).toBe(1n);
    await Promise.all(pending);
    expect((await sql<{ n: number }>`select count(*) as n from item`.execute(trx)).rows[0]!.n).toBe(4);
    expect(app.prepare('select count(*) as n from item').get()).toEqual({ n: 0 });
    await trx.commit().execute();
    expect(app.prepare('select name from item order by id').all()).toEqual([{ name: '甲' }, { name: '乙' }, { name: '丙' }, { name: '丁丁' }]);
    app.close();
  });

  it('refuses a row with the database error and its code, and a rollback leaves nothing', async () => {
    const path = file();
    writer = new SqliteWorkerWriter(path);
    const trx = await writer.db.startTransaction().execute();
    await writer.insert('item', ['id', 'name', 'parent_id'], [{ id: 1, name: '甲', parent_id: null }]);
    const refused = await writer.insert('item', ['id', 'name', 'parent_id'], [{ id: 2, name: '甲', parent_id: null }]).then(() => null, (e: unknown) => e);
    expect(refused).toMatchObject({ message: expect.stringContaining('UNIQUE constraint failed: item.name') as string, code: 'SQLITE_CONSTRAINT_UNIQUE' });
    const orphan = await writer.insert('item', ['id', 'name', 'parent_id'], [{ id: 3, name: '乙', parent_id: 99 }]).then(() => null, (e: unknown) => e);
    expect(orphan).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    await trx.rollback().execute();
    await writer.close();
    writer = null;
    const check = new SQLite(path);
    expect(check.prepare('select count(*) as n from item').get()).toEqual({ n: 0 });
    check.close();
  });

  it('says so when asked after it was closed, and tells the app whose lock it held until then', async () => {
    const app = {};
    writer = new SqliteWorkerWriter(file(), app);
    expect(sqliteWriterHolds(app)).toBe(true);
    expect(sqliteWriterHolds({})).toBe(false);
    await writer.close();
    expect(sqliteWriterHolds(app)).toBe(false);
    await expect(writer.insert('item', ['id', 'name'], [{ id: 1, name: '甲' }])).rejects.toThrow('写入线程已结束');
    writer = null;
  });
});
