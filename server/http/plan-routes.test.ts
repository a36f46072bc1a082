import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../core/access/roles.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertWorld } from '../../test/fixtures.ts';
import { runBillRun } from '../modules/billing/bill-run-service.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();
const ROLES: Role[] = ['admin', 'general_manager', 'project_manager', 'supervisor', 'collector', 'cashier'];

interface PlanItem {
  id: number; caseId: number; houseId: number; house: string; kind: string; kindLabel: string; status: string; reason: string; evidence: string | null;
  instalments: Array<{ seq: number; dueOn: string; amountFen: number }>; totalFen: number; total: string; requestedBy: string;
  decidedBy: string | null; decisionNote: string | null; signedOn: string | null;
}

/** GET /api/projects/:id/payment-plans: the approvals queue of 分期/缓缴, by status, within the reader's scope. */
describe.each(DIALECTS)('payment plan list on %s', (dialect) => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let world: Awaited<ReturnType<typeof insertWorld>>;
  const cookies = {} as Record<Role, string>;
  const caseOf = {} as Record<'A1' | 'A2', number>;
  const planOf = {} as Record<'A1' | 'A2', number>;
  const as = (role: Role) => ({ cookie: cookies[role] });
  const plans = async (role: Role, projectId: number, status?: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/projects/${projectId}/payment-plans${status ? `?status=${encodeURIComponent(status)}` : ''}`, headers: as(role) });
    return { statusCode: res.statusCode, body: res.json<{ items: PlanItem[]; code?: string }>() };
  };

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    // 2026-11-23 10:00 in Asia/Shanghai.
    const ctx = contextOf(t, fixedClock('2026-11-23T02:00:00.000Z'));
    world = await insertWorld(ctx);
    app = await buildApp({ ctx, logger: false, webRoot: '/nonexistent' });
    for (const role of ROLES) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: world.users[role].username, password: 'Passw0rd-for-tests' } });
      expect(res.statusCode).toBe(200);
      cookies[role] = `wuye_session=${res.cookies.find((c) => c.name === 'wuye_session')!.value}`;
    }
    // Project A bills October (due 2026-10-15): both houses owe ¥210.33 and the sweep opens their cases.
    await runBillRun(ctx, world.admin, world.projects.pA.id, '2026-10');
    const run = await app.inject({ method: 'POST', url: `/api/projects/${world.projects.pA.id}/dunning/run`, headers: as('admin'), payload: { asOf: '2026-11-23' } });
    expect(run.statusCode).toBe(200);
    for (const [k, h] of [['A1', world.houses.hA1], ['A2', world.houses.hA2]] as const) {
      caseOf[k] = (await t.db.selectFrom('collection_case').select('id').where('house_id', '=', h.house.id).executeTakeFirstOrThrow()).id;
    }
    // The collector (building A1 only) asks for instalments on A1; the supervisor for a deferral on A2.
    const instalments = [{ dueOn: '2026-12-15', amount: '150' }, { dueOn: '2027-01-15', amount: '150' }];
    const a1 = await app.inject({ method: 'POST', url: `/api/cases/${caseOf.A1}/payment-plans`, headers: as('collector'), payload: { kind: 'instalment', reason: '失业，分两期', instalments } });
    expect(a1.statusCode, a1.body).toBe(200);
    planOf.A1 = a1.json<{ id: number }>().id;
    const a2 = await app.inject({
      method: 'POST', url: `/api/cases/${caseOf.A2}/payment-plans`, headers: as('supervisor'),
      payload: { kind: 'deferral', reason: '住院治疗', evidence: '住院证明', instalments: [{ dueOn: '2027-01-31', amount: '210.33' }] },
    });
    expect(a2.statusCode, a2.body).toBe(200);
    planOf.A2 = a2.json<{ id: number }>().id;
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  it('needs a session', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/projects/${world.projects.pA.id}/payment-plans` });
    expect(res.statusCode).toBe(401);
  });

  it('lists the pending plans newest first, with house, instalments, total and requester', async () => {
    const { statusCode, body } = await plans('supervisor', world.projects.pA.id, '待审批');
    expect(statusCode).toBe(200);
    expect(body.items.map((p) => p.id)).toEqual([planOf.A2, planOf.A1]);
    const [a2, a1] = body.items as [PlanItem, PlanItem];
    expect(a1).toMatchObject({
      caseId: caseOf.A1, houseId: world.houses.hA1.house.id, house: '1栋 1-1-101', kind: 'instalment', kindLabel: '分期', status: '待审批', reason: '失业，分两期',
      evidence: null, totalFen: 30000, total: '¥300.00', requestedBy: 'u_collector', decidedBy: null, signedOn: null,
      instalments: [{ seq: 1, dueOn: '2026-12-15', amountFen: 15000 }, { seq: 2, dueOn: '2027-01-15', amountFen: 15000 }],
    });
    expect(a2).toMatchObject({ house: '2栋 2-1-101', kind: 'deferral', kindLabel: '缓缴', evidence: '住院证明', totalFen: 21033, requestedBy: 'u_supervisor' });
  });

  it('lets every role with read access see the list, each within its scope', async () => {
    for (const role of ROLES) expect((await plans(role, world.projects.pA.id)).statusCode, role).toBe(200);
    // The collector is scoped to building A1: A2's plan is not listed.
    expect((await plans('collector', world.projects.pA.id)).body.items.map((p) => p.id)).toEqual([planOf.A1]);
    // Another project: nothing there for the administrator, out of scope for the collector.
    expect((await plans('admin', world.projects.pB.id)).body.items).toEqual([]);
    expect((await plans('collector', world.projects.pB.id)).statusCode).toBe(403);
  });

  it('refuses an unknown status', async () => {
    expect((await plans('admin', world.projects.pA.id, '随便')).statusCode).toBe(400);
  });

  it('moves a decided plan out of 待审批 and shows the decision', async () => {
    const decided = await app.inject({ method: 'POST', url: `/api/payment-plans/${planOf.A1}/decision`, headers: as('project_manager'), payload: { approve: true, note: '同意', signedOn: '2026-11-23' } });
    expect(decided.statusCode, decided.body).toBe(200);
    expect((await plans('supervisor', world.projects.pA.id, '待审批')).body.items.map((p) => p.id)).toEqual([planOf.A2]);
    const running = (await plans('supervisor', world.projects.pA.id, '执行中')).body.items;
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({ id: planOf.A1, status: '执行中', decidedBy: 'u_project_manager', decisionNote: '同意', signedOn: '2026-11-23' });
    expect((await plans('supervisor', world.projects.pA.id)).body.items).toHaveLength(2);
  });
});
