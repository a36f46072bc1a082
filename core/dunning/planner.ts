import { addDays } from '../billing/periods.ts';
import { CATEGORY_LABELS, FOLLOW_UPS, type Category, type FollowUp } from './categories.ts';
import { CHANNEL_LABELS, type DunningPolicy, type PolicyStep } from './policy.ts';

/**
 * The collection planner: `planCase(policy, case, asOf)` says what the one next action of a case is, and when, from the
 * case's facts alone. It is pure (no clock, no IO): the same inputs give the same plan, so a preview, a dry run, a
 * test and the daily sweep all agree; the service commits what it returns.
 *
 * Dates are anchored, never "now + interval": a step anchored on the due date is due on (oldest unpaid due date +
 * offset); one anchored on the previous step is due on (the day that step was done + offset). After a partial payment
 * the anchor moves to the next unpaid period, the steps already done stay done, and no stage is skipped.
 */

export interface PeriodDebt { period: string; dueDate: string; owedFen: number; timeBarred?: boolean | undefined }
export const PAUSE_KINDS = ['dispute', 'promise', 'payment_plan', 'hardship', 'manual'] as const;
export type PauseKind = (typeof PAUSE_KINDS)[number];
export const PAUSE_LABELS: Record<PauseKind, string> = { dispute: '争议处理中', promise: '承诺缴费', payment_plan: '分期/缓缴计划', hardship: '困难帮扶', manual: '人工暂停' };

export interface CaseInput {
  caseId: number;
  /** The case's cycle: 1 when it opened, one more each time it reopens after being resolved. */
  cycle: number;
  /** Principal still owed per period (only periods with something owed; due or not yet due). */
  debts: readonly PeriodDebt[];
  /** Policy steps of this cycle that were done or delivered, oldest first. */
  done: readonly { key: string; on: string }[];
  /** Follow-up tasks already done, as `key@cycleKey` (a daily task's cycleKey carries its day). */
  followUpsDone: readonly string[];
  pause: { kind: PauseKind; until: string | null } | null;
  excluded: boolean;
  writtenOff: boolean;
  category: Category | null;
  promisedOn: string | null;
  /** A refusal's service ticket is open: escalation waits for it (R10). */
  openTicket: boolean;
  /** The day the latest demand notice of this cycle was delivered, with proof (R7). */
  demandDeliveredOn: string | null;
  /** An owner of the periods is tagged 特殊关怀: the gentle path plans no visits (domain §5). */
  specialCare?: boolean | undefined;
}

export type CaseState = 'due_soon' | 'overdue' | 'with_legal' | 'resolved' | 'written_off';
export const CASE_STATE_LABELS: Record<CaseState, string> = { due_soon: '即将到期', overdue: '逾期催缴中', with_legal: '法务阶段', resolved: '已结清', written_off: '已核销' };
const LEGAL_CHANNELS = new Set(['lawyer_letter', 'lawsuit']);

export interface PlannedAction {
  caseId: number;
  kind: 'step' | 'follow_up';
  key: string;
  name: string;
  channel: string;
  /** Part of the exactly-once key (case, key, channel, cycleKey): the cycle, and the day for a daily task. */
  cycleKey: string;
  dueOn: string;
  actor: string;
  approval: string | null;
  /** Every outstanding period (R14), time-barred ones flagged so no template threatens suit over them (R15). */
  periods: PeriodDebt[];
  owedFen: number;
  late: boolean;
  reason: string;
  /** The first instant the contact rules allow carrying it out (ISO), set by the scheduler; null: not time-bound. */
  notBefore: string | null;
}

export interface CasePlan {
  caseId: number;
  state: CaseState;
  /** Index in the policy of the furthest step done, -1 when none. */
  stepIndex: number;
  nextActionAt: string | null;
  nextKey: string | null;
  action: PlannedAction | null;
  skipped: { key: string; name: string; reason: string }[];
  why: string;
}

/** The plan of one case as of a day. */
export function planCase(policy: DunningPolicy, c: CaseInput, asOf: string): CasePlan {
  const debts = [...c.debts].filter((d) => d.owedFen > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.period.localeCompare(b.period));
  const doneKeys = new Set(c.done.map((d) => d.key));
  const steps = policy.steps.filter((s) => s.enabled);
  const stepIndex = policy.steps.reduce((k, s, i) => (doneKeys.has(s.key) ? i : k), -1);
  const overdue = debts.filter((d) => d.dueDate < asOf);
  const legal = steps.some((s) => doneKeys.has(s.key) && s.channels.some((ch) => LEGAL_CHANNELS.has(ch)));
  const state: CaseState = c.writtenOff ? 'written_off' : debts.length === 0 ? 'resolved' : overdue.length === 0 ? 'due_soon' : legal ? 'with_legal' : 'overdue';
  const base = { caseId: c.caseId, state, stepIndex, skipped: [] as CasePlan['skipped'] };
  const none = (why: string, nextActionAt: string | null = null, nextKey: string | null = null): CasePlan => ({ ...base, nextActionAt, nextKey, action: null, why });
  if (state === 'resolved') return none('已结清，不再催缴');
  if (state === 'written_off') return none('已核销，不再催缴');
  if (c.excluded) return none('已排除催缴（人工标记）');

  const anchor = debts[0]!.dueDate;
  const owedFen = debts.reduce((s, d) => s + d.owedFen, 0);
  const arrearsMonths = new Set(overdue.map((d) => d.period)).size;
  const cycleKey = String(c.cycle);
  const act = (a: Omit<PlannedAction, 'caseId' | 'periods' | 'owedFen' | 'notBefore'>): CasePlan => ({
    ...base, nextActionAt: a.dueOn, nextKey: a.key, why: a.reason, action: { ...a, caseId: c.caseId, periods: debts, owedFen, notBefore: null },
  });
  const stepAction = (s: PolicyStep, late: boolean, reason: string) => act({
    kind: 'step', key: s.key, name: s.name, channel: s.channels[0]!, cycleKey, dueOn: asOf, actor: s.actor, approval: s.approval, late, reason,
  });
  const followUp = (key: FollowUp, dueOn: string, reason: string, daily = false) => act({
    kind: 'follow_up', key, name: FOLLOW_UPS[key].label, channel: FOLLOW_UPS[key].channel, cycleKey: daily ? `${cycleKey}:${dueOn}` : cycleKey,
    dueOn, actor: key === 'supervisor_review' ? 'supervisor' : 'collector', approval: null, late: false, reason,
  });

  // Pauses: a promise waits for its day (a reminder the day before); any other pause waits until it ends.
  const paused = c.pause !== null && (c.pause.until === null || c.pause.until >= asOf);
  if (paused && c.pause!.kind === 'promise' && c.promisedOn) {
    const remind = addDays(c.promisedOn, -1);
    if (asOf < remind) return none(`业主承诺 ${c.promisedOn} 缴费，前一天提醒`, remind, 'promise_check');
    return followUp('promise_check', asOf, `业主承诺 ${c.promisedOn} 缴费：到期前一天致电提醒`);
  }
  if (paused) {
    const until = c.pause!.until;
    return none(`暂停中：${PAUSE_LABELS[c.pause!.kind]}${until ? `，至 ${until}` : ''}`, until ? addDays(until, 1) : null);
  }
  if (c.openTicket) {
    // Escalation waits for the ticket; the supervisor's own follow-up of the refusal does not.
    if (c.category === 'refusal' && !c.followUpsDone.includes(`supervisor_review@${cycleKey}`)) {
      return followUp('supervisor_review', asOf, `${CATEGORY_LABELS.refusal}：主管立即跟进并开服务工单（R10）`);
    }
    return none('业主拒交事由的服务工单未办结，暂停升级催缴（R10）');
  }

  // A missed promise resumes the ladder where it stood, with a demand notice first (domain §4).
  const missedPromise = c.promisedOn !== null && c.promisedOn < asOf && overdue.length > 0;
  if (missedPromise) {
    const demand = steps.find((s) => s.onMissedPromise && !doneKeys.has(s.key));
    if (demand) return stepAction(demand, false, `业主承诺 ${c.promisedOn} 缴费未兑现：发出${demand.name}`);
  }

  // The ladder: the first step not done, in order (sequential); in catch-up mode a step whose window has passed is
  // skipped, and recorded, when a later one is already due.
  const skipped: CasePlan['skipped'] = [];
  let prevOn: string | null = null;
  let waiting: { on: string | null; key: string; why: string } | null = null;
  let due: { step: PolicyStep; late: boolean; reason: string } | null = null;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const doneOn = c.done.find((d) => d.key === s.key)?.on;
    if (doneOn !== undefined) { prevOn = doneOn; continue; }
    if (c.specialCare && s.channels.every((ch) => ch === 'visit')) {
      skipped.push({ key: s.key, name: s.name, reason: '特殊关怀业主：不安排上门，由主管电话沟通' });
      continue;
    }
    const target: string = s.anchor === 'due' ? addDays(anchor, s.offsetDays) : addDays(prevOn ?? anchor, s.offsetDays);
    const windowEnd = addDays(target, s.windowDays);
    // A reminder before the due date makes no sense once the window is gone (the owner is already overdue).
    if (s.anchor === 'due' && s.offsetDays < 0 && asOf > windowEnd) {
      skipped.push({ key: s.key, name: s.name, reason: `时间窗 ${target}–${windowEnd} 已过` });
      continue;
    }
    if (s.minArrearsMonths && arrearsMonths < s.minArrearsMonths) {
      const nth = [...new Set(debts.map((d) => d.dueDate))][s.minArrearsMonths - 1];
      waiting = { on: nth ? addDays(nth, 1) : null, key: s.key, why: `${s.name}：欠费满 ${s.minArrearsMonths} 个月时发出（现 ${arrearsMonths} 个月）` };
      break;
    }
    if (s.channels.some((ch) => LEGAL_CHANNELS.has(ch))) {
      if (overdue.every((d) => d.timeBarred)) {
        skipped.push({ key: s.key, name: s.name, reason: '欠费账期均已过诉讼时效，不得以诉讼相威胁（R15）' });
        continue;
      }
    }
    if (s.requiresDeliveredDemand) {
      if (!c.demandDeliveredOn) { waiting = { on: null, key: s.key, why: `${s.name}：须先有已送达的催款通知书（R7）` }; break; }
      const deadline = addDays(c.demandDeliveredOn, policy.demandDeadlineDays);
      if (asOf <= deadline) { waiting = { on: addDays(deadline, 1), key: s.key, why: `${s.name}：催告期限 ${deadline} 届满后方可（R7）` }; break; }
    }
    if (asOf < target) { waiting = { on: target, key: s.key, why: `${s.name}：${target} 起（${CHANNEL_LABELS[s.channels[0]!]}）` }; break; }
    const late = asOf > windowEnd;
    const next = steps[i + 1];
    if (late && policy.mode === 'catch_up' && next && !next.minArrearsMonths && !next.requiresDeliveredDemand
      && (next.anchor === 'previous' ? addDays(target, next.offsetDays) : addDays(anchor, next.offsetDays)) <= asOf) {
      skipped.push({ key: s.key, name: s.name, reason: `补追模式：时间窗 ${target}–${windowEnd} 已过，直接进入下一步` });
      prevOn = target;
      continue;
    }
    due = { step: s, late, reason: late ? `${s.name}：应于 ${target}–${windowEnd} 办理，已逾期` : `${s.name}：${target}–${windowEnd}` };
    break;
  }
  if (due) return { ...stepAction(due.step, due.late, due.reason), skipped };

  // Nothing on the ladder today: the category's own follow-up (domain §4).
  if (overdue.length > 0 && c.category) {
    const once = (k: FollowUp) => !c.followUpsDone.includes(`${k}@${cycleKey}`);
    const label = CATEGORY_LABELS[c.category];
    const daily = (why: string) => c.followUpsDone.includes(`daily_call@${cycleKey}:${asOf}`)
      ? none(`${why}（今天已联系）`, addDays(asOf, 1), 'daily_call')
      : followUp('daily_call', asOf, why, true);
    const plan = (() => {
      switch (c.category) {
        case 'unclear': return daily(`${label}：每天致电，直至明确缴费日期`);
        case 'away': return once('remote_payment_guide')
          ? followUp('remote_payment_guide', asOf, `${label}：发送异地转账/线上缴费指引`)
          : daily(`${label}：每天致电`);
        case 'unreachable':
          // Verifying a contact is a visit: not for a special-care owner (domain §5), whose letter goes out at once.
          if (once('verify_contact') && !c.specialCare) return followUp('verify_contact', asOf, `${label}：通过合法渠道核实新的联系方式`);
          if (once('service_address_letter')) return followUp('service_address_letter', asOf, `${label}：向送达地址寄出挂号信（房号、账期、金额、期限、缴费方式）`);
          return null;
        case 'refusal': return once('supervisor_review') ? followUp('supervisor_review', asOf, `${label}：主管立即跟进并开服务工单（R10）`) : null;
        default: return null;
      }
    })();
    if (plan) return { ...plan, skipped };
  }
  return { ...none(waiting?.why ?? '催缴步骤已全部完成', waiting?.on ?? null, waiting?.key ?? null), skipped };
}

/** Plans for many cases: the earliest next action first. */
export function plan(policy: DunningPolicy, cases: readonly CaseInput[], asOf: string): CasePlan[] {
  return cases.map((c) => planCase(policy, c, asOf))
    .sort((a, b) => (a.nextActionAt ?? '9999').localeCompare(b.nextActionAt ?? '9999') || a.caseId - b.caseId);
}
