import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../core/dunning/policy.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fails, fixedClock, insertMonthlyProject } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { decideAction, decidePlan, endPause, houseTimeline, pauseCase, recordContact, requestPlan, resolveTicket, setExcluded, setWrittenOff } from './case-service.ts';
import { loadFacts, policyOf, savePolicy, sweep } from './sweep-service.ts';

const DIALECTS = await testDialects();


describe.each(DIALECTS)('working a collection case on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  // Wednesday 2026-05-06, 10:00 in Shanghai; January–April 2026 are owed (¥300.00 a month, due on the 15th).
  const clock = fixedClock('2026-05-06T02:00:00.000Z');
  const actors = {} as Record<'admin' | 'collector' | 'supervisor' | 'manager' | 'gm', Actor>;
  let projectId = 0;
  let houseId = 0;
  let caseId = 0;
  const open = async () => t.db.selectFrom('dunning_action').select(['id', 'step_key', 'status']).where('case_id', '=', caseId).where('status', 'in', ['open', 'awaiting_approval']).execute();
  const plan = async (asOf: string) => (await sweep(ctx, actors.admin, projectId, asOf, { dryRun: false })).lines.find((l) => l.houseId === houseId)!;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    actors.admin = systemActor(companyId, 'test');
    const role = (userId: number, name: string, r: Actor['role']): Actor => ({ userId, name, role: r, companyId, scope: { kind: 'all' } });
    Object.assign(actors, { collector: role(9401, 'collector_c', 'collector'), supervisor: role(9402, 'supervisor_c', 'supervisor'), manager: role(9403, 'manager_c', 'project_manager'), gm: role(9404, 'gm_c', 'general_manager') });
    const w = await insertMonthlyProject(ctx, actors.admin, { name: '案件园', houses: 1, monthly: '300', periods: ['2026-01', '2026-02', '2026-03', '2026-04'], mobiles: '1442' });
    projectId = w.projectId;
    houseId = w.houses[0]!;
    // A short ladder: the demand notice at 3 months (supervisor approval), then the lawyer's letter (general manager).
    const demand = DEFAULT_POLICY.steps.find((s) => s.key === 'demand_notice')!;
    const lawyer = DEFAULT_POLICY.steps.find((s) => s.key === 'lawyer_letter')!;
    await savePolicy(ctx, actors.manager, projectId, { ...DEFAULT_POLICY, steps: [{ ...demand, anchor: 'due', offsetDays: 0, windowDays: 30 }, lawyer] });
    await plan('2026-05-06');
    caseId = (await t.db.selectFrom('collection_case').select('id').where('house_id', '=', houseId).executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => { await t.destroy(); });

  it('a demand needs the supervisor; its delivery with proof interrupts limitation for every period (R13, R14); the lawyer’s letter waits for the deadline and the general manager (R7, R11)', async () => {
    const [demand] = await open();
    expect(demand).toMatchObject({ step_key: 'demand_notice', status: 'awaiting_approval' });
    expect(await fails(decideAction(ctx, actors.collector, demand!.id, true))).toMatch(/^FORBIDDEN/);
    expect(await fails(recordContact(ctx, actors.collector, caseId, { actionId: demand!.id, outcome: '已送达' }))).toMatch(/^ACTION_CLOSED: 该任务须先经审批/);
    await decideAction(ctx, actors.supervisor, demand!.id, true, '同意发出');
    await recordContact(ctx, actors.collector, caseId, { actionId: demand!.id, outcome: '已送达', deliveredOn: '2026-05-06', proof: '挂号信 XA200000001CN 回执' });
    const events = await t.db.selectFrom('limitation_event').select(['period', 'kind', 'on_date']).where('house_id', '=', houseId).orderBy('period').execute();
    expect(events).toEqual(['2026-01', '2026-02', '2026-03', '2026-04'].map((period) => ({ period, kind: 'demand_delivered', on_date: '2026-05-06' })));
    expect(await plan('2026-05-21')).toMatchObject({ action: null, nextActionAt: '2026-05-22', why: expect.stringContaining('R7') as string });
    clock.set('2026-05-22T02:00:00.000Z');
    const letter = (await plan('2026-05-22')).action!;
    expect(letter).toMatchObject({ key: 'lawyer_letter', approval: 'general_manager' });
    const [row] = await open();
    expect(await fails(decideAction(ctx, actors.supervisor, row!.id, true))).toBe('FORBIDDEN: 该任务须由分公司总经理或以上审批');
    expect(await fails(decideAction(ctx, actors.gm, row!.id, false))).toMatch(/驳回须填写理由/);
    await decideAction(ctx, actors.gm, row!.id, true, '金额较大，同意');
    expect(await open()).toEqual([expect.objectContaining({ step_key: 'lawyer_letter', status: 'open' })]);
  });

  it('pauses, exclusion and write-off stop collection with who and why; only the right roles may', async () => {
    await pauseCase(ctx, actors.collector, caseId, { kind: 'hardship', until: '2026-06-30', reason: '家中有人住院，暂缓' });
    expect(await plan('2026-05-23')).toMatchObject({ action: null, nextActionAt: '2026-07-01', why: '暂停中：困难帮扶，至 2026-06-30' });
    expect(await open()).toEqual([]);
    expect(await fails(pauseCase(ctx, actors.collector, caseId, { kind: 'holiday', reason: 'x' }))).toMatch(/^VALIDATION_FAILED/);
    await endPause(ctx, actors.supervisor, caseId, '已出院');
    expect((await plan('2026-05-23')).action?.key).toBe('lawyer_letter');
    expect(await fails(setExcluded(ctx, actors.collector, caseId, true, '开发商遗留问题'))).toMatch(/^FORBIDDEN/);
    await setExcluded(ctx, actors.supervisor, caseId, true, '开发商遗留问题，待协调');
    expect(await plan('2026-05-23')).toMatchObject({ action: null, why: '已排除催缴（人工标记）' });
    await setExcluded(ctx, actors.supervisor, caseId, false, '协调完毕');
    expect(await fails(setWrittenOff(ctx, actors.supervisor, caseId, true, '法院判决不予支持'))).toMatch(/^FORBIDDEN: 核销须由项目经理或以上办理/);
    await setWrittenOff(ctx, actors.manager, caseId, true, '法院判决不予支持');
    expect(await plan('2026-05-23')).toMatchObject({ state: 'written_off', action: null });
    await setWrittenOff(ctx, actors.manager, caseId, false, '撤销：录入错误');
    const tl = await houseTimeline(ctx, actors.supervisor, houseId);
    expect(tl.cases[0]!.pauses.map((p) => [p.kind, p.by, p.endReason])).toEqual([['hardship', 'collector_c', '已出院']]);
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'collection_case').where('entity_id', '=', String(caseId)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['dunning.pause', 'dunning.resume', 'dunning.exclude', 'dunning.include', 'dunning.write_off', 'dunning.write_off_undo']));
  });

  it('a refusal always opens a service ticket and escalation waits for it (R10); a plan must cover what is due and is approved by someone else', async () => {
    const [letter] = await open();
    await recordContact(ctx, actors.collector, caseId, { channel: 'call', outcome: '拒交', ownerSaid: '车位被占一直没人管' });
    const tickets = await t.db.selectFrom('service_ticket').select(['id', 'topic', 'status']).where('case_id', '=', caseId).execute();
    expect(tickets).toEqual([expect.objectContaining({ topic: '车位被占一直没人管', status: 'open' })]);
    const held = await plan('2026-05-23');
    expect(held.action?.key).toBe('supervisor_review');
    expect((await t.db.selectFrom('dunning_action').select('status').where('id', '=', letter!.id).executeTakeFirstOrThrow()).status).toBe('superseded');
    await resolveTicket(ctx, actors.supervisor, tickets[0]!.id, '已协调车位');
    expect(await fails(requestPlan(ctx, actors.collector, caseId, { kind: 'instalment', reason: '分两期', instalments: [{ dueOn: '2026-06-01', amount: '100' }] })))
      .toBe('VALIDATION_FAILED: 分期计划（instalments）：输入有误（各期合计 ¥100.00 少于已到期欠费 ¥1,200.00）');
    const p = await requestPlan(ctx, actors.collector, caseId, { kind: 'instalment', reason: '分两期', instalments: [{ dueOn: '2026-06-01', amount: '600' }, { dueOn: '2026-07-01', amount: '600' }] });
    const self = { ...actors.supervisor, userId: actors.collector.userId };
    expect(await fails(decidePlan(ctx, self, p.id, true, { signedOn: '2026-05-22' }))).toMatch(/^FORBIDDEN/);
    expect(await fails(decidePlan(ctx, actors.supervisor, p.id, true, {}))).toMatch(/签署/);
    await decidePlan(ctx, actors.supervisor, p.id, true, { signedOn: '2026-05-22' });
    expect(await plan('2026-05-23')).toMatchObject({ action: null, nextActionAt: '2026-07-02' });
  });

  it('reads the 特殊关怀 tag of the owner of the periods into the plan (no visits on the gentle path)', async () => {
    const { policy } = await policyOf(t.db, projectId);
    expect((await loadFacts(t.db, projectId, 'Asia/Shanghai', policy, '2026-05-23', new Date('2026-05-23T00:00:00Z')))[0]!.input.specialCare).toBe(false);
    const owner = await t.db.selectFrom('ownership_owner').innerJoin('ownership', 'ownership.id', 'ownership_owner.ownership_id').select('ownership_owner.owner_id')
      .where('ownership.house_id', '=', houseId).executeTakeFirstOrThrow();
    await t.db.insertInto('owner_tag').values({ owner_id: owner.owner_id, tag: '特殊关怀' }).execute();
    expect((await loadFacts(t.db, projectId, 'Asia/Shanghai', policy, '2026-05-23', new Date('2026-05-23T00:00:00Z')))[0]!.input.specialCare).toBe(true);
  });
});
