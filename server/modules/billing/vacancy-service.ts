import { inScope } from '../../../core/access/roles.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { addMonths, isPeriod, periodOf } from '../../../core/billing/periods.ts';
import { localDateOf } from '../../../core/dates.ts';
import { requireText } from '../../../core/registry/validate.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase, getProjectOrThrow } from '../registry/registry-service.ts';
import { assertDecidable, markDecided, PENDING } from './approval.ts';

/**
 * Vacancy registration (空置登记, R29). Not using a house is no defence against the fee (民法典 944): a lower rate for a
 * vacant house exists only where the contract or a local rule grants it, recorded with its basis on the fee standard.
 * Where it does, the owner registers the vacancy in writing (the evidence: application, meter readings, keys held by
 * the management office), someone else approves it, and bill runs from then on charge the vacancy rate for the
 * registered months. A registration starts no earlier than the month it is made in: it never lowers past bills.
 */

const MAX_MONTHS = 12;

export interface VacancyInput {
  houseId: number;
  fromMonth: string;
  toMonth: string;
  evidence: string;
}

export async function requestVacancy(ctx: ServiceContext, actor: Actor, input: VacancyInput) {
  const house = await getHouseBase(ctx, actor, input.houseId);
  requireAccess(actor, 'vacancy.request', { projectId: house.projectId, buildingId: house.buildingId });
  if (!isPeriod(input.fromMonth)) throw fieldError('fromMonth', 'VALIDATION_FAILED', '起始月份应为 YYYY-MM');
  if (!isPeriod(input.toMonth) || input.toMonth < input.fromMonth) throw fieldError('toMonth', 'VALIDATION_FAILED', '截止月份应为 YYYY-MM，且不早于起始月份');
  if (input.toMonth > addMonths(input.fromMonth, MAX_MONTHS - 1)) throw fieldError('toMonth', 'VALIDATION_FAILED', `一次登记最长 ${MAX_MONTHS} 个月，期满可再次登记`);
  const evidence = requireText(input.evidence, 'evidence', 1000);
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', house.projectId).executeTakeFirstOrThrow();
  const thisMonth = periodOf(localDateOf(ctx.clock.now(), project.time_zone));
  if (input.fromMonth < thisMonth) throw fieldError('fromMonth', 'VALIDATION_FAILED', `空置须先书面登记，自登记当月（${thisMonth}）起计，不能追溯（R29）`);
  const granted = await ctx.db.selectFrom('fee_standard').innerJoin('fee_item', 'fee_item.id', 'fee_standard.fee_item_id').select('fee_standard.id')
    .where('fee_item.project_id', '=', house.projectId).where('fee_standard.vacant_rate_pct', 'is not', null).executeTakeFirst();
  if (!granted) {
    throw new AppError('VALIDATION_FAILED', '本项目的合同和当地规定没有空置房收费优惠：房屋空置不是少交物业费的理由（民法典第944条，R29），无需登记');
  }
  return ctx.db.transaction().execute(async (trx) => {
    const overlap = await trx.selectFrom('vacancy_registration').select(['from_month', 'to_month', 'status']).where('house_id', '=', input.houseId)
      .where('status', 'in', ['待审批', '已批准']).where('from_month', '<=', input.toMonth).where('to_month', '>=', input.fromMonth).executeTakeFirst();
    if (overlap) throw fieldError('fromMonth', 'VALIDATION_FAILED', `与已有登记（${overlap.from_month} 至 ${overlap.to_month}，${overlap.status}）重叠`);
    const values = {
      project_id: house.projectId, house_id: input.houseId, from_month: input.fromMonth, to_month: input.toMonth, evidence, status: '待审批',
      requested_by: actor.name, requested_by_id: actor.userId, requested_at: nowIso(ctx), decided_by: null, decided_at: null, decision_note: null,
    };
    const { id } = await trx.insertInto('vacancy_registration').values(values).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'vacancy.request', entity: 'vacancy_registration', entityId: id, projectId: house.projectId, after: { houseId: input.houseId, fromMonth: input.fromMonth, toMonth: input.toMonth } });
    return vacancyView({ id, ...values });
  });
}

/** Approve or reject a registration: by a project manager or above, never by the person who registered it. */
export async function decideVacancy(ctx: ServiceContext, actor: Actor, id: number, approve: boolean, note?: string) {
  const v = await ctx.db.selectFrom('vacancy_registration').selectAll().where('id', '=', id).executeTakeFirst();
  if (!v) throw new AppError('NOT_FOUND', '空置登记不存在');
  const house = await getHouseBase(ctx, actor, v.house_id);
  requireAccess(actor, 'vacancy.approve', { projectId: house.projectId, buildingId: house.buildingId });
  assertDecidable('vacancy_registration', v, actor);
  const now = nowIso(ctx);
  const status = await ctx.db.transaction().execute(async (trx) => {
    const status = await markDecided(trx, 'vacancy_registration', id, approve, actor, note?.trim() || null, now);
    await audit(trx, ctx, actor, { action: approve ? 'vacancy.approve' : 'vacancy.reject', entity: 'vacancy_registration', entityId: id, projectId: v.project_id, before: { status: PENDING }, after: { status, note: note?.trim() || null } });
    return status;
  });
  return vacancyView({ ...v, status, decided_by: actor.name, decided_at: now, decision_note: note?.trim() || null });
}

function vacancyView(v: { id: number; house_id: number; from_month: string; to_month: string; evidence: string; status: string; requested_by: string; requested_at: string; decided_by: string | null; decided_at: string | null; decision_note: string | null }) {
  return {
    id: v.id, houseId: v.house_id, fromMonth: v.from_month, toMonth: v.to_month, evidence: v.evidence, status: v.status, requestedBy: v.requested_by,
    requestedAt: v.requested_at, decidedBy: v.decided_by, decidedAt: v.decided_at, decisionNote: v.decision_note,
  };
}

export async function listVacancies(ctx: ServiceContext, actor: Actor, projectId: number, status?: string) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, projectId);
  let q = ctx.db.selectFrom('vacancy_registration').innerJoin('house', 'house.id', 'vacancy_registration.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .selectAll('vacancy_registration').select(['house.number', 'building.name as building_name', 'house.building_id']).where('vacancy_registration.project_id', '=', projectId);
  if (status) q = q.where('vacancy_registration.status', '=', status);
  const rows = await q.orderBy('vacancy_registration.id', 'desc').limit(500).execute();
  return rows.filter((r) => inScope(actor.scope, { projectId, buildingId: r.building_id })).map((r) => ({ ...vacancyView(r), house: `${r.building_name} ${r.number}` }));
}
