import { addDays } from '../../../core/billing/periods.ts';
import { isLocalDate, localDateOf } from '../../../core/dates.ts';
import { instantAt } from '../../../core/dunning/contact-rules.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import { answersFor } from '../../../core/workbench/scripts.ts';
import { fundReport } from '../billing/report-service.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { scriptBookOf } from './script-service.ts';

/**
 * The supervisor's day (issue 5 point 5): each collector's 《物业费催缴记录表》 of a day and the day's 资金日报, each
 * signed off once (who, when, comment; nobody signs their own records), the days left unsigned flagged, and the hard
 * cases (refusals with a reason) with the answer book's guidance and the supervisor's own note.
 */

export const REVIEW_KINDS = ['collector_records', 'fund_report'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
const FLAG_DAYS = 14;

/** The instants [from, to) of a local day in a time zone, as stored ISO strings. */
const dayRange = (day: string, tz: string) => [instantAt(day, 0, tz).toISOString(), instantAt(addDays(day, 1), 0, tz).toISOString()] as const;

export async function dailyReview(ctx: ServiceContext, actor: Actor, projectId: number, day: string) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  if (!isLocalDate(day)) throw fieldError('day', 'DATE_MALFORMED');
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const [from, to] = dayRange(day, project.time_zone);
  const [attempts, assigned, signatures, fund] = await Promise.all([
    ctx.db.selectFrom('contact_attempt').innerJoin('house', 'house.id', 'contact_attempt.house_id').innerJoin('building', 'building.id', 'house.building_id')
      .leftJoin('app_user', 'app_user.id', 'contact_attempt.staff_id')
      .select(['contact_attempt.id', 'contact_attempt.at', 'contact_attempt.staff_id', 'contact_attempt.staff_name', 'app_user.display_name', 'contact_attempt.channel', 'contact_attempt.contact_masked',
        'contact_attempt.outcome', 'contact_attempt.owner_said', 'contact_attempt.promised_on', 'contact_attempt.next_step', 'house.number', 'building.name as building'])
      .where('contact_attempt.project_id', '=', projectId).where('contact_attempt.at', '>=', from).where('contact_attempt.at', '<', to)
      .orderBy('contact_attempt.at').orderBy('contact_attempt.id').execute(),
    ctx.db.selectFrom('collector_assignment').innerJoin('app_user', 'app_user.id', 'collector_assignment.user_id')
      .select(['app_user.id', 'app_user.display_name', (eb) => eb.fn.countAll<number>().as('houses')]).where('collector_assignment.project_id', '=', projectId)
      .groupBy(['app_user.id', 'app_user.display_name']).execute(),
    ctx.db.selectFrom('daily_review').selectAll().where('project_id', '=', projectId).where('day', '=', day).execute(),
    fundReport(ctx, actor, { projectId, from: day }),
  ]);
  const signed = (kind: ReviewKind, subject: number) => {
    const s = signatures.find((x) => x.kind === kind && Number(x.subject_id) === subject);
    return s ? { by: s.signed_by, at: s.signed_at, comment: s.comment } : null;
  };
  const people = new Map<number, string>();
  for (const a of assigned) people.set(a.id, a.display_name);
  for (const a of attempts) if (a.staff_id !== null && !people.has(a.staff_id)) people.set(a.staff_id, a.display_name ?? a.staff_name);
  const collectors = [...people].map(([userId, name]) => {
    const mine = attempts.filter((a) => a.staff_id === userId);
    const outcomes: Record<string, number> = {};
    for (const a of mine) outcomes[a.outcome] = (outcomes[a.outcome] ?? 0) + 1;
    return {
      userId, name, houses: Number(assigned.find((a) => a.id === userId)?.houses ?? 0), attempts: mine.length, outcomes,
      promises: mine.filter((a) => a.outcome === '承诺缴费').length, refusals: mine.filter((a) => a.outcome === '拒交').length,
      rows: mine.map((a) => ({
        id: a.id, at: a.at, house: `${a.building} ${a.number}`, channel: a.channel, contact: a.contact_masked, outcome: a.outcome,
        ownerSaid: a.owner_said, promisedOn: a.promised_on, nextStep: a.next_step,
      })),
      signed: signed('collector_records', userId),
    };
  });
  return {
    projectId, day, collectors,
    fund: { receivedFen: fund.totals.receivedFen, received: formatYuan(fund.totals.receivedFen), signed: signed('fund_report', 0) },
    unsigned: await unsignedDays(ctx, projectId, project.time_zone, day),
  };
}

/** Days up to `day` (the last two weeks) with records or money that nobody signed. */
async function unsignedDays(ctx: ServiceContext, projectId: number, tz: string, day: string) {
  const first = addDays(day, -(FLAG_DAYS - 1));
  const [from] = dayRange(first, tz);
  const [, to] = dayRange(day, tz);
  const [attempts, payments, signatures] = await Promise.all([
    ctx.db.selectFrom('contact_attempt').leftJoin('app_user', 'app_user.id', 'contact_attempt.staff_id')
      .select(['contact_attempt.at', 'contact_attempt.staff_id', 'contact_attempt.staff_name', 'app_user.display_name'])
      .where('contact_attempt.project_id', '=', projectId).where('contact_attempt.at', '>=', from).where('contact_attempt.at', '<', to).execute(),
    ctx.db.selectFrom('payment').select('received_on').distinct().where('project_id', '=', projectId).where('received_on', '>=', first).where('received_on', '<=', day).execute(),
    ctx.db.selectFrom('daily_review').select(['day', 'kind', 'subject_id']).where('project_id', '=', projectId).where('day', '>=', first).where('day', '<=', day).execute(),
  ]);
  const done = new Set(signatures.map((s) => `${s.day}|${s.kind}|${Number(s.subject_id)}`));
  const out = new Map<string, { day: string; kind: ReviewKind; userId: number | null; name: string | null }>();
  for (const a of attempts) {
    if (a.staff_id === null) continue;
    const d = localDateOf(new Date(a.at), tz);
    if (!done.has(`${d}|collector_records|${a.staff_id}`)) out.set(`${d}|${a.staff_id}`, { day: d, kind: 'collector_records', userId: a.staff_id, name: a.display_name ?? a.staff_name });
  }
  for (const p of payments) if (!done.has(`${p.received_on}|fund_report|0`)) out.set(`${p.received_on}|fund`, { day: p.received_on, kind: 'fund_report', userId: null, name: null });
  return [...out.values()].sort((a, b) => a.day.localeCompare(b.day) || (a.userId ?? 0) - (b.userId ?? 0));
}

/** Sign off a collector's records or the fund report of a day, once; a comment is kept with the signature. */
export async function signReview(ctx: ServiceContext, actor: Actor, projectId: number, input: { day: string; kind: string; userId?: number | null | undefined; comment?: string | null | undefined }) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  const project = await getProjectOrThrow(ctx, actor, projectId);
  if (!isLocalDate(input.day)) throw fieldError('day', 'DATE_MALFORMED');
  if (input.day > localDateOf(ctx.clock.now(), project.time_zone)) throw fieldError('day', 'VALIDATION_FAILED', '不能签核未来的日期');
  if (!(REVIEW_KINDS as readonly string[]).includes(input.kind)) throw fieldError('kind', 'VALIDATION_FAILED', '应为 collector_records（催缴记录）或 fund_report（资金日报）');
  const kind = input.kind as ReviewKind;
  let subject = 0;
  if (kind === 'collector_records') {
    if (!input.userId) throw fieldError('userId', 'VALIDATION_FAILED', '请选择要签核的收费员');
    if (input.userId === actor.userId) throw fieldError('userId', 'FORBIDDEN', '不能签核自己的催缴记录');
    subject = input.userId;
  }
  const comment = input.comment?.trim() || null;
  if (comment && comment.length > 500) throw fieldError('comment', 'VALIDATION_FAILED', '不能超过 500 字');
  const at = nowIso(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('daily_review').values({ project_id: projectId, day: input.day, kind, subject_id: subject, signed_by: actor.name, signed_by_id: actor.userId, signed_at: at, comment })
      .onConflict((oc) => oc.columns(['project_id', 'day', 'kind', 'subject_id']).doNothing()).returning('id').executeTakeFirst();
    if (!row) throw new AppError('ALREADY_SIGNED');
    await audit(trx, ctx, actor, { action: 'review.sign', entity: 'project', entityId: projectId, projectId, after: { day: input.day, kind, userId: subject || null, comment } });
    return { day: input.day, kind, userId: subject || null, by: actor.name, at, comment };
  });
}

/** Refusals with a reason (特殊拒交类) still owing: the reason, the ticket, the answer book's guidance, the supervisor's note. */
export async function hardCases(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  await getProjectOrThrow(ctx, actor, projectId);
  const cases = await ctx.db.selectFrom('collection_case').innerJoin('house', 'house.id', 'collection_case.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .select(['collection_case.id', 'collection_case.house_id', 'collection_case.owed_fen', 'collection_case.guidance_note', 'house.number', 'building.name as building'])
    .where('collection_case.project_id', '=', projectId).where('collection_case.category', '=', 'refusal').where('collection_case.state', 'not in', ['resolved', 'written_off'])
    .orderBy('collection_case.owed_fen', 'desc').orderBy('collection_case.id').execute();
  const ids = cases.map((c) => c.id);
  const [tickets, said, { book }] = await Promise.all([
    ids.length ? ctx.db.selectFrom('service_ticket').select(['case_id', 'topic', 'status', 'opened_at']).where('case_id', 'in', ids).orderBy('id', 'desc').execute() : [],
    ids.length ? ctx.db.selectFrom('contact_attempt').select(['case_id', 'owner_said', 'at']).where('case_id', 'in', ids).where('outcome', '=', '拒交').orderBy('at', 'desc').execute() : [],
    scriptBookOf(ctx.db, projectId),
  ]);
  return cases.map((c) => {
    const ticket = tickets.find((t) => t.case_id === c.id);
    const reason = said.find((s) => s.case_id === c.id)?.owner_said ?? ticket?.topic ?? null;
    return {
      caseId: c.id, houseId: c.house_id, house: `${c.building} ${c.number}`, owed: formatYuan(Number(c.owed_fen)), reason,
      ticket: ticket ? { topic: ticket.topic, status: ticket.status, openedAt: ticket.opened_at } : null,
      guidance: answersFor(book, reason).map((a) => ({ key: a.key, topic: a.topic, answer: a.answer })), note: c.guidance_note,
    };
  });
}

/** The supervisor's guidance note on a hard case (shown with it; audited). */
export async function setGuidanceNote(ctx: ServiceContext, actor: Actor, caseId: number, note: string | null) {
  const c = await ctx.db.selectFrom('collection_case').select(['id', 'project_id']).where('id', '=', caseId).executeTakeFirst();
  if (!c) throw new AppError('NOT_FOUND', '催缴案件不存在');
  requireAccess(actor, 'assignment.manage', { projectId: c.project_id, buildingId: null });
  const text = note?.trim() || null;
  if (text && text.length > 1000) throw fieldError('note', 'VALIDATION_FAILED', '不能超过 1000 字');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('collection_case').set({ guidance_note: text, updated_at: nowIso(ctx) }).where('id', '=', caseId).execute();
    await audit(trx, ctx, actor, { action: 'case.guidance', entity: 'collection_case', entityId: caseId, projectId: c.project_id, after: { note: text } });
  });
  return { caseId, note: text };
}
