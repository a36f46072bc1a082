import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planCase, type CaseInput } from './planner.ts';
import type { DunningPolicy, PolicyStep } from './policy.ts';

const step = (s: Partial<PolicyStep> & Pick<PolicyStep, 'key' | 'anchor' | 'offsetDays' | 'windowDays' | 'channels'>): PolicyStep => ({
  name: s.key, actor: 'collector', approval: null, template: s.key, enabled: true, ...s,
});
/** A ladder like the seeds': SMS 30–15 days before, door notice 10 days before, last reminder the day before, calls, demand at 3 months. */
const policy: DunningPolicy = {
  version: 1, mode: 'sequential', demandDeadlineDays: 15, limitationAlertMonths: [6, 3],
  steps: [
    step({ key: 'pre_due_sms', anchor: 'due', offsetDays: -30, windowDays: 15, channels: ['sms'], actor: 'system' }),
    step({ key: 'door_notice', anchor: 'due', offsetDays: -10, windowDays: 1, channels: ['door_notice'] }),
    step({ key: 'last_reminder', anchor: 'due', offsetDays: -1, windowDays: 0, channels: ['sms'], actor: 'system' }),
    step({ key: 'first_call', anchor: 'due', offsetDays: 5, windowDays: 2, channels: ['call'] }),
    step({ key: 'second_call', anchor: 'previous', offsetDays: 10, windowDays: 5, channels: ['call'] }),
    step({ key: 'demand_notice', anchor: 'previous', offsetDays: 0, windowDays: 30, channels: ['demand_notice'], minArrearsMonths: 3, onMissedPromise: true }),
    step({ key: 'lawyer_letter', anchor: 'previous', offsetDays: 0, windowDays: 30, channels: ['lawyer_letter'], actor: 'general_manager', approval: 'general_manager', requiresDeliveredDemand: true }),
  ],
};
const jan = { period: '2026-01', dueDate: '2026-01-15', owedFen: 30_000 };
const feb = { period: '2026-02', dueDate: '2026-02-15', owedFen: 30_000 };
const mar = { period: '2026-03', dueDate: '2026-03-15', owedFen: 30_000 };
const base: CaseInput = {
  caseId: 7, cycle: 1, debts: [jan], done: [], followUpsDone: [], pause: null, excluded: false, writtenOff: false, category: null, promisedOn: null,
  openTicket: false, demandDeliveredOn: null,
};
const at = (c: Partial<CaseInput>, asOf: string, p: DunningPolicy = policy) => planCase(p, { ...base, ...c }, asOf);

describe('dunning planner', () => {
  it('plans the pre-due SMS inside its window and waits for the next step by its anchored date', () => {
    expect(at({}, '2025-12-15').action).toBeNull();
    expect(at({}, '2025-12-15').nextActionAt).toBe('2025-12-16');
    const p = at({}, '2025-12-16');
    expect(p.state).toBe('due_soon');
    expect(p.action).toMatchObject({ key: 'pre_due_sms', channel: 'sms', cycleKey: '1', dueOn: '2025-12-16', late: false, owedFen: 30_000 });
    const after = at({ done: [{ key: 'pre_due_sms', on: '2025-12-16' }] }, '2025-12-20');
    expect(after.action).toBeNull();
    expect(after).toMatchObject({ nextActionAt: '2026-01-05', nextKey: 'door_notice' });
  });

  it('skips a pre-due step whose window has passed instead of sending it late', () => {
    const p = at({}, '2026-01-14');
    expect(p.skipped.map((s) => s.key)).toEqual(['pre_due_sms', 'door_notice']);
    expect(p.action?.key).toBe('last_reminder');
  });

  it('counts a step anchored on the previous one from the day that one was done, never from today', () => {
    const done = [{ key: 'last_reminder', on: '2026-01-14' }, { key: 'first_call', on: '2026-01-21' }];
    const p = at({ done }, '2026-01-25');
    expect(p).toMatchObject({ state: 'overdue', nextActionAt: '2026-01-31', nextKey: 'second_call', action: null });
    expect(at({ done }, '2026-01-31').action?.key).toBe('second_call');
  });

  it('after a partial payment the anchor moves to the next unpaid period and no stage is skipped', () => {
    // January paid after the first call: February (due 02-15) is the anchor now. A step anchored on the due date
    // is due from February's date, and the second call still follows the first call that was made.
    const p = at({ debts: [feb] }, '2026-02-18');
    expect(p).toMatchObject({ action: null, nextKey: 'first_call', nextActionAt: '2026-02-20' });
    const q = at({ debts: [feb], done: [{ key: 'last_reminder', on: '2026-01-14' }, { key: 'first_call', on: '2026-01-21' }] }, '2026-02-18');
    expect(q.action).toMatchObject({ key: 'second_call', late: true });
  });

  it('sequential mode plans a late step; catch-up mode records it skipped when a later one is due', () => {
    const done = [{ key: 'last_reminder', on: '2026-01-14' }];
    expect(at({ done }, '2026-02-10').action).toMatchObject({ key: 'first_call', late: true });
    const catchUp = at({ done }, '2026-02-10', { ...policy, mode: 'catch_up' });
    expect(catchUp.skipped.map((s) => s.key)).toContain('first_call');
    expect(catchUp.action?.key).toBe('second_call');
  });

  it('waits for three months of arrears before a demand notice, and says when', () => {
    const done = ['last_reminder', 'first_call', 'second_call'].map((key, i) => ({ key, on: `2026-01-${14 + i * 7}` }));
    const p = at({ debts: [jan, feb, mar], done }, '2026-03-10');
    expect(p).toMatchObject({ action: null, nextKey: 'demand_notice', nextActionAt: '2026-03-16' });
    expect(at({ debts: [jan, feb, mar], done }, '2026-03-16').action?.key).toBe('demand_notice');
  });

  it('a missed promise resumes the ladder with a demand notice at once', () => {
    const done = [{ key: 'last_reminder', on: '2026-01-14' }, { key: 'first_call', on: '2026-01-20' }];
    const promised = { done, category: 'will_pay' as const, promisedOn: '2026-02-05', pause: { kind: 'promise' as const, until: '2026-02-05' } };
    expect(at(promised, '2026-02-01')).toMatchObject({ action: null, nextActionAt: '2026-02-04', nextKey: 'promise_check' });
    expect(at(promised, '2026-02-04').action).toMatchObject({ kind: 'follow_up', key: 'promise_check' });
    const missed = at(promised, '2026-02-06');
    expect(missed.action).toMatchObject({ key: 'demand_notice', kind: 'step' });
    expect(missed.why).toContain('未兑现');
  });

  it('a pause, an exclusion or an open service ticket (R10) stops escalation; a paid case is resolved', () => {
    expect(at({ pause: { kind: 'dispute', until: '2026-03-01' } }, '2026-02-01')).toMatchObject({ action: null, nextActionAt: '2026-03-02' });
    expect(at({ pause: { kind: 'dispute', until: '2026-03-01' } }, '2026-03-02').action).not.toBeNull();
    expect(at({ excluded: true }, '2026-02-01').action).toBeNull();
    expect(at({ openTicket: true, category: 'refusal' }, '2026-02-01').why).toContain('R10');
    expect(at({ debts: [] }, '2026-02-01')).toMatchObject({ state: 'resolved', action: null, nextActionAt: null });
  });

  it("a lawyer's letter needs approval and a delivered demand whose deadline has passed (R7)", () => {
    const done = ['last_reminder', 'first_call', 'second_call', 'demand_notice'].map((key, i) => ({ key, on: `2026-04-0${i + 1}` }));
    const c = { debts: [jan, feb, mar], done };
    expect(at(c, '2026-04-20').why).toContain('R7');
    const delivered = { ...c, demandDeliveredOn: '2026-04-05' };
    expect(at(delivered, '2026-04-20')).toMatchObject({ action: null, nextActionAt: '2026-04-21' });
    expect(at(delivered, '2026-04-21').action).toMatchObject({ key: 'lawyer_letter', approval: 'general_manager' });
  });

  it('never threatens suit over time-barred periods (R15)', () => {
    const done = ['last_reminder', 'first_call', 'second_call', 'demand_notice'].map((key) => ({ key, on: '2029-02-01' }));
    const barred = [{ ...jan, timeBarred: true }, { ...feb, timeBarred: true }, { ...mar, timeBarred: true }];
    const p = at({ debts: barred, done, demandDeliveredOn: '2029-02-01' }, '2029-04-01');
    expect(p.action).toBeNull();
    expect(p.skipped.find((s) => s.key === 'lawyer_letter')?.reason).toContain('R15');
  });

  it('each category drives its own follow-up (domain §4)', () => {
    const done = ['last_reminder', 'first_call', 'second_call'].map((key, i) => ({ key, on: `2026-01-${14 + i * 7}` }));
    const unclear = at({ done, category: 'unclear' }, '2026-02-10');
    expect(unclear.action).toMatchObject({ key: 'daily_call', cycleKey: '1:2026-02-10' });
    expect(at({ done, category: 'unclear', followUpsDone: ['daily_call@1:2026-02-10'] }, '2026-02-10')).toMatchObject({ action: null, nextActionAt: '2026-02-11' });
    expect(at({ done, category: 'unreachable' }, '2026-02-10').action?.key).toBe('verify_contact');
    expect(at({ done, category: 'unreachable', followUpsDone: ['verify_contact@1'] }, '2026-02-10').action?.key).toBe('service_address_letter');
    expect(at({ done, category: 'away' }, '2026-02-10').action?.key).toBe('remote_payment_guide');
    expect(at({ done, category: 'refusal' }, '2026-02-10').action).toMatchObject({ key: 'supervisor_review', actor: 'supervisor' });
  });

  it('plans no visit for a special-care owner (the gentle path, domain §5)', () => {
    const withVisit: DunningPolicy = { ...policy, steps: [...policy.steps.slice(0, 5), step({ key: 'visit', anchor: 'previous', offsetDays: 5, windowDays: 5, channels: ['visit'] }), ...policy.steps.slice(5)] };
    const done = ['last_reminder', 'first_call', 'second_call'].map((key, i) => ({ key, on: `2026-01-${14 + i * 7}` }));
    expect(at({ done }, '2026-02-05', withVisit).action?.key).toBe('visit');
    const gentle = at({ done, specialCare: true }, '2026-02-05', withVisit);
    expect(gentle.action).toBeNull();
    expect(gentle.skipped).toContainEqual({ key: 'visit', name: 'visit', reason: '特殊关怀业主：不安排上门，由主管电话沟通' });
    expect(gentle.nextKey).toBe('demand_notice');
  });

  it('is deterministic and anchored: the next action date never precedes the oldest due date minus the longest lead', () => {
    fc.assert(fc.property(fc.integer({ min: -40, max: 200 }), fc.subarray(['pre_due_sms', 'door_notice', 'last_reminder', 'first_call', 'second_call']), (d, doneKeys) => {
      const asOf = new Date(Date.UTC(2026, 0, 15 + d)).toISOString().slice(0, 10);
      const c = { done: doneKeys.map((key) => ({ key, on: '2026-01-20' })) };
      const a = at(c, asOf);
      expect(at(c, asOf)).toEqual(a);
      if (a.nextActionAt) expect(a.nextActionAt >= '2025-12-16').toBe(true);
      if (a.action) expect(a.action.dueOn).toBe(asOf);
    }));
  });
});
