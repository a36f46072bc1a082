import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fails, fixedClock, insertMonthlyProject, projectUser, shanghaiAt } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { recordContact } from '../dunning/case-service.ts';
import { sweep } from '../dunning/sweep-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { saveAssignment } from './assignment-service.ts';
import { worklist } from './worklist-service.ts';

const DIALECTS = await testDialects();

/**
 * A collector's day (issue 5 points 2–3) with a frozen clock: the worklist of the houses assigned to them, in the
 * order the rules allow, and one-click outcomes that update the category, the number's status and the next task.
 */
describe.each(DIALECTS)('collector worklist on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const clock = fixedClock('2026-01-19T23:30:00.000Z');
  let projectId = 0;
  let houses: number[] = [];
  let contacts: number[] = [];
  let wang: Actor;
  let li: Actor;
  let supervisor: Actor;
  const caseOf = async (houseId: number) => t.db.selectFrom('collection_case').select(['id', 'category', 'next_action_at']).where('house_id', '=', houseId).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    const admin = systemActor(companyId, 'test');
    const w = await insertMonthlyProject(ctx, admin, { name: '清单园', houses: 4, monthly: '300', periods: ['2026-01'], mobiles: '1447' });
    ({ projectId, houses, contacts } = w);
    const user = (username: string, displayName: string, role: Actor['role']) => projectUser(ctx, admin, projectId, username, displayName, role);
    wang = await user('c_wang2', '王小丽', 'collector');
    li = await user('c_li2', '李大山', 'collector');
    supervisor = await user('s_zhou', '周领班', 'supervisor');
    await saveAssignment(ctx, supervisor, projectId, { assignments: [...houses.slice(0, 3).map((houseId) => ({ houseId, userId: wang.userId! })), { houseId: houses[3]!, userId: li.userId! }] });
    clock.set(shanghaiAt('2026-01-20', '07:30'));
    await sweep(ctx, admin, projectId, '2026-01-20', { dryRun: false });
  });
  afterAll(async () => { await t.destroy(); });

  it('lists only the collector\'s own houses, with what is owed per period, masked contacts and the filled-in script', async () => {
    clock.set(shanghaiAt('2026-01-20', '08:00'));
    const list = await worklist(ctx, wang, projectId);
    expect(list).toMatchObject({ day: '2026-01-20', total: 3, availableNow: 0 });
    expect(list.items.map((i) => i.houseId)).toEqual(houses.slice(0, 3));
    const first = list.items[0]!;
    expect(first).toMatchObject({ key: 'first_call', name: '首次电话催缴', notBefore: shanghaiAt('2026-01-20', '09:30'), availableNow: false, owed: '¥300.00' });
    expect(first.periods).toEqual([{ period: '2026-01', dueDate: '2026-01-15', owedFen: 30_000, owed: '¥300.00', timeBarred: false }]);
    expect(first.contacts).toEqual([{ id: contacts[0], kind: '手机', masked: '144****0001', status: '未核实', owner: '业主1' }]);
    expect(JSON.stringify(list)).not.toContain('14470000001');
    expect(first.script!.text).toContain('业主1您好！我是');
    expect(first.script!.text).toContain('客服王小丽。1栋 1-1-1001（2026-01）的物业服务费已到缴费时间');
    expect(first.script!.text).toContain('共计¥300.00');
    expect((await worklist(ctx, li, projectId)).items.map((i) => i.houseId)).toEqual([houses[3]]);
    expect(await fails(worklist(ctx, wang, projectId, { userId: li.userId! }))).toMatch(/^FORBIDDEN/);
    expect((await worklist(ctx, supervisor, projectId, { userId: li.userId! })).total).toBe(1);
  });

  it('one click per outcome: an unanswered call goes to the end for 30 minutes, a dead number is marked and verified by visit, a promise leaves the list', async () => {
    clock.set(shanghaiAt('2026-01-20', '09:45'));
    const [a, b, c] = (await worklist(ctx, wang, projectId)).items;
    expect([a!.availableNow, b!.availableNow, c!.availableNow]).toEqual([true, true, true]);

    expect(await recordContact(ctx, wang, a!.caseId, { actionId: a!.actionId, contactId: contacts[0]!, outcome: '未接' })).toMatchObject({ retry: true });
    await recordContact(ctx, wang, b!.caseId, { actionId: b!.actionId, contactId: contacts[1]!, outcome: '空号' });
    await recordContact(ctx, wang, c!.caseId, { actionId: c!.actionId, contactId: contacts[2]!, outcome: '承诺缴费', promisedOn: '2026-01-25', ownerSaid: '下周一转账' });

    expect((await t.db.selectFrom('contact').select('status').where('id', '=', contacts[1]!).executeTakeFirstOrThrow()).status).toBe('空号');
    const verified = await t.db.selectFrom('contact').select(['status', 'last_verified']).where('id', '=', contacts[2]!).executeTakeFirstOrThrow();
    expect(verified).toEqual({ status: '有效', last_verified: '2026-01-20' });
    expect((await caseOf(houses[1]!)).category).toBe('unreachable');
    expect(await caseOf(houses[2]!)).toMatchObject({ category: 'will_pay', next_action_at: '2026-01-24' });

    const after = await worklist(ctx, wang, projectId);
    expect(after.items.map((i) => [i.houseId, i.key, i.availableNow])).toEqual([
      [houses[1], 'verify_contact', true],
      [houses[0], 'first_call', false],
    ]);
    expect(after.items[1]!.notBefore).toBe(shanghaiAt('2026-01-20', '10:15'));
    expect(after.items[1]!.lastAttempts).toEqual([expect.objectContaining({ outcome: '未接', contact: '144****0001', staff: 'c_wang2' })]);
  });

  it('brings up the answer for what the owner said', async () => {
    clock.set(shanghaiAt('2026-01-20', '10:20'));
    const [row] = (await worklist(ctx, li, projectId)).items;
    await recordContact(ctx, li, row!.caseId, { channel: 'call', contactId: contacts[3]!, outcome: '接通', ownerSaid: '厨房漏水一直没人修' });
    const again = (await worklist(ctx, li, projectId)).items[0]!;
    expect(again.answers.map((x) => x.key)).toEqual(['leak_warranty']);
    expect(again.answers[0]!.answer).toContain('五年');
  });
});
