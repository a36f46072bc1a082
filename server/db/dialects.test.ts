import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { migrateToLatest } from './migrate.ts';

const DIALECTS = await testDialects();
const results = new Map<string, unknown>();

describe.each(DIALECTS)('database layer on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => { t = await createTestDatabase(dialect); });
  afterAll(async () => { await t.destroy(); });

  it('migrations are idempotent: a second run applies nothing', async () => {
    const again = await migrateToLatest(t.db);
    expect(again.results ?? []).toHaveLength(0);
  });

  it('enforces foreign keys', async () => {
    await expect(t.db.insertInto('project').values({ company_id: 999999, name: 'x', address: 'y', time_zone: 'Asia/Shanghai', created_at: 'now' }).execute()).rejects.toThrow();
  });

  it('keeps the audit log append-only', async () => {
    const { id } = await t.db.insertInto('audit_log').values({ at: '2026-01-01T00:00:00.000Z', actor_id: null, actor_name: 'test', action: 'test', entity: 'x', entity_id: '1', project_id: null, before_json: null, after_json: null }).returning('id').executeTakeFirstOrThrow();
    await expect(t.db.updateTable('audit_log').set({ action: 'tampered' }).where('id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_log').where('id', '=', id).execute()).rejects.toThrow(/append-only/);
  });

  it('runs the same operations and returns the same typed results', async () => {
    const { id: companyId } = await t.db.insertInto('company').values({ name: '示例物业', created_at: '2026-01-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();
    const { id: projectId } = await t.db.insertInto('project').values({ company_id: companyId, name: '和园', address: '某市某路1号', time_zone: 'Asia/Shanghai', created_at: '2026-01-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();
    const { id: buildingId } = await t.db.insertInto('building').values({ project_id: projectId, name: '3栋', area_name: '北区', sort_order: 3 }).returning('id').executeTakeFirstOrThrow();
    const big = 4_000_000_000_123; // beyond 32 bits: BIGINT must come back as an exact number
    await t.db.insertInto('house').values([
      { project_id: projectId, building_id: buildingId, entrance_id: null, number: '3-1-101', floor: 1, property_type: '高层', area_x100: 8950, status: '自住', delivery_date: '2020-06-30', created_at: 'c', updated_at: 'u' },
      { project_id: projectId, building_id: buildingId, entrance_id: null, number: '3-1-102', floor: 1, property_type: '高层', area_x100: big, status: '空置', delivery_date: null, created_at: 'c', updated_at: 'u' },
    ]).execute();
    const rows = await t.db.selectFrom('house').select(['number', 'floor', 'area_x100', 'delivery_date']).orderBy('number').execute();
    const agg = await t.db.selectFrom('house').select((eb) => [eb.fn.sum<number>('area_x100').as('total'), eb.fn.countAll<number>().as('n')]).executeTakeFirstOrThrow();
    const like = await t.db.selectFrom('house').select('number').where('number', 'like', '3-1-10%').orderBy('number').execute();
    const now = await sql<{ v: number }>`select 1 + 1 as v`.execute(t.db);
    const snapshot = { rows, total: Number(agg.total), n: Number(agg.n), like, v: now.rows[0]?.v };
    expect(typeof rows[1]?.area_x100).toBe('number');
    expect(rows[1]?.area_x100).toBe(big);
    expect(snapshot.total).toBe(big + 8950);
    results.set(dialect, snapshot);
  });
});

describe('dialect parity', () => {
  it('every dialect returned exactly the same results', () => {
    const all = [...results.values()];
    expect(all.length).toBe(DIALECTS.length);
    for (const r of all) expect(r).toEqual(all[0]);
  });
});
