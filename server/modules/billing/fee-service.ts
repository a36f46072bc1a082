import { AppError, fieldError } from '../../../core/errors.ts';
import { addMonths } from '../../../core/billing/periods.ts';
import { formatDailyRate, formatUnitPrice, parseDailyRatePpm, parseUnitPrice } from '../../../core/billing/rates.ts';
import { CYCLES } from '../../../core/billing/periods.ts';
import { formatPercentBp, formatYuan, parsePercentBp, parseYuan } from '../../../core/money.ts';
import { isMonthDay } from '../../../core/billing/discount.ts';
import { localDateOf, periodsOverlap } from '../../../core/dates.ts';
import { assertDate, oneOf, requireText } from '../../../core/registry/validate.ts';
import { PROPERTY_TYPES } from '../../../core/registry/vocabulary.ts';
import { assertWithinGuide, DEFAULT_PRICE_FORM, formatFloatRange, guideBand, handlingFeeProblem, parseFloatRangeBp, PRICE_FORMS, withinGuide } from '../../../core/billing/price-form.ts';
import * as repo from '../../db/repositories/billing-repository.ts';
import { audit } from '../audit/audit.ts';
import { inTransaction, nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { mapDbError } from '../db-errors.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';

export const FEE_CATEGORIES = ['物业服务费', '车位管理费', '代收', '其他'] as const;
export const PRICINGS = ['per_area', 'fixed'] as const;
export const ROUNDINGS = ['half_up', 'down', 'up'] as const;
export const CONTRACT_KINDS = ['前期物业服务协议', '物业服务合同'] as const;

export interface FeeItemInput {
  name: string; category: string; appliesTo?: 'house' | 'parking' | undefined; pricing: string; rounding?: string | undefined;
  prepaidDeduct?: boolean | undefined; sortOrder?: number | undefined;
  /** 价格管理形式 (R24), 市场调节价 unless said otherwise. */
  priceForm?: string | undefined;
  /** 政府指导价 only: the 基准价 in the item's unit (元/m²/月 for per-area items, 元/月 for fixed ones) and the 浮动幅度 in percent ("20" = ±20%). */
  guideBase?: string | null | undefined; guideFloatPct?: string | null | undefined;
  /** 收费依据: the contract clause, or for 政府指导价 the price authority's document and number. */
  basis?: string | null | undefined;
}

const blank = (v: string | null | undefined) => v == null || v.trim() === '';

/** Optional trimmed text of at most `max` characters; blank → null. */
function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (blank(value)) return null;
  const t = value!.trim();
  if (t.length > max) throw fieldError(field, 'VALIDATION_FAILED', `不能超过 ${max} 个字符`);
  return t;
}

/**
 * The 明码标价 columns of a fee item (R24): its 价格管理形式; for 政府指导价 the 基准价 (stored like a standard of the
 * item: price ×10000 or fen) and the 浮动幅度, and the 收费依据, which 政府指导价 must name. 市场调节价 takes no base or
 * range. R31: no handling fee, no markup on 代收.
 */
function priceNoticeColumns(name: string, category: string, pricing: string, input: Pick<FeeItemInput, 'priceForm' | 'guideBase' | 'guideFloatPct' | 'basis'>) {
  const priceForm = oneOf(input.priceForm ?? DEFAULT_PRICE_FORM, PRICE_FORMS, 'priceForm');
  const problem = handlingFeeProblem({ name, category, priceForm });
  if (problem) throw fieldError(problem.field, 'VALIDATION_FAILED', problem.reason);
  const basis = optionalText(input.basis, 'basis', 500);
  if (priceForm === '市场调节价') {
    if (!blank(input.guideBase)) throw fieldError('guideBase', 'VALIDATION_FAILED', '市场调节价不设基准价；执行政府指导价的请选择“政府指导价”');
    if (!blank(input.guideFloatPct)) throw fieldError('guideFloatPct', 'VALIDATION_FAILED', '市场调节价不设浮动幅度');
    return { price_form: priceForm, guide_price_x10000: null, guide_monthly_fen: null, guide_float_bp: null, fee_basis: basis };
  }
  if (blank(input.guideBase)) throw fieldError('guideBase', 'VALIDATION_FAILED', '政府指导价须填写价格主管部门公布的基准价');
  if (blank(input.guideFloatPct)) throw fieldError('guideFloatPct', 'VALIDATION_FAILED', '政府指导价须填写浮动幅度，如 20 表示上下浮动 20%');
  if (!basis) throw fieldError('basis', 'VALIDATION_FAILED', '政府指导价须写明收费依据（价格主管部门文件的名称和文号）');
  let price: number | null = null;
  let monthly: number | null = null;
  if (pricing === 'per_area') {
    price = parseUnitPrice(input.guideBase!, 'guideBase');
    if (price <= 0) throw fieldError('guideBase', 'VALIDATION_FAILED', '基准价应大于 0');
  } else {
    monthly = parseYuan(input.guideBase!.trim());
    if (monthly === null || monthly <= 0) throw fieldError('guideBase', 'VALIDATION_FAILED', '基准价应为正数（元/月），最多两位小数');
  }
  return { price_form: priceForm, guide_price_x10000: price, guide_monthly_fen: monthly, guide_float_bp: parseFloatRangeBp(input.guideFloatPct!, 'guideFloatPct'), fee_basis: basis };
}

export async function createFeeItem(ctx: ServiceContext, actor: Actor, projectId: number, input: FeeItemInput) {
  requireRole(actor, 'billing.configure');
  await getProjectOrThrow(ctx, actor, projectId);
  const name = requireText(input.name, 'name', 50);
  const category = oneOf(input.category, FEE_CATEGORIES, 'category');
  const pricing = oneOf(input.pricing, PRICINGS, 'pricing');
  const values = {
    project_id: projectId,
    name,
    category,
    applies_to: oneOf(input.appliesTo ?? 'house', ['house', 'parking'] as const, 'appliesTo'),
    pricing,
    rounding: oneOf(input.rounding ?? 'half_up', ROUNDINGS, 'rounding'),
    prepaid_deduct: input.prepaidDeduct === false ? 0 : 1,
    active: 1,
    sort_order: input.sortOrder ?? 0,
    ...priceNoticeColumns(name, category, pricing, input),
  };
  return inTransaction(ctx, async (trx) => {
    const { id } = await trx.insertInto('fee_item').values({ ...values, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow().catch(mapDbError);
    await audit(trx, ctx, actor, { action: 'fee_item.create', entity: 'fee_item', entityId: id, projectId, after: values });
    return feeItemView({ id, ...values });
  });
}

type GuideColumns = { pricing: string; price_form: string; guide_price_x10000: number | null; guide_monthly_fen: number | null; guide_float_bp: number | null };

/** An amount in a fee item's own unit, as printed: "2.40 元/m²/月" (price ×10000) or "¥300.00 /月" (fen). */
export function itemUnitText(pricing: string, v: number): string {
  return pricing === 'per_area' ? `${formatUnitPrice(v)} 元/m²/月` : `${formatYuan(v)} /月`;
}

/** The 政府指导价 of an item: 基准价, 浮动幅度 and the permitted band as text; null for 市场调节价. */
export function guideView(r: GuideColumns) {
  const base = r.pricing === 'per_area' ? r.guide_price_x10000 : r.guide_monthly_fen;
  if (r.price_form !== '政府指导价' || base === null || r.guide_float_bp === null) return null;
  const { min, max } = guideBand(base, r.guide_float_bp);
  return {
    base: itemUnitText(r.pricing, base), floatRange: formatFloatRange(r.guide_float_bp),
    floatPct: formatFloatRange(r.guide_float_bp).replace(/^±|%$/g, ''),
    band: `${itemUnitText(r.pricing, min)} 至 ${itemUnitText(r.pricing, max)}`,
  };
}

export function feeItemView(r: GuideColumns & { id: number; project_id: number; name: string; category: string; applies_to: string; rounding: string; prepaid_deduct: number; active: number; fee_basis: string | null }) {
  return {
    id: r.id, projectId: r.project_id, name: r.name, category: r.category, appliesTo: r.applies_to, pricing: r.pricing, rounding: r.rounding, prepaidDeduct: r.prepaid_deduct === 1, active: r.active === 1,
    priceForm: r.price_form, guide: guideView(r), basis: r.fee_basis,
  };
}

export type PriceNoticeInput = Pick<FeeItemInput, 'priceForm' | 'guideBase' | 'guideFloatPct' | 'basis'>;

/**
 * Change a fee item's 明码标价 columns (价格管理形式, 基准价, 浮动幅度, 收费依据), e.g. for an item created before they
 * existed. Under 政府指导价 every standard still in force today or later must lie within the new band (R24); R31 as on
 * creation. Audited with the values before and after.
 */
export async function setFeeItemPriceNotice(ctx: ServiceContext, actor: Actor, feeItemId: number, input: PriceNoticeInput) {
  requireRole(actor, 'billing.configure');
  const item = await repo.findFeeItem(ctx.db, feeItemId);
  if (!item) throw fieldError('feeItemId', 'NOT_FOUND', '收费项目不存在');
  const project = await getProjectOrThrow(ctx, actor, item.project_id);
  const values = priceNoticeColumns(item.name, item.category, item.pricing, input);
  const base = item.pricing === 'per_area' ? values.guide_price_x10000 : values.guide_monthly_fen;
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  return ctx.db.transaction().execute(async (trx) => {
    if (base !== null && values.guide_float_bp !== null) {
      for (const s of await repo.standardsOf(trx, [feeItemId])) {
        if (s.effective_to !== null && s.effective_to < today) continue;
        const actual = item.pricing === 'per_area' ? s.price_x10000 : s.monthly_fen;
        if (actual === null || withinGuide(actual, base, values.guide_float_bp)) continue;
        throw fieldError('guideBase', 'VALIDATION_FAILED', `${s.property_type === '*' ? '全部物业类型' : s.property_type} ${s.effective_from} 起执行的收费标准 ${itemUnitText(item.pricing, actual)} 不在政府指导价 ${guideView({ ...item, ...values })!.band} 的范围内（R24），请先调整收费标准或基准价、浮动幅度`);
      }
    }
    await trx.updateTable('fee_item').set(values).where('id', '=', feeItemId).execute();
    const before = { price_form: item.price_form, guide_price_x10000: item.guide_price_x10000, guide_monthly_fen: item.guide_monthly_fen, guide_float_bp: item.guide_float_bp, fee_basis: item.fee_basis };
    await audit(trx, ctx, actor, { action: 'fee_item.price_notice', entity: 'fee_item', entityId: feeItemId, projectId: item.project_id, before, after: values });
    return feeItemView({ ...item, ...values });
  });
}

export interface StandardInput {
  propertyType: string; unitPrice?: string | undefined; monthlyAmount?: string | undefined;
  publishedOn: string; effectiveFrom: string; effectiveTo?: string | null | undefined; overrideReason?: string | null | undefined;
  /** A vacancy rate (per cent of the standard) for registered vacant houses, only with the clause or rule granting it (R29). */
  vacancy?: { ratePct: number; basis: string } | null | undefined;
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
  // 政府指导价: the actual standard lies within 基准价 × (1 ± 浮动幅度) (R24).
  const base = item.pricing === 'per_area' ? item.guide_price_x10000 : item.guide_monthly_fen;
  if (item.price_form === '政府指导价' && base !== null && item.guide_float_bp !== null) {
    assertWithinGuide((price ?? monthly)!, base, item.guide_float_bp, item.pricing === 'per_area' ? 'unitPrice' : 'monthlyAmount', (v) => itemUnitText(item.pricing, v));
  }
  const vacancy = input.vacancy ?? null;
  if (vacancy) {
    if (!Number.isInteger(vacancy.ratePct) || vacancy.ratePct < 1 || vacancy.ratePct > 99) throw fieldError('vacancy.ratePct', 'VALIDATION_FAILED', '空置收费比例应为 1–99（%）');
    requireText(vacancy.basis, 'vacancy.basis', 500);
  }
  return inTransaction(ctx, async (trx) => {
    const clash = await overlappingStandard(trx, feeItemId, propertyType, { from: input.effectiveFrom, to: input.effectiveTo ?? null });
    if (clash) throw fieldError('effectiveFrom', 'VALIDATION_FAILED', `与已有标准（${clash.effective_from} 起）的执行期间重叠，请先为其设置执行止日`);
    const values = {
      fee_item_id: feeItemId, property_type: propertyType, price_x10000: price, monthly_fen: monthly, published_on: input.publishedOn,
      effective_from: input.effectiveFrom, effective_to: input.effectiveTo ?? null, override_reason: override,
      vacant_rate_pct: vacancy?.ratePct ?? null, vacant_basis: vacancy?.basis.trim() ?? null, created_by: actor.name,
    };
    const { id } = await trx.insertInto('fee_standard').values({ ...values, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'fee_standard.create', entity: 'fee_standard', entityId: id, projectId: item.project_id, after: values });
    return standardView({ id, ...values });
  });
}

/** Another standard of the item and property type in force during `range` (standards never overlap), if any. */
async function overlappingStandard(trx: Parameters<typeof repo.standardsOf>[0], feeItemId: number, propertyType: string, range: { from: string; to: string | null }, except?: number) {
  return (await repo.standardsOf(trx, [feeItemId]))
    .find((o) => o.id !== except && o.property_type === propertyType && periodsOverlap({ from: o.effective_from, to: o.effective_to }, range));
}

/**
 * 设置执行止日: the last day a standard is in force — how a price change begins (the new standard, published a month
 * ahead (R25), then starts the next day; standards of the same item and type never overlap). Charges already billed
 * for months after that day keep their amounts; `wuye bill adjust` prices them again with the standard then in force.
 */
export async function endStandard(ctx: ServiceContext, actor: Actor, standardId: number, input: { effectiveTo: string }) {
  requireRole(actor, 'billing.configure');
  const s = await ctx.db.selectFrom('fee_standard').selectAll().where('id', '=', standardId).executeTakeFirst();
  if (!s) throw fieldError('standardId', 'NOT_FOUND', '收费标准不存在');
  const item = (await repo.findFeeItem(ctx.db, s.fee_item_id))!;
  await getProjectOrThrow(ctx, actor, item.project_id);
  assertDate(input.effectiveTo, 'effectiveTo');
  if (input.effectiveTo < s.effective_from) throw fieldError('effectiveTo', 'DATE_RANGE_INVALID', `执行止日不能早于执行起日 ${s.effective_from}`);
  return inTransaction(ctx, async (trx) => {
    const clash = await overlappingStandard(trx, s.fee_item_id, s.property_type, { from: s.effective_from, to: input.effectiveTo }, s.id);
    if (clash) throw fieldError('effectiveTo', 'VALIDATION_FAILED', `与已有标准（${clash.effective_from} 起）的执行期间重叠`);
    await trx.updateTable('fee_standard').set({ effective_to: input.effectiveTo }).where('id', '=', s.id).execute();
    await audit(trx, ctx, actor, { action: 'fee_standard.end', entity: 'fee_standard', entityId: s.id, projectId: item.project_id, before: { effectiveTo: s.effective_to }, after: { effectiveTo: input.effectiveTo } });
    return standardView({ ...s, effective_to: input.effectiveTo });
  });
}

export function standardView(s: {
  id: number; fee_item_id: number; property_type: string; price_x10000: number | null; monthly_fen: number | null; published_on: string; effective_from: string;
  effective_to: string | null; override_reason: string | null; vacant_rate_pct: number | null; vacant_basis: string | null;
}) {
  return {
    id: s.id, feeItemId: s.fee_item_id, propertyType: s.property_type,
    unitPrice: s.price_x10000 === null ? null : formatUnitPrice(s.price_x10000),
    monthlyAmount: s.monthly_fen === null ? null : formatYuan(s.monthly_fen),
    publishedOn: s.published_on, effectiveFrom: s.effective_from, effectiveTo: s.effective_to, overrideReason: s.override_reason,
    vacancy: s.vacant_rate_pct === null ? null : { ratePct: s.vacant_rate_pct, basis: s.vacant_basis ?? '' },
  };
}

/** A standard as the 明码标价 notice and the owner portal write it: "2.35 元/m²/月" or "¥300.00/月". */
export function standardText(s: { price_x10000: number | null; monthly_fen: number | null }): string {
  return s.price_x10000 !== null ? `${formatUnitPrice(s.price_x10000)} 元/m²/月` : `${s.monthly_fen === null ? '' : formatYuan(s.monthly_fen)}/月`;
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
  /** 服务内容/服务等级 for the 明码标价 notice (R24), e.g. "二级服务标准：秩序维护 24 小时……". */
  serviceContent?: string | null | undefined;
  lateFee?: { dailyRate: string; graceDays: number; capPctOfPrincipal: number | null; clauseText: string; clauseEvidence: string } | null | undefined;
  /** e.g. { rate: '5', from: '01-01', to: '01-15' }: 5% off the year's 物业服务费 when it is all paid 1–15 January. */
  earlyDiscount?: { rate: string; from: string; to: string } | null | undefined;
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
  const ed = input.earlyDiscount ?? null;
  const discountBp = ed ? parsePercentBp(ed.rate) : null;
  if (ed) {
    if (discountBp === null || discountBp > 2000) throw fieldError('earlyDiscount.rate', 'VALIDATION_FAILED', '提前缴费优惠应为 0–20 之间的百分比，最多两位小数');
    if (!isMonthDay(ed.from)) throw fieldError('earlyDiscount.from', 'VALIDATION_FAILED', '优惠期起始日应为 MM-DD');
    if (!isMonthDay(ed.to) || ed.to < ed.from) throw fieldError('earlyDiscount.to', 'VALIDATION_FAILED', '优惠期截止日应为 MM-DD，且不早于起始日');
  }
  const values = {
    project_id: projectId, kind: oneOf(input.kind, CONTRACT_KINDS, 'kind'), cycle: oneOf(input.cycle, CYCLES, 'cycle'), anchor_month: anchor, due_day: input.dueDay,
    late_fee_daily_ppm: lf ? parseDailyRatePpm(lf.dailyRate, 'lateFee.dailyRate') : null, late_fee_grace_days: lf?.graceDays ?? null,
    late_fee_cap_pct: lf?.capPctOfPrincipal ?? null, late_fee_clause_text: lf?.clauseText.trim() ?? null, late_fee_clause_evidence: lf?.clauseEvidence.trim() ?? null,
    discount_bp: discountBp, discount_from: ed?.from ?? null, discount_to: ed?.to ?? null,
    effective_from: input.effectiveFrom, created_by: actor.name, service_content: optionalText(input.serviceContent, 'serviceContent', 2000),
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
    serviceContent: t.service_content,
    lateFee: t.late_fee_daily_ppm === null ? null : {
      dailyRate: formatDailyRate(t.late_fee_daily_ppm), graceDays: t.late_fee_grace_days ?? 0, capPctOfPrincipal: t.late_fee_cap_pct,
      clauseText: t.late_fee_clause_text ?? '', clauseEvidence: t.late_fee_clause_evidence ?? '',
    },
    earlyDiscount: t.discount_bp === null ? null : { rate: formatPercentBp(t.discount_bp), from: t.discount_from ?? '', to: t.discount_to ?? '' },
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
