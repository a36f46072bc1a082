import { isoWeekday, mondayOf, type LocalDate } from '../dates.ts';
import { addDays } from '../billing/periods.ts';
import type { ContactKind } from '../registry/vocabulary.ts';

/**
 * Contact rules (harassment controls, legal R47–R53; domain §5). Pure: the instant and the history are passed in.
 *
 * - Times are read in the project's time zone (default Asia/Shanghai). Windows are half-open [from, to): a call at
 *   21:00 is outside 15:00–21:00, 08:00 is outside 22:00–08:00. A window with from > to wraps midnight (quiet hours).
 * - A "day" is a local calendar day; a "week" is Monday 00:00 to Sunday 24:00 local. Weekends are plain Sat/Sun.
 * - R47: calls, visits, SMS, WeChat and email are refused 22:00–08:00. The owner's consent lifts this for remote
 *   channels, and also the ordinary call windows (the owner chose the time); it never lifts the R52 daytime rule for
 *   visits and door notices, the special-care windows, or the caps. Letters are not time-bound.
 * - R48: at most maxCallsPerDay calls a day (all numbers) and maxUnansweredPerDayPerNumber unanswered calls a day per
 *   number; the stricter binds. maxSmsPerWeek counts SMS only. After an unanswered call (answered not true), the same
 *   number waits retryMinutes. Numbers are compared as given: pass normalised numbers.
 * - R49: third parties are always refused. A pre-registered emergency contact who consented may get a call, SMS, WeChat
 *   or email relaying only "请业主致电物业服务中心" (the caller checks the owner is unreachable); nothing else.
 * - Special care (特殊关怀), our gentle path: one call a day, 10:00–11:30 and 15:00–18:00 every day; no collection
 *   visits (a supervisor arranges any visit outside this rule). It takes precedence over hardCase.
 * - R52: visits need at least two staff and the visit window (daytime, 09:00–18:00); a door notice is a visit-like act
 *   and also daytime only. (R4/R51: a door notice is a sealed, factual notice, not a public posting; R5: no entry.)
 * - minContactsPerWeek is the planner's target (domain §5), not enforced here.
 */
export type ContactChannel = 'call' | 'sms' | 'visit' | 'letter' | 'email' | 'wechat' | 'door_notice';
export type Recipient = 'owner' | 'co_owner' | 'designated_payer' | 'emergency_contact' | 'third_party';
export interface TimeWindow { from: string; to: string }
export interface ContactRules {
  quietHours: TimeWindow;
  callWindows: { weekday: TimeWindow[]; weekend: TimeWindow[] };
  hardCaseWindows: { mobile: TimeWindow[]; landline: TimeWindow[] };
  retryMinutes: number;
  maxCallsPerDay: number;
  maxUnansweredPerDayPerNumber: number;
  maxSmsPerWeek: number;
  minContactsPerWeek: number;
  specialCare: { maxCallsPerDay: number; windows: TimeWindow[]; visitsAllowed: boolean };
  visitWindow: TimeWindow;
}
export interface Attempt { at: Date; channel: ContactChannel; number?: string | null; answered?: boolean | null }
export interface ContactRequest {
  at: Date; timeZone?: string; channel: ContactChannel; contactKind?: ContactKind | null;
  recipient: Recipient; number?: string | null; hardCase?: boolean; specialCare?: boolean; consentOutsideQuietHours?: boolean;
  emergencyContactConsented?: boolean; visitStaffCount?: number; history: readonly Attempt[]; rules?: ContactRules;
}
export type ContactRefusal = 'QUIET_HOURS' | 'OUTSIDE_WINDOW' | 'DAILY_CAP' | 'WEEKLY_CAP' | 'RETRY_TOO_SOON' | 'THIRD_PARTY' | 'SPECIAL_CARE' | 'VISIT_RULES';
export type ContactDecision = { ok: true } | { ok: false; code: ContactRefusal; rule: string; reason: string; nextAllowedAt: Date | null };

const w = (from: string, to: string): TimeWindow => ({ from, to });
export const DEFAULT_CONTACT_RULES: ContactRules = {
  quietHours: w('22:00', '08:00'),
  callWindows: { weekday: [w('09:30', '12:00'), w('15:00', '21:00')], weekend: [w('10:30', '12:00'), w('15:00', '21:00')] },
  hardCaseWindows: { mobile: [w('09:00', '14:00'), w('19:00', '21:00')], landline: [w('10:00', '11:30'), w('19:00', '21:00')] },
  retryMinutes: 30,
  maxCallsPerDay: 2,
  maxUnansweredPerDayPerNumber: 6,
  maxSmsPerWeek: 3,
  minContactsPerWeek: 2,
  specialCare: { maxCallsPerDay: 1, windows: [w('10:00', '11:30'), w('15:00', '18:00')], visitsAllowed: false },
  visitWindow: w('09:00', '18:00'),
};

const DAY_MS = 86_400_000;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const inWindow = (m: number, win: TimeWindow): boolean => {
  const [a, b] = [toMinutes(win.from), toMinutes(win.to)];
  return a <= b ? m >= a && m < b : m >= a || m < b;
};
const inAny = (m: number, wins: readonly TimeWindow[]): boolean => wins.some((x) => inWindow(m, x));
const listText = (wins: readonly TimeWindow[]): string => wins.map((x) => `${x.from}–${x.to}`).join('、') || '无';

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local calendar date, minutes since local midnight and ISO weekday (1 = Monday) of an instant; agrees with localDateOf. */
export function localTimeOf(instant: Date, timeZone = 'Asia/Shanghai'): { date: LocalDate; minutes: number; weekday: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(instant)) p[part.type] = part.value;
  const date = `${p.year}-${p.month}-${p.day}` as LocalDate;
  return { date, minutes: Number(p.hour) * 60 + Number(p.minute), weekday: isoWeekday(date) };
}

/** An instant as the local clock of `timeZone` shows it: 'YYYY-MM-DD HH:mm'. */
export function wallClockText(instant: Date, timeZone = 'Asia/Shanghai'): string {
  const t = localTimeOf(instant, timeZone);
  return `${t.date} ${String(Math.floor(t.minutes / 60)).padStart(2, '0')}:${String(t.minutes % 60).padStart(2, '0')}`;
}

/** The instant at which the local clock of `timeZone` shows `minutes` on `date` (one offset correction; no DST in China). */
export function instantAt(date: string, minutes: number, timeZone: string): Date {
  const guess = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) + minutes * 60_000;
  const seen = localTimeOf(new Date(guess), timeZone);
  const shown = Date.UTC(+seen.date.slice(0, 4), +seen.date.slice(5, 7) - 1, +seen.date.slice(8, 10)) + seen.minutes * 60_000;
  return new Date(guess - (shown - guess));
}

const VERB: Record<ContactChannel, string> = { call: '致电', sms: '发送短信', visit: '上门', letter: '寄送信函', email: '发送邮件', wechat: '发送微信消息', door_notice: '张贴通知' };
const RELAY_CHANNELS: readonly ContactChannel[] = ['call', 'sms', 'wechat', 'email'];
/** An internal refusal: `final` ones can not be lifted by waiting; `cap` ones by a later day, week or retry, not a window. */
type Refusal = { code: ContactRefusal; rule: string; reason: string; final?: boolean; cap?: boolean };

function evaluate(req: ContactRequest): Refusal | null {
  const r = req.rules ?? DEFAULT_CONTACT_RULES;
  const tz = req.timeZone ?? 'Asia/Shanghai';
  const ch = req.channel;
  const verb = VERB[ch];
  if (req.recipient === 'third_party') {
    return { code: 'THIRD_PARTY', rule: 'R49', final: true, reason: '不得就欠费联系业主的工作单位、同事、亲属或朋友等第三方，也不得向其透露欠费信息（R49；个人信息保护法、民法典第1038条）' };
  }
  if (req.recipient === 'emergency_contact' && (!req.emergencyContactConsented || !RELAY_CHANNELS.includes(ch))) {
    return { code: 'THIRD_PARTY', rule: 'R49', final: true, reason: '紧急联系人须事先登记并同意，且只能在联系不上业主时以电话、短信、微信或邮件转告“请业主致电物业服务中心”，不得透露欠费详情；对方反对即停止（R49）' };
  }
  if (ch === 'letter') return null;
  const visitLike = ch === 'visit' || ch === 'door_notice';
  if (ch === 'visit' && (req.visitStaffCount ?? 0) < 2) {
    return { code: 'VISIT_RULES', rule: 'R52', final: true, reason: '上门须至少两名工作人员同行，未经邀请不得入户，并须记录（R52）' };
  }
  if (ch === 'visit' && req.specialCare && !r.specialCare.visitsAllowed) {
    return { code: 'SPECIAL_CARE', rule: '§5', final: true, reason: '特殊关怀业主不安排催缴上门；如确需上门，请由主管另行安排（§5 关怀特殊业主）' };
  }
  const now = localTimeOf(req.at, tz);
  if (inWindow(now.minutes, r.quietHours) && (visitLike || !req.consentOutsideQuietHours)) {
    return { code: 'QUIET_HOURS', rule: 'R47', reason: `${r.quietHours.from}–${r.quietHours.to} 为免打扰时段，不得${verb}（R47）` };
  }
  if (visitLike && !inWindow(now.minutes, r.visitWindow)) {
    return { code: 'VISIT_RULES', rule: 'R52', reason: `上门及张贴通知仅限白天 ${r.visitWindow.from}–${r.visitWindow.to}（R52）` };
  }
  if (ch === 'visit' && req.specialCare && !inAny(now.minutes, r.specialCare.windows)) {
    return { code: 'SPECIAL_CARE', rule: '§5', reason: `特殊关怀业主仅可在 ${listText(r.specialCare.windows)} 联系（§5 关怀特殊业主）` };
  }
  if (ch === 'sms') {
    const weekStart = mondayOf(now.date);
    const inWeek = (d: string): boolean => d >= weekStart && d <= addDays(weekStart, 6);
    const sent = req.history.filter((a) => a.channel === 'sms' && inWeek(localTimeOf(a.at, tz).date)).length;
    if (sent >= r.maxSmsPerWeek) return { code: 'WEEKLY_CAP', rule: 'R48', cap: true, reason: `本周（周一至周日）已发送 ${sent} 条短信，已达每周上限 ${r.maxSmsPerWeek} 条（R48）` };
  }
  if (ch !== 'call') return null;
  if (req.specialCare) {
    if (!inAny(now.minutes, r.specialCare.windows)) {
      return { code: 'SPECIAL_CARE', rule: '§5', reason: `特殊关怀业主仅可在 ${listText(r.specialCare.windows)} 致电（§5 关怀特殊业主）` };
    }
  } else if (!req.consentOutsideQuietHours) {
    const [wins, label] = req.hardCase
      ? req.contactKind === '固话' ? [r.hardCaseWindows.landline, '疑难户固话'] : [r.hardCaseWindows.mobile, '疑难户手机']
      : now.weekday <= 5 ? [r.callWindows.weekday, '工作日'] : [r.callWindows.weekend, '周末'];
    if (!inAny(now.minutes, wins)) return { code: 'OUTSIDE_WINDOW', rule: '§5', reason: `${label}致电时段为 ${listText(wins)}，当前不在时段内（§5）` };
  }
  const today = req.history.filter((a) => a.channel === 'call' && localTimeOf(a.at, tz).date === now.date);
  const cap = req.specialCare ? r.specialCare.maxCallsPerDay : r.maxCallsPerDay;
  if (today.length >= cap) {
    return req.specialCare
      ? { code: 'SPECIAL_CARE', rule: '§5', cap: true, reason: `特殊关怀业主每日至多致电 ${cap} 次，今日已致电 ${today.length} 次（§5、R48）` }
      : { code: 'DAILY_CAP', rule: 'R48', cap: true, reason: `今日已致电 ${today.length} 次，已达每日上限 ${cap} 次（R48）` };
  }
  if (!req.number) return null;
  const unanswered = req.history.filter((a) => a.channel === 'call' && a.number === req.number && a.answered !== true);
  const todayCount = unanswered.filter((a) => localTimeOf(a.at, tz).date === now.date).length;
  if (todayCount >= r.maxUnansweredPerDayPerNumber) {
    return { code: 'DAILY_CAP', rule: 'R48', cap: true, reason: `该号码今日已有 ${todayCount} 次未接通，已达每号码每日上限 ${r.maxUnansweredPerDayPerNumber} 次（R48）` };
  }
  const since = unanswered.map((a) => req.at.getTime() - a.at.getTime()).filter((ms) => ms >= 0);
  if (since.length > 0 && Math.min(...since) < r.retryMinutes * 60_000) {
    return { code: 'RETRY_TOO_SOON', rule: '§5', cap: true, reason: `该号码上次未接通距今不足 ${r.retryMinutes} 分钟，请间隔 ${r.retryMinutes} 分钟后再拨（§5）` };
  }
  return null;
}

/** Decide whether a contact attempt may happen now; a refusal says why (zh-CN, naming the rule) and when it could. */
export function checkContact(req: ContactRequest): ContactDecision {
  const refusal = evaluate(req);
  if (!refusal) return { ok: true };
  const next = refusal.final ? null : search(req, req.at).at;
  let when = '';
  if (next) {
    const t = localTimeOf(next, req.timeZone ?? 'Asia/Shanghai');
    when = `；最早可于 ${t.date} ${hhmm(t.minutes)} 后联系`;
  } else if (!refusal.final) when = '；14 天内没有可联系的时段';
  return { ok: false, code: refusal.code, rule: refusal.rule, reason: refusal.reason + when, nextAllowedAt: next };
}

/** The first instant ≥ from at which checkContact would say ok, looking at most 14 days ahead; null if none. */
export function nextAllowedAt(req: Omit<ContactRequest, 'at'> & { from: Date }): Date | null {
  return search(req, req.from).at;
}

/**
 * For planning: the first instant ≥ from at which the contact is allowed (null: none within 14 days, or never), and
 * what held it back when that is not `from` itself: a cap (per day, per week, the retry interval) when one was met on
 * the way, else the refusal at `from` (quiet hours, a window).
 */
export function earliestContact(req: Omit<ContactRequest, 'at'> & { from: Date }): {
  at: Date | null; heldBy: { code: ContactRefusal; rule: string; reason: string; cap: boolean } | null;
} {
  const { at, heldBy } = search(req, req.from);
  return { at, heldBy: heldBy && { code: heldBy.code, rule: heldBy.rule, reason: heldBy.reason, cap: heldBy.cap === true } };
}

/**
 * Allowed instants form intervals that can only open at `from`, a window start or quiet-hours end, a local midnight
 * (caps reset) or a retry expiry; testing those candidates in order finds the exact first one. Days are searched one
 * at a time, so a contact allowed today costs a dozen candidates, not two weeks of them.
 */
function search(req: Omit<ContactRequest, 'at'>, from: Date): { at: Date | null; heldBy: Refusal | null } {
  const r = req.rules ?? DEFAULT_CONTACT_RULES;
  const tz = req.timeZone ?? 'Asia/Shanghai';
  const [start, end] = [from.getTime(), from.getTime() + 14 * DAY_MS];
  const wins = [r.quietHours, r.visitWindow, ...r.callWindows.weekday, ...r.callWindows.weekend, ...r.hardCaseWindows.mobile, ...r.hardCaseWindows.landline, ...r.specialCare.windows];
  const marks = [...new Set([0, toMinutes(r.quietHours.to), ...wins.map((x) => toMinutes(x.from))])];
  const retries = req.history.map((a) => a.at.getTime() + r.retryMinutes * 60_000);
  const day0 = localTimeOf(from, tz).date;
  let cap: Refusal | null = null;
  let first: Refusal | null = null;
  for (let i = 0; i <= 15; i++) {
    const [dayStart, dayEnd] = [instantAt(addDays(day0, i), 0, tz).getTime(), instantAt(addDays(day0, i + 1), 0, tz).getTime()];
    const candidates = new Set(marks.map((m) => instantAt(addDays(day0, i), m, tz).getTime()));
    if (i === 0) candidates.add(start);
    for (const t of retries) if (t >= dayStart && t < dayEnd) candidates.add(t);
    for (const t of [...candidates].filter((c) => c >= start && c <= end).sort((a, b) => a - b)) {
      const refusal = evaluate({ ...req, at: new Date(t) });
      if (!refusal) return { at: new Date(t), heldBy: t === start ? null : cap ?? first };
      first ??= refusal;
      if (refusal.cap) cap ??= refusal;
      if (refusal.final) return { at: null, heldBy: refusal };
    }
  }
  return { at: null, heldBy: cap ?? first };
}

type Issue = { field: string; message: string };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate a project's contact rules (zh-CN issues); a valid input comes back as a clean ContactRules. */
export function validateContactRules(input: unknown): { ok: true; rules: ContactRules } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  const add = (field: string, message: string): null => {
    issues.push({ field, message });
    return null;
  };
  if (!isRecord(input)) return { ok: false, issues: [{ field: '', message: '联系规则须为对象' }] };
  const isWindow = (v: unknown): v is TimeWindow => isRecord(v) && typeof v.from === 'string' && typeof v.to === 'string' && HHMM.test(v.from) && HHMM.test(v.to);
  const q = input.quietHours;
  let quiet = DEFAULT_CONTACT_RULES.quietHours;
  if (!isWindow(q)) add('quietHours', '免打扰时段须为 {from, to}，时间格式为 HH:MM');
  else if (!(toMinutes(q.from) > toMinutes(q.to) && toMinutes(q.from) <= 22 * 60 && toMinutes(q.to) >= 8 * 60)) add('quietHours', '免打扰时段须至少覆盖 22:00–08:00（R47）');
  else quiet = q;
  const daytime = (v: unknown, field: string): TimeWindow | null => {
    if (!isWindow(v)) return add(field, '时段须为 {from, to}，时间格式为 HH:MM（如 09:30）');
    const [a, b] = [toMinutes(v.from), toMinutes(v.to)];
    if (a >= b) return add(field, '开始时间须早于结束时间（时段不得跨越午夜）');
    if (a < toMinutes(quiet.to) || b > toMinutes(quiet.from)) return add(field, `时段不得落入免打扰时段 ${quiet.from}–${quiet.to}（R47）`);
    return { from: v.from, to: v.to };
  };
  const list = (v: unknown, field: string): TimeWindow[] => {
    if (!Array.isArray(v)) return add(field, '须为时段列表') ?? [];
    return v.map((x, i) => daytime(x, `${field}[${i}]`)).filter((x): x is TimeWindow => x !== null);
  };
  const int = (v: unknown, field: string, min: number, max: number, message: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) add(field, message);
    return v as number;
  };
  const calls = isRecord(input.callWindows) ? input.callWindows : {};
  const hard = isRecord(input.hardCaseWindows) ? input.hardCaseWindows : {};
  const care = isRecord(input.specialCare) ? input.specialCare : {};
  if (!isRecord(input.specialCare)) add('specialCare', '须填写特殊关怀规则');
  const maxCalls = int(input.maxCallsPerDay, 'maxCallsPerDay', 1, 6, '每日致电次数须为 1–6 的整数（R48 基准：每号码每日至多 6 次）');
  const visitWindow = daytime(input.visitWindow, 'visitWindow');
  if (visitWindow && toMinutes(visitWindow.to) > 20 * 60) add('visitWindow', '上门仅限白天，结束时间不得晚于 20:00（R52）');
  const rules: ContactRules = {
    quietHours: { from: quiet.from, to: quiet.to },
    callWindows: { weekday: list(calls.weekday, 'callWindows.weekday'), weekend: list(calls.weekend, 'callWindows.weekend') },
    hardCaseWindows: { mobile: list(hard.mobile, 'hardCaseWindows.mobile'), landline: list(hard.landline, 'hardCaseWindows.landline') },
    retryMinutes: int(input.retryMinutes, 'retryMinutes', 30, 720, '未接通重拨间隔须为 30–720 分钟的整数（§5）'),
    maxCallsPerDay: maxCalls,
    maxUnansweredPerDayPerNumber: int(input.maxUnansweredPerDayPerNumber, 'maxUnansweredPerDayPerNumber', 1, 6, '每号码每日未接通次数须为 1–6 的整数，不得超过 R48 基准 6 次'),
    maxSmsPerWeek: int(input.maxSmsPerWeek, 'maxSmsPerWeek', 0, 7, '每周短信条数须为 0–7 的整数（R48，建议 3 条）'),
    minContactsPerWeek: int(input.minContactsPerWeek, 'minContactsPerWeek', 0, 7, '每周最少联系次数须为 0–7 的整数（§5）'),
    specialCare: {
      maxCallsPerDay: int(care.maxCallsPerDay, 'specialCare.maxCallsPerDay', 0, Number.isInteger(maxCalls) ? Math.min(maxCalls, 6) : 6, '特殊关怀每日致电次数须为整数，且不得多于一般业主的每日上限'),
      windows: list(care.windows, 'specialCare.windows'),
      visitsAllowed: care.visitsAllowed === true,
    },
    visitWindow: visitWindow ?? DEFAULT_CONTACT_RULES.visitWindow,
  };
  if (isRecord(input.specialCare) && typeof care.visitsAllowed !== 'boolean') add('specialCare.visitsAllowed', '须为是/否');
  return issues.length > 0 ? { ok: false, issues } : { ok: true, rules };
}
