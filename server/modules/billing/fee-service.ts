import { AppError, fieldError } from '../../../core/errors.ts';
import { addMonths } from '../../../core/billing/periods.ts';
import { formatDailyRate, formatUnitPrice, parseDailyRatePpm, parseUnitPrice } from '../../../core/billing/rates.ts';
import { CYCLES } from '../../../core/billing/periods.ts';
import { parseYuan, formatYuan } from '../../../core/money.ts';
import { periodsOverlap } from '../../../core/dates.ts';
import { assertDate, oneOf, requireText } from '../../../core/registry/validate.ts';
import { PROPERTY_TYPES } from '../../../core/registry/vocabulary.ts';
import * as repo from '../../db/repositories/billing-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { mapDbError } from '../db-errors.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';

export const FEE_CATEGORIES = ['物业服务费', '车位管理费', '代收', '其他'] as const;
export const PRICINGS = ['per_area', 'fixed'] as const;
export const ROUNDINGS = ['half_up', 'down', 'up'] as const;
export const CONTRACT_KINDS = ['前期物业服务协议', '物业服务合同'] as const;

export interface FeeItemInput {
  name: string; category: string; appliesTo?: 'house' | 'parking' | undefined; pricing: string; rounding?: string | undefined;
  prepaidDeduct?: boolean | undefined; sortOrder?: number | undefined;
}

export async function createFeeItem(ctx: ServiceContext, actor: Actor, projectId: number, input: FeeItemInput) {
  requireRole(actor, 'billing.configure');
  await getProjectOrThrow(ctx, actor, projectId);
  const values = {
    project_id: projectId,
    name: requireText(input.name, 'name', 50),
    category: oneOf(input.category, FEE_CATEGORIES, 'category'),
    applies_to: oneOf(input.appliesTo ?? 'house', ['house', 'parking'] as const, 'appliesTo'),
    pricing: oneOf(input.pricing, PRICINGS, 'pricing'),
    rounding: oneOf(input.rounding ?? 'half_up', ROUNDINGS, 'rounding'),
    prepaid_deduct: input.prepaidDeduct === false ? 0 : 1,
    active: 1,
    sort_order: input.sortOrder ?? 0,
  };
  return ctx.db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('fee_item').values({ ...values, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    await audit(trx, ctx, actor, { action: 'fee_item.create', entity: 'fee_item', entityId: id, projectId, after: values });
    return feeItemView({ id, ...values });
  });
}

export function feeItemView(r: { id: number; project_id: number; name: string; category: string; applies_to: string; pricing: string; rounding: string; prepaid_deduct: number; active: number }) {
  return { id: r.id, projectId: r.project_id, name: r.name, category: r.category, appliesTo: r.applies_to, pricing: r.pricing, rounding: r.rounding, prepaidDeduct: r.prepaid_deduct === 1, active: r.active === 1 };
}

export interface StandardInput {
  propertyType: string; unitPrice?: string | undefined; monthlyAmount?: string | undefined;
  publishedOn: string; effectiveFrom: string; effectiveTo?: string | null | undefined; overrideReason?: string | null | undefined;
}

/**
 * A fee standard for one property type ('*' for all) with its effective dates. A new standard takes effect no earlier
 * than one month after it was published unless an override reason is recorded (R25); standards of the same item and
 * type never overlap.
 */
export async function addStandard(ctx: ServiceContext, actor: Actor, feeItemId: number, input: StandardInput) {
  requireRole(actor, 'billing.configure');
  const item = await repo.findFeeItem(ctx.db, feeItemId);
  if (!item) throw fieldError('feeItemId', 'NOT_FOUND', '收费项目不存在');
  await getProjectOrThrow(ctx, actor, item.project_id);
  const propertyType = input.propertyType === '*' ? '*' : oneOf(input.propertyType, PROPERTY_TYPES, 'propertyType');
  assertDate(input.publishedOn, 'publishedOn');
  assertDate(input.effectiveFrom, 'effectiveFrom');
  assertDate(input.effectiveTo, 'effectiveTo');
  if (input.effectiveTo != null && input.effectiveTo < input.effectiveFrom) throw fieldError('effectiveTo', 'DATE_RANGE_INVALID');
  const earliest = `${addMonths(input.publishedOn.slice(0, 7), 1)}${input.publishedOn.slice(7)}`;
  const override = input.overrideReason?.trim() || null;
  if (input.effectiveFrom < earliest && !override) {
    throw fieldError('effectiveFrom', 'VALIDATION_FAILED', `新标准须在公示满一个月后执行（R25）：${input.publishedOn} 公示，最早 ${earliest} 起执行；如有特殊情况请填写原因`);
  }
  let price: number | null = null;
  let monthly: number | null = null;
  if (item.pricing === 'per_area') {
    if (!input.unitPrice) throw fieldError('unitPrice', 'VALIDATION_FAILED', '按面积计费须填写单价（元/m²/月）');
    price = parseUnitPrice(input.unitPrice);
  } else {
    const fen = input.monthlyAmount ? parseYuan(input.monthlyAmount) : null;
    if (fen === null || fen <= 0) throw fieldError('monthlyAmount', 'VALIDATION_FAILED', '固定金额应为正数，最多两位小数');
    monthly = fen;
  }
  return ctx.db.transaction().execute(async (trx) => {
    const same = (await repo.standardsOf(trx, [feeItemId])).filter((s) => s.property_type === propertyType);
    const clash = same.find((s) => periodsOverlap({ from: s.effective_from, to: s.effective_to }, { from: input.effectiveFrom, to: input.effectiveTo ?? null }));
    if (clash) throw fieldError('effectiveFrom', 'VALIDATION_FAILED', `与已有标准（${clash.effective_from} 起）的执行期间重叠，请先为其设置截止日期`);
    const values = {
      fee_item_id: feeItemId, property_type: propertyType, price_x10000: price, monthly_fen: monthly, published_on: input.publishedOn,
      effective_from: input.effectiveFrom, effective_to: input.effectiveTo ?? null, override_reason: override, created_by: actor.name,
    };
    const { id } = await trx.insertInto('fee_standard').values({ ...values, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'fee_standard.create', entity: 'fee_standard', entityId: id, projectId: item.project_id, after: values });
    return standardView({ id, ...values });
  });
}

export function standardView(s: { id: number; fee_item_id: number; property_type: string; price_x10000: number | null; monthly_fen: number | null; published_on: string; effective_from: string; effective_to: string | null; override_reason: string | null }) {
  return {
    id: s.id, feeItemId: s.fee_item_id, propertyType: s.property_type,
    unitPrice: s.price_x10000 === null ? null : formatUnitPrice(s.price_x10000),
    monthlyAmount: s.monthly_fen === null ? null : formatYuan(s.monthly_fen),
    publishedOn: s.published_on, effectiveFrom: s.effective_from, effectiveTo: s.effective_to, overrideReason: s.override_reason,
  };
}

export async function listFeeItemsWithStandards(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, projectId);
  const items = await repo.listFeeItems(ctx.db, projectId);
  const standards = await repo.standardsOf(ctx.db, items.map((i) => i.id));
  return items.map((i) => ({ ...feeItemView(i), standards: standards.filter((s) => s.fee_item_id === i.id).map(standardView) }));
}

export interface TermsInput {
  kind: string; cycle: string; anchorMonth?: number | undefined; dueDay: number; effectiveFrom: string;
  lateFee?: { dailyRate: string; graceDays: number; capPctOfPrincipal: number | null; clauseText: string; clauseEvidence: string } | null | undefined;
}

/** Contract terms from a date on. A late-fee clause needs its text and the evidence it was pointed out (R19, R22). */
export async function setContractTerms(ctx: ServiceContext, actor: Actor, projectId: number, input: TermsInput) {
  requireRole(actor, 'billing.configure');
  await getProjectOrThrow(ctx, actor, projectId);
  assertDate(input.effectiveFrom, 'effectiveFrom');
  const anchor = input.anchorMonth ?? 1;
  if (!Number.isInteger(anchor) || anchor < 1 || anchor > 12) throw fieldError('anchorMonth', 'VALIDATION_FAILED', '起始月应为 1–12');
  if (!Number.isInteger(input.dueDay) || input.dueDay < 1 || input.dueDay > 31) throw fieldError('dueDay', 'VALIDATION_FAILED', '缴费截止日应为 1–31');
  const lf = input.lateFee ?? null;
  if (lf) {
    requireText(lf.clauseText, 'lateFee.clauseText', 2000);
    requireText(lf.clauseEvidence, 'lateFee.clauseEvidence', 500);
    if (!Number.isInteger(lf.graceDays) || lf.graceDays < 0 || lf.graceDays > 365) throw fieldError('lateFee.graceDays', 'VALIDATION_FAILED', '宽限天数应为 0–365');
    if (lf.capPctOfPrincipal !== null && (!Number.isInteger(lf.capPctOfPrincipal) || lf.capPctOfPrincipal <= 0 || lf.capPctOfPrincipal > 100)) {
      throw fieldError('lateFee.capPctOfPrincipal', 'VALIDATION_FAILED', '上限应为本金的 1–100%');
    }
  }
  const values = {
    project_id: projectId, kind: oneOf(input.kind, CONTRACT_KINDS, 'kind'), cycle: oneOf(input.cycle, CYCLES, 'cycle'), anchor_month: anchor, due_day: input.dueDay,
    late_fee_daily_ppm: lf ? parseDailyRatePpm(lf.dailyRate, 'lateFee.dailyRate') : null, late_fee_grace_days: lf?.graceDays ?? null,
    late_fee_cap_pct: lf?.capPctOfPrincipal ?? null, late_fee_clause_text: lf?.clauseText.trim() ?? null, late_fee_clause_evidence: lf?.clauseEvidence.trim() ?? null,
    effective_from: input.effectiveFrom, created_by: actor.name,
  };
  return ctx.db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('contract_terms').values({ ...values, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'contract_terms.set', entity: 'contract_terms', entityId: id, projectId, after: values });
    return termsView({ id, ...values });
  });
}

type TermsRow = Awaited<ReturnType<typeof repo.termsOf>>[number];

export function termsView(t: Omit<TermsRow, 'created_at'>) {
  return {
    id: t.id, projectId: t.project_id, kind: t.kind, cycle: t.cycle, anchorMonth: t.anchor_month, dueDay: t.due_day, effectiveFrom: t.effective_from,
    lateFee: t.late_fee_daily_ppm === null ? null : {
      dailyRate: formatDailyRate(t.late_fee_daily_ppm), graceDays: t.late_fee_grace_days ?? 0, capPctOfPrincipal: t.late_fee_cap_pct,
      clauseText: t.late_fee_clause_text ?? '', clauseEvidence: t.late_fee_clause_evidence ?? '',
    },
    createdBy: t.created_by,
  };
}

/** Every version of a project's contract terms, newest first; the first whose start is on or before a date governs it. */
export async function listContractTerms(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, projectId);
  return (await repo.termsOf(ctx.db, projectId)).map(termsView);
}

/** The terms in force on a date: the newest version that started on or before it. */
export async function termsInForce(ctx: ServiceContext, projectId: number, date: string) {
  const all = await repo.termsOf(ctx.db, projectId);
  const t = all.find((x) => x.effective_from <= date);
  if (!t) throw new AppError('VALIDATION_FAILED', `项目尚未设置 ${date} 适用的合同条款（计费周期、缴费截止日），无法出账`);
  return t;
}
