import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../core/billing/periods.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { recordPayment } from '../billing/payment-service.ts';
import { decidePlan, houseTimeline, recordContact, requestPlan, resolveTicket, type ContactInput } from './case-service.ts';
import { sweep } from './sweep-service.ts';

/**
 * Time-travel scenarios (domain §3–4), day by day with a frozen clock: every morning at 09:00 the sweep runs, at
 * 11:00 the staff do what the script says. Five houses, each owing ¥300.00 for January 2026 (due 2026-01-15), under
 * the default policy. The expected table lists every action the system created, the day it was due and how it ended.
 */
const DIALECTS = await testDialects();
const ZONES = ['Asia/Shanghai', 'UTC'] as const;
const OFFSET_HOURS: Record<(typeof ZONES)[number], number> = { 'Asia/Shanghai': 8, UTC: 0 };

type House = 'A' | 'B' | 'C' | 'D' | 'E';
/** What staff do at 11:00 with an open action of a house on a day (by step key); unlisted calls stay open. */
type Script = Partial<Record<string, Partial<Record<House, ContactInput | 'skip'>>>>;

describe.each(DIALECTS.flatMap((d) => ZONES.map((z) => [d, z] as const)))('collection scenarios on %s in %s', (dialect, zone) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  const clock = fixedClock('2025-12-01T02:00:00.000Z');
  let admin: Actor;
  let collector: Actor;
  let supervisor: Actor;
  let cashier: Actor;
  let projectId = 0;
  const houses = {} as Record<House, number>;
  const contacts = {} as Record<House, number>;
  const at = (day: string, hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    return new Date(Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10), h - OFFSET_HOURS[zone], m)).toISOString();
  };
  const nameOf = (houseId: number) => (Object.entries(houses).find(([, id]) => id === houseId)?.[0] ?? '?') as House;
  const caseOf = async (h: House) => (await t.db.selectFrom('collection_case').select('id').where('house_id', '=', houses[h]).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    collector = { userId: 9201, name: 'collector_a', role: 'collector', companyId, scope: { kind: 'all' } };
    supervisor = { userId: 9202, name: 'supervisor_a', role: 'supervisor', companyId, scope: { kind: 'all' } };
    cashier = { userId: 9203, name: 'cashier_a', role: 'cashier', companyId, scope: { kind: 'all' } };
    const w = await insertMonthlyProject(ctx, admin, { name: `时光园-${zone}`, houses: 5, monthly: '300', periods: ['2026-01'], timeZone: zone, mobiles: '1440000000' });
    projectId = w.projectId;
    for (const [i, h] of (['A', 'B', 'C', 'D', 'E'] as const).entries()) {
      houses[h] = w.houses[i]!;
      contacts[h] = w.contacts[i]!;
    }
  });
  afterAll(async () => { await t.destroy(); });

  it('follows each house day by day from the pre-due SMS to payment, plan, dispute and silence', async () => {
    const sent = { outcome: '已发送' } as const;
    const call = (h: House, outcome: string, more: Partial<ContactInput> = {}): ContactInput => ({ contactId: contacts[h], outcome, ...more });
    const everyone = <T,>(v: T) => ({ A: v, B: v, C: v, D: v, E: v });
    const script: Record<string, Script> = {
      '2025-12-16': { pre_due_sms: everyone(sent) },
      '2026-01-05': { payment_notice: everyone({ outcome: '已张贴' }) },
      '2026-01-14': { last_reminder_sms: everyone(sent) },
      '2026-01-20': {
        first_call: {
          A: call('A', '承诺缴费', { promisedOn: '2026-02-04', ownerSaid: '下月4日前来交' }),
          B: call('B', '空号'),
          C: call('C', '拒交', { ownerSaid: '卫生间漏水一直没修', ticket: { topic: '漏水未修', description: '2栋上层漏水至卫生间' } }),
          D: call('D', '接通', { ownerSaid: '一次交不齐，想分两期' }),
          E: call('E', '接通'), // E paid at 10:00: the call is never made
        },
      },
      '2026-01-21': { verify_contact: { B: { outcome: '未找到', visitStaffCount: 2 } }, supervisor_review: { C: call('C', '接通', { ownerSaid: '已派维修' }) } },
      '2026-01-22': { service_address_letter: { B: { outcome: '已寄出', proof: '挂号信 XA100000001CN' } } },
      '2026-01-30': { second_call: { B: call('B', '空号') } },
      '2026-02-03': { promise_check: { A: call('A', '接通', { ownerSaid: '明天来交' }) }, second_call: { C: call('C', '承诺缴费', { promisedOn: '2026-02-10' }) } },
      '2026-02-09': { promise_check: { C: call('C', '接通') } },
    };
    const payments: Record<string, [House, string, string][]> = {
      '2026-01-20': [['E', '10:00', '300.00']],
      '2026-01-31': [['D', '09:00', '150.00']],
      '2026-02-04': [['A', '09:00', '300.00']],
      '2026-02-10': [['C', '09:00', '300.00']],
    };
    const results: string[] = [];
    for (let day = '2025-12-14'; day <= '2026-03-05'; day = addDays(day, 1)) {
      for (const [h, hhmm, amount] of (payments[day] ?? []).filter(([, time]) => time < '09:30')) {
        clock.set(at(day, hhmm));
        await recordPayment(ctx, cashier, { houseId: houses[h], amount, channel: '微信' });
      }
      clock.set(at(day, '09:00'));
      await sweep(ctx, supervisor, projectId, day, { dryRun: false });
      // The morning's task list: what staff will work through at 11:00, even if something changes meanwhile.
      const open = await t.db.selectFrom('dunning_action').select(['id', 'case_id', 'house_id', 'step_key', 'status']).where('project_id', '=', projectId)
        .where('status', 'in', ['open', 'awaiting_approval']).orderBy('id').execute();
      for (const [h, hhmm, amount] of (payments[day] ?? []).filter(([, time]) => time >= '09:30')) {
        clock.set(at(day, hhmm));
        await recordPayment(ctx, cashier, { houseId: houses[h], amount, channel: '微信' });
      }
      clock.set(at(day, '11:00'));
      for (const a of open) {
        const todo = script[day]?.[a.step_key]?.[nameOf(a.house_id)];
        if (!todo || todo === 'skip') continue;
        const r = await recordContact(ctx, a.step_key.includes('review') ? supervisor : collector, a.case_id, { ...todo, actionId: a.id, ...(todo.proof ? { deliveredOn: day } : {}) });
        results.push(`${day} ${nameOf(a.house_id)} ${a.step_key} → ${r.status}`);
      }
      if (day === '2026-01-20') {
        // D applies for two instalments; the supervisor approves it, signed by the owner, the next day.
        await requestPlan(ctx, collector, await caseOf('D'), { kind: 'instalment', reason: '资金周转困难', instalments: [{ dueOn: '2026-02-01', amount: '150.00' }, { dueOn: '2026-03-01', amount: '150.00' }] });
      }
      if (day === '2026-01-21') {
        const plan = await t.db.selectFrom('payment_plan').select('id').where('case_id', '=', await caseOf('D')).executeTakeFirstOrThrow();
        await decidePlan(ctx, supervisor, plan.id, true, { signedOn: '2026-01-21' });
      }
      if (day === '2026-02-02') {
        const ticket = await t.db.selectFrom('service_ticket').select('id').where('house_id', '=', houses.C).executeTakeFirstOrThrow();
        await resolveTicket(ctx, supervisor, ticket.id, '已修复漏水，业主确认');
      }
    }

    const actions = await t.db.selectFrom('dunning_action').select(['house_id', 'step_key', 'due_on', 'status']).where('project_id', '=', projectId).orderBy('house_id').orderBy('id').execute();
    const table = actions.map((a) => `${nameOf(a.house_id)} ${a.due_on} ${a.step_key} ${a.status}`);
    const preDue = (h: House) => [`${h} 2025-12-16 pre_due_sms done`, `${h} 2026-01-05 payment_notice done`, `${h} 2026-01-14 last_reminder_sms done`];
    expect(table).toEqual([
      // A: one call, a promise for day +20 (02-04), reminded the day before, paid on the day: resolved.
      ...preDue('A'), 'A 2026-01-20 first_call done', 'A 2026-02-03 promise_check done',
      // B: the number is dead: contact verification, a registered letter to the 送达 address, the ladder's second call.
      // (Each follow-up is planned the moment the previous contact is recorded, and done the next day.)
      ...preDue('B'), 'B 2026-01-20 first_call done', 'B 2026-01-20 verify_contact done', 'B 2026-01-21 service_address_letter done', 'B 2026-01-30 second_call done',
      // C: refuses over a leak: the supervisor follows up at once; escalation waits for the ticket (R10); once it is
      // resolved (02-02) the second call is due, the owner promises 02-10, is reminded the day before and pays.
      ...preDue('C'), 'C 2026-01-20 first_call done', 'C 2026-01-20 supervisor_review done', 'C 2026-02-02 second_call done', 'C 2026-02-09 promise_check done',
      // D: a plan of two instalments pauses the case; the second instalment (03-01) is missed: the ladder resumes.
      ...preDue('D'), 'D 2026-01-20 first_call done', 'D 2026-03-02 second_call open',
      // E: pays at 10:00 on the day of the first call: the open call is cancelled at once, and when the collector
      // works the morning's list at 11:00 the ledger is checked again before calling: nobody is called.
      ...preDue('E'), 'E 2026-01-20 first_call cancelled',
    ]);
    expect(results).toContain('2026-01-20 E first_call → cancelled_paid');
    expect(results.filter((r) => r.endsWith('cancelled_paid'))).toHaveLength(1);

    // Nobody who paid was contacted after paying; E has no contact attempt on or after the day it paid.
    const attemptsE = await t.db.selectFrom('contact_attempt').select('at').where('house_id', '=', houses.E).execute();
    expect(attemptsE.every((x) => x.at < at('2026-01-20', '10:00'))).toBe(true);
    const cases = await t.db.selectFrom('collection_case').select(['house_id', 'state', 'category']).where('project_id', '=', projectId).orderBy('house_id').execute();
    expect(cases.map((c) => `${nameOf(c.house_id)} ${c.state} ${c.category ?? '-'}`)).toEqual(['A resolved will_pay', 'B overdue unreachable', 'C resolved will_pay', 'D overdue -', 'E resolved -']);
    // D's plan: signed, so the limitation of January restarted on 2026-01-21 (R13); then broken by the missed instalment.
    const d = await houseTimeline(ctx, supervisor, houses.D);
    expect(d.cases[0]!.plans.map((p) => p.status)).toEqual(['已违约']);
    expect(d.cases[0]!.limitation).toMatchObject([{ period: '2026-01', expiresOn: '2029-01-31', state: 'running' }]);
    expect(d.cases[0]!.pauses.map((p) => [p.kind, p.endReason !== null])).toEqual([['payment_plan', true]]);
    // B's timeline: every attempt recorded with a masked number, never the number itself.
    const b = await houseTimeline(ctx, supervisor, houses.B);
    const withNumber = b.cases[0]!.attempts.filter((x) => x.contact);
    expect(withNumber.length).toBeGreaterThan(0);
    expect(withNumber.every((x) => x.contact === '144****0002')).toBe(true);
    // Running the last day's sweep again creates nothing (exactly once).
    clock.set(at('2026-03-05', '15:00'));
    const again = await sweep(ctx, supervisor, projectId, '2026-03-05', { dryRun: false });
    expect(again.created).toBe(0);
  }, 120_000);
});
