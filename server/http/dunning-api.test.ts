import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../core/access/roles.ts';
import { DEFAULT_POLICY } from '../../core/dunning/policy.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld, sessionCookie } from '../../test/fixtures.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();
const ROLES: Role[] = ['admin', 'general_manager', 'project_manager', 'supervisor', 'collector', 'cashier'];

describe.each(DIALECTS)('collection API on %s', (dialect) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let world: Awaited<ReturnType<typeof insertWorld>>;
  // Wednesday 2026-01-21, 10:00 in Shanghai: inside the call window.
  const clock = fixedClock('2026-01-21T02:00:00.000Z');
  const cookies = {} as Record<Role, string>;
  const as = (role: Role) => ({ cookie: cookies[role] });
  const attempts = async () => Number((await t.db.selectFrom('contact_attempt').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const ctx = contextOf(t, clock);
    world = await insertWorld(ctx);
    app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent' });
    for (const role of ROLES) {
      cookies[role] = await sessionCookie(app, world.users[role].username);
    }
    await app.inject({ method: 'POST', url: `/api/projects/${world.projects.pA.id}/bill-runs`, headers: as('admin'), payload: { period: '2026-01' } });
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  const policyUrl = () => `/api/projects/${world.projects.pA.id}/dunning-policy`;

  it('refuses a prohibited step with the legal reason and stores nothing (R1, R2, R4, R49); only a project manager configures', async () => {
    const first = await app.inject({ method: 'GET', url: policyUrl(), headers: as('collector') });
    expect(first.json()).toMatchObject({ version: 0, isDefault: true });
    const steps = [...DEFAULT_POLICY.steps, { ...DEFAULT_POLICY.steps[3]!, key: 'cut_water', name: '停水催缴', channels: ['cut_water'] }];
    const res = await app.inject({ method: 'PUT', url: policyUrl(), headers: as('project_manager'), payload: { ...DEFAULT_POLICY, steps } });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; message: string; details: Array<{ field: string; message: string }> }>();
    expect(body.code).toBe('PROHIBITED_ACTION');
    expect(body.message).toContain('R1');
    expect(body.message).toContain('民法典第944条');
    expect(body.details.some((d) => d.field.startsWith('steps[11]'))).toBe(true);
    for (const [name, rule] of [['欠费锁梯', 'R2'], ['业主群点名欠费业主', 'R4'], ['联系业主工作单位', 'R49']] as const) {
      const r = await app.inject({ method: 'PUT', url: policyUrl(), headers: as('admin'), payload: { ...DEFAULT_POLICY, steps: [...DEFAULT_POLICY.steps, { ...DEFAULT_POLICY.steps[3]!, key: 'x', name }] } });
      expect(r.json<{ message: string }>().message, name).toContain(rule);
    }
    // The public notice can not be switched on without a stored legal sign-off (R46).
    const notice = DEFAULT_POLICY.steps.map((s) => (s.key === 'public_notice' ? { ...s, enabled: true } : s));
    const r46 = await app.inject({ method: 'PUT', url: policyUrl(), headers: as('admin'), payload: { ...DEFAULT_POLICY, steps: notice } });
    expect(r46.statusCode).toBe(400);
    expect(r46.json<{ message: string }>().message).toContain('R46');
    expect((await app.inject({ method: 'GET', url: policyUrl(), headers: as('admin') })).json()).toMatchObject({ version: 0 });
    expect((await app.inject({ method: 'PUT', url: policyUrl(), headers: as('supervisor'), payload: DEFAULT_POLICY })).statusCode).toBe(403);
    const ok = await app.inject({ method: 'PUT', url: policyUrl(), headers: as('project_manager'), payload: { ...DEFAULT_POLICY, mode: 'catch_up' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ version: 1, isDefault: false, policy: { mode: 'catch_up' } });
    await app.inject({ method: 'PUT', url: policyUrl(), headers: as('project_manager'), payload: DEFAULT_POLICY });
  });

  it('previews the plan without writing, runs it once, and lists cases within the scope', async () => {
    const pA = world.projects.pA.id;
    const plan = await app.inject({ method: 'GET', url: `/api/projects/${pA}/dunning/plan?asOf=2026-01-21`, headers: as('supervisor') });
    expect(plan.statusCode, plan.body).toBe(200);
    const p = plan.json<{ created: number; lines: Array<{ house: string; action: { key: string; notBefore: string | null } | null }> }>();
    // Wednesday 10:00 in Shanghai, inside the weekday call window: the calls may be made from now.
    expect(p.lines.map((l) => [l.house, l.action?.key, l.action?.notBefore])).toEqual([
      ['1栋 1-1-101', 'first_call', '2026-01-21T02:00:00.000Z'], ['2栋 2-1-101', 'first_call', '2026-01-21T02:00:00.000Z'],
    ]);
    expect(Number((await t.db.selectFrom('collection_case').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
    expect((await app.inject({ method: 'POST', url: `/api/projects/${pA}/dunning/run`, headers: as('collector'), payload: { asOf: '2026-01-21' } })).statusCode).toBe(403);
    const run = await app.inject({ method: 'POST', url: `/api/projects/${pA}/dunning/run`, headers: as('supervisor'), payload: { asOf: '2026-01-21' } });
    expect(run.json()).toMatchObject({ created: 2, existing: 0 });
    expect((await app.inject({ method: 'POST', url: `/api/projects/${pA}/dunning/run`, headers: as('supervisor'), payload: { asOf: '2026-01-21' } })).json()).toMatchObject({ created: 0, existing: 2 });
    const all = await app.inject({ method: 'GET', url: `/api/projects/${pA}/cases?stepKey=first_call`, headers: as('supervisor') });
    expect(all.json()).toMatchObject({ total: 2, items: [{ notBefore: '2026-01-21T02:00:00.000Z' }, { notBefore: '2026-01-21T02:00:00.000Z' }] });
    const mine = await app.inject({ method: 'GET', url: `/api/projects/${pA}/cases`, headers: as('collector') });
    expect(mine.json<{ items: Array<{ house: string; owed: string }> }>().items.map((i) => [i.house, i.owed])).toEqual([['1栋 1-1-101', '¥210.33']]);
    const bad = await app.inject({ method: 'GET', url: `/api/projects/${pA}/dunning/plan?asOf=2026-13-01`, headers: as('supervisor') });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses a call in quiet hours (R47) and to a third party (R49), writing nothing; records a lawful one with the number masked', async () => {
    const houseId = world.houses.hA1.house.id;
    const c = await t.db.selectFrom('collection_case').select('id').where('house_id', '=', houseId).executeTakeFirstOrThrow();
    const action = await t.db.selectFrom('dunning_action').select('id').where('case_id', '=', c.id).where('status', '=', 'open').executeTakeFirstOrThrow();
    const own = await t.db.selectFrom('contact').select('id').where('owner_id', '=', world.houses.hA1.owner.id).executeTakeFirstOrThrow();
    const other = await t.db.selectFrom('contact').select('id').where('owner_id', '=', world.houses.hA2.owner.id).executeTakeFirstOrThrow();
    const before = await attempts();
    clock.set('2026-01-20T23:30:00.000Z'); // 07:30 in Shanghai, before the quiet hours end
    const night = await app.inject({ method: 'POST', url: `/api/cases/${c.id}/contacts`, headers: as('collector'), payload: { actionId: action.id, contactId: own.id, outcome: '未接' } });
    expect(night.statusCode).toBe(409);
    expect(night.json()).toMatchObject({ code: 'CONTACT_NOT_ALLOWED', message: expect.stringContaining('R47') as string });
    clock.set('2026-01-21T02:00:00.000Z');
    const third = await app.inject({ method: 'POST', url: `/api/cases/${c.id}/contacts`, headers: as('collector'), payload: { actionId: action.id, contactId: other.id, outcome: '未接' } });
    expect(third.statusCode).toBe(409);
    expect(third.json<{ message: string }>().message).toContain('R49');
    expect(await attempts()).toBe(before);
    const ok = await app.inject({ method: 'POST', url: `/api/cases/${c.id}/contacts`, headers: as('collector'), payload: { actionId: action.id, contactId: own.id, outcome: '承诺缴费', promisedOn: '2026-01-28', ownerSaid: '下周三来交' } });
    expect(ok.json()).toMatchObject({ status: 'recorded' });
    const line = await app.inject({ method: 'GET', url: `/api/houses/${houseId}/collection`, headers: as('collector') });
    expect(line.statusCode).toBe(200);
    expect(line.body).toContain('144****1111');
    expect(line.body).not.toContain('14400001111');
    const tl = line.json<{ cases: Array<{ category: string; promisedOn: string; nextActionAt: string; attempts: Array<{ outcome: string }>; pauses: Array<{ kind: string }> }> }>();
    expect(tl.cases[0]).toMatchObject({ category: 'will_pay', promisedOn: '2026-01-28', nextActionAt: '2026-01-27', attempts: [{ outcome: '承诺缴费' }], pauses: [{ kind: 'promise' }] });
    // A collector of building 1 can not see a house of building 2.
    expect((await app.inject({ method: 'GET', url: `/api/houses/${world.houses.hA2.house.id}/collection`, headers: as('collector') })).statusCode).toBe(403);
  });
});
