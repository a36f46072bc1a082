import { describe, expect, it } from 'vitest';
import { instantAt, localTimeOf, type Attempt } from './contact-rules.ts';
import { planCase, type CaseInput } from './planner.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { isHardCase, scheduler, type ContactFacts } from './schedule.ts';

const jan = { period: '2026-01', dueDate: '2026-01-15', owedFen: 30_000 };
const base: CaseInput = {
  caseId: 1, cycle: 1, debts: [jan], done: [], followUpsDone: [], pause: null, excluded: false, writtenOff: false, category: null, promisedOn: null,
  openTicket: false, demandDeliveredOn: null,
};
const facts = (f: Partial<ContactFacts> = {}): ContactFacts => ({ specialCare: false, hardCase: false, phones: [], history: [], ...f });
const preDue = { ...base };
/** First call due 2026-01-20 (a Tuesday): the pre-due steps were done. */
const callDue = { ...base, done: [{ key: 'pre_due_sms', on: '2025-12-16' }, { key: 'payment_notice', on: '2026-01-05' }, { key: 'last_reminder_sms', on: '2026-01-14' }] };

describe.each(['Asia/Shanghai', 'UTC'])('planning under the contact rules (%s)', (tz) => {
  const at = (date: string, hm: string) => instantAt(date, Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3)), tz);
  const local = (iso: string | null | undefined) => {
    if (!iso) return null;
    const t = localTimeOf(new Date(iso), tz);
    return `${t.date} ${String(Math.floor(t.minutes / 60)).padStart(2, '0')}:${String(t.minutes % 60).padStart(2, '0')}`;
  };
  const plan = (c: Partial<CaseInput>, asOf: string, now: Date, f: Partial<ContactFacts> = {}) => scheduler(now, tz)(planCase(DEFAULT_POLICY, { ...base, ...c }, asOf), facts(f));
  const sms = (date: string, hm: string): Attempt => ({ at: at(date, hm), channel: 'sms' });
  const call = (date: string, hm: string, number = '1', answered = false): Attempt => ({ at: at(date, hm), channel: 'call', number, answered });

  it('a call planned by the morning sweep waits for the call window (weekday 09:30, weekend 10:30)', () => {
    const p = plan(callDue, '2026-01-20', at('2026-01-20', '07:30'));
    expect(p.action).toMatchObject({ key: 'first_call', dueOn: '2026-01-20' });
    expect(local(p.action!.notBefore)).toBe('2026-01-20 09:30');
    expect(p.nextActionAt).toBe('2026-01-20');
    const sat = plan(callDue, '2026-01-24', at('2026-01-24', '07:30'));
    expect(local(sat.action!.notBefore)).toBe('2026-01-24 10:30');
  });

  it('a system SMS is never planned in quiet hours (R47): 08:00 at the earliest', () => {
    const p = plan(preDue, '2025-12-16', at('2025-12-16', '07:30'));
    expect(p.action).toMatchObject({ key: 'pre_due_sms', channel: 'sms' });
    expect(local(p.action!.notBefore)).toBe('2025-12-16 08:00');
  });

  it('an SMS over the weekly cap (R48) moves to next Monday 08:00, and the plan says why', () => {
    // 2025-12-16 is a Tuesday; three SMS already this week (Monday 15th and today).
    const history = [sms('2025-12-15', '09:00'), sms('2025-12-15', '18:00'), sms('2025-12-16', '08:10')];
    const p = plan(preDue, '2025-12-16', at('2025-12-16', '10:00'), { history });
    expect(local(p.action!.notBefore)).toBe('2025-12-22 08:00');
    expect(p.nextActionAt).toBe('2025-12-22');
    expect(p.why).toContain('已达每周上限 3 条（R48）');
    expect(p.why).toContain('顺延至 2025-12-22 08:00');
    expect(p.action!.reason).toContain('R48');
    // Last week's SMS do not count.
    const lastWeek = [sms('2025-12-12', '09:00'), sms('2025-12-13', '09:00'), sms('2025-12-14', '09:00')];
    expect(local(plan(preDue, '2025-12-16', at('2025-12-16', '10:00'), { history: lastWeek }).action!.notBefore)).toBe('2025-12-16 10:00');
  });

  it('a call over the daily cap (R48) moves to the next day\'s window', () => {
    const history = [call('2026-01-20', '09:40', '1', true), call('2026-01-20', '15:10', '1', true)];
    const p = plan(callDue, '2026-01-20', at('2026-01-20', '16:00'), { history, phones: [{ number: '1', kind: '手机' }] });
    expect(local(p.action!.notBefore)).toBe('2026-01-21 09:30');
    expect(p.why).toContain('已达每日上限 2 次（R48）');
  });

  it('an unanswered number is retried 30 minutes later, not sooner', () => {
    const history = [call('2026-01-20', '10:00')];
    const p = plan(callDue, '2026-01-20', at('2026-01-20', '10:10'), { history, phones: [{ number: '1', kind: '手机' }] });
    expect(local(p.action!.notBefore)).toBe('2026-01-20 10:30');
    expect(p.nextActionAt).toBe('2026-01-20');
  });

  it('a refresh after the evening window keeps the task on the day\'s list, marked for the next morning', () => {
    const p = plan(callDue, '2026-01-20', at('2026-01-20', '21:30'));
    expect(local(p.action!.notBefore)).toBe('2026-01-21 09:30');
    expect(p.nextActionAt).toBe('2026-01-20');
    expect(p.why).toContain('当日已无可联系的时段，最早 2026-01-21 09:30');
  });

  it('special-care owners get the gentle windows and one call a day', () => {
    const p = plan({ ...callDue, specialCare: true }, '2026-01-20', at('2026-01-20', '07:30'), { specialCare: true });
    expect(local(p.action!.notBefore)).toBe('2026-01-20 10:00');
    const called = plan({ ...callDue, specialCare: true }, '2026-01-20', at('2026-01-20', '10:30'), { specialCare: true, history: [call('2026-01-20', '10:05', '1', true)] });
    expect(local(called.action!.notBefore)).toBe('2026-01-21 10:00');
    expect(called.why).toContain('特殊关怀业主每日至多致电 1 次');
  });

  it('hard cases use the landline or mobile windows of the seeds; the earliest number wins', () => {
    const hard = { ...callDue, done: [...callDue.done, { key: 'first_call', on: '2026-01-20' }], category: 'unclear' as const };
    expect(isHardCase(hard.category)).toBe(true);
    expect(isHardCase('will_pay')).toBe(false);
    const asOf = '2026-01-21';
    const now = at(asOf, '07:30');
    const p = (phones: ContactFacts['phones']) => local(plan(hard, asOf, now, { hardCase: true, phones }).action!.notBefore);
    expect(plan(hard, asOf, now, { hardCase: true }).action).toMatchObject({ key: 'daily_call' });
    expect(p([{ number: '2', kind: '固话' }])).toBe('2026-01-21 10:00');
    expect(p([{ number: '1', kind: '手机' }])).toBe('2026-01-21 09:00');
    expect(p([{ number: '2', kind: '固话' }, { number: '1', kind: '手机' }])).toBe('2026-01-21 09:00');
  });

  it('letters are not time-bound; a visit that can never be made is not planned', () => {
    const letter = plan({ ...callDue, category: 'unreachable', done: [...callDue.done, { key: 'first_call', on: '2026-01-20' }], followUpsDone: ['verify_contact@1'] }, '2026-01-21', at('2026-01-21', '07:30'));
    expect(letter.action).toMatchObject({ key: 'service_address_letter', notBefore: null });
    // A special-care owner who can not be reached gets the letter, not the verification visit.
    const gentle = plan({ ...callDue, specialCare: true, category: 'unreachable', done: [...callDue.done, { key: 'first_call', on: '2026-01-20' }] }, '2026-01-21', at('2026-01-21', '07:30'), { specialCare: true });
    expect(gentle.action).toMatchObject({ key: 'service_address_letter' });
    // Were a visit planned for a special-care owner all the same, the rules drop it and say why.
    const visit = planCase(DEFAULT_POLICY, { ...callDue, category: 'unreachable', done: [...callDue.done, { key: 'first_call', on: '2026-01-20' }] }, '2026-01-21');
    expect(visit.action).toMatchObject({ key: 'verify_contact', channel: 'visit' });
    const dropped = scheduler(at('2026-01-21', '07:30'), tz)(visit, facts({ specialCare: true }));
    expect(dropped.action).toBeNull();
    expect(dropped.nextActionAt).toBeNull();
    expect(dropped.why).toContain('特殊关怀业主不安排催缴上门');
  });

  it('a preview of another day plans it as that day\'s morning sweep would', () => {
    const tomorrow = plan(callDue, '2026-01-21', at('2026-01-20', '16:00'));
    expect(local(tomorrow.action!.notBefore)).toBe('2026-01-21 09:30');
    const past = plan(callDue, '2026-01-20', at('2026-03-01', '10:00'));
    expect(local(past.action!.notBefore)).toBe('2026-01-20 09:30');
    expect(past.nextActionAt).toBe('2026-01-20');
  });

  it('shares the answer of cases without history and never leaks one case\'s history into another', () => {
    const s = scheduler(at('2026-01-20', '10:10'), tz);
    const fresh = planCase(DEFAULT_POLICY, callDue, '2026-01-20');
    const a = s(fresh, facts({ phones: [{ number: '1', kind: '手机' }] }));
    const b = s(fresh, facts({ phones: [{ number: '1', kind: '手机' }], history: [call('2026-01-20', '10:00')] }));
    const c = s(fresh, facts({ phones: [{ number: '9', kind: '手机' }] }));
    expect([local(a.action!.notBefore), local(b.action!.notBefore), local(c.action!.notBefore)]).toEqual(['2026-01-20 10:10', '2026-01-20 10:30', '2026-01-20 10:10']);
  });
});
