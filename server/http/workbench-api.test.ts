import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../core/access/roles.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld, PASSWORD } from '../../test/fixtures.ts';
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
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: world.users[role].username, password: PASSWORD } });
      cookies[role] = `wuye_session=${res.cookies.find((c) => c.name === 'wuye_session')!.value}`;
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
});
