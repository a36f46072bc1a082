import type { ContactKind } from '../registry/vocabulary.ts';
import { DELIVERED_OUTCOMES, type Category, type Outcome } from './categories.ts';
import { DEFAULT_CONTACT_RULES, earliestContact, hhmm, instantAt, localTimeOf, type Attempt, type ContactChannel, type ContactRules } from './contact-rules.ts';
import type { CasePlan } from './planner.ts';

/**
 * The contact rules applied when planning (domain §5, R47, R48): a planned action gets `notBefore`, the first instant
 * at which carrying it out is allowed: not in quiet hours, inside the call windows (weekday/weekend; a hard case's
 * mobile or landline windows; a special-care owner's gentle windows), within the daily and weekly caps, 30 minutes
 * after an unanswered call. When a cap pushes it past its day, the case's next action moves to the day the cap lifts
 * and the plan says why. Pure, like the planner: the planning instant is passed in.
 *
 * Letters, registered letters and lawsuits are not time-bound: they get no notBefore.
 */

/** How a ladder step or a follow-up is carried out, as a contact channel. */
export const CONTACT_CHANNEL_OF: Readonly<Record<string, ContactChannel>> = {
  sms: 'sms', door_notice: 'door_notice', call: 'call', visit: 'visit', demand_notice: 'letter', second_demand: 'letter', registered_letter: 'letter',
  lawyer_letter: 'letter', lawsuit: 'letter', public_notice: 'door_notice',
};

/**
 * A hard case (催缴疑难户): calls in the ordinary windows did not get a payment date, so the seeds' other windows apply
 * (landline 10:00–11:30 and 19:00–21:00, mobile 09:00–14:00 and 19:00–21:00).
 */
export const HARD_CASE_CATEGORIES: ReadonlySet<Category> = new Set<Category>(['unclear', 'away']);
export const isHardCase = (category: Category | null | undefined): boolean => category != null && HARD_CASE_CATEGORIES.has(category);

/** A recorded contact attempt as the rules read it: the number is named by its contact id; answered = delivered. */
export const attemptOf = (row: { at: string; channel: string; contact_id: number | null; outcome: string }): Attempt => ({
  at: new Date(row.at), channel: row.channel as ContactChannel, number: row.contact_id !== null ? String(row.contact_id) : null, answered: DELIVERED_OUTCOMES.has(row.outcome as Outcome),
});

export interface ContactFacts {
  specialCare: boolean;
  hardCase: boolean;
  /** The owners' phones, for calls: the kind picks a hard case's windows, `number` is how history names the number. */
  phones: readonly { number: string; kind: ContactKind }[];
  /** The case's contact attempts of the last eight days or more (the week's SMS, today's calls, the last retry). */
  history: readonly Attempt[];
}

export interface Scheduler {
  (plan: CasePlan, facts: ContactFacts): CasePlan;
}

/**
 * A scheduler for one planning run at `now`: an action due today is placed at the first allowed instant from now; one
 * due on another day (a preview of tomorrow, a replay of a past day) from that day's 00:00, as the morning sweep of
 * that day would. Cases without history or phones share their answer (memoised), so a sweep of a large project
 * computes a handful of searches, not one per case.
 */
export function scheduler(now: Date, timeZone: string, rules: ContactRules = DEFAULT_CONTACT_RULES): Scheduler {
  type Placement = { at: string; date: string; hhmm: string; heldBy: ReturnType<typeof earliestContact>['heldBy'] } | { at: null; reason: string };
  const memo = new Map<string, Placement>();
  const today = localTimeOf(now, timeZone).date;
  const place = (dueOn: string, channel: ContactChannel, facts: ContactFacts, phones: ContactFacts['phones']): Placement => {
    const base = {
      from: dueOn === today ? now : instantAt(dueOn, 0, timeZone), timeZone, rules, channel, recipient: 'owner' as const,
      specialCare: facts.specialCare, hardCase: facts.hardCase, history: facts.history, visitStaffCount: 2,
    };
    const options = phones.length > 0 ? phones.map((p) => earliestContact({ ...base, number: p.number, contactKind: p.kind })) : [earliestContact(base)];
    const found = options.reduce((best, o) => (o.at && (!best.at || o.at < best.at) ? o : best));
    if (!found.at) return { at: null, reason: found.heldBy?.reason ?? '14 天内没有可联系的时段' };
    const t = localTimeOf(found.at, timeZone);
    return { at: found.at.toISOString(), date: t.date, hhmm: hhmm(t.minutes), heldBy: found.heldBy };
  };
  return (plan, facts) => {
    const a = plan.action;
    const channel = a ? CONTACT_CHANNEL_OF[a.channel] : undefined;
    if (!a || !channel || channel === 'letter') return plan;
    const phones = channel === 'call' ? facts.phones : [];
    let p: Placement;
    if (facts.history.length > 0) p = place(a.dueOn, channel, facts, phones);
    else {
      const key = `${a.dueOn}|${channel}|${facts.specialCare}|${facts.hardCase}|${[...new Set(phones.map((x) => x.kind))].sort().join(',')}`;
      p = memo.get(key) ?? place(a.dueOn, channel, facts, phones);
      memo.set(key, p);
    }
    // Never allowed (or not within two weeks): the action is not planned; the next sweep looks again.
    if (p.at === null) return { ...plan, action: null, nextActionAt: null, nextKey: null, why: `${plan.why}；${p.reason}，暂不安排` };
    // A cap met moves the case to the day it lifts; a day whose windows are over keeps the task on the day's list,
    // marked with when it can be done.
    const capped = p.date > a.dueOn && p.heldBy?.cap === true;
    const why = p.date <= a.dueOn ? '' : capped ? `；${p.heldBy!.reason}，顺延至 ${p.date} ${p.hhmm}` : `；当日已无可联系的时段，最早 ${p.date} ${p.hhmm}`;
    return {
      ...plan, nextActionAt: capped ? p.date : plan.nextActionAt, why: why ? plan.why + why : plan.why,
      action: { ...a, notBefore: p.at, reason: why ? a.reason + why : a.reason },
    };
  };
}
