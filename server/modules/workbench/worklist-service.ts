import { localDateOf } from '../../../core/dates.ts';
import { CATEGORY_LABELS, type Category } from '../../../core/dunning/categories.ts';
import type { PeriodDebt } from '../../../core/dunning/planner.ts';
import { formatYuan } from '../../../core/money.ts';
import { maskContact } from '../../../core/registry/mask.ts';
import type { ContactKind } from '../../../core/registry/vocabulary.ts';
import { answersFor, fillScript } from '../../../core/workbench/scripts.ts';
import { requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { policyOf } from '../dunning/sweep-service.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { scriptBookOf } from './script-service.ts';

/**
 * A collector's daily worklist (issue 5 point 2): today's call, visit and delivery tasks of the houses assigned to
 * them (分户到人), the ones the contact rules allow now first, by priority (a promise due tomorrow, a late step, a
 * step, a follow-up; then the larger debt), then the rest by the hour they become allowed (an unanswered call comes
 * back 30 minutes later, a weekend call at 10:30). Each row carries what is owed per period, the owners' contacts
 * (masked; revealing one is logged), the last attempts and the suggested script with the answers its last words call
 * for.
 */

const PRIORITY: Record<string, number> = { promise_check: 50 };
const priorityOf = (a: { kind: string; step_key: string; late: number }) =>
  PRIORITY[a.step_key] ?? (a.kind === 'step' ? (a.late === 1 ? 40 : 30) : a.step_key === 'daily_call' ? 15 : 20);

export async function worklist(ctx: ServiceContext, actor: Actor, projectId: number, opts: { userId?: number | undefined } = {}) {
  requireRole(actor, 'dunning.act');
  const userId = opts.userId ?? actor.userId;
  // Somebody else's list is for their supervisor.
  if (userId !== actor.userId) requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const now = ctx.clock.now();
  const today = localDateOf(now, project.time_zone);
  const rows = await ctx.db.selectFrom('dunning_action').innerJoin('collection_case', 'collection_case.id', 'dunning_action.case_id')
    .innerJoin('collector_assignment', (j) => j.onRef('collector_assignment.house_id', '=', 'dunning_action.house_id').on('collector_assignment.user_id', '=', userId))
    .innerJoin('house', 'house.id', 'dunning_action.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .select(['dunning_action.id', 'dunning_action.case_id', 'dunning_action.house_id', 'dunning_action.kind', 'dunning_action.step_key', 'dunning_action.name',
      'dunning_action.channel', 'dunning_action.reason', 'dunning_action.late', 'dunning_action.not_before', 'dunning_action.periods_json', 'dunning_action.owed_fen',
      'dunning_action.due_on', 'collection_case.ownership_id', 'collection_case.category', 'collection_case.promised_on', 'house.number', 'building.name as building'])
    .where('dunning_action.project_id', '=', projectId).where('dunning_action.status', '=', 'open').where('dunning_action.actor', '=', 'collector')
    .where('dunning_action.due_on', '<=', today).where('collection_case.next_action_at', '<=', today).execute();

  const ownerships = [...new Set(rows.map((r) => r.ownership_id))];
  const caseIds = rows.map((r) => r.case_id);
  const [contacts, attempts, { book }, { policy }, staff, company] = await Promise.all([
    ownerships.length === 0 ? [] : ctx.db.selectFrom('contact').innerJoin('ownership_owner', 'ownership_owner.owner_id', 'contact.owner_id').innerJoin('owner', 'owner.id', 'contact.owner_id')
      .select(['ownership_owner.ownership_id', 'contact.id', 'contact.kind', 'contact.value', 'contact.status', 'owner.name as owner'])
      .where('ownership_owner.ownership_id', 'in', ownerships).where('contact.kind', 'in', ['手机', '固话', '微信', '邮箱']).orderBy('contact.id').execute(),
    caseIds.length === 0 ? [] : ctx.db.selectFrom('contact_attempt').select(['case_id', 'at', 'staff_name', 'channel', 'contact_masked', 'outcome', 'owner_said'])
      .where('case_id', 'in', caseIds).orderBy('at', 'desc').orderBy('id', 'desc').execute(),
    scriptBookOf(ctx.db, projectId),
    policyOf(ctx.db, projectId),
    ctx.db.selectFrom('app_user').select('display_name').where('id', '=', userId).executeTakeFirst(),
    ctx.db.selectFrom('company').select('name').where('id', '=', actor.companyId).executeTakeFirst(),
  ]);
  const templateOf = new Map(policy.steps.map((s) => [s.key, s.template]));

  const items = rows.map((r) => {
    const periods = JSON.parse(r.periods_json) as PeriodDebt[];
    const mine = contacts.filter((c) => c.ownership_id === r.ownership_id);
    const last = attempts.filter((a) => a.case_id === r.case_id).slice(0, 3);
    const scriptKey = r.kind === 'step' ? templateOf.get(r.step_key) ?? r.step_key : r.step_key;
    const script = book.scripts.find((s) => s.key === scriptKey);
    const house = `${r.building} ${r.number}`;
    const said = last.find((a) => a.owner_said)?.owner_said ?? null;
    return {
      actionId: r.id, caseId: r.case_id, houseId: r.house_id, house, key: r.step_key, name: r.name, channel: r.channel, reason: r.reason, late: r.late === 1,
      notBefore: r.not_before, availableNow: r.not_before === null || r.not_before <= now.toISOString(), priority: priorityOf(r), dueOn: r.due_on,
      category: r.category, categoryLabel: r.category ? CATEGORY_LABELS[r.category as Category] ?? r.category : null, promisedOn: r.promised_on,
      owedFen: Number(r.owed_fen), owed: formatYuan(Number(r.owed_fen)),
      periods: periods.map((p) => ({ period: p.period, dueDate: p.dueDate, owedFen: p.owedFen, owed: formatYuan(p.owedFen), timeBarred: p.timeBarred === true })),
      contacts: mine.map((c) => ({ id: c.id, kind: c.kind, masked: maskContact(c.kind as ContactKind, c.value), status: c.status, owner: c.owner })),
      lastAttempts: last.map((a) => ({ at: a.at, staff: a.staff_name, channel: a.channel, contact: a.contact_masked, outcome: a.outcome, ownerSaid: a.owner_said })),
      script: script ? {
        key: script.key, title: script.title,
        text: fillScript(script.text, {
          '{公司}': company?.name ?? '', '{员工}': staff?.display_name ?? '', '{业主}': mine[0]?.owner ?? '业主', '{房号}': house,
          '{账期}': periods.map((p) => p.period).join('、'), '{金额}': formatYuan(Number(r.owed_fen)),
        }),
      } : null,
      answers: answersFor(book, said).map((a) => ({ key: a.key, topic: a.topic, answer: a.answer })),
    };
  });
  items.sort((a, b) => Number(b.availableNow) - Number(a.availableNow)
    || (a.availableNow ? b.priority - a.priority || b.owedFen - a.owedFen : (a.notBefore ?? '').localeCompare(b.notBefore ?? ''))
    || a.actionId - b.actionId);
  return { projectId, userId, day: today, total: items.length, availableNow: items.filter((i) => i.availableNow).length, items };
}
