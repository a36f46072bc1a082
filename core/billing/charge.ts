import { formatYuan } from '../money.ts';
import { formatArea } from '../registry/validate.ts';
import { daysOfPeriod, billableDays } from './periods.ts';
import { formatUnitPrice } from './rates.ts';
import { divideToNumber, type Rounding } from './rounding.ts';

/** How an item is priced: per m² of billable area per month, or a fixed monthly amount (e.g. 车位管理费). */
export type Pricing = { kind: 'per_area'; priceX10000: number } | { kind: 'fixed'; monthlyFen: number };

export interface MonthlyChargeInput {
  pricing: Pricing;
  /** Billable area in hundredths of m² (ignored for fixed pricing). */
  areaX100: number;
  period: string;
  /** Billing starts at delivery (R28); null = not delivered (then the developer is billed, by the caller). */
  deliveryDate: string | null;
  rounding: Rounding;
  /** A vacancy rate granted by contract or local rule after registration (R29), in per cent; 100 = full fee. */
  ratePct?: number;
}

export interface MonthlyCharge {
  amountFen: number;
  /** The days billed and the days of the month (prorated when delivered mid-month). */
  days: number;
  daysInPeriod: number;
  /** How the amount was computed, in words a cashier can read back to an owner. */
  basis: string;
}

/**
 * One month's charge, computed exactly and rounded once: price × area × (billed days / days in month) × rate%.
 * 2.35 元/m² × 89.50 m² = 210.325 元 → ¥210.33 (half up).
 */
export function monthlyCharge(input: MonthlyChargeInput): MonthlyCharge {
  const daysInPeriod = daysOfPeriod(input.period);
  const days = billableDays(input.period, input.deliveryDate);
  const pct = BigInt(input.ratePct ?? 100);
  if (input.pricing.kind === 'per_area') {
    // fen = priceX10000/10000 元 × areaX100/100 m² × 100 fen/元 = priceX10000 × areaX100 / 10000
    const numerator = BigInt(input.pricing.priceX10000) * BigInt(input.areaX100) * BigInt(days) * pct;
    const amountFen = divideToNumber(numerator, 10_000n * BigInt(daysInPeriod) * 100n, input.rounding);
    return { amountFen, days, daysInPeriod, basis: basisText(input, days, daysInPeriod) };
  }
  const numerator = BigInt(input.pricing.monthlyFen) * BigInt(days) * pct;
  const amountFen = divideToNumber(numerator, BigInt(daysInPeriod) * 100n, input.rounding);
  return { amountFen, days, daysInPeriod, basis: basisText(input, days, daysInPeriod) };
}

function basisText(input: MonthlyChargeInput, days: number, daysInPeriod: number): string {
  const price = input.pricing.kind === 'per_area'
    ? `${formatUnitPrice(input.pricing.priceX10000)} 元/m²/月 × ${formatArea(input.areaX100)} m²`
    : `${formatYuan(input.pricing.monthlyFen)}/月`;
  const prorate = days === daysInPeriod ? '' : ` × ${days}/${daysInPeriod} 天`;
  const rate = input.ratePct !== undefined && input.ratePct !== 100 ? ` × ${input.ratePct}%` : '';
  return `${price}${prorate}${rate}`;
}
