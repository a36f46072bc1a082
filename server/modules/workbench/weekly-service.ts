import { addDays } from '../../../core/billing/periods.ts';
import { isLocalDate, localDateOf, mondayOf } from '../../../core/dates.ts';
import { fieldError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { renderWeeklyReport } from '../../documents/weekly-report-pdf.ts';
import { hardCases } from './review-service.ts';

/**
 * The weekly review (issue 5 point 6; the seeds' Friday meeting, by default Friday 15:00): for the week (Monday to
 * Sunday) of a day, the money received per collector (by the houses assigned to them) and per building, the promises
 * that fell due (kept: the house paid between the promise and its day; broken: the day passed without), the hard cases
 * and the supervisor's notes. The same data renders on screen and as a PDF.
 */

const MONEY_KINDS = ['payment', 'reversal', 'refund'];

export async function weeklyReport(ctx: ServiceContext, actor: Actor, projectId: number, day: string) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  if (!isLocalDate(day)) throw fieldError('day', 'DATE_MALFORMED');
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const from = mondayOf(day);
  const to = addDays(from, 6);
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  const [payments, assigned, promises, notes, hard, company] = await Promise.all([
    ctx.db.selectFrom('payment').innerJoin('house', 'house.id', 'payment.house_id').innerJoin('building', 'building.id', 'house.building_id')
      .select(['payment.house_id', 'payment.amount_fen', 'payment.received_on', 'payment.kind', 'building.name as building'])
      .where('payment.project_id', '=', projectId).where('payment.kind', 'in', MONEY_KINDS).where('payment.received_on', '>=', from).where('payment.received_on', '<=', to).execute(),
    ctx.db.selectFrom('collector_assignment').innerJoin('app_user', 'app_user.id', 'collector_assignment.user_id')
      .select(['collector_assignment.house_id', 'app_user.id', 'app_user.display_name']).where('collector_assignment.project_id', '=', projectId).execute(),
    ctx.db.selectFrom('contact_attempt').leftJoin('app_user', 'app_user.id', 'contact_attempt.staff_id')
      .select(['contact_attempt.house_id', 'contact_attempt.at', 'contact_attempt.promised_on', 'contact_attempt.staff_id', 'contact_attempt.staff_name', 'app_user.display_name'])
      .where('contact_attempt.project_id', '=', projectId).where('contact_attempt.outcome', '=', '承诺缴费')
      .where('contact_attempt.promised_on', '>=', from).where('contact_attempt.promised_on', '<=', to).execute(),
    ctx.db.selectFrom('daily_review').select(['comment', 'signed_by', 'signed_at']).where('project_id', '=', projectId).where('day', '=', from).where('kind', '=', 'weekly_notes').executeTakeFirst(),
    hardCases(ctx, actor, projectId),
    ctx.db.selectFrom('company').select('name').where('id', '=', actor.companyId).executeTakeFirst(),
  ]);
  const collectorOf = new Map(assigned.map((a) => [a.house_id, { userId: a.id, name: a.display_name }]));
  const sum = <K extends string>(keyOf: (p: (typeof payments)[number]) => K) => {
    const m = new Map<K, number>();
    for (const p of payments) m.set(keyOf(p), (m.get(keyOf(p)) ?? 0) + Number(p.amount_fen));
    return [...m].map(([key, fen]) => ({ key, fen, amount: formatYuan(fen) })).sort((a, b) => b.fen - a.fen || a.key.localeCompare(b.key));
  };
  const totalFen = payments.reduce((s, p) => s + Number(p.amount_fen), 0);
  // A promise is kept when the house paid between the day it was made and the promised day.
  const paidDays = new Map<number, string[]>();
  const paidThrough = await ctx.db.selectFrom('payment').select(['house_id', 'received_on']).where('project_id', '=', projectId).where('kind', '=', 'payment')
    .where('amount_fen', '>', 0).where('received_on', '>=', addDays(from, -60)).where('received_on', '<=', to).execute();
  for (const p of paidThrough) (paidDays.get(p.house_id) ?? paidDays.set(p.house_id, []).get(p.house_id)!).push(p.received_on);
  const promiseRows = promises.map((p) => {
    const made = localDateOf(new Date(p.at), project.time_zone);
    const kept = (paidDays.get(p.house_id) ?? []).some((d) => d >= made && d <= p.promised_on!);
    const state = kept ? 'kept' : p.promised_on! < today ? 'broken' : 'pending';
    return { collector: p.display_name ?? p.staff_name, state };
  });
  const byPerson = new Map<string, { name: string; due: number; kept: number; broken: number; pending: number }>();
  for (const r of promiseRows) {
    const x = byPerson.get(r.collector) ?? byPerson.set(r.collector, { name: r.collector, due: 0, kept: 0, broken: 0, pending: 0 }).get(r.collector)!;
    x.due += 1;
    x[r.state as 'kept' | 'broken' | 'pending'] += 1;
  }
  const friday = addDays(from, 4);
  return {
    projectId, project: project.name, company: company?.name ?? '', from, to, meeting: `${friday} 15:00`,
    collected: {
      totalFen, total: formatYuan(totalFen),
      byCollector: sum((p) => collectorOf.get(p.house_id)?.name ?? '未分户').map((x) => ({ name: x.key, fen: x.fen, amount: x.amount })),
      byBuilding: sum((p) => p.building).map((x) => ({ building: x.key, fen: x.fen, amount: x.amount })),
    },
    promises: {
      due: promiseRows.length, kept: promiseRows.filter((r) => r.state === 'kept').length, broken: promiseRows.filter((r) => r.state === 'broken').length,
      pending: promiseRows.filter((r) => r.state === 'pending').length, byCollector: [...byPerson.values()].sort((a, b) => a.name.localeCompare(b.name)),
    },
    hardCases: hard.map((h) => ({ house: h.house, owed: h.owed, reason: h.reason, ticket: h.ticket?.status ?? null, note: h.note })),
    notes: notes ? { text: notes.comment ?? '', by: notes.signed_by, at: notes.signed_at } : null,
  };
}

/** The supervisor's notes of a week's review (one per week, rewritten by the latest save; audited). */
export async function saveWeeklyNotes(ctx: ServiceContext, actor: Actor, projectId: number, input: { day: string; notes: string }) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  await getProjectOrThrow(ctx, actor, projectId);
  if (!isLocalDate(input.day)) throw fieldError('day', 'DATE_MALFORMED');
  const text = input.notes.trim();
  if (text.length > 4000) throw fieldError('notes', 'VALIDATION_FAILED', '不能超过 4000 字');
  const monday = mondayOf(input.day);
  const at = nowIso(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('daily_review').values({ project_id: projectId, day: monday, kind: 'weekly_notes', subject_id: 0, signed_by: actor.name, signed_by_id: actor.userId, signed_at: at, comment: text })
      .onConflict((oc) => oc.columns(['project_id', 'day', 'kind', 'subject_id']).doUpdateSet({ comment: text, signed_by: actor.name, signed_by_id: actor.userId, signed_at: at })).execute();
    await audit(trx, ctx, actor, { action: 'review.weekly_notes', entity: 'project', entityId: projectId, projectId, after: { week: monday, length: text.length } });
  });
  return { week: monday, notes: text, by: actor.name, at };
}

/** The weekly review as an A4 PDF. */
export async function weeklyReportPdf(ctx: ServiceContext, actor: Actor, projectId: number, day: string): Promise<{ pdf: Buffer; filename: string }> {
  const r = await weeklyReport(ctx, actor, projectId, day);
  return { pdf: await renderWeeklyReport(r), filename: `催缴周报-${r.project}-${r.from}.pdf` };
}
