import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { localDateOf } from '../dates.ts';
import {
  checkContact, DEFAULT_CONTACT_RULES, localTimeOf, nextAllowedAt, validateContactRules,
  type Attempt, type ContactDecision, type ContactRequest, type ContactRules,
} from './contact-rules.ts';

/** A Shanghai wall-clock time as an instant: sh('2026-01-15T10:00'). 2026-01-15 is a Thursday. */
const sh = (local: string): Date => new Date(`${local}:00+08:00`);
const call = (at: string, extra: Partial<ContactRequest> = {}): ContactRequest => ({ at: sh(at), channel: 'call', recipient: 'owner', history: [], ...extra });
const refused = (d: ContactDecision): Extract<ContactDecision, { ok: false }> => {
  if (d.ok) throw new Error('expected a refusal');
  return d;
};
const A = '13800138000';
const B = '13900139000';
const tried = (at: string, number = A, answered: boolean | null = false): Attempt => ({ at: sh(at), channel: 'call', number, answered });

describe('localTimeOf', () => {
  it('reads wall-clock time in the project time zone, not UTC', () => {
    expect(localTimeOf(new Date('2026-01-15T13:30:00Z'))).toEqual({ date: '2026-01-15', minutes: 21 * 60 + 30, weekday: 4 });
    expect(localTimeOf(new Date('2026-01-15T13:30:00Z'), 'UTC')).toEqual({ date: '2026-01-15', minutes: 13 * 60 + 30, weekday: 4 });
    expect(localTimeOf(new Date('2026-01-17T16:00:00Z'))).toEqual({ date: '2026-01-18', minutes: 0, weekday: 7 });
  });

  it('agrees with localDateOf on the calendar date', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York'), (t, tz) => {
      expect(localTimeOf(new Date(t), tz).date).toBe(localDateOf(new Date(t), tz));
    }));
  });
});

describe('call windows and quiet hours (R47, §5)', () => {
  it('uses local time: 13:30Z is 21:30 in Shanghai (after the window) but 13:30 in UTC (the midday gap)', () => {
    const at = new Date('2026-01-15T13:30:00Z');
    const shanghai = refused(checkContact({ at, channel: 'call', recipient: 'owner', history: [] }));
    expect(shanghai.code).toBe('OUTSIDE_WINDOW');
    expect(shanghai.nextAllowedAt).toEqual(sh('2026-01-16T09:30'));
    const utc = refused(checkContact({ at, timeZone: 'UTC', channel: 'call', recipient: 'owner', history: [] }));
    expect(utc.nextAllowedAt).toEqual(new Date('2026-01-15T15:00:00Z'));
  });

  it('the same instant is allowed in one zone and quiet hours in the other', () => {
    expect(checkContact({ at: new Date('2026-01-15T02:00:00Z'), channel: 'call', recipient: 'owner', history: [] }).ok).toBe(true);
    expect(refused(checkContact({ at: new Date('2026-01-15T02:00:00Z'), timeZone: 'UTC', channel: 'call', recipient: 'owner', history: [] })).code).toBe('QUIET_HOURS');
    expect(refused(checkContact({ at: new Date('2026-01-15T15:30:00Z'), channel: 'call', recipient: 'owner', history: [] })).code).toBe('QUIET_HOURS');
    expect(checkContact({ at: new Date('2026-01-15T15:30:00Z'), timeZone: 'UTC', channel: 'call', recipient: 'owner', history: [] }).ok).toBe(true);
  });

  it('weekdays open at 09:30, weekends at 10:30; windows are half-open', () => {
    expect(checkContact(call('2026-01-16T09:45')).ok).toBe(true); // Friday
    expect(refused(checkContact(call('2026-01-17T09:45'))).code).toBe('OUTSIDE_WINDOW'); // Saturday
    expect(refused(checkContact(call('2026-01-17T09:45'))).nextAllowedAt).toEqual(sh('2026-01-17T10:30'));
    expect(checkContact(call('2026-01-17T10:30')).ok).toBe(true);
    expect(checkContact(call('2026-01-15T20:59')).ok).toBe(true);
    expect(checkContact(call('2026-01-15T21:00')).ok).toBe(false);
    expect(refused(checkContact(call('2026-01-15T12:30'))).reason).toContain('工作日致电时段为 09:30–12:00、15:00–21:00');
  });

  it('refuses messages in quiet hours with a zh-CN reason naming R47, unless the owner consented', () => {
    const sms = refused(checkContact({ at: sh('2026-01-15T23:00'), channel: 'sms', recipient: 'owner', history: [] }));
    expect(sms).toMatchObject({ code: 'QUIET_HOURS', rule: 'R47', nextAllowedAt: sh('2026-01-16T08:00') });
    expect(sms.reason).toBe('22:00–08:00 为免打扰时段，不得发送短信（R47）；最早可于 2026-01-16 08:00 后联系');
    expect(checkContact({ at: sh('2026-01-15T23:00'), channel: 'sms', recipient: 'owner', history: [], consentOutsideQuietHours: true }).ok).toBe(true);
    expect(refused(checkContact({ at: sh('2026-01-16T07:59'), channel: 'email', recipient: 'owner', history: [] })).code).toBe('QUIET_HOURS');
    expect(checkContact({ at: sh('2026-01-16T08:00'), channel: 'email', recipient: 'owner', history: [] }).ok).toBe(true);
    expect(refused(checkContact(call('2026-01-15T23:00'))).reason).toContain('不得致电（R47）');
  });

  it('consent lifts quiet hours for a call but never for a visit; letters are not time-bound', () => {
    expect(checkContact(call('2026-01-15T22:30', { consentOutsideQuietHours: true })).ok).toBe(true);
    const visit = refused(checkContact({ at: sh('2026-01-15T22:30'), channel: 'visit', recipient: 'owner', visitStaffCount: 2, consentOutsideQuietHours: true, history: [] }));
    expect(visit.code).toBe('QUIET_HOURS');
    expect(checkContact({ at: sh('2026-01-15T03:00'), channel: 'letter', recipient: 'owner', history: [] }).ok).toBe(true);
  });

  it('hard cases use the mobile or landline windows by contact kind', () => {
    expect(checkContact(call('2026-01-15T13:00')).ok).toBe(false);
    expect(checkContact(call('2026-01-15T13:00', { hardCase: true, contactKind: '手机' })).ok).toBe(true);
    expect(checkContact(call('2026-01-17T09:00', { hardCase: true, contactKind: '手机' })).ok).toBe(true);
    const landline = refused(checkContact(call('2026-01-15T11:45', { hardCase: true, contactKind: '固话' })));
    expect(landline.code).toBe('OUTSIDE_WINDOW');
    expect(landline.nextAllowedAt).toEqual(sh('2026-01-15T19:00'));
    expect(checkContact(call('2026-01-15T10:00', { hardCase: true, contactKind: '固话' })).ok).toBe(true);
  });
});

describe('retry spacing and caps (R48, §5)', () => {
  it('waits 30 minutes after an unanswered call to the same number only', () => {
    const d = refused(checkContact(call('2026-01-15T10:20', { number: A, history: [tried('2026-01-15T10:00')] })));
    expect(d.code).toBe('RETRY_TOO_SOON');
    expect(d.nextAllowedAt).toEqual(sh('2026-01-15T10:30'));
    expect(checkContact(call('2026-01-15T10:30', { number: A, history: [tried('2026-01-15T10:00')] })).ok).toBe(true);
    expect(checkContact(call('2026-01-15T10:20', { number: B, history: [tried('2026-01-15T10:00')] })).ok).toBe(true);
    expect(checkContact(call('2026-01-15T10:20', { number: A, history: [tried('2026-01-15T10:00', A, true)] })).ok).toBe(true);
    // an unknown outcome counts as unanswered; only earlier attempts hold the next call back
    expect(refused(checkContact(call('2026-01-15T10:20', { number: A, history: [tried('2026-01-15T10:00', A, null)] }))).code).toBe('RETRY_TOO_SOON');
    expect(checkContact(call('2026-01-15T10:00', { number: A, history: [tried('2026-01-15T10:10')] })).ok).toBe(true);
  });

  it('allows two calls a day, counted in the local calendar day', () => {
    const history = [tried('2026-01-15T09:40', A, true), tried('2026-01-15T10:00', B)];
    const d = refused(checkContact(call('2026-01-15T16:00', { number: A, history })));
    expect(d).toMatchObject({ code: 'DAILY_CAP', rule: 'R48', nextAllowedAt: sh('2026-01-16T09:30') });
    expect(d.reason).toContain('今日已致电 2 次');
    // 00:30 Shanghai on the 15th is still the 14th in UTC.
    const early = [tried('2026-01-15T00:30'), tried('2026-01-15T00:40', B)];
    expect(checkContact(call('2026-01-15T16:00', { history: early })).ok).toBe(false);
    expect(checkContact({ at: new Date('2026-01-15T10:00:00Z'), timeZone: 'UTC', channel: 'call', recipient: 'owner', history: early }).ok).toBe(true);
  });

  it('caps unanswered calls per number when a project allows more calls a day', () => {
    const rules: ContactRules = { ...DEFAULT_CONTACT_RULES, maxCallsPerDay: 6, maxUnansweredPerDayPerNumber: 3 };
    const history = ['09:30', '10:00', '10:30'].map((t) => tried(`2026-01-15T${t}`));
    const d = refused(checkContact(call('2026-01-15T16:00', { number: A, history, rules })));
    expect(d.code).toBe('DAILY_CAP');
    expect(d.reason).toContain('该号码今日已有 3 次未接通');
    expect(checkContact(call('2026-01-15T16:00', { number: B, history, rules })).ok).toBe(true);
  });

  it('allows three SMS per Monday–Sunday week', () => {
    const sms = (at: string): Attempt => ({ at: sh(at), channel: 'sms' });
    const history = [sms('2026-01-12T10:00'), sms('2026-01-13T10:00'), sms('2026-01-14T10:00')];
    const d = refused(checkContact({ at: sh('2026-01-15T10:00'), channel: 'sms', recipient: 'owner', history }));
    expect(d).toMatchObject({ code: 'WEEKLY_CAP', rule: 'R48', nextAllowedAt: sh('2026-01-19T08:00') });
    const lastWeek = [sms('2026-01-11T10:00'), sms('2026-01-13T10:00'), sms('2026-01-14T10:00')];
    expect(checkContact({ at: sh('2026-01-15T10:00'), channel: 'sms', recipient: 'owner', history: lastWeek }).ok).toBe(true);
  });
});

describe('recipients (R49)', () => {
  it('always refuses third parties, whatever the channel, and never suggests a time', () => {
    for (const channel of ['call', 'letter', 'visit'] as const) {
      const d = refused(checkContact({ at: sh('2026-01-15T10:00'), channel, recipient: 'third_party', visitStaffCount: 2, history: [] }));
      expect(d).toMatchObject({ code: 'THIRD_PARTY', rule: 'R49', nextAllowedAt: null });
      expect(d.reason).toContain('不得就欠费联系业主的工作单位、同事、亲属或朋友');
    }
    expect(nextAllowedAt({ from: sh('2026-01-15T10:00'), channel: 'call', recipient: 'third_party', history: [] })).toBeNull();
  });

  it('allows a consenting emergency contact only for the "please call the property office" relay', () => {
    const d = refused(checkContact(call('2026-01-15T10:00', { recipient: 'emergency_contact' })));
    expect(d.code).toBe('THIRD_PARTY');
    expect(d.reason).toContain('请业主致电物业服务中心');
    expect(checkContact(call('2026-01-15T10:00', { recipient: 'emergency_contact', emergencyContactConsented: true })).ok).toBe(true);
    expect(checkContact({ at: sh('2026-01-15T10:00'), channel: 'letter', recipient: 'emergency_contact', emergencyContactConsented: true, history: [] }).ok).toBe(false);
    expect(refused(checkContact(call('2026-01-15T23:00', { recipient: 'emergency_contact', emergencyContactConsented: true }))).code).toBe('QUIET_HOURS');
    expect(checkContact(call('2026-01-15T10:00', { recipient: 'co_owner' })).ok).toBe(true);
  });
});

describe('special care and visits (§5, R52)', () => {
  it('special-care owners: one call a day in 10:00–11:30 or 15:00–18:00, no collection visits', () => {
    expect(checkContact(call('2026-01-15T09:45')).ok).toBe(true);
    const early = refused(checkContact(call('2026-01-15T09:45', { specialCare: true })));
    expect(early).toMatchObject({ code: 'SPECIAL_CARE', nextAllowedAt: sh('2026-01-15T10:00') });
    expect(checkContact(call('2026-01-15T10:00', { specialCare: true })).ok).toBe(true);
    expect(checkContact(call('2026-01-15T19:00', { specialCare: true, hardCase: true })).ok).toBe(false);
    const second = refused(checkContact(call('2026-01-15T16:00', { specialCare: true, history: [tried('2026-01-15T10:05', A, true)] })));
    expect(second).toMatchObject({ code: 'SPECIAL_CARE', nextAllowedAt: sh('2026-01-16T10:00') });
    const visit = refused(checkContact({ at: sh('2026-01-15T10:00'), channel: 'visit', recipient: 'owner', specialCare: true, visitStaffCount: 3, history: [] }));
    expect(visit).toMatchObject({ code: 'SPECIAL_CARE', nextAllowedAt: null });
  });

  it('visits need two staff and daytime; door notices are daytime only', () => {
    const visit = (at: string, visitStaffCount: number): ContactRequest => ({ at: sh(at), channel: 'visit', recipient: 'owner', visitStaffCount, history: [] });
    const alone = refused(checkContact(visit('2026-01-15T10:00', 1)));
    expect(alone).toMatchObject({ code: 'VISIT_RULES', rule: 'R52', nextAllowedAt: null });
    expect(alone.reason).toContain('两名工作人员');
    expect(checkContact(visit('2026-01-15T10:00', 2)).ok).toBe(true);
    expect(refused(checkContact(visit('2026-01-15T19:00', 2))).nextAllowedAt).toEqual(sh('2026-01-16T09:00'));
    const notice = refused(checkContact({ at: sh('2026-01-15T21:00'), channel: 'door_notice', recipient: 'owner', history: [] }));
    expect(notice).toMatchObject({ code: 'VISIT_RULES', rule: 'R52', nextAllowedAt: sh('2026-01-16T09:00') });
  });
});

describe('nextAllowedAt', () => {
  it('is `from` itself when allowed, else the start of the next window', () => {
    const base = { channel: 'call', recipient: 'owner', history: [] } as const;
    expect(nextAllowedAt({ ...base, from: sh('2026-01-15T10:07') })).toEqual(sh('2026-01-15T10:07'));
    expect(nextAllowedAt({ ...base, from: sh('2026-01-15T12:30') })).toEqual(sh('2026-01-15T15:00'));
    expect(nextAllowedAt({ ...base, from: sh('2026-01-16T21:30') })).toEqual(sh('2026-01-17T10:30'));
    expect(nextAllowedAt({ ...base, from: sh('2026-01-16T21:30'), timeZone: 'UTC' })).toEqual(new Date('2026-01-16T15:00:00Z'));
  });

  it('is null when nothing opens within 14 days', () => {
    const rules = { ...DEFAULT_CONTACT_RULES, specialCare: { ...DEFAULT_CONTACT_RULES.specialCare, maxCallsPerDay: 0 } };
    expect(nextAllowedAt({ from: sh('2026-01-15T10:00'), channel: 'call', recipient: 'owner', specialCare: true, rules, history: [] })).toBeNull();
    expect(refused(checkContact(call('2026-01-15T10:00', { specialCare: true, rules }))).reason).toContain('14 天内没有可联系的时段');
  });

  it('lands on an allowed instant whose previous minute is refused', () => {
    const channels = ['call', 'sms', 'visit', 'door_notice', 'email'] as const;
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 7 * 24 * 60 }), fc.constantFrom(...channels), fc.boolean(), fc.boolean(),
      fc.array(fc.integer({ min: -3 * 24 * 60, max: 0 }), { maxLength: 5 }),
      (offset, channel, hardCase, specialCare, past) => {
        const from = new Date(sh('2026-01-12T00:00').getTime() + offset * 60_000);
        const history = past.map((m, i): Attempt => ({ at: new Date(from.getTime() + m * 60_000), channel: i % 2 ? 'sms' : 'call', number: A, answered: false }));
        const req = { channel, recipient: 'owner', number: A, hardCase, specialCare: specialCare && channel !== 'visit', visitStaffCount: 2, history } as const;
        const next = nextAllowedAt({ ...req, from });
        expect(next).not.toBeNull();
        if (!next) return;
        expect(next.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(checkContact({ ...req, at: next }).ok).toBe(true);
        if (next.getTime() > from.getTime()) expect(checkContact({ ...req, at: new Date(next.getTime() - 60_000) }).ok).toBe(false);
      },
    ), { numRuns: 200 });
  });
});

describe('validateContactRules', () => {
  it('accepts the defaults and returns a clean copy', () => {
    const v = validateContactRules({ ...DEFAULT_CONTACT_RULES, extra: 1 });
    expect(v).toEqual({ ok: true, rules: DEFAULT_CONTACT_RULES });
  });

  it('refuses windows in quiet hours, caps above the R48 benchmark and malformed times', () => {
    const v = validateContactRules({
      ...DEFAULT_CONTACT_RULES,
      callWindows: { weekday: [{ from: '9:30', to: '12:00' }, { from: '19:00', to: '22:30' }], weekend: [{ from: '12:00', to: '10:30' }] },
      maxUnansweredPerDayPerNumber: 7,
      maxCallsPerDay: 2.5,
      retryMinutes: 10,
      visitWindow: { from: '07:00', to: '12:00' },
    });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const byField = Object.fromEntries(v.issues.map((i) => [i.field, i.message]));
    expect(Object.keys(byField).sort()).toEqual([
      'callWindows.weekday[0]', 'callWindows.weekday[1]', 'callWindows.weekend[0]', 'maxCallsPerDay', 'maxUnansweredPerDayPerNumber', 'retryMinutes', 'visitWindow',
    ]);
    expect(byField['callWindows.weekday[0]']).toContain('HH:MM');
    expect(byField['callWindows.weekday[1]']).toContain('免打扰时段 22:00–08:00（R47）');
    expect(byField.maxUnansweredPerDayPerNumber).toContain('6 次');
  });

  it('refuses quiet hours shorter than 22:00–08:00, a late visit window and a non-object', () => {
    const v = validateContactRules({ ...DEFAULT_CONTACT_RULES, quietHours: { from: '23:00', to: '07:00' }, visitWindow: { from: '09:00', to: '20:30' } });
    expect(v.ok ? [] : v.issues.map((i) => i.field)).toEqual(['quietHours', 'visitWindow']);
    expect(validateContactRules(null)).toEqual({ ok: false, issues: [{ field: '', message: '联系规则须为对象' }] });
    expect(validateContactRules({ ...DEFAULT_CONTACT_RULES, quietHours: { from: '21:00', to: '08:30' } }).ok).toBe(true);
  });
});
