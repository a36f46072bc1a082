import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../core/access/roles.ts';
import { DEFAULT_SCRIPT_BOOK } from '../../core/workbench/scripts.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld, sessionCookie } from '../../test/fixtures.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();

describe.each(DIALECTS)('assignment API (分户到人) on %s', (dialect) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let world: Awaited<ReturnType<typeof insertWorld>>;
  const cookies = {} as Record<Role, string>;
  const as = (role: Role) => ({ cookie: cookies[role] });

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const ctx = contextOf(t, fixedClock('2026-03-20T02:00:00.000Z'));
    world = await insertWorld(ctx);
    app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent' });
    for (const role of ['supervisor', 'collector'] as const) {
      cookies[role] = await sessionCookie(app, world.users[role].username);
    }
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  it('proposes only with collectors of the whole project, saves within each collector\'s buildings, and says what is wrong in Chinese', async () => {
    const pA = world.projects.pA.id;
    const url = `/api/projects/${pA}/assignment`;
    expect((await app.inject({ method: 'GET', url: `${url}/proposal`, headers: as('collector') })).statusCode).toBe(403);
    // The only collector is limited to 1栋: nobody to split among automatically.
    const none = await app.inject({ method: 'GET', url: `${url}/proposal`, headers: as('supervisor') });
    expect(none.statusCode).toBe(400);
    expect(none.json<{ message: string }>().message).toContain('没有可分配的收费员');
    const collector = world.users.collector.id;
    const ok = await app.inject({ method: 'PUT', url, headers: as('supervisor'), payload: { assignments: [{ houseId: world.houses.hA1.house.id, userId: collector }] } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ saved: 1, changed: 1 });
    const outside = await app.inject({ method: 'PUT', url, headers: as('supervisor'), payload: { assignments: [{ houseId: world.houses.hA2.house.id, userId: collector }] } });
    expect(outside.statusCode).toBe(403);
    expect(outside.json<{ code: string; message: string }>()).toMatchObject({ code: 'OUT_OF_SCOPE', message: expect.stringContaining('未获授权负责该楼栋') as string });
    const empty = await app.inject({ method: 'PUT', url, headers: as('supervisor'), payload: { assignments: [] } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json<{ message: string }>().message).toContain('请至少分配一户');
    expect(await t.db.selectFrom('collector_assignment').select(['house_id', 'user_id']).execute()).toEqual([{ house_id: world.houses.hA1.house.id, user_id: collector }]);
  });

  it('serves the default scripts and answer book, and saves an edited version only from a supervisor, refusing threats by field', async () => {
    const url = `/api/projects/${world.projects.pA.id}/scripts`;
    const d = await app.inject({ method: 'GET', url, headers: as('collector') });
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({ version: 0, isDefault: true, book: { scripts: expect.arrayContaining([expect.objectContaining({ key: 'call_script' })]) as unknown } });
    const edited = { ...DEFAULT_SCRIPT_BOOK, scripts: [{ key: 'call_script', title: '首次电话', text: '{业主}您好，我是{公司}{员工}，想确认一下缴费时间。' }] };
    expect((await app.inject({ method: 'PUT', url, headers: as('collector'), payload: edited })).statusCode).toBe(403);
    const threat = await app.inject({ method: 'PUT', url, headers: as('supervisor'), payload: { ...edited, scripts: [{ key: 'call_script', title: '首次', text: '不交就停电' }] } });
    expect(threat.statusCode).toBe(400);
    expect(threat.json<{ details: Array<{ field: string; message: string }> }>().details).toEqual([{ field: 'scripts.0.text', code: 'VALIDATION_FAILED', message: '含有“停电”：催缴话术不得威胁、羞辱或涉及第三方（R1–R5、R49、R51）' }]);
    const ok = await app.inject({ method: 'PUT', url, headers: as('supervisor'), payload: edited });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await app.inject({ method: 'GET', url, headers: as('collector') })).json()).toMatchObject({ version: 1, isDefault: false, createdBy: world.users.supervisor.username, book: { scripts: edited.scripts } });
  });
});
