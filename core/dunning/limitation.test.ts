import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays } from '../billing/periods.ts';
import { HOLIDAY_TABLE } from './holidays.ts';
import {
  addYearsClamped, INTERRUPTION_LABELS, isRestDay, limitationOf, nextWorkingDayOnOrAfter,
  type InterruptionEvent, type LimitationInput,
} from './limitation.ts';

const base: LimitationInput = { period: '2026-01', dueDate: '2026-01-15', events: [], asOf: '2026-06-01' };
const at = (over: Partial<LimitationInput>) => limitationOf({ ...base, ...over });
const demand = (on: string): InterruptionEvent => ({ on, kind: 'demand_delivered' });

describe('holiday calendar (民法典203)', () => {
  it('knows weekends, public holidays and 调休 working days', () => {
    expect(isRestDay('2029-01-13')).toBe(true); // Saturday, year outside the table
    expect(isRestDay('2029-01-15')).toBe(false); // Monday
    expect(isRestDay('2029-01-01')).toBe(false); // 元旦 2029 is not in the table: weekends only
    expect(isRestDay('2026-10-01')).toBe(true); // 国庆, a Thursday
    expect(isRestDay('2026-02-23')).toBe(true); // 春节 2026, Monday
    expect(isRestDay('2026-02-14')).toBe(false); // Saturday, 调休 working day
    expect(isRestDay('2026-01-04')).toBe(false); // Sunday, 调休 working day
    expect(isRestDay('2024-02-09')).toBe(false); // 2024 除夕 was a Friday working day (only encouraged leave)
    expect(isRestDay('2025-01-28')).toBe(true); // 2025 除夕 is a public holiday
  });

  it('lists 调休 working days only on weekends outside the holiday runs, and each run inside its year', () => {
    const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    for (const [year, { off, work }] of Object.entries(HOLIDAY_TABLE)) {
      for (const d of work) expect([0, 6], d).toContain(weekday(d));
      for (const [first, last] of off) {
        expect(first.slice(0, 4) === year && first <= last, first).toBe(true);
        expect(work.some((d) => d >= first && d <= last), first).toBe(false);
      }
    }
  });

  it('moves to the first working day on or after a date', () => {
    expect(nextWorkingDayOnOrAfter('2029-01-15')).toBe('2029-01-15');
    expect(nextWorkingDayOnOrAfter('2026-03-14')).toBe('2026-03-16'); // Saturday → Monday
    expect(nextWorkingDayOnOrAfter('2026-10-01')).toBe('2026-10-08'); // 国庆 1–7 October
    expect(nextWorkingDayOnOrAfter('2026-02-15')).toBe('2026-02-24'); // 春节 15–23 February
    expect(nextWorkingDayOnOrAfter('2026-02-28')).toBe('2026-02-28'); // a 调休 Saturday stays
  });
});

describe('addYearsClamped (民法典202)', () => {
  it('takes the corresponding day, or the month end when there is none', () => {
    expect(addYearsClamped('2026-01-15', 3)).toBe('2029-01-15');
    expect(addYearsClamped('2024-02-29', 3)).toBe('2027-02-28');
    expect(addYearsClamped('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYearsClamped('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYearsClamped('2026-12-31', 20)).toBe('2046-12-31');
    expect(() => addYearsClamped('2026-02-30', 3)).toThrow(RangeError);
  });
});

describe('limitation per period (R12–R17), worked by hand', () => {
  it('runs three years from the due date: due 2026-01-15 → last day 2029-01-15 (a Monday)', () => {
    const s = at({});
    expect(s).toMatchObject({
      period: '2026-01', startsOn: '2026-01-15', expiresOn: '2029-01-15', longStopOn: '2046-01-15',
      state: 'running', alertLevel: null, lastEvent: null,
    });
    // 2026-06-01 → 2027-06-01 (365) → 2028-06-01 (366, leap day) → 2029-01-01 (214) → 2029-01-15 (14)
    expect(s.daysLeft).toBe(959);
    expect(s.explanation).toContain('第188条');
    expect(s.explanation).toContain('第201条');
    expect(s.explanation).toContain('2029-01-15（第202条）');
  });

  it('ends on 2/28 for a 2/29 due date, then past the weekend', () => {
    // 2027-02-28 is a Sunday → Monday 2027-03-01. Long stop: 2044-02-29 exists and is a Monday.
    const s = at({ period: '2024-02', dueDate: '2024-02-29', asOf: '2024-03-01' });
    expect([s.expiresOn, s.longStopOn]).toEqual(['2027-03-01', '2044-02-29']);
    expect(s.explanation).toContain('2027-02-28（第202条），该日为法定休假日，顺延至 2027-03-01（第203条）');
  });

  it('moves a last day on a weekend or a public holiday to the next working day, but not off a 调休 day', () => {
    const exp = (dueDate: string) => at({ dueDate, asOf: dueDate }).expiresOn;
    expect(exp('2023-03-14')).toBe('2026-03-16'); // 2026-03-14 Saturday → Monday
    expect(exp('2023-10-01')).toBe('2026-10-08'); // 国庆 2026-10-01…07
    expect(exp('2022-10-03')).toBe('2025-10-09'); // 国庆、中秋 2025-10-01…08
    expect(exp('2023-02-15')).toBe('2026-02-24'); // 春节 2026-02-15…23
    expect(exp('2023-02-28')).toBe('2026-02-28'); // Saturday, but a 调休 working day
  });

  it('restarts from an interruption on or before asOf', () => {
    const s = at({ events: [demand('2027-03-12')], asOf: '2027-06-01' });
    expect(s).toMatchObject({ startsOn: '2027-03-12', expiresOn: '2030-03-12', longStopOn: '2046-01-15', lastEvent: demand('2027-03-12') });
    expect(s.explanation).toContain('2027-03-12 因催告送达中断，自该日重新计算（第195条）');
    // The latest of several events wins, whatever the order given.
    const ack: InterruptionEvent = { on: '2028-05-10', kind: 'acknowledgement' };
    expect(at({ events: [ack, demand('2027-03-12')], asOf: '2028-06-01' })).toMatchObject({ startsOn: '2028-05-10', expiresOn: '2031-05-12', lastEvent: ack }); // 2031-05-10 is a Saturday
  });

  it('ignores events after asOf, so a past as-of date always gives the same answer', () => {
    expect(at({ events: [demand('2027-03-12')], asOf: '2027-03-11' })).toMatchObject({ startsOn: '2026-01-15', expiresOn: '2029-01-15', lastEvent: null });
    expect(at({ events: [demand('2027-03-12')], asOf: '2027-03-12' }).expiresOn).toBe('2030-03-12');
  });

  it('ignores events on or before the due date', () => {
    const s = at({ events: [{ on: '2026-01-10', kind: 'partial_payment' }, demand('2026-01-15')] });
    expect(s).toMatchObject({ startsOn: '2026-01-15', expiresOn: '2029-01-15', lastEvent: null });
  });

  it('alerts 6 months and then 3 months before the last day', () => {
    const s = (asOf: string) => at({ asOf });
    expect(s('2028-07-14')).toMatchObject({ state: 'running', alertLevel: null });
    expect(s('2028-07-15')).toMatchObject({ state: 'alert', alertLevel: 6, daysLeft: 184 });
    expect(s('2028-10-14')).toMatchObject({ state: 'alert', alertLevel: 6 });
    expect(s('2028-10-15')).toMatchObject({ state: 'alert', alertLevel: 3, daysLeft: 92 });
    expect(s('2029-01-15')).toMatchObject({ state: 'alert', alertLevel: 3, daysLeft: 0 });
    expect(s('2028-10-15').explanation).toContain('距届满不足 3 个月');
    expect(at({ asOf: '2028-01-15', alertMonths: [12, 1] })).toMatchObject({ state: 'alert', alertLevel: 12 });
    expect(at({ asOf: '2028-12-15', alertMonths: [1, 12] })).toMatchObject({ state: 'alert', alertLevel: 1 });
    expect(() => at({ alertMonths: [0] })).toThrow(RangeError);
  });

  it('expires the day after the last day; an event after expiry revives nothing but is flagged', () => {
    expect(at({ asOf: '2029-01-16' })).toMatchObject({ state: 'expired', alertLevel: null, daysLeft: 0, expiresOn: '2029-01-15' });
    const s = at({ events: [{ on: '2029-02-01', kind: 'acknowledgement' }, demand('2029-02-02')], asOf: '2029-03-01' });
    expect(s).toMatchObject({ state: 'expired', startsOn: '2026-01-15', expiresOn: '2029-01-15', lastEvent: null });
    expect(s.explanation).toContain('不得以起诉相威胁');
    expect(s.explanation).toContain('2029-02-01 的债务承认发生在时效届满后，不中断时效，但可能构成同意履行、放弃时效抗辩（第192条');
    expect(s.explanation).toContain('2029-02-02 的催告送达发生在时效届满后，不中断时效。');
  });

  it('never runs past the 20-year long stop, however often it is interrupted', () => {
    const events = ['2028-07-01', '2031-01-01', '2033-07-01', '2036-01-01', '2038-07-01', '2041-01-01', '2043-07-01', '2046-01-10'].map(demand);
    // Restarted on 2046-01-10 the period would run to 2049-01-11, but the long stop is 2046-01-15 (a Monday).
    expect(at({ events, asOf: '2046-01-12' })).toMatchObject({ startsOn: '2046-01-10', expiresOn: '2046-01-15', state: 'alert', alertLevel: 3, daysLeft: 3 });
    expect(at({ events, asOf: '2046-01-16' }).state).toBe('expired');
    expect(at({ events, asOf: '2046-01-12' }).explanation).toContain('超过二十年不予保护，最迟至 2046-01-15（第188条）');
  });

  it('rejects malformed dates', () => {
    expect(() => at({ dueDate: '2026-1-15' })).toThrow(RangeError);
    expect(() => at({ events: [demand('2026-02-30')] })).toThrow(RangeError);
  });

  it('labels every interruption kind in Chinese', () => {
    expect(INTERRUPTION_LABELS).toEqual({
      demand_delivered: '催告送达', acknowledgement: '债务承认', partial_payment: '部分履行',
      payment_plan: '分期协议', filing: '起诉/仲裁/支付令', mediation: '人民调解',
    });
  });
});

describe('limitation properties', () => {
  const day = (offset: number) => addDays('2022-01-01', offset);
  const kinds = Object.keys(INTERRUPTION_LABELS) as InterruptionEvent['kind'][];
  const event = fc.record({ on: fc.integer({ min: 0, max: 9000 }).map(day), kind: fc.constantFrom(...kinds) });
  const input = fc.record({
    dueDate: fc.integer({ min: 0, max: 1500 }).map(day),
    asOf: fc.integer({ min: 0, max: 9000 }).map(day),
    events: fc.array(event, { maxLength: 8 }),
  });

  it('never moves expiresOn earlier when events are added', () => {
    fc.assert(fc.property(input, fc.array(event, { maxLength: 4 }), ({ dueDate, asOf, events }, more) => {
      const before = limitationOf({ period: dueDate.slice(0, 7), dueDate, asOf, events });
      const after = limitationOf({ period: dueDate.slice(0, 7), dueDate, asOf, events: [...events, ...more] });
      return after.expiresOn >= before.expiresOn;
    }));
  });

  it('ends at least three years after startsOn, on a working day, unless the long stop cuts it short', () => {
    fc.assert(fc.property(input, ({ dueDate, asOf, events }) => {
      const s = limitationOf({ period: dueDate.slice(0, 7), dueDate, asOf, events });
      return !isRestDay(s.expiresOn) && s.expiresOn <= s.longStopOn && s.startsOn >= dueDate
        && (s.expiresOn >= addYearsClamped(s.startsOn, 3) || s.expiresOn === s.longStopOn);
    }));
  });
});
