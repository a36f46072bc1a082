import { localDateOf } from '../../../core/dates.ts';
import { earliestContact, type ContactChannel } from '../../../core/dunning/contact-rules.ts';
import { attemptOf } from '../../../core/dunning/schedule.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { formatYuan, toChineseUppercase } from '../../../core/money.ts';
import { maskContact } from '../../../core/registry/mask.ts';
import type { ContactKind } from '../../../core/registry/vocabulary.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import { ChannelError, type ChannelAdapter, type ChannelKind, type DeliveryReceipt } from '../../channels/channel.ts';
import * as dunningRepo from '../../db/repositories/dunning-repository.ts';
import { scopeWhere } from '../../db/scope-filter.ts';
import * as repo from '../../db/repositories/notice-repository.ts';
import type { DB } from '../../db/schema.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { enqueueMessage } from './outbox-queue.ts';
import { appendEvidence, sha256, type EvidenceEntry } from './evidence-service.ts';
import { renderNotices } from '../../documents/notice-pdf.ts';
import { houseNotice, noticePage, type HouseNotice } from './notice-data.ts';
import { noticeSettingsOf, templateOf } from './template-service.ts';
import { renderTemplate, type TemplateValues } from './templates.ts';
import { MESSAGE_STATUSES, OUTBOX_CHANNEL_LABELS, outboxChannelLabel, PRINT_TEMPLATES, PROVIDER_CHANNELS, SENDABLE, statusLabel, TEMPLATE_LABELS, templateLabel, type MessageStatus, type OutboxChannel, type TemplateKind } from '../../../core/notices/vocabulary.ts';

/**
 * The outbox (issue 6 point 4): every message to an owner is a row stored in the same transaction as what causes it
 * (the sweep's SMS step, a promise, a print batch), unique by its dedup key, so nothing is sent twice. Its life:
 * pending → sending → sent → delivered | failed | suppressed. The worker sends what is due through the channel
 * adapters; at send time it renders the content from the figures of that moment, refuses to send for periods already
 * paid or a case that is paused (R48), and waits for quiet hours and the weekly SMS cap to allow it (R47–R48).
 * Printed letters and hand deliveries are "sent" when the print centre prints them and "delivered" when a tracking
 * result or a signed receipt is recorded. Each step leaves an entry in the evidence chain (R54).
 */

const CONTACT_KIND_OF: Record<OutboxChannel, ContactKind> = { sms: '手机', email: '邮箱', wechat: '微信', letter: '送达地址', hand: '送达地址' };
const CONTACT_CHANNEL: Record<OutboxChannel, ContactChannel> = { sms: 'sms', email: 'email', wechat: 'wechat', letter: 'letter', hand: 'letter' };
/** Demands: a delivered one interrupts the limitation period of every period it lists that was already due (R13(a)). */
const DEMAND_TEMPLATES: ReadonlySet<string> = new Set(['payment_notice', 'demand_notice', 'second_demand', 'lawyer_letter', 'sms_last_reminder', 'sms_monthly', 'sms_prepaid_used_up']);
/** Templates with a printed form (an itemised table): e-mailed as a PDF too. */
const DOCUMENT_TEMPLATES: ReadonlySet<string> = new Set(PRINT_TEMPLATES);
/** Minutes to wait before the 2nd, 3rd, … try after a retryable failure; then the message fails. */
export const BACKOFF_MINUTES = [1, 5, 30, 120, 720] as const;
/** A message left "sending" this long (the process died mid-send) is failed, not resent: the provider may have it. */
const STUCK_MINUTES = 10;

export type Channels = Partial<Record<ChannelKind, ChannelAdapter>>;
/** The adapter that takes a provider's callbacks, by its provider name ('aliyun', 'tencent', 'wechat'). */
export const adapterOf = (channels: Channels, provider: string): ChannelAdapter | undefined => Object.values(channels).find((a) => a.provider === provider);
type Db = Kysely<DB> | Transaction<DB>;

type Row = Awaited<ReturnType<typeof loadMessage>>;
const loadMessage = (db: Db, id: number) => db.selectFrom('outbox_message').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/**
 * A provider's words as we keep them (answer, receipt, error): the recipient's number, address or openid in them is
 * replaced by its masked form, so nothing stored or chained as evidence carries it in the clear (the evidence keeps a
 * hash of it instead).
 */
function scrub(text: string, recipient: string | null, masked: string | null): string {
  if (!recipient) return text;
  const digits = recipient.replace(/\D/g, '');
  let out = text.split(recipient).join(masked ?? '***');
  if (digits.length >= 7 && digits !== recipient) out = out.split(digits).join(masked ?? '***');
  return out;
}
const scrubReceipt = (r: DeliveryReceipt, m: { recipient: string | null; recipient_masked: string | null }): DeliveryReceipt =>
  ({ ...r, detail: scrub(r.detail, m.recipient, m.recipient_masked), raw: scrub(r.raw, m.recipient, m.recipient_masked) });

const periodsOf = (row: { periods_json: string }) => JSON.parse(row.periods_json) as Array<{ period: string; dueDate: string; owedFen: number }>;

/** The SMS text that fits the payer: monthly payers and owners whose prepaid money ran out get their own wording. */
async function smsVariant(db: Db, template: TemplateKind, n: HouseNotice): Promise<TemplateKind> {
  if (template !== 'sms_pre_due' && template !== 'sms_last_reminder') return template;
  if (n.ownershipId !== null) {
    const prepaid = await db.selectFrom('prepaid_entry').innerJoin('payment', 'payment.id', 'prepaid_entry.payment_id')
      .select([(eb) => eb.fn.sum<number>('prepaid_entry.amount_fen').as('balance'), (eb) => eb.fn.countAll<number>().as('entries')])
      .where('prepaid_entry.house_id', '=', n.houseId).where('payment.ownership_id', '=', n.ownershipId).executeTakeFirst();
    if (prepaid && Number(prepaid.entries) > 0 && Number(prepaid.balance ?? 0) <= 0) return 'sms_prepaid_used_up';
  }
  return n.cycle === 'month' ? 'sms_monthly' : template;
}

interface Prepared {
  suppress?: string; wait?: { until: string; why: string }; fail?: string;
  contact?: { id: number; value: string; kind: ContactKind; source: string; createdAt: string };
  template?: TemplateKind; version?: number; subject?: string; text?: string; values?: TemplateValues; notice?: HouseNotice;
}

/** Everything decided before a send: still owed? paused? allowed now? to whom? what exactly? */
async function prepare(ctx: ServiceContext, row: Row, now: Date): Promise<Prepared> {
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', row.project_id).executeTakeFirstOrThrow();
  const today = localDateOf(now, project.time_zone);
  const settings = await noticeSettingsOf(ctx, row.project_id);
  const n = await houseNotice(ctx.db, row.house_id, today, settings);
  if (row.ownership_id !== null && n.ownershipId !== row.ownership_id) return { suppress: '房屋已过户，本消息不再发给新业主' };
  const listed = new Set(periodsOf(row).map((p) => p.period));
  const stillOwed = n.periods.filter((p) => listed.size === 0 || listed.has(p.period));
  if (listed.size > 0 && stillOwed.length === 0) return { suppress: '所列账期已缴清' };
  if (row.action_id !== null) {
    const action = await ctx.db.selectFrom('dunning_action').select(['status', 'closed_reason']).where('id', '=', row.action_id).executeTakeFirst();
    if (action && (action.status === 'cancelled' || action.status === 'superseded')) return { suppress: `催缴任务已${action.status === 'cancelled' ? '取消' : '被新的任务取代'}：${action.closed_reason ?? ''}` };
  }
  if (row.case_id !== null) {
    const pause = await dunningRepo.pauseInForce(ctx.db, row.case_id, today);
    if (pause && row.template !== 'sms_promise') return { suppress: `催缴已暂停：${pause.reason}（R48）` };
  }
  const channel = row.channel as OutboxChannel;
  // The owner's channel preferences (R50), set in the portal: a refused channel is not used; letters and hand delivery stay.
  if (n.ownershipId !== null && (channel === 'sms' || channel === 'email' || channel === 'wechat')) {
    const refused = await ctx.db.selectFrom('contact_preference').innerJoin('ownership_owner', 'ownership_owner.owner_id', 'contact_preference.owner_id')
      .select('contact_preference.owner_id').where('ownership_owner.ownership_id', '=', n.ownershipId).where(`contact_preference.${channel}`, '=', 0).executeTakeFirst();
    if (refused) return { suppress: `业主已选择不接收${OUTBOX_CHANNEL_LABELS[channel]}提醒（R50），正式催告以挂号信或上门送达为准` };
  }
  const contacts = n.ownershipId === null ? [] : await repo.contactsOfOwnership(ctx.db, n.ownershipId, [CONTACT_KIND_OF[channel]]);
  const contact = contacts.find((c) => row.contact_id === null || c.id === row.contact_id) ?? contacts[0];
  if (!contact) return { fail: `业主没有可用的${CONTACT_KIND_OF[channel]}` };
  // Quiet hours hold every message (R47); the caps count every contact with the house's owner this week (R48).
  const since = new Date(now.getTime() - 8 * 86_400_000).toISOString();
  const history = [
    ...(await dunningRepo.attemptsOfHouse(ctx.db, row.house_id, since)).map(attemptOf),
    // Messages sent on no case leave no contact attempt; they count all the same.
    ...(await ctx.db.selectFrom('outbox_message').select(['sent_at', 'channel', 'contact_id']).where('house_id', '=', row.house_id).where('case_id', 'is', null)
      .where('status', 'in', ['sent', 'delivered']).where('sent_at', '>=', since).execute())
      .map((m) => attemptOf({ at: m.sent_at!, channel: CONTACT_CHANNEL[m.channel as OutboxChannel], contact_id: m.contact_id, outcome: '已发送' })),
  ];
  const e = earliestContact({ from: now, timeZone: project.time_zone, channel: CONTACT_CHANNEL[channel], recipient: 'owner', number: String(contact.id), history });
  if (!e.at) return { suppress: e.heldBy?.reason ?? '联系规则不允许发送' };
  if (e.at.getTime() > now.getTime()) return { wait: { until: e.at.toISOString(), why: e.heldBy?.reason ?? '联系规则' } };
  const kind = channel === 'sms' ? await smsVariant(ctx.db, row.template as TemplateKind, n) : row.template as TemplateKind;
  const t = await templateOf(ctx.db, row.project_id, kind);
  if (!t.enabled) return { suppress: `模板“${TEMPLATE_LABELS[kind]}”已停用` };
  // The figures of this moment, only the periods the message was created for (and still owed).
  const periods = listed.size === 0 ? n.values.periods : n.values.periods?.filter((p) => listed.has(p.period));
  const total = stillOwed.reduce((s, p) => s + p.owedFen, 0);
  const values: TemplateValues = {
    ...n.values, ...(periods ? { periods, hasTimeBarred: periods.some((x) => x.timeBarred) } : {}), total: formatYuan(total), totalUpper: toChineseUppercase(total),
  };
  if (row.template === 'sms_promise') {
    const c = row.case_id === null ? undefined : await ctx.db.selectFrom('collection_case').select('promised_on').where('id', '=', row.case_id).executeTakeFirst();
    if (!c?.promised_on) return { suppress: '承诺已撤销' };
    values.promisedOn = c.promised_on;
  }
  return {
    contact: { id: contact.id, value: contact.value, kind: contact.kind as ContactKind, source: contact.source, createdAt: contact.created_at },
    template: kind, version: t.version, subject: t.title, text: renderTemplate(t, values), values, notice: n,
  };
}

/** Template variables as the flat strings an SMS provider's registered template takes. */
function paramsOf(v: TemplateValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export interface OutboxRunReport { claimed: number; sent: number; delivered: number; waiting: number; suppressed: number; failed: number; retrying: number; stuck: number }

/**
 * Send what is due: messages pending whose time has come, through the adapters configured for their channel. Each
 * message is claimed by one worker (pending → sending, a conditional update), so two workers never send one twice.
 */
export async function runOutbox(ctx: ServiceContext, channels: Channels, opts: { limit?: number; projectId?: number } = {}): Promise<OutboxRunReport> {
  const report: OutboxRunReport = { claimed: 0, sent: 0, delivered: 0, waiting: 0, suppressed: 0, failed: 0, retrying: 0, stuck: 0 };
  const now = ctx.clock.now();
  const at = now.toISOString();
  const stuckBefore = new Date(now.getTime() - STUCK_MINUTES * 60_000).toISOString();
  const stuck = await ctx.db.selectFrom('outbox_message').select(['id', 'project_id', 'house_id']).where('status', '=', 'sending').where('updated_at', '<', stuckBefore).execute();
  for (const m of stuck) {
    const reason = '发送结果未知（发送过程中断）：请向服务商核实后再手动重试';
    await ctx.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('outbox_message').set({ status: 'failed', last_error: reason, updated_at: at }).where('id', '=', m.id).where('status', '=', 'sending').executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return;
      report.stuck++;
      await appendEvidence(trx, ctx.dialect, [{ at, projectId: m.project_id, houseId: m.house_id, messageId: m.id, kind: 'message.failed', payload: { reason } }]);
    });
  }
  const ready = PROVIDER_CHANNELS.filter((c) => channels[c]);
  if (ready.length === 0) return report;
  let q = ctx.db.selectFrom('outbox_message').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', at).where('channel', 'in', [...ready]);
  if (opts.projectId !== undefined) q = q.where('project_id', '=', opts.projectId);
  const due = await q.orderBy('next_attempt_at').orderBy('id').limit(opts.limit ?? 200).execute();
  for (const { id } of due) {
    const claimed = await ctx.db.updateTable('outbox_message').set({ status: 'sending', updated_at: at }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) continue;
    report.claimed++;
    const outcome = await sendOne(ctx, channels, id, now);
    report[outcome]++;
  }
  return report;
}

async function sendOne(ctx: ServiceContext, channels: Channels, id: number, now: Date): Promise<'sent' | 'delivered' | 'waiting' | 'suppressed' | 'failed' | 'retrying'> {
  const at = now.toISOString();
  const row = await loadMessage(ctx.db, id);
  let p: Prepared;
  try {
    p = await prepare(ctx, row, now);
  } catch (e) {
    p = { fail: `准备消息失败：${e instanceof Error ? e.message : String(e)}` };
  }
  if (p.wait) {
    await ctx.db.updateTable('outbox_message').set({ status: 'pending', next_attempt_at: p.wait.until, last_error: `等待：${p.wait.why}`, updated_at: at }).where('id', '=', id).execute();
    return 'waiting';
  }
  if (p.suppress || p.fail) {
    const status = p.suppress ? 'suppressed' : 'failed';
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('outbox_message').set({ status, suppressed_reason: p.suppress ?? null, last_error: p.fail ?? null, updated_at: at }).where('id', '=', id).execute();
      await appendEvidence(trx, ctx.dialect, [{ at, projectId: row.project_id, houseId: row.house_id, messageId: id, kind: `message.${status}`, payload: { reason: p.suppress ?? p.fail } }]);
      if (row.action_id !== null && p.suppress) await closeAction(trx, row.action_id, at, p.suppress);
    });
    return status;
  }
  const adapter = channels[row.channel as ChannelKind]!;
  const contentHash = sha256(p.text!);
  const masked = maskContact(p.contact!.kind, p.contact!.value);
  try {
    // A notice by e-mail carries its printed form as a PDF, the same page the print centre would print.
    const attachments = row.channel === 'email' && DOCUMENT_TEMPLATES.has(p.template!)
      ? [{ filename: `${p.subject!}-${p.notice!.house}.pdf`, contentType: 'application/pdf', content: await renderNotices([noticePage(p.notice!, p.template!, p.subject!, p.text!, id, localDateOf(now, p.notice!.timeZone))], 'A4') }]
      : undefined;
    const result = await adapter.send({
      ref: `wuye-${id}`, to: p.contact!.value, subject: p.subject!, text: p.text!, template: p.template!, params: paramsOf(p.values!), url: p.values!.portalUrl, ...(attachments ? { attachments } : {}),
    });
    await ctx.db.transaction().execute(async (trx) => {
      const sent = await trx.updateTable('outbox_message').set({
        status: 'sent', template: p.template!, template_version: p.version!, subject: p.subject!, content: p.text!, content_sha256: contentHash, contact_id: p.contact!.id,
        recipient: p.contact!.value, recipient_masked: masked, recipient_source: `${p.contact!.source}（${p.contact!.createdAt.slice(0, 10)} 登记）`,
        provider: adapter.provider, provider_id: result.providerId, provider_response: scrub(result.response, p.contact!.value, masked), sent_at: at, attempts: sql`attempts + 1`, last_error: null, updated_at: at,
      }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await appendEvidence(trx, ctx.dialect, [{ at, projectId: row.project_id, houseId: row.house_id, messageId: id, kind: 'message.sent', payload: sentPayload(sent) }]);
      await recordContact(trx, sent, at);
      if (result.receipt) await applyReceipt(trx, ctx, sent, result.receipt, at);
    });
    return result.receipt?.status === 'delivered' ? 'delivered' : 'sent';
  } catch (e) {
    const retryable = e instanceof ChannelError ? e.retryable : true;
    const attempts = row.attempts + 1;
    const message = scrub(e instanceof Error ? e.message : String(e), p.contact!.value, masked);
    const giveUp = !retryable || attempts > BACKOFF_MINUTES.length;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('outbox_message').set({
        status: giveUp ? 'failed' : 'pending', attempts, last_error: message, provider: adapter.provider, updated_at: at,
        next_attempt_at: giveUp ? row.next_attempt_at : new Date(now.getTime() + BACKOFF_MINUTES[attempts - 1]! * 60_000).toISOString(),
      }).where('id', '=', id).execute();
      await appendEvidence(trx, ctx.dialect, [{ at, projectId: row.project_id, houseId: row.house_id, messageId: id, kind: giveUp ? 'message.failed' : 'message.retry', payload: { attempt: attempts, error: message, provider: adapter.provider } }]);
    });
    return giveUp ? 'failed' : 'retrying';
  }
}

/** What the evidence keeps of a sent message (R54): content and its hash, channel, recipient and its provenance, time, provider's answer. */
export function sentPayload(m: Row): Record<string, unknown> {
  return {
    channel: m.channel, template: m.template, templateVersion: m.template_version, subject: m.subject, content: m.content, contentSha256: m.content_sha256,
    recipient: m.recipient_masked, recipientSha256: m.recipient ? sha256(m.recipient) : null, recipientSource: m.recipient_source, sentAt: m.sent_at,
    provider: m.provider, providerId: m.provider_id, providerResponse: m.provider_response, periods: periodsOf(m), trackingNo: m.tracking_no,
  };
}

/** A message sent on a case is a contact attempt too: the case's history, the caps and the timeline see it. */
async function recordContact(trx: Transaction<DB>, m: Row, at: string): Promise<void> {
  if (m.case_id === null) return;
  await trx.insertInto('contact_attempt').values({
    case_id: m.case_id, house_id: m.house_id, project_id: m.project_id, action_id: m.action_id, at, staff_id: null, staff_name: '系统',
    channel: CONTACT_CHANNEL[m.channel as OutboxChannel], contact_id: m.contact_id, contact_masked: m.recipient_masked, outcome: '已发送', category: null,
    owner_said: null, next_step: null, promised_on: null, created_at: at,
  }).execute();
  if (m.action_id !== null) {
    await trx.updateTable('dunning_action').set({ status: 'done', done_at: at, done_by: '系统' }).where('id', '=', m.action_id).where('status', 'in', ['open', 'awaiting_approval']).execute();
  }
}

async function closeAction(trx: Transaction<DB>, actionId: number, at: string, reason: string): Promise<void> {
  await trx.updateTable('dunning_action').set({ status: 'cancelled', closed_reason: reason, done_at: at }).where('id', '=', actionId).where('status', '=', 'open').execute();
}

/** A delivery receipt: the message is delivered (or failed), kept as evidence; a delivered demand interrupts limitation. */
export async function applyReceipt(trx: Transaction<DB>, ctx: ServiceContext, m: Row, received: DeliveryReceipt, at: string): Promise<boolean> {
  const r = scrubReceipt(received, m);
  if (m.status === 'delivered' || (m.status === 'failed' && r.status === 'failed')) return false;
  const status = r.status === 'delivered' ? 'delivered' : 'failed';
  await trx.updateTable('outbox_message').set({
    status, delivered_at: status === 'delivered' ? r.at : null, receipt_json: JSON.stringify(r), last_error: status === 'failed' ? `未送达：${r.detail}` : null, updated_at: at,
  }).where('id', '=', m.id).execute();
  const entries: EvidenceEntry[] = [{ at, projectId: m.project_id, houseId: m.house_id, messageId: m.id, kind: `message.${status}`, payload: { receipt: r } }];
  await appendEvidence(trx, ctx.dialect, entries);
  if (status === 'delivered') await demandDelivered(trx, m, r.at, `outbox_message:${m.id}`, `${OUTBOX_CHANNEL_LABELS[m.channel as OutboxChannel]}送达回执 ${r.detail}`, at);
  return true;
}

/** R13(a): a demand that reached the owner interrupts limitation for each listed period already due on that day. */
export async function demandDelivered(trx: Transaction<DB>, m: Row, deliveredAt: string, source: string, note: string, at: string): Promise<void> {
  if (!DEMAND_TEMPLATES.has(m.template) || m.ownership_id === null) return;
  const on = deliveredAt.length === 10 ? deliveredAt
    : localDateOf(new Date(deliveredAt), (await trx.selectFrom('project').select('time_zone').where('id', '=', m.project_id).executeTakeFirstOrThrow()).time_zone);
  for (const p of periodsOf(m).filter((x) => x.dueDate < on)) {
    await trx.insertInto('limitation_event').values({ house_id: m.house_id, ownership_id: m.ownership_id, period: p.period, kind: 'demand_delivered', on_date: on, source, note, created_by: '系统', created_at: at }).execute();
  }
  if (m.action_id !== null) await trx.updateTable('dunning_action').set({ delivered_on: on, delivery_proof: note }).where('id', '=', m.action_id).execute();
}

/** A provider's delivery callback: verified by the adapter, applied once (a repeated receipt changes nothing). */
export async function receiveCallback(ctx: ServiceContext, adapter: ChannelAdapter, req: Parameters<NonNullable<ChannelAdapter['parseCallback']>>[0]) {
  if (!adapter.parseCallback) throw new AppError('NOT_FOUND', `${adapter.provider} 没有送达回执`);
  const { receipts, reply } = adapter.parseCallback(req);
  let applied = 0;
  const at = nowIso(ctx);
  for (const r of receipts) {
    await ctx.db.transaction().execute(async (trx) => {
      const m = await trx.selectFrom('outbox_message').selectAll().where('provider', '=', adapter.provider).where('provider_id', '=', r.providerId).executeTakeFirst();
      if (m && await applyReceipt(trx, ctx, m, r, at)) applied++;
    });
  }
  return { applied, receipts: receipts.length, reply };
}

// ——— staff: the outbox monitor ———

export async function listOutbox(ctx: ServiceContext, actor: Actor, projectId: number, f: { status?: string | undefined; channel?: string | undefined; houseId?: number | undefined; page: number; pageSize: number }) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  let q = ctx.db.selectFrom('outbox_message').innerJoin('house', 'house.id', 'outbox_message.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .where('outbox_message.project_id', '=', projectId).where(scopeWhere(actor.scope, { project: 'outbox_message.project_id', building: 'house.building_id' }));
  if (f.status) q = q.where('outbox_message.status', '=', f.status);
  if (f.channel) q = q.where('outbox_message.channel', '=', f.channel);
  if (f.houseId) q = q.where('outbox_message.house_id', '=', f.houseId);
  const [rows, total, counts] = await Promise.all([
    q.select(['outbox_message.id', 'outbox_message.house_id', 'house.number', 'building.name as building', 'outbox_message.channel', 'outbox_message.template', 'outbox_message.status',
      'outbox_message.recipient_masked', 'outbox_message.owed_fen', 'outbox_message.attempts', 'outbox_message.next_attempt_at', 'outbox_message.not_before', 'outbox_message.sent_at',
      'outbox_message.delivered_at', 'outbox_message.last_error', 'outbox_message.suppressed_reason', 'outbox_message.provider', 'outbox_message.tracking_no', 'outbox_message.created_at',
      'outbox_message.content_sha256'])
      .orderBy('outbox_message.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    // The counts of the same rows (project and the user's buildings), by status whatever the status filter.
    ctx.db.selectFrom('outbox_message').innerJoin('house', 'house.id', 'outbox_message.house_id').select(['outbox_message.status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('outbox_message.project_id', '=', projectId).where(scopeWhere(actor.scope, { project: 'outbox_message.project_id', building: 'house.building_id' }))
      .groupBy('outbox_message.status').execute(),
  ]);
  return {
    total: Number(total.n), page: f.page, pageSize: f.pageSize,
    counts: Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, Number(counts.find((c) => c.status === s)?.n ?? 0)])) as Record<MessageStatus, number>,
    items: rows.map((r) => ({
      id: r.id, houseId: r.house_id, house: `${r.building} ${r.number}`, channel: r.channel, template: r.template, templateLabel: templateLabel(r.template), statusLabel: statusLabel(r.status), channelLabel: outboxChannelLabel(r.channel),
      status: r.status, recipient: r.recipient_masked, owedFen: Number(r.owed_fen), owed: formatYuan(Number(r.owed_fen)), attempts: r.attempts, nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
      sentAt: r.sent_at, deliveredAt: r.delivered_at, error: r.last_error, suppressedReason: r.suppressed_reason, provider: r.provider, trackingNo: r.tracking_no,
      createdAt: r.created_at, contentSha256: r.content_sha256,
    })),
  };
}

/** A message of the actor's company that the actor may `op`, with its building and its project's time zone. */
export async function messageInScope(ctx: ServiceContext, actor: Actor, id: number, op: 'notices.send' | 'dunning.read') {
  const m = await ctx.db.selectFrom('outbox_message').innerJoin('house', 'house.id', 'outbox_message.house_id').innerJoin('project', 'project.id', 'outbox_message.project_id')
    .selectAll('outbox_message').select(['house.building_id', 'project.company_id', 'project.time_zone']).where('outbox_message.id', '=', id).executeTakeFirst();
  if (!m || m.company_id !== actor.companyId) throw fieldError('id', 'NOT_FOUND', '消息不存在');
  requireAccess(actor, op, { projectId: m.project_id, buildingId: m.building_id });
  return m;
}

/** Send a failed message again (after checking with the provider, for one whose outcome was unknown). */
export async function retryMessage(ctx: ServiceContext, actor: Actor, id: number) {
  const m = await messageInScope(ctx, actor, id, 'notices.send');
  if (m.status !== 'failed') throw new AppError('VALIDATION_FAILED', `只有发送失败的消息可以重试（当前：${statusLabel(m.status)}）`);
  if (!(PROVIDER_CHANNELS as readonly string[]).includes(m.channel)) throw new AppError('VALIDATION_FAILED', '信件请在打印中心重新打印');
  const at = nowIso(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('outbox_message').set({ status: 'pending', attempts: 0, next_attempt_at: at, last_error: null, updated_at: at }).where('id', '=', id).where('status', '=', 'failed').execute();
    await audit(trx, ctx, actor, { action: 'outbox.retry', entity: 'outbox_message', entityId: id, projectId: m.project_id, before: { status: m.status, error: m.last_error } });
  });
  return { id, status: 'pending' as const };
}



/**
 * Send one notice to a house's owner now (staff, from the house or the outbox page): stored as a message and sent by
 * the worker with the same checks as any other; the same notice by the same channel once a day at most.
 */
export async function sendNotice(ctx: ServiceContext, actor: Actor, houseId: number, input: { template: string; channel: string }) {
  const h = await repo.houseHeading(ctx.db, houseId);
  const project = h && await getProjectOrThrow(ctx, actor, h.project_id);
  if (!h || !project) throw fieldError('houseId', 'HOUSE_NOT_FOUND', '房屋不存在');
  requireAccess(actor, 'notices.send', { projectId: h.project_id, buildingId: h.building_id });
  if (input.channel !== 'sms' && input.channel !== 'email' && input.channel !== 'wechat') throw fieldError('channel', 'VALIDATION_FAILED', '发送方式应为 短信、电子邮件 或 微信；信件请用打印中心');
  const allowed = SENDABLE[input.channel];
  if (!(allowed as readonly string[]).includes(input.template)) throw fieldError('template', 'VALIDATION_FAILED', `${OUTBOX_CHANNEL_LABELS[input.channel]}可发送：${allowed.map((k) => TEMPLATE_LABELS[k]).join('、')}`);
  const template = input.template as TemplateKind;
  const now = ctx.clock.now();
  const today = localDateOf(now, project.time_zone);
  const demand = template === 'demand_notice' || template === 'second_demand';
  const n = await houseNotice(ctx.db, houseId, today, await noticeSettingsOf(ctx, h.project_id), demand ? { dueBefore: today } : {});
  if (n.ownershipId === null || n.totalFen <= 0) throw new AppError('VALIDATION_FAILED', `${n.house}${demand ? '没有逾期欠费' : '没有待缴费用'}，无需发送`);
  const contacts = await repo.contactsOfOwnership(ctx.db, n.ownershipId, [CONTACT_KIND_OF[input.channel]]);
  if (contacts.length === 0) throw fieldError('channel', 'VALIDATION_FAILED', `业主没有可用的${CONTACT_KIND_OF[input.channel]}`);
  const c = await ctx.db.selectFrom('collection_case').select('id').where('house_id', '=', houseId).where('ownership_id', '=', n.ownershipId).executeTakeFirst();
  const at = now.toISOString();
  const id = await ctx.db.transaction().execute(async (trx) => {
    const mid = await enqueueMessage(trx, {
      projectId: h.project_id, houseId, ownershipId: n.ownershipId, caseId: c?.id ?? null, channel: input.channel as OutboxChannel, template, dedupKey: `manual:${houseId}:${template}:${input.channel}:${today}`,
      periods: n.periods, notBefore: at, createdBy: actor.name, at,
    });
    if (mid === null) throw new AppError('VALIDATION_FAILED', `今天已向该户${OUTBOX_CHANNEL_LABELS[input.channel as OutboxChannel]}发送过${TEMPLATE_LABELS[template]}，不重复发送`);
    await audit(trx, ctx, actor, { action: 'notices.send', entity: 'outbox_message', entityId: mid, projectId: h.project_id, after: { houseId, template, channel: input.channel } });
    return mid;
  });
  return { id, status: 'pending' as const };
}
