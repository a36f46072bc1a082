import { AppError, fieldError } from '../../../core/errors.ts';
import { hasWholeProject, inScope, ROLE_RANK, type Role } from '../../../core/access/roles.ts';
import { addDays } from '../../../core/billing/periods.ts';
import { isLocalDate, localDateOf } from '../../../core/dates.ts';
import { formatYuan, parseYuan } from '../../../core/money.ts';
import { maskContact } from '../../../core/registry/mask.ts';
import type { ContactKind } from '../../../core/registry/vocabulary.ts';
import { CATEGORIES, CATEGORY_LABELS, DELIVERED_OUTCOMES, OUTCOMES, categoryOfOutcome, type Category, type Outcome } from '../../../core/dunning/categories.ts';
import { checkContact, DEFAULT_CONTACT_RULES, instantAt, wallClockText, type ContactChannel } from '../../../core/dunning/contact-rules.ts';
import { attemptOf, CONTACT_CHANNEL_OF, isHardCase } from '../../../core/dunning/schedule.ts';
import { INTERRUPTION_LABELS, limitationOf, type InterruptionKind } from '../../../core/dunning/limitation.ts';
import { CASE_STATE_LABELS, PAUSE_KINDS, PAUSE_LABELS, type PauseKind, type PeriodDebt } from '../../../core/dunning/planner.ts';
import type { Transaction } from 'kysely';
import * as repo from '../../db/repositories/dunning-repository.ts';
import type { DB } from '../../db/schema.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase, getProjectOrThrow } from '../registry/registry-service.ts';
import { enqueueMessage } from '../notices/outbox-queue.ts';
import { DEMAND_CHANNELS, OPEN_STATUSES, interruptionsByPeriod, periodKey, projectToday, refreshHouses } from './sweep-service.ts';

/**
 * Working a case: recording contact attempts (the 《物业费催缴记录表》), the category a call sets, promises, pauses,
 * exclusion, approvals of legal steps, service tickets, payment plans, and the per-house timeline. Every contact is
 * checked against the contact rules (R47–R49) and the ledger (a paid house is never contacted about what it paid).
 */

const CONTACT_CHANNELS = ['call', 'sms', 'visit', 'letter', 'email', 'wechat', 'door_notice'] as const;
/** What a call's outcome says of the number used: a dead number is marked so; one that reached the owner is verified. */
const DEAD_NUMBER_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['空号', '停机', '错号']);
const contactStatusOf = (outcome: Outcome): string | undefined => (DEAD_NUMBER_OUTCOMES.has(outcome) ? outcome : DELIVERED_OUTCOMES.has(outcome) ? '有效' : undefined);
/** Call outcomes after which the same task is tried again later (nobody answered; the number itself works). */
const RETRY_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['未接', '关机', '拒接']);

async function caseOrThrow(ctx: ServiceContext, actor: Actor, caseId: number, op: 'dunning.read' | 'dunning.act' | 'plan.request') {
  const c = await repo.findCase(ctx.db, caseId);
  if (!c) throw new AppError('NOT_FOUND', '催缴案件不存在');
  const house = await getHouseBase(ctx, actor, c.house_id);
  requireAccess(actor, op, { projectId: house.projectId, buildingId: house.buildingId });
  return { c, house };
}

/** What the case's payer still owes, per period, now. */
async function owedNow(db: ServiceContext['db'], c: { project_id: number; house_id: number; ownership_id: number }, today: string) {
  const rows = await repo.owedByPayerPeriod(db, c.project_id, today, addDays(today, 60), [c.house_id]);
  return rows.filter((r) => r.ownership_id === c.ownership_id).map((r) => ({ period: r.period, dueDate: r.due_date, owedFen: Number(r.owed) }));
}

export interface ContactInput {
  actionId?: number | null | undefined;
  channel?: string | undefined;
  contactId?: number | null | undefined;
  outcome: string;
  category?: string | null | undefined;
  ownerSaid?: string | null | undefined;
  nextStep?: string | null | undefined;
  promisedOn?: string | null | undefined;
  deliveredOn?: string | null | undefined;
  proof?: string | null | undefined;
  visitStaffCount?: number | undefined;
  consentOutsideQuietHours?: boolean | undefined;
  ticket?: { topic: string; description: string } | undefined;
}

/**
 * Record one contact attempt on a case (against a planned action or on its own), at this moment. Before anything is
 * written: the action's periods are checked against the ledger (paid → the action is cancelled and nobody is
 * contacted), and the contact rules are checked (quiet hours, windows, caps, special care, third parties).
 */
export async function recordContact(ctx: ServiceContext, actor: Actor, caseId: number, input: ContactInput) {
  const { c, house } = await caseOrThrow(ctx, actor, caseId, 'dunning.act');
  const project = await getProjectOrThrow(ctx, actor, c.project_id);
  const now = ctx.clock.now();
  const today = localDateOf(now, project.time_zone);
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) throw fieldError('outcome', 'VALIDATION_FAILED', `应为：${OUTCOMES.join('、')}`);
  const outcome = input.outcome as Outcome;
  const category = input.category ? input.category : categoryOfOutcome(outcome);
  if (category !== null && !(CATEGORIES as readonly string[]).includes(category)) throw fieldError('category', 'VALIDATION_FAILED', `应为：${CATEGORIES.map((k) => CATEGORY_LABELS[k]).join('、')}`);
  for (const f of ['promisedOn', 'deliveredOn'] as const) if (input[f] && !isLocalDate(input[f])) throw fieldError(f, 'DATE_MALFORMED');
  if (outcome === '承诺缴费' && (!input.promisedOn || input.promisedOn < today)) throw fieldError('promisedOn', 'VALIDATION_FAILED', '承诺缴费须填写今天或以后的日期');
  if (input.deliveredOn && input.deliveredOn > today) throw fieldError('deliveredOn', 'VALIDATION_FAILED', '送达日期不能晚于今天');

  const action = input.actionId ? await repo.findAction(ctx.db, input.actionId) : undefined;
  if (input.actionId && (!action || action.case_id !== caseId)) throw fieldError('actionId', 'NOT_FOUND', '该催缴任务不属于此案件');
  const channel = input.channel ?? (action ? CONTACT_CHANNEL_OF[action.channel] : undefined);
  if (!channel || !(CONTACT_CHANNELS as readonly string[]).includes(channel)) throw fieldError('channel', 'VALIDATION_FAILED', `应为：${CONTACT_CHANNELS.join('、')}`);

  // Check-paid-at-send: the ledger as it stands now decides whether there is anything to contact the owner about.
  const owed = await owedNow(ctx.db, c, today);
  const concerned = action ? (JSON.parse(action.periods_json) as PeriodDebt[]).map((p) => p.period) : owed.map((o) => o.period);
  if (!owed.some((o) => concerned.includes(o.period) && o.owedFen > 0)) {
    if (action) {
      await ctx.db.updateTable('dunning_action').set({ status: 'cancelled', closed_reason: '发送前复核：相关账期已缴清' }).where('id', '=', action.id).where('status', '=', 'open').execute();
    }
    await refreshHouses(ctx, c.project_id, [c.house_id], today);
    return { status: 'cancelled_paid' as const, message: '该户相关账期已缴清，不再联系（发送前复核）' };
  }
  if (action && action.status !== 'open') throw new AppError('ACTION_CLOSED', action.status === 'awaiting_approval' ? '该任务须先经审批' : `该任务已${action.status === 'done' ? '办结' : '取消'}`);

  // Who is contacted: only a contact of an owner of the periods' ownership (R49: never a third party).
  let contact: { id: number; kind: string; value: string; owner_id: number } | undefined;
  if (input.contactId) {
    contact = await ctx.db.selectFrom('contact').innerJoin('ownership_owner', 'ownership_owner.owner_id', 'contact.owner_id')
      .select(['contact.id', 'contact.kind', 'contact.value', 'contact.owner_id']).where('contact.id', '=', input.contactId)
      .where('ownership_owner.ownership_id', '=', c.ownership_id).executeTakeFirst();
  }
  const special = await ctx.db.selectFrom('owner_tag').innerJoin('ownership_owner', 'ownership_owner.owner_id', 'owner_tag.owner_id')
    .select('owner_tag.tag').where('ownership_owner.ownership_id', '=', c.ownership_id).where('owner_tag.tag', '=', '特殊关怀').executeTakeFirst();
  const history = await repo.attemptsOfCases(ctx.db, [caseId], new Date(now.getTime() - 8 * 86_400_000).toISOString());
  const decision = checkContact({
    at: now, timeZone: project.time_zone, channel: channel as ContactChannel, contactKind: (contact?.kind ?? null) as ContactKind | null,
    recipient: input.contactId && !contact ? 'third_party' : 'owner', number: contact ? String(contact.id) : null, specialCare: special !== undefined,
    hardCase: isHardCase(c.category as Category | null), consentOutsideQuietHours: input.consentOutsideQuietHours ?? false, visitStaffCount: input.visitStaffCount ?? 2,
    history: history.map(attemptOf),
  });
  if (!decision.ok) {
    const when = decision.nextAllowedAt ? `；最早可于 ${wallClockText(decision.nextAllowedAt, project.time_zone)} 联系` : '';
    throw new AppError('CONTACT_NOT_ALLOWED', `${decision.reason}${decision.reason.includes('最早') ? '' : when}`, [{ field: 'channel', code: 'CONTACT_NOT_ALLOWED', message: decision.reason }]);
  }

  const createdAt = nowIso(ctx);
  const delivered = action !== undefined && DEMAND_CHANNELS.has(action.channel) && input.deliveredOn && input.proof?.trim();
  // An unanswered call keeps its task open: it comes back 30 minutes later within the window (domain §5), until the
  // day's calls are used up, when the step counts as made and the category (暂未明确类: a call every day) takes over.
  const rules = DEFAULT_CONTACT_RULES;
  const callsToday = history.filter((h) => h.channel === 'call' && localDateOf(new Date(h.at), project.time_zone) === today).length + 1;
  const retry = action !== undefined && channel === 'call' && RETRY_OUTCOMES.has(outcome)
    && callsToday < (special ? rules.specialCare.maxCallsPerDay : rules.maxCallsPerDay);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const attempt = await trx.insertInto('contact_attempt').values({
      case_id: caseId, house_id: c.house_id, project_id: c.project_id, action_id: action?.id ?? null, at: now.toISOString(), staff_id: actor.userId, staff_name: actor.name,
      channel, contact_id: contact?.id ?? null, contact_masked: contact ? maskContact(contact.kind as ContactKind, contact.value) : null, outcome, category,
      owner_said: input.ownerSaid?.trim() || null, next_step: input.nextStep?.trim() || null, promised_on: input.promisedOn ?? null, created_at: createdAt,
    }).returning('id').executeTakeFirstOrThrow();
    // The number used tells what is known of it: a dead number is marked so; one that reached the owner is verified today.
    const contactStatus = contact && channel === 'call' ? contactStatusOf(outcome) : undefined;
    if (contact && contactStatus) {
      await trx.updateTable('contact').set({ status: contactStatus, ...(contactStatus === '有效' ? { last_verified: today } : {}), updated_at: createdAt })
        .where('id', '=', contact.id).execute();
    }
    if (action && !retry) {
      await trx.updateTable('dunning_action').set({
        status: 'done', done_at: createdAt, done_by: actor.name, delivered_on: delivered ? input.deliveredOn! : null, delivery_proof: delivered ? input.proof!.trim() : null,
      }).where('id', '=', action.id).where('status', '=', 'open').execute();
    }
    if (delivered) {
      // A delivered 催告 interrupts limitation for every period it lists (R13(a), R14).
      for (const o of owed.filter((x) => x.dueDate < today)) {
        await trx.insertInto('limitation_event').values({
          house_id: c.house_id, ownership_id: c.ownership_id, period: o.period, kind: 'demand_delivered', on_date: input.deliveredOn!, source: `dunning_action:${action.id}`,
          note: input.proof!.trim(), created_by: actor.name, created_at: createdAt,
        }).execute();
      }
    }
    const caseSet: { category?: string | null; promised_on?: string | null; updated_at: string } = { updated_at: createdAt };
    if (category) caseSet.category = category;
    if (outcome === '承诺缴费') {
      caseSet.promised_on = input.promisedOn!;
      await endOpenPauses(trx, caseId, actor, createdAt, '新的承诺');
      await trx.insertInto('case_pause').values({ case_id: caseId, kind: 'promise', until: input.promisedOn!, reason: `业主承诺 ${input.promisedOn!} 前缴费`, created_by: actor.name, created_at: createdAt }).execute();
      // The day before the promised date, a reminder SMS (承诺缴费前提醒), sent only if the periods are still unpaid then.
      const remindOn = addDays(input.promisedOn!, -1);
      if (remindOn >= today) {
        await enqueueMessage(trx, {
          projectId: c.project_id, houseId: c.house_id, ownershipId: c.ownership_id, caseId, channel: 'sms', template: 'sms_promise', dedupKey: `promise:${attempt.id}`,
          periods: owed.filter((o) => o.owedFen > 0), createdBy: actor.name, at: createdAt,
          notBefore: remindOn > today ? instantAt(remindOn, 10 * 60, project.time_zone).toISOString() : createdAt,
        });
      }
    }
    await trx.updateTable('collection_case').set(caseSet).where('id', '=', caseId).execute();
    if (category === 'refusal') {
      // A refusal with a reason always gets a service ticket (R10): escalation waits until it is resolved.
      const open = await trx.selectFrom('service_ticket').select('id').where('case_id', '=', caseId).where('status', '=', 'open').executeTakeFirst();
      const topic = input.ticket?.topic?.trim() || input.ownerSaid?.trim().slice(0, 100) || '拒交原因待核实';
      if (!open) {
        await trx.insertInto('service_ticket').values({
          case_id: caseId, project_id: c.project_id, house_id: c.house_id, topic, description: input.ticket?.description?.trim() || input.ownerSaid?.trim() || topic,
          status: 'open', opened_by: actor.name, opened_at: createdAt,
        }).execute();
      }
    }
    await audit(trx, ctx, actor, {
      action: 'dunning.contact', entity: 'collection_case', entityId: caseId, projectId: c.project_id,
      after: { attemptId: attempt.id, actionId: action?.id ?? null, channel, outcome, category, promisedOn: input.promisedOn ?? null, contactStatus: contactStatus ?? null },
    });
    return attempt.id;
  });
  await refreshHouses(ctx, c.project_id, [house.id], today);
  return { status: 'recorded' as const, attemptId: result, retry };
}

async function endOpenPauses(trx: Transaction<DB>, caseId: number, actor: Actor, at: string, why: string) {
  await trx.updateTable('case_pause').set({ ended_at: at, ended_by: actor.name, end_reason: why }).where('case_id', '=', caseId).where('ended_at', 'is', null).execute();
}

/** Approve or reject an action that needs approval (a lawyer's letter, a lawsuit: R7, R11 — a person decides). */
export async function decideAction(ctx: ServiceContext, actor: Actor, actionId: number, approve: boolean, note?: string | null) {
  const a = await repo.findAction(ctx.db, actionId);
  if (!a) throw new AppError('NOT_FOUND', '催缴任务不存在');
  const house = await getHouseBase(ctx, actor, a.house_id);
  requireAccess(actor, 'dunning.approve', { projectId: house.projectId, buildingId: house.buildingId });
  if (a.approval && ROLE_RANK[actor.role] < ROLE_RANK[a.approval as Role]) throw new AppError('FORBIDDEN', `该任务须由${a.approval === 'general_manager' ? '分公司总经理' : a.approval === 'project_manager' ? '项目经理' : '主管'}或以上审批`);
  if (!approve && !note?.trim()) throw fieldError('note', 'VALIDATION_FAILED', '驳回须填写理由');
  const at = nowIso(ctx);
  const done = await ctx.db.updateTable('dunning_action').set({ status: approve ? 'open' : 'rejected', decided_by: actor.name, decided_at: at, decision_note: note?.trim() || null })
    .where('id', '=', actionId).where('status', '=', 'awaiting_approval').executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) throw new AppError('ACTION_CLOSED', '该任务不在待审批状态');
  await audit(ctx.db, ctx, actor, { action: approve ? 'dunning.approve' : 'dunning.reject', entity: 'dunning_action', entityId: actionId, projectId: a.project_id, after: { note: note ?? null } });
  return { id: actionId, status: approve ? 'open' : 'rejected' };
}

/** Pause a case (dispute, promise, payment plan, hardship, manual) until a day, with who and why. */
export async function pauseCase(ctx: ServiceContext, actor: Actor, caseId: number, input: { kind: string; until?: string | null; reason: string }) {
  const { c } = await caseOrThrow(ctx, actor, caseId, 'dunning.act');
  if (!(PAUSE_KINDS as readonly string[]).includes(input.kind)) throw fieldError('kind', 'VALIDATION_FAILED', `应为：${PAUSE_KINDS.map((k) => PAUSE_LABELS[k]).join('、')}`);
  if (input.until && !isLocalDate(input.until)) throw fieldError('until', 'DATE_MALFORMED');
  if (!input.reason?.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '暂停须填写原因');
  const at = nowIso(ctx);
  const today = await projectToday(ctx.db, c.project_id, ctx.clock.now());
  if (input.until && input.until < today) throw fieldError('until', 'VALIDATION_FAILED', '暂停截止日期不能早于今天');
  const id = await ctx.db.transaction().execute(async (trx) => {
    await endOpenPauses(trx, caseId, actor, at, '新的暂停');
    const row = await trx.insertInto('case_pause').values({ case_id: caseId, kind: input.kind, until: input.until ?? null, reason: input.reason.trim(), created_by: actor.name, created_at: at }).returning('id').executeTakeFirstOrThrow();
    if (input.kind === 'promise') await trx.updateTable('collection_case').set({ promised_on: input.until ?? null, category: 'will_pay' }).where('id', '=', caseId).execute();
    await audit(trx, ctx, actor, { action: 'dunning.pause', entity: 'collection_case', entityId: caseId, projectId: c.project_id, after: { kind: input.kind, until: input.until ?? null, reason: input.reason.trim() } });
    return row.id;
  });
  await refreshHouses(ctx, c.project_id, [c.house_id], today);
  return { id };
}

export async function endPause(ctx: ServiceContext, actor: Actor, caseId: number, reason: string) {
  const { c } = await caseOrThrow(ctx, actor, caseId, 'dunning.act');
  if (!reason?.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '结束暂停须填写原因');
  await ctx.db.transaction().execute(async (trx) => {
    await endOpenPauses(trx, caseId, actor, nowIso(ctx), reason.trim());
    await audit(trx, ctx, actor, { action: 'dunning.resume', entity: 'collection_case', entityId: caseId, projectId: c.project_id, after: { reason: reason.trim() } });
  });
  await refreshHouses(ctx, c.project_id, [c.house_id], await projectToday(ctx.db, c.project_id, ctx.clock.now()));
}

/** Exclude a case from collection (or take it back), with a reason. */
export async function setExcluded(ctx: ServiceContext, actor: Actor, caseId: number, excluded: boolean, reason: string) {
  const { c } = await caseOrThrow(ctx, actor, caseId, 'dunning.act');
  if (!['supervisor', 'project_manager', 'admin'].includes(actor.role)) throw new AppError('FORBIDDEN', '排除催缴须由主管或项目经理办理');
  if (!reason?.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '须填写原因');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('collection_case').set({ excluded: excluded ? 1 : 0, excluded_reason: excluded ? reason.trim() : null, updated_at: nowIso(ctx) }).where('id', '=', caseId).execute();
    await audit(trx, ctx, actor, { action: excluded ? 'dunning.exclude' : 'dunning.include', entity: 'collection_case', entityId: caseId, projectId: c.project_id, after: { reason: reason.trim() } });
  });
  await refreshHouses(ctx, c.project_id, [c.house_id], await projectToday(ctx.db, c.project_id, ctx.clock.now()));
}

/**
 * Write a case off (核销: the company stops collecting, e.g. after a court decision or a settlement) or take it back.
 * The ledger is not touched: what is owed stays in the accounts; only collection stops. Project manager or above.
 */
export async function setWrittenOff(ctx: ServiceContext, actor: Actor, caseId: number, writtenOff: boolean, reason: string) {
  const { c } = await caseOrThrow(ctx, actor, caseId, 'dunning.act');
  if (ROLE_RANK[actor.role] < ROLE_RANK.project_manager) throw new AppError('FORBIDDEN', '核销须由项目经理或以上办理');
  if (!reason?.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '须填写原因');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('collection_case').set({ written_off: writtenOff ? 1 : 0, updated_at: nowIso(ctx) }).where('id', '=', caseId).execute();
    await audit(trx, ctx, actor, { action: writtenOff ? 'dunning.write_off' : 'dunning.write_off_undo', entity: 'collection_case', entityId: caseId, projectId: c.project_id, after: { reason: reason.trim() } });
  });
  await refreshHouses(ctx, c.project_id, [c.house_id], await projectToday(ctx.db, c.project_id, ctx.clock.now()));
}

export async function resolveTicket(ctx: ServiceContext, actor: Actor, ticketId: number, resolution: string) {
  const t = await ctx.db.selectFrom('service_ticket').selectAll().where('id', '=', ticketId).executeTakeFirst();
  if (!t) throw new AppError('NOT_FOUND', '服务工单不存在');
  const house = await getHouseBase(ctx, actor, t.house_id);
  requireAccess(actor, 'dunning.act', { projectId: house.projectId, buildingId: house.buildingId });
  if (!resolution?.trim()) throw fieldError('resolution', 'VALIDATION_FAILED', '须填写处理结果');
  const r = await ctx.db.updateTable('service_ticket').set({ status: 'resolved', resolved_by: actor.name, resolved_at: nowIso(ctx), resolution: resolution.trim() })
    .where('id', '=', ticketId).where('status', '=', 'open').executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new AppError('ACTION_CLOSED', '该工单已办结');
  await audit(ctx.db, ctx, actor, { action: 'dunning.ticket.resolve', entity: 'service_ticket', entityId: ticketId, projectId: t.project_id, after: { resolution: resolution.trim() } });
  await refreshHouses(ctx, t.project_id, [t.house_id], await projectToday(ctx.db, t.project_id, ctx.clock.now()));
}

/** Record an interruption of limitation the system can not see by itself (filing, mediation, a signed acknowledgement). */
export async function recordInterruption(ctx: ServiceContext, actor: Actor, caseId: number, input: { kind: string; on: string; periods: string[]; note: string }) {
  const { c } = await caseOrThrow(ctx, actor, caseId, 'dunning.act');
  const kinds: InterruptionKind[] = ['acknowledgement', 'filing', 'mediation'];
  if (!kinds.includes(input.kind as InterruptionKind)) throw fieldError('kind', 'VALIDATION_FAILED', `应为：${kinds.map((k) => INTERRUPTION_LABELS[k]).join('、')}`);
  if (!isLocalDate(input.on)) throw fieldError('on', 'DATE_MALFORMED');
  if (!input.note?.trim()) throw fieldError('note', 'VALIDATION_FAILED', '须注明证据（如签收的确认书、立案通知书编号）');
  if (!input.periods?.length) throw fieldError('periods', 'VALIDATION_FAILED', '须列明账期');
  const at = nowIso(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    for (const period of input.periods) {
      await trx.insertInto('limitation_event').values({ house_id: c.house_id, ownership_id: c.ownership_id, period, kind: input.kind, on_date: input.on, source: 'manual', note: input.note.trim(), created_by: actor.name, created_at: at }).execute();
    }
    await audit(trx, ctx, actor, { action: 'dunning.interruption', entity: 'collection_case', entityId: caseId, projectId: c.project_id, after: input });
  });
}

// ---- payment plans (分期, 缓缴) --------------------------------------------------------------------------------------

export async function requestPlan(ctx: ServiceContext, actor: Actor, caseId: number, input: { kind: string; reason: string; evidence?: string | null; instalments: { dueOn: string; amount: string }[] }) {
  const { c } = await caseOrThrow(ctx, actor, caseId, 'plan.request');
  if (!['instalment', 'deferral'].includes(input.kind)) throw fieldError('kind', 'VALIDATION_FAILED', '应为 分期(instalment) 或 缓缴(deferral)');
  if (!input.reason?.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '须填写申请理由');
  if (!input.instalments?.length) throw fieldError('instalments', 'VALIDATION_FAILED', '至少一期');
  const today = await projectToday(ctx.db, c.project_id, ctx.clock.now());
  const rows = input.instalments.map((x, i) => {
    if (!isLocalDate(x.dueOn) || x.dueOn < today) throw fieldError(`instalments.${i}.dueOn`, 'VALIDATION_FAILED', '应为今天或以后的日期');
    const fen = parseYuan(x.amount);
    if (fen === null || fen <= 0) throw fieldError(`instalments.${i}.amount`, 'VALIDATION_FAILED', '金额应为正数，最多两位小数');
    return { dueOn: x.dueOn, fen };
  });
  for (let i = 1; i < rows.length; i++) if (rows[i]!.dueOn <= rows[i - 1]!.dueOn) throw fieldError(`instalments.${i}.dueOn`, 'VALIDATION_FAILED', '各期日期须依次递增');
  const owed = (await owedNow(ctx.db, c, today)).filter((o) => o.dueDate < today).reduce((s, o) => s + o.owedFen, 0);
  const total = rows.reduce((s, r) => s + r.fen, 0);
  if (total < owed) throw fieldError('instalments', 'VALIDATION_FAILED', `各期合计 ${formatYuan(total)} 少于已到期欠费 ${formatYuan(owed)}`);
  const at = nowIso(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const plan = await trx.insertInto('payment_plan').values({
      case_id: caseId, project_id: c.project_id, kind: input.kind, status: '待审批', reason: input.reason.trim(), evidence: input.evidence?.trim() || null,
      requested_by: actor.name, requested_by_id: actor.userId, requested_at: at,
    }).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('payment_plan_instalment').values(rows.map((r, i) => ({ plan_id: plan.id, seq: i + 1, due_on: r.dueOn, amount_fen: r.fen }))).execute();
    await audit(trx, ctx, actor, { action: 'plan.request', entity: 'payment_plan', entityId: plan.id, projectId: c.project_id, after: { kind: input.kind, instalments: rows } });
    return { id: plan.id, status: '待审批' };
  });
}

/**
 * Decide a payment plan. Approved and signed, it pauses the case until its last instalment and interrupts the
 * limitation of every outstanding period (an acknowledgement, R13(b), R60); the sweep ends the pause on a missed
 * instalment.
 */
export async function decidePlan(ctx: ServiceContext, actor: Actor, planId: number, approve: boolean, input: { note?: string | null; signedOn?: string | null }) {
  const p = await ctx.db.selectFrom('payment_plan').selectAll().where('id', '=', planId).executeTakeFirst();
  if (!p) throw new AppError('NOT_FOUND', '分期/缓缴申请不存在');
  const c = (await repo.findCase(ctx.db, p.case_id))!;
  const house = await getHouseBase(ctx, actor, c.house_id);
  requireAccess(actor, 'plan.approve', { projectId: house.projectId, buildingId: house.buildingId });
  if (p.requested_by_id !== null && p.requested_by_id === actor.userId) throw new AppError('FORBIDDEN', '不能审批自己提交的申请');
  if (approve && (!input.signedOn || !isLocalDate(input.signedOn))) throw fieldError('signedOn', 'VALIDATION_FAILED', '批准须填写业主签署协议的日期');
  const today = await projectToday(ctx.db, c.project_id, ctx.clock.now());
  const at = nowIso(ctx);
  const overdue = (await owedNow(ctx.db, c, today)).filter((x) => x.dueDate < today);
  await ctx.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('payment_plan').set({ status: approve ? '执行中' : '已驳回', decided_by: actor.name, decided_at: at, decision_note: input.note?.trim() || null, signed_on: approve ? input.signedOn! : null })
      .where('id', '=', planId).where('status', '=', '待审批').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppError('ACTION_CLOSED', '该申请已被处理');
    if (approve) {
      const last = await trx.selectFrom('payment_plan_instalment').select((eb) => eb.fn.max<string>('due_on').as('d')).where('plan_id', '=', planId).executeTakeFirstOrThrow();
      await endOpenPauses(trx, c.id, actor, at, '分期/缓缴计划生效');
      await trx.insertInto('case_pause').values({ case_id: c.id, kind: 'payment_plan', until: last.d, reason: `分期/缓缴计划 #${planId}`, created_by: actor.name, created_at: at }).execute();
      for (const o of overdue) {
        await trx.insertInto('limitation_event').values({ house_id: c.house_id, ownership_id: c.ownership_id, period: o.period, kind: 'payment_plan', on_date: input.signedOn!, source: `payment_plan:${planId}`, note: null, created_by: actor.name, created_at: at }).execute();
      }
    }
    await audit(trx, ctx, actor, { action: approve ? 'plan.approve' : 'plan.reject', entity: 'payment_plan', entityId: planId, projectId: c.project_id, after: input });
  });
  await refreshHouses(ctx, c.project_id, [c.house_id], today);
  return { id: planId, status: approve ? '执行中' : '已驳回' };
}

// ---- reading ----------------------------------------------------------------------------------------------------------

export interface CaseListQuery { state?: string | undefined; category?: string | undefined; stepKey?: string | undefined; dueBy?: string | undefined; page: number; pageSize: number }

/** Cases of a project by state, step (next key) and category, with the house and what is owed. */
export async function listCases(ctx: ServiceContext, actor: Actor, projectId: number, q: CaseListQuery) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  let base = ctx.db.selectFrom('collection_case').innerJoin('house', 'house.id', 'collection_case.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .where('collection_case.project_id', '=', projectId);
  if (!hasWholeProject(actor.scope, projectId) && actor.scope.kind === 'projects') {
    const b = actor.scope.projects.get(projectId);
    base = base.where('house.building_id', 'in', b && b !== 'all' ? [...b] : [-1]);
  }
  if (q.state) base = base.where('collection_case.state', '=', q.state);
  if (q.category) base = base.where('collection_case.category', '=', q.category);
  if (q.stepKey) base = base.where('collection_case.next_key', '=', q.stepKey);
  if (q.dueBy) base = base.where('collection_case.next_action_at', '<=', q.dueBy);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  // The one pending action of a case says from when the contact rules allow it (quiet hours, windows, caps).
  const rows = await base.leftJoin('dunning_action as pending', (j) => j.onRef('pending.case_id', '=', 'collection_case.id').on('pending.status', 'in', [...OPEN_STATUSES]))
    .select(['collection_case.id', 'collection_case.house_id', 'house.number', 'building.name as building', 'collection_case.state', 'collection_case.category',
      'collection_case.step_index', 'collection_case.owed_fen', 'collection_case.anchor_due', 'collection_case.next_action_at', 'collection_case.next_key', 'collection_case.why',
      'collection_case.promised_on', 'collection_case.excluded', 'pending.not_before'])
    .orderBy('collection_case.next_action_at').orderBy('pending.not_before').orderBy('collection_case.id').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute();
  return {
    total: Number(total.n), page: q.page, pageSize: q.pageSize,
    items: rows.map((r) => ({
      id: r.id, houseId: r.house_id, house: `${r.building} ${r.number}`, state: r.state, stateLabel: CASE_STATE_LABELS[r.state as keyof typeof CASE_STATE_LABELS] ?? r.state,
      category: r.category, categoryLabel: r.category ? CATEGORY_LABELS[r.category as Category] : null, stepIndex: r.step_index, owedFen: Number(r.owed_fen), owed: formatYuan(Number(r.owed_fen)),
      anchorDue: r.anchor_due, nextActionAt: r.next_action_at, notBefore: r.not_before, nextKey: r.next_key, why: r.why, promisedOn: r.promised_on, excluded: r.excluded === 1,
    })),
  };
}

/** Actions awaiting approval in a project (lawyer's letters, lawsuits), for the approvals queue. */
export async function pendingApprovals(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  const rows = await ctx.db.selectFrom('dunning_action').innerJoin('house', 'house.id', 'dunning_action.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .select(['dunning_action.id', 'dunning_action.case_id', 'dunning_action.house_id', 'dunning_action.name', 'dunning_action.channel', 'dunning_action.approval', 'dunning_action.reason',
      'dunning_action.owed_fen', 'dunning_action.due_on', 'dunning_action.periods_json', 'house.number', 'house.building_id', 'building.name as building'])
    .where('dunning_action.project_id', '=', projectId).where('dunning_action.status', '=', 'awaiting_approval').orderBy('dunning_action.id').execute();
  return rows.filter((r) => inScope(actor.scope, { projectId, buildingId: r.building_id })).map((r) => ({
    id: r.id, caseId: r.case_id, houseId: r.house_id, house: `${r.building} ${r.number}`, name: r.name, channel: r.channel, approval: r.approval, reason: r.reason,
    owed: formatYuan(Number(r.owed_fen)), dueOn: r.due_on, periods: JSON.parse(r.periods_json) as PeriodDebt[],
  }));
}

/**
 * A house's collection timeline: its cases, every planned action and contact attempt (contacts masked), pauses,
 * service tickets, payment plans, and the limitation status of every period still owed.
 */
export async function houseTimeline(ctx: ServiceContext, actor: Actor, houseId: number) {
  const house = await getHouseBase(ctx, actor, houseId);
  requireAccess(actor, 'dunning.read', { projectId: house.projectId, buildingId: house.buildingId });
  const project = await getProjectOrThrow(ctx, actor, house.projectId);
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  const cases = await repo.casesOfProject(ctx.db, house.projectId, [houseId]);
  const ids = cases.map((c) => c.id);
  const [actions, attempts, pauses, tickets, plans, events] = await Promise.all([
    repo.actionsOfCases(ctx.db, ids), repo.attemptsOfCases(ctx.db, ids),
    ctx.db.selectFrom('case_pause').selectAll().where('case_id', 'in', ids.length ? ids : [-1]).orderBy('id').execute(),
    ctx.db.selectFrom('service_ticket').selectAll().where('case_id', 'in', ids.length ? ids : [-1]).orderBy('id').execute(),
    ctx.db.selectFrom('payment_plan').selectAll().where('case_id', 'in', ids.length ? ids : [-1]).orderBy('id').execute(),
    repo.limitationEventsOf(ctx.db, [houseId]),
  ]);
  const interruptions = interruptionsByPeriod(events, await repo.paymentDaysByPeriod(ctx.db, house.projectId, today, [houseId]));
  return {
    house: { id: houseId, label: `${house.buildingName} ${house.number}`, projectId: house.projectId },
    cases: await Promise.all(cases.map(async (c) => {
      const owed = await owedNow(ctx.db, c, today);
      return {
        id: c.id, ownershipId: c.ownership_id, cycle: c.cycle, state: c.state, stateLabel: CASE_STATE_LABELS[c.state as keyof typeof CASE_STATE_LABELS] ?? c.state,
        category: c.category, categoryLabel: c.category ? CATEGORY_LABELS[c.category as Category] : null, promisedOn: c.promised_on, excluded: c.excluded === 1,
        owed: formatYuan(Number(c.owed_fen)), nextActionAt: c.next_action_at, nextKey: c.next_key, why: c.why,
        limitation: owed.filter((o) => o.dueDate < today).map((o) => {
          const s = limitationOf({ period: o.period, dueDate: o.dueDate, events: interruptions.get(periodKey(houseId, c.ownership_id, o.period)) ?? [], asOf: today });
          return { period: o.period, owed: formatYuan(o.owedFen), expiresOn: s.expiresOn, state: s.state, alertLevel: s.alertLevel, explanation: s.explanation };
        }),
        actions: actions.filter((a) => a.case_id === c.id).map((a) => ({
          id: a.id, kind: a.kind, key: a.step_key, name: a.name, channel: a.channel, cycleKey: a.cycle_key, dueOn: a.due_on, notBefore: a.not_before, status: a.status, approval: a.approval,
          reason: a.reason, owed: formatYuan(Number(a.owed_fen)), late: a.late === 1, doneAt: a.done_at, doneBy: a.done_by, deliveredOn: a.delivered_on, closedReason: a.closed_reason,
          decidedBy: a.decided_by, decisionNote: a.decision_note,
        })),
        attempts: attempts.filter((x) => x.case_id === c.id).map((x) => ({
          id: x.id, at: x.at, staff: x.staff_name, channel: x.channel, contact: x.contact_masked, outcome: x.outcome, category: x.category,
          ownerSaid: x.owner_said, nextStep: x.next_step, promisedOn: x.promised_on, actionId: x.action_id,
        })),
        pauses: pauses.filter((p) => p.case_id === c.id).map((p) => ({ id: p.id, kind: p.kind, label: PAUSE_LABELS[p.kind as PauseKind] ?? p.kind, until: p.until, reason: p.reason, by: p.created_by, at: p.created_at, endedAt: p.ended_at, endReason: p.end_reason })),
        tickets: tickets.filter((t) => t.case_id === c.id).map((t) => ({ id: t.id, topic: t.topic, status: t.status, openedAt: t.opened_at, resolution: t.resolution })),
        plans: plans.filter((p) => p.case_id === c.id).map((p) => ({ id: p.id, kind: p.kind, status: p.status, signedOn: p.signed_on, reason: p.reason })),
      };
    })),
  };
}

