import { daysInMonth, isLocalDate } from '../dates.ts';
import { daysBetween } from '../billing/periods.ts';
import { isRestDay, nextWorkingDayOnOrAfter } from './holidays.ts';

export { isRestDay, nextWorkingDayOnOrAfter };

/**
 * The limitation period (诉讼时效) of one billing period's fee, R12–R17. Pure and deterministic for an as-of date.
 *
 * - Each billing period is an independent debt with its own 3-year period from its due date (民法典188, R12); the
 *   art.189 "last instalment" rule is never used. The caller passes only the events that interrupted THIS period (R14).
 * - Counting (201–202): the due date is the last day to pay, so the period starts on the due date (履行期限届满之日),
 *   that day is not counted, and counting begins the next day — the first day the owner is in default. A period of
 *   3 years ends on the corresponding day of the start date 3 years later, or the month's last day when there is none
 *   (start 2/29 → 2/28).
 * - Holidays (203): if that last day is a 法定休假日 (weekend or public holiday) it moves to the first working day
 *   after it; a 调休 make-up working day is a working day (see holidays.ts).
 * - Interruption (195, R13): an event after the due date, on or before asOf, and on or before the then-current expiry
 *   restarts the period from the event's day (again not counted). Events after asOf are ignored, so the answer for an
 *   as-of date never changes when later events are recorded. Events on or before the due date interrupt nothing.
 *   For filing and mediation 195 restarts the period when the proceedings end; callers record that day if they know
 *   it, and the filing day otherwise (which gives the earlier, safer expiry).
 * - An event after expiry does not revive the claim. An owner's acknowledgement or payment after expiry may waive the
 *   limitation defence (192, 规定19, R16); the explanation flags it for a person to judge, the state stays 'expired'.
 * - Long stop (188): 20 years from the due date, computed the same way, never restarted; expiresOn never exceeds it.
 *
 * Worked example: due 2026-01-15 (Thursday). Day 1 of the period is 2026-01-16; the corresponding day three years on
 * is 2029-01-15, a Monday, so expiresOn = 2029-01-15 (the last day a claim is in time). The 6-month alert starts on
 * 2028-07-15, the 3-month alert on 2028-10-15, and from 2029-01-16 the period is 'expired'. A 催告 delivered on
 * 2027-03-12 restarts it: expiresOn = 2030-03-12 (a Tuesday). longStopOn = 2046-01-15 either way.
 */
export type InterruptionKind = 'demand_delivered' | 'acknowledgement' | 'partial_payment' | 'payment_plan' | 'filing' | 'mediation';

export interface InterruptionEvent {
  /** LocalDate: the day the event took effect (催告 delivered or deemed delivered, plan signed, payment made, …). */
  on: string;
  kind: InterruptionKind;
  note?: string;
}

export interface LimitationInput {
  /** Billing period 'YYYY-MM'. */
  period: string;
  /** That period's due date (the last day to pay). */
  dueDate: string;
  /** Events that interrupted THIS period (the caller filters per period, R12/R14); any order. */
  events: readonly InterruptionEvent[];
  /** The day we evaluate on. */
  asOf: string;
  /** Months before expiry at which to warn (R15); default [6, 3]. */
  alertMonths?: readonly number[];
}

export interface LimitationStatus {
  period: string;
  /** The day counting (re)starts from, itself not counted: the due date or the last effective interruption ≤ asOf. */
  startsOn: string;
  /** The last day a claim is in time, after the 203 holiday shift, never later than longStopOn. */
  expiresOn: string;
  /** 20 years from the due date (188), after the 203 holiday shift. */
  longStopOn: string;
  state: 'running' | 'alert' | 'expired';
  /** The smallest alert threshold (in months) already reached, e.g. 3 within 3 months, else 6 within 6; null otherwise. */
  alertLevel: number | null;
  /** Days from asOf to expiresOn (0 on the last day); 0 once expired. */
  daysLeft: number;
  /** The interruption that set startsOn, or null when counting runs from the due date. */
  lastEvent: InterruptionEvent | null;
  explanation: string;
}

export const INTERRUPTION_LABELS: Record<InterruptionKind, string> = {
  demand_delivered: '催告送达',
  acknowledgement: '债务承认',
  partial_payment: '部分履行',
  payment_plan: '分期协议',
  filing: '起诉/仲裁/支付令',
  mediation: '人民调解',
};

const DEFAULT_ALERT_MONTHS: readonly number[] = [6, 3];
/** Owner acts that, after expiry, may waive the limitation defence (192, 规定19). */
const OWNER_ACTS: ReadonlySet<InterruptionKind> = new Set(['acknowledgement', 'partial_payment', 'payment_plan']);

function addMonthsClamped(date: string, months: number): string {
  if (!isLocalDate(date)) throw new RangeError(`日期格式不正确：${date}`);
  const idx = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1 + months;
  const [y, m] = [Math.floor(idx / 12), (idx % 12) + 1];
  const d = Math.min(Number(date.slice(8, 10)), daysInMonth(y, m));
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The corresponding day `years` later (民法典202), or the month's last day when there is none (2/29 → 2/28). */
export function addYearsClamped(date: string, years: number): string {
  return addMonthsClamped(date, 12 * years);
}

/** The last day of a period of `years` years starting on (not counting) `start`: 202, then the 203 holiday shift. */
function lastDayOf(start: string, years: number): string {
  return nextWorkingDayOnOrAfter(addYearsClamped(start, years));
}

export function limitationOf(input: LimitationInput): LimitationStatus {
  const { period, dueDate, asOf } = input;
  for (const d of [dueDate, asOf, ...input.events.map((e) => e.on)]) {
    if (!isLocalDate(d)) throw new RangeError(`日期格式不正确：${d}`);
  }
  const alertMonths = [...(input.alertMonths ?? DEFAULT_ALERT_MONTHS)].sort((a, b) => a - b);
  if (alertMonths.some((m) => !Number.isInteger(m) || m <= 0)) throw new RangeError('提醒月数必须为正整数');

  const longStopOn = lastDayOf(dueDate, 20);
  const expiryFrom = (start: string) => {
    const e = lastDayOf(start, 3);
    return e < longStopOn ? e : longStopOn;
  };
  let startsOn = dueDate;
  let lastEvent: InterruptionEvent | null = null;
  const late: InterruptionEvent[] = [];
  const events = input.events.filter((e) => e.on > dueDate && e.on <= asOf).sort((a, b) => a.on.localeCompare(b.on));
  for (const e of events) {
    if (e.on <= expiryFrom(startsOn)) {
      startsOn = e.on;
      lastEvent = e;
    } else late.push(e);
  }
  const expiresOn = expiryFrom(startsOn);

  const expired = asOf > expiresOn;
  const alertLevel = expired ? null : (alertMonths.find((m) => asOf >= addMonthsClamped(expiresOn, -m)) ?? null);
  const state = expired ? 'expired' : alertLevel !== null ? 'alert' : 'running';
  const daysLeft = expired ? 0 : daysBetween(asOf, expiresOn);

  const corresponding = addYearsClamped(startsOn, 3);
  const parts = [`${period} 期费用于 ${dueDate} 到期，诉讼时效期间三年（民法典第188条），开始当日不计入、自次日起算（第201条）`];
  if (lastEvent) parts.push(`；${lastEvent.on} 因${INTERRUPTION_LABELS[lastEvent.kind]}中断，自该日重新计算（第195条）`);
  parts.push(`，期间末日为 ${corresponding}（第202条）`);
  if (nextWorkingDayOnOrAfter(corresponding) !== corresponding) {
    parts.push(`，该日为法定休假日，顺延至 ${nextWorkingDayOnOrAfter(corresponding)}（第203条）`);
  }
  if (expiresOn === longStopOn) parts.push(`；但自权利受到损害之日起超过二十年不予保护，最迟至 ${longStopOn}（第188条）`);
  if (state === 'expired') {
    parts.push(`。截至 ${asOf} 已于 ${expiresOn} 届满：不得以起诉相威胁，只可请求业主自愿履行（R15、R16）`);
  } else if (state === 'alert') {
    parts.push(`。截至 ${asOf} 距届满不足 ${alertLevel} 个月，尚余 ${daysLeft} 天，请最迟于 ${expiresOn} 送达催告或起诉，以中断时效（R15）`);
  } else parts.push(`。截至 ${asOf} 尚余 ${daysLeft} 天`);
  for (const e of late) {
    parts.push(`；${e.on} 的${INTERRUPTION_LABELS[e.kind]}发生在时效届满后，不中断时效`
      + (OWNER_ACTS.has(e.kind) ? '，但可能构成同意履行、放弃时效抗辩（第192条、诉讼时效规定第19条），须人工判断' : ''));
  }
  return { period, startsOn, expiresOn, longStopOn, state, alertLevel, daysLeft, lastEvent, explanation: `${parts.join('')}。` };
}
