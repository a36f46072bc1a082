/**
 * The collection (催缴) vocabulary of the console. The labels that the server's pure domain layer already defines are
 * taken from core (one source of truth); the few that exist only in the server's services are mirrored here, in one
 * place.
 */
import { ROLE_RANK, type Role } from '../../core/access/roles.ts';
import { CATEGORIES, CATEGORY_LABELS, FOLLOW_UPS, OUTCOMES, type Category, type Outcome } from '../../core/dunning/categories.ts';
import { INTERRUPTION_LABELS } from '../../core/dunning/limitation.ts';
import { CASE_STATE_LABELS, PAUSE_KINDS, PAUSE_LABELS } from '../../core/dunning/planner.ts';
import { ACTOR_LABELS, CHANNEL_LABELS, STEP_ACTORS, STEP_CHANNELS, describeStep, type StepActor, type StepChannel } from '../../core/dunning/policy.ts';
import { formatInstant } from './format.ts';

export { ACTOR_LABELS, CASE_STATE_LABELS, CATEGORIES, CATEGORY_LABELS, CHANNEL_LABELS, OUTCOMES, PAUSE_KINDS, PAUSE_LABELS, STEP_ACTORS, STEP_CHANNELS, describeStep };
export type { Category, Outcome, StepActor, StepChannel };

export const CASE_STATE_COLORS: Record<string, string> = { due_soon: 'blue', overdue: 'orange', with_legal: 'red', resolved: 'green', written_off: 'default' };

/** A step's or follow-up's channel (短信, 律师函, …) or a contact channel, in Chinese. */
export function channelLabel(ch: string): string {
  return (CHANNEL_LABELS as Record<string, string>)[ch] ?? (CONTACT_CHANNEL_LABELS as Record<string, string>)[ch] ?? ch;
}
export function actorLabel(a: string | null | undefined): string {
  return a ? (ACTOR_LABELS as Record<string, string>)[a] ?? a : '—';
}

/** The name of a step key of the policy, or of a follow-up task (承诺到期前一天提醒, 每日致电, …). */
export function stepName(key: string | null | undefined, steps: ReadonlyArray<{ key: string; name: string }> = []): string {
  if (!key) return '—';
  return steps.find((s) => s.key === key)?.name ?? (FOLLOW_UPS as Record<string, { label: string }>)[key]?.label ?? key;
}
export const FOLLOW_UP_KEYS = Object.keys(FOLLOW_UPS);
export const followUpLabel = (key: string) => (FOLLOW_UPS as Record<string, { label: string }>)[key]?.label ?? key;

// ---- mirrored from server/modules/dunning (service-level vocabulary) ----

/** How a contact was made (POST /api/cases/:id/contacts `channel`). */
export const CONTACT_CHANNELS = ['call', 'sms', 'visit', 'letter', 'email', 'wechat', 'door_notice'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const CONTACT_CHANNEL_LABELS: Record<ContactChannel, string> = {
  call: '电话', sms: '短信', visit: '上门', letter: '信函（含挂号信、通知书）', email: '电子邮件', wechat: '微信', door_notice: '张贴/派发通知',
};
/** A recorded contact's channel in a word (电话, 信函, …) for tables. */
export const contactChannelLabel = (ch: string) => (CONTACT_CHANNEL_LABELS as Record<string, string>)[ch]?.replace(/（.*）$/, '') ?? channelLabel(ch);
/**
 * When the contact rules allow a planned action (quiet hours, call windows, caps): "09:30 起" on `day`, else with the
 * date ("11-30 08:00 起"); null for an action that is not time-bound (letters).
 */
export function notBeforeLabel(iso: string | null | undefined, day: string | null | undefined): string | null {
  if (!iso) return null;
  const t = formatInstant(iso);
  return t.slice(0, 10) === day ? `${t.slice(11, 16)} 起` : `${t.slice(5, 16)} 起`;
}
/** Steps whose delivery is a 催告 (R7; interrupts limitation, R13): their record asks for the delivery day and proof. */
export const DEMAND_CHANNELS: ReadonlySet<string> = new Set(['demand_notice', 'second_demand', 'registered_letter', 'lawyer_letter']);

export const ACTION_STATUS_LABELS: Record<string, string> = {
  open: '待办', awaiting_approval: '待审批', done: '已办结', cancelled: '已取消', superseded: '已被取代', rejected: '已驳回',
};
export const ACTION_STATUS_COLORS: Record<string, string> = {
  open: 'processing', awaiting_approval: 'gold', done: 'green', cancelled: 'default', superseded: 'default', rejected: 'red',
};

export const LIMITATION_STATE_LABELS: Record<string, string> = { running: '时效期内', alert: '临近届满', expired: '已过时效' };
export const LIMITATION_STATE_COLORS: Record<string, string> = { running: 'green', alert: 'orange', expired: 'red' };

/** Interruptions staff record by hand (the rest the system sees itself). */
export const MANUAL_INTERRUPTIONS = ['acknowledgement', 'filing', 'mediation'] as const;
export const interruptionLabel = (k: string) => (INTERRUPTION_LABELS as Record<string, string>)[k] ?? k;

export const PLAN_KIND_LABELS: Record<string, string> = { instalment: '分期', deferral: '缓缴' };
export const PLAN_STATUSES = ['待审批', '执行中', '已驳回', '已完成', '已违约'] as const;
export const PLAN_STATUS_COLORS: Record<string, string> = { 待审批: 'gold', 执行中: 'processing', 已驳回: 'red', 已完成: 'green', 已违约: 'volcano' };

/** Roles that may exclude a case from collection (the server checks the same). */
export const EXCLUDING_ROLES: readonly string[] = ['supervisor', 'project_manager', 'admin'];

/**
 * Where a policy issue belongs: 'steps[3].channels[0]' → step 3, field 'channels'; 'demandDeadlineDays' → no step,
 * field 'demandDeadlineDays'; 'steps' → no step, no field.
 */
export function policyIssuePlace(path: string): { step: number | null; field: string | null } {
  const m = /^steps\[(\d+)\](?:\.([A-Za-z]+))?/.exec(path);
  if (m) return { step: Number(m[1]), field: m[2] ?? null };
  if (path === 'steps' || path === '') return { step: null, field: null };
  return { step: null, field: /^([A-Za-z]+)/.exec(path)?.[1] ?? null };
}

/** An action needing a rank is approved at it or above (the server's order, core/access/roles.ts). */
export function mayApproveAt(role: string | undefined, needed: string | null): boolean {
  if (!role) return false;
  const rank = (r: string) => ROLE_RANK[r as Role] ?? 0;
  return needed === null || rank(role) >= rank(needed);
}
