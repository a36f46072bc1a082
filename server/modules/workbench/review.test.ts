import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fails, fixedClock, insertMonthlyProject, projectUser, shanghaiAt } from '../../../test/fixtures.ts';
import { recordPayment } from '../billing/payment-service.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { recordContact } from '../dunning/case-service.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { saveAssignment } from './assignment-service.ts';
import { dailyReview, hardCases, setGuidanceNote, signReview } from './review-service.ts';

const DIALECTS = await testDialects();


describe.each(DIALECTS)('the supervisor\'s daily review on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const clock = fixedClock('2026-01-19T23:30:00.000Z');
  let projectId = 0;
  let houses: number[] = [];
  let wang: Actor;
  let li: Actor;
  let zhou: Actor;
  let cashier: Actor;
  const caseOf = async (houseId: number) => (await t.db.selectFrom('collection_case').select('id').where('house_id', '=', houseId).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    const admin = systemActor(companyId, 'test');
    const w = await insertMonthlyProject(ctx, admin, { name: '检查园', houses: 3, monthly: '300', periods: ['2026-01'], mobiles: '1448' });
    ({ projectId, houses } = w);
    const user = (username: string, displayName: string, role: Actor['role']) => projectUser(ctx, admin, projectId, username, displayName, role);
    wang = await user('c_wang3', '王小丽', 'collector');
    li = await user('c_li3', '李大山', 'collector');
    zhou = await user('s_zhou3', '周领班', 'supervisor');
    cashier = await user('f_qian3', '钱出纳', 'cashier');
    await saveAssignment(ctx, zhou, projectId, { assignments: [{ houseId: houses[0]!, userId: wang.userId! }, { houseId: houses[1]!, userId: wang.userId! }, { houseId: houses[2]!, userId: li.userId! }] });
    clock.set(shanghaiAt('2026-01-20', '07:30'));
    await sweep(ctx, admin, projectId, '2026-01-20', { dryRun: false });
    clock.set(shanghaiAt('2026-01-20', '10:00'));
    await recordContact(ctx, wang, await caseOf(houses[0]!), { channel: 'call', outcome: '承诺缴费', promisedOn: '2026-01-23', ownerSaid: '周五转账' });
    await recordContact(ctx, wang, await caseOf(houses[1]!), { channel: 'call', outcome: '拒交', ownerSaid: '车位被占一直不处理' });
    await recordContact(ctx, li, await caseOf(houses[2]!), { channel: 'call', outcome: '未接' });
    await recordPayment(ctx, cashier, { houseId: houses[2]!, amount: '100', channel: '现金' });
  });
  afterAll(async () => { await t.destroy(); });

  it('shows each collector\'s records of the day and the day\'s money, all unsigned', async () => {
    const r = await dailyReview(ctx, zhou, projectId, '2026-01-20');
    expect(r.collectors.map((c) => [c.name, c.houses, c.attempts, c.promises, c.refusals, c.signed])).toEqual([['王小丽', 2, 2, 1, 1, null], ['李大山', 1, 1, 0, 0, null]]);
    expect(r.collectors[0]!.rows.map((x) => [x.house, x.outcome, x.ownerSaid])).toEqual([['1栋 1-1-1001', '承诺缴费', '周五转账'], ['1栋 1-1-1002', '拒交', '车位被占一直不处理']]);
    expect(r.collectors[1]!.outcomes).toEqual({ 未接: 1 });
    expect(r.fund).toEqual({ receivedFen: 10_000, received: '¥100.00', signed: null });
    expect(r.unsigned).toEqual([
      { day: '2026-01-20', kind: 'collector_records', userId: wang.userId, name: '王小丽' },
      { day: '2026-01-20', kind: 'collector_records', userId: li.userId, name: '李大山' },
      { day: '2026-01-20', kind: 'fund_report', userId: null, name: null },
    ].sort((a, b) => (a.userId ?? 0) - (b.userId ?? 0)));
    expect(await fails(dailyReview(ctx, wang, projectId, '2026-01-20'))).toMatch(/^FORBIDDEN/);
  });

  it('signs each once with who, when and a comment; never one\'s own records, never a future day', async () => {
    clock.set(shanghaiAt('2026-01-20', '18:00'));
    const s = await signReview(ctx, zhou, projectId, { day: '2026-01-20', kind: 'collector_records', userId: wang.userId, comment: '拒交户明天跟进' });
    expect(s).toMatchObject({ by: 's_zhou3', at: shanghaiAt('2026-01-20', '18:00'), comment: '拒交户明天跟进' });
    expect(await fails(signReview(ctx, zhou, projectId, { day: '2026-01-20', kind: 'collector_records', userId: wang.userId }))).toMatch(/^ALREADY_SIGNED/);
    expect(await fails(signReview(ctx, zhou, projectId, { day: '2026-01-20', kind: 'collector_records', userId: zhou.userId }))).toMatch(/不能签核自己的催缴记录/);
    expect(await fails(signReview(ctx, zhou, projectId, { day: '2026-01-21', kind: 'fund_report' }))).toMatch(/不能签核未来的日期/);
    await signReview(ctx, zhou, projectId, { day: '2026-01-20', kind: 'fund_report' });
    const r = await dailyReview(ctx, zhou, projectId, '2026-01-20');
    expect(r.collectors[0]!.signed).toEqual({ by: 's_zhou3', at: shanghaiAt('2026-01-20', '18:00'), comment: '拒交户明天跟进' });
    expect(r.fund.signed).toMatchObject({ by: 's_zhou3' });
    // Li's day is still unsigned, and stays flagged on the next days.
    clock.set(shanghaiAt('2026-01-22', '09:00'));
    expect((await dailyReview(ctx, zhou, projectId, '2026-01-22')).unsigned).toEqual([{ day: '2026-01-20', kind: 'collector_records', userId: li.userId, name: '李大山' }]);
    const log = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'review.sign').execute();
    expect(log).toHaveLength(2);
  });

  it('lists the hard cases with the answer book\'s guidance and keeps the supervisor\'s note', async () => {
    const list = await hardCases(ctx, zhou, projectId);
    expect(list).toEqual([expect.objectContaining({ house: '1栋 1-1-1002', reason: '车位被占一直不处理', ticket: expect.objectContaining({ status: 'open' }) as unknown, note: null })]);
    expect(list[0]!.guidance.map((g) => g.key)).toEqual(['parking_ownership']);
    await setGuidanceNote(ctx, zhou, list[0]!.caseId, '先协调车位，再上门沟通');
    expect((await hardCases(ctx, zhou, projectId))[0]!.note).toBe('先协调车位，再上门沟通');
    expect(await fails(setGuidanceNote(ctx, wang, list[0]!.caseId, 'x'))).toMatch(/^FORBIDDEN/);
  });
});
