import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fails, fixedClock, insertMonthlyProject, projectUser, shanghaiAt } from '../../../test/fixtures.ts';
import { recordPayment } from '../billing/payment-service.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { recordContact } from '../dunning/case-service.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { saveAssignment } from './assignment-service.ts';
import { collectionKpis, DEFAULT_KPI_WEIGHTS, saveKpiWeights } from './kpi-service.ts';

const DIALECTS = await testDialects();


describe.each(DIALECTS)('collection KPIs on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const clock = fixedClock('2026-01-19T23:30:00.000Z');
  let projectId = 0;
  let zhou: Actor;
  let manager: Actor;
  let wang: Actor;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    const admin = systemActor(companyId, 'test');
    const w = await insertMonthlyProject(ctx, admin, { name: '绩效园', houses: 3, monthly: '300', periods: ['2026-01'], mobiles: '1450' });
    projectId = w.projectId;
    const [h0, h1, h2] = w.houses as [number, number, number];
    const user = (username: string, displayName: string, role: Actor['role']) => projectUser(ctx, admin, projectId, username, displayName, role);
    wang = await user('c_wang5', '王小丽', 'collector');
    const li = await user('c_li5', '李大山', 'collector');
    zhou = await user('s_zhou5', '周领班', 'supervisor');
    manager = await user('m_sun5', '孙经理', 'project_manager');
    const cashier = await user('f_qian5', '钱出纳', 'cashier');
    await saveAssignment(ctx, zhou, projectId, { assignments: [{ houseId: h0, userId: wang.userId! }, { houseId: h1, userId: wang.userId! }, { houseId: h2, userId: li.userId }] });
    clock.set(shanghaiAt('2026-01-20', '07:30'));
    await sweep(ctx, admin, projectId, '2026-01-20', { dryRun: false });
    const caseOf = async (houseId: number) => (await t.db.selectFrom('collection_case').select('id').where('house_id', '=', houseId).executeTakeFirstOrThrow()).id;
    clock.set(shanghaiAt('2026-01-20', '10:00'));
    await recordContact(ctx, wang, await caseOf(h0), { channel: 'call', outcome: '承诺缴费', promisedOn: '2026-01-22' });
    await recordContact(ctx, wang, await caseOf(h1), { channel: 'call', outcome: '接通' });
    await recordContact(ctx, li, await caseOf(h2), { channel: 'call', outcome: '承诺缴费', promisedOn: '2026-01-23' });
    clock.set(shanghaiAt('2026-01-21', '10:00'));
    await recordContact(ctx, wang, await caseOf(h0), { channel: 'call', outcome: '接通' });
    await recordPayment(ctx, cashier, { houseId: h0, amount: '300', channel: '现金' });
    clock.set(shanghaiAt('2026-01-28', '10:00'));
  });
  afterAll(async () => { await t.destroy(); });

  it('measures each collector and building over the period, with the fund report\'s collection rates and a weighted score', async () => {
    const k = await collectionKpis(ctx, zhou, projectId, { from: '2026-01-01', to: '2026-01-31' });
    expect(k).toMatchObject({ asOf: '2026-01-28', weeks: 5, weights: DEFAULT_KPI_WEIGHTS });
    expect(k.collectors).toEqual([
      {
        userId: wang.userId, name: '王小丽', houses: 2, contactedTwiceWeeklyBp: 1000, promises: 1, kept: 1, broken: 0, keptRateBp: 10_000, recoveredFen: 30_000, recovered: '¥300.00',
        rates: { currentBp: 5000, arrearsBp: null, combinedBp: 5000 }, score: 57.3,
      },
      expect.objectContaining({ name: '李大山', houses: 1, contactedTwiceWeeklyBp: 0, promises: 1, kept: 0, broken: 1, keptRateBp: 0, recoveredFen: 0, score: -2 }),
    ]);
    expect(k.buildings).toEqual([expect.objectContaining({ building: '1栋', houses: 3, contactedTwiceWeeklyBp: 667, kept: 1, broken: 1, recoveredFen: 30_000, rates: { currentBp: 3333, arrearsBp: null, combinedBp: 3333 } })]);
    expect(k.buildings[0]).not.toHaveProperty('score');
    expect(await fails(collectionKpis(ctx, wang, projectId, { from: '2026-01-01', to: '2026-01-31' }))).toMatch(/^FORBIDDEN/);
    expect(await fails(collectionKpis(ctx, zhou, projectId, { from: '2026-02-01', to: '2026-01-31' }))).toMatch(/^DATE_RANGE_INVALID/);
  });

  it('uses the weights the company sets (project managers and above)', async () => {
    expect(await fails(saveKpiWeights(ctx, zhou, { ...DEFAULT_KPI_WEIGHTS }))).toMatch(/^FORBIDDEN/);
    expect(await fails(saveKpiWeights(ctx, manager, { ...DEFAULT_KPI_WEIGHTS, keptPromise: 'x' }))).toMatch(/^VALIDATION_FAILED: .*权重须为/);
    await saveKpiWeights(ctx, manager, { ...DEFAULT_KPI_WEIGHTS, keptPromise: 10, brokenPromise: -5 });
    const k = await collectionKpis(ctx, zhou, projectId, { from: '2026-01-01', to: '2026-01-31' });
    expect(k.collectors.map((c) => [c.name, c.score])).toEqual([['王小丽', 65.3], ['李大山', -5]]);
  });
});
