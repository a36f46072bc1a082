import { inScope } from '../../../core/access/roles.ts';
import { formatYuan } from '../../../core/money.ts';
import { requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';

/** The statuses a payment plan (分期/缓缴) goes through. */
export const PLAN_STATUSES = ['待审批', '执行中', '已驳回', '已完成', '已违约'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/**
 * Payment plans (分期, 缓缴) of a project for the approvals queue, newest first, optionally of one status: the house, who
 * asked and why, the instalments with their total, and the decision once made. Only the houses in the reader's scope.
 */
export async function listPaymentPlans(ctx: ServiceContext, actor: Actor, projectId: number, q: { status?: PlanStatus | undefined }) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  let query = ctx.db.selectFrom('payment_plan')
    .innerJoin('collection_case', 'collection_case.id', 'payment_plan.case_id')
    .innerJoin('house', 'house.id', 'collection_case.house_id')
    .innerJoin('building', 'building.id', 'house.building_id')
    .select(['payment_plan.id', 'payment_plan.case_id', 'payment_plan.kind', 'payment_plan.status', 'payment_plan.reason', 'payment_plan.evidence',
      'payment_plan.requested_by', 'payment_plan.requested_at', 'payment_plan.decided_by', 'payment_plan.decided_at', 'payment_plan.decision_note',
      'payment_plan.signed_on', 'collection_case.house_id', 'collection_case.ownership_id', 'collection_case.owed_fen', 'house.number', 'house.building_id',
      'building.name as building'])
    .where('payment_plan.project_id', '=', projectId);
  if (q.status) query = query.where('payment_plan.status', '=', q.status);
  const rows = (await query.orderBy('payment_plan.id', 'desc').execute()).filter((r) => inScope(actor.scope, { projectId, buildingId: r.building_id }));
  const ids = rows.map((r) => r.id);
  const instalments = await ctx.db.selectFrom('payment_plan_instalment').select(['plan_id', 'seq', 'due_on', 'amount_fen'])
    .where('plan_id', 'in', ids.length ? ids : [-1]).orderBy('plan_id').orderBy('seq').execute();
  return rows.map((r) => {
    const mine = instalments.filter((i) => i.plan_id === r.id).map((i) => ({ seq: i.seq, dueOn: i.due_on, amountFen: Number(i.amount_fen) }));
    const totalFen = mine.reduce((s, i) => s + i.amountFen, 0);
    return {
      id: r.id, caseId: r.case_id, houseId: r.house_id, house: `${r.building} ${r.number}`, ownershipId: r.ownership_id, kind: r.kind,
      kindLabel: r.kind === 'deferral' ? '缓缴' : '分期', status: r.status, reason: r.reason, evidence: r.evidence,
      instalments: mine, totalFen, total: formatYuan(totalFen), caseOwedFen: Number(r.owed_fen),
      requestedBy: r.requested_by, requestedAt: r.requested_at, decidedBy: r.decided_by, decidedAt: r.decided_at, decisionNote: r.decision_note, signedOn: r.signed_on,
    };
  });
}
