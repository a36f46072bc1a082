import { AGING_BUCKETS } from '../../core/billing/late-fee.ts';
import { CYCLES, CYCLE_LABELS, addMonths } from '../../core/billing/periods.ts';
import { parseDailyRatePpm } from '../../core/billing/rates.ts';
import { parsePercentBp, parseYuan } from '../../core/money.ts';
import { isMonthDay } from '../../core/billing/discount.ts';
import { PROPERTY_TYPES } from '../../core/registry/vocabulary.ts';
import type { AgingKey, Allocation, ApprovalStatus, BillingCycle, ContractKind, EarlyDiscount, PaymentChannel, PaymentKind, Pricing, Rounding } from './api.ts';

/** The billing vocabulary of the console (the server's values with their Chinese labels). */

export const FEE_CATEGORIES = ['物业服务费', '车位管理费', '代收', '其他'] as const;

/** 价格管理形式 (R24) and the R31 rule (no handling fee, no markup on 代收): the server's own pure helpers. */
export { PRICE_FORMS, handlingFeeProblem } from '../../core/billing/price-form.ts';

export const PRICING_LABELS: Record<Pricing, string> = { per_area: '按面积', fixed: '固定金额' };

export const ROUNDING_LABELS: Record<Rounding, string> = { half_up: '四舍五入到分', down: '舍去分以下', up: '分以下进位' };

export const CONTRACT_KINDS: readonly ContractKind[] = ['前期物业服务协议', '物业服务合同'];

export const BILLING_CYCLES: readonly BillingCycle[] = CYCLES;
export { CYCLE_LABELS };

/** '*' is a standard for every property type. */
export const ALL_PROPERTY_TYPES = '*';
export const STANDARD_PROPERTY_TYPES: readonly string[] = [ALL_PROPERTY_TYPES, ...PROPERTY_TYPES];

export function propertyTypeLabel(t: string): string {
  return t === ALL_PROPERTY_TYPES ? '全部类型' : t;
}

/** A standard's price as staff read it: "2.35 元/m²/月" or "¥300.00 /月". */
export function standardPriceText(s: { unitPrice: string | null; monthlyAmount: string | null }): string {
  if (s.unitPrice !== null) return `${s.unitPrice} 元/m²/月`;
  if (s.monthlyAmount !== null) return `${s.monthlyAmount} /月`;
  return '—';
}

/** A unit price in 元/m²/月: a non-negative number with at most 4 decimals. */
export function isUnitPrice(text: string): boolean {
  return /^\d+(\.\d{1,4})?$/.test(text.trim());
}

/** A positive amount of yuan with at most 2 decimals (parsed exactly, never as a float). */
export function isPositiveYuan(text: string): boolean {
  const fen = parseYuan(text);
  return fen !== null && fen > 0;
}

/**
 * R25: a new standard takes effect no earlier than one month after publication unless a reason is recorded. The same
 * comparison the server makes (dates as YYYY-MM-DD text); the server stays the judge.
 */
export function takesEffectEarly(publishedOn: string, effectiveFrom: string): boolean {
  const earliest = `${addMonths(publishedOn.slice(0, 7), 1)}${publishedOn.slice(7)}`;
  return effectiveFrom < earliest;
}

/**
 * A daily 逾期违约金 rate ("0.0003") as a percentage per day ("0.03%"), or undefined when the text is not a rate the
 * server would accept (R21: 1% a day or more is refused). Exact: the rate is parsed into parts per million.
 */
export function dailyRatePercent(text: string): string | undefined {
  let ppm: number;
  try {
    ppm = parseDailyRatePpm(text.trim());
  } catch {
    return undefined;
  }
  // ppm / 10000 = percent, with up to 4 decimals.
  const frac = String(ppm % 10_000).padStart(4, '0').replace(/0+$/, '');
  return `${Math.trunc(ppm / 10_000)}${frac ? `.${frac}` : ''}%`;
}

// ---- Payments and reports ----

/** The channels the server accepts, in the order the counter offers them. */
export const PAYMENT_CHANNELS: readonly PaymentChannel[] = ['现金', 'POS刷卡', '银行转账', '微信', '支付宝'];

/** Aging buckets, youngest first, with their Chinese labels (the server's keys). */
export const AGING: ReadonlyArray<{ key: AgingKey; label: string }> = AGING_BUCKETS.map((b) => ({ key: b.key, label: b.label }));
export const AGING_LABELS = Object.fromEntries(AGING.map((b) => [b.key, b.label])) as Record<AgingKey, string>;

/** What an allocation paid. The late fee is 逾期违约金 (never 滞纳金). */
export const COMPONENT_LABELS: Record<Allocation['component'], string> = { late_fee: '逾期违约金', principal: '本金', cost: '费用' };

/** What a ledger entry is (payments carry their kind; refunds, reversals and the like are negative or zero). */
export const PAYMENT_KIND_LABELS: Record<PaymentKind, string> = {
  payment: '收款', reversal: '冲正', refund: '退款', prepaid_deduction: '预存抵扣', transfer: '转存',
};
export const PAYMENT_KIND_COLORS: Record<PaymentKind, string> = {
  payment: 'green', reversal: 'red', refund: 'orange', prepaid_deduction: 'blue', transfer: 'purple',
};

export function paymentKindLabel(kind: string): string {
  return PAYMENT_KIND_LABELS[kind as PaymentKind] ?? kind;
}

/** Statuses of waivers, refunds and vacancy registrations, in the order the approvals page offers them. */
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = ['待审批', '已批准', '已驳回'];
export const APPROVAL_STATUS_COLORS: Record<ApprovalStatus, string> = { 待审批: 'gold', 已批准: 'green', 已驳回: 'red' };

/** A per-cent rate as shown: the server answers "5%", a form holds "5"; both read "5%". */
export function percentText(rate: string): string {
  const t = rate.trim();
  return t.endsWith('%') ? t : `${t}%`;
}

/** 提前缴费优惠 in words: "01-01 至 01-15 一次缴清全年物业服务费优惠 5%". */
export function earlyDiscountText(d: EarlyDiscount): string {
  return `${d.from} 至 ${d.to} 一次缴清全年物业服务费优惠 ${percentText(d.rate)}`;
}

/** MM-DD (the server's own check). */
export { isMonthDay };

/** A discount rate the server accepts: a per cent above 0 and at most 20, up to 2 decimals ("5", "2.5"). */
export function isDiscountRate(text: string): boolean {
  const bp = parsePercentBp(text);
  return bp !== null && bp > 0 && bp <= 2000;
}

export { fenToYuanText } from '../../core/money.ts';

/** A rate in basis points as a percentage ("9523" → "95.23%"); null (nothing to collect) → "—", never "100%". */
export function formatRateBp(bp: number | null): string {
  if (bp === null) return '—';
  const abs = Math.abs(bp);
  return `${bp < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`;
}

/**
 * A fresh idempotency key for one payment submission. crypto.randomUUID exists only in secure contexts (https or
 * localhost), and the console may well be served over plain http on the office network: fall back to random bytes.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
