import { formatYuan } from '../money.ts';
import { addDays, daysBetween } from './periods.ts';
import { divideToNumber, type Rounding } from './rounding.ts';
import { formatDailyRate } from './rates.ts';

/**
 * The contractual late-payment penalty (逾期违约金, R20): only where the contract has a clause (R19); per period from
 * its due date plus grace days; daily rate × that period's outstanding principal × days; never on earlier penalties
 * (no compounding, R23); capped; and deterministic for an as-of date, so computing it again never changes history.
 */
export interface LateFeeClause {
  /** Daily rate in parts per million: 0.0003 → 300. */
  dailyRatePpm: number;
  graceDays: number;
  /** Cap as a percentage of the period's principal (100 = "no more than the principal"); null = no cap. */
  capPctOfPrincipal: number | null;
}

export interface LateFeeInput {
  principalFen: number;
  dueDate: string;
  /** Principal paid on this debt, with the calendar date of each payment. */
  principalPayments: ReadonlyArray<{ date: string; amountFen: number }>;
  asOf: string;
  clause: LateFeeClause | null;
  rounding?: Rounding;
  /** One-year LPR in ppm per year (e.g. 3.0% → 30000), for the court-reduction risk flag (R21). */
  lprAnnualPpm?: number;
}

export interface LateFee {
  amountFen: number;
  /** Before the cap. */
  uncappedFen: number;
  capped: boolean;
  /** Days on which a penalty accrued. */
  days: number;
  /** Σ outstanding principal × days, in fen-days: the base of the penalty and of the LPR comparison. */
  principalDays: number;
  /** The accrued penalty exceeds LPR-based interest on the same base by more than 30% (courts may reduce it, 585). */
  courtReductionRisk: boolean;
  basis: string;
}

export function lateFee(input: LateFeeInput): LateFee {
  const none = { amountFen: 0, uncappedFen: 0, capped: false, days: 0, principalDays: 0, courtReductionRisk: false };
  if (!input.clause) return { ...none, basis: '合同未约定逾期违约金，不计收（R19）' };
  const { dailyRatePpm, graceDays, capPctOfPrincipal } = input.clause;
  const start = addDays(input.dueDate, graceDays + 1); // the first day that accrues
  if (input.asOf < start) return { ...none, basis: `未逾期（${input.dueDate} 到期，宽限 ${graceDays} 天）` };

  // A payment lowers the base from the day after it is made: the payment day itself still accrues on what was owed
  // that morning. So a penalty computed at the counter on day D and paid on D never changes when computed again later.
  const payments = [...input.principalPayments].sort((a, b) => a.date.localeCompare(b.date));
  let outstanding = input.principalFen - payments.filter((p) => p.date < start).reduce((a, p) => a + p.amountFen, 0);
  let principalDays = 0n;
  let days = 0;
  let cursor: string = start;
  for (const p of payments.filter((x) => x.date >= start && x.date <= input.asOf)) {
    const span = daysBetween(cursor, p.date) + 1; // days from the cursor through the payment day
    if (outstanding > 0 && span > 0) { principalDays += BigInt(outstanding) * BigInt(span); days += span; }
    outstanding -= p.amountFen;
    cursor = addDays(p.date, 1);
  }
  const tail = daysBetween(cursor, input.asOf) + 1;
  if (outstanding > 0 && tail > 0) { principalDays += BigInt(outstanding) * BigInt(tail); days += tail; }

  const uncappedFen = divideToNumber(principalDays * BigInt(dailyRatePpm), 1_000_000n, input.rounding ?? 'half_up');
  const capFen = capPctOfPrincipal === null ? null : divideToNumber(BigInt(input.principalFen) * BigInt(capPctOfPrincipal), 100n, 'down');
  const amountFen = capFen === null ? uncappedFen : Math.min(uncappedFen, capFen);
  // Risk if fee > 1.3 × principalDays × LPR / 365, compared in integers.
  const courtReductionRisk = input.lprAnnualPpm !== undefined
    && BigInt(amountFen) * 365n * 1_000_000n * 10n > 13n * principalDays * BigInt(input.lprAnnualPpm);
  const basis = `日费率 ${formatDailyRate(dailyRatePpm)} × 逾期本金 × ${days} 天（自 ${start} 起，宽限 ${graceDays} 天）= ${formatYuan(uncappedFen)}`
    + (capFen !== null && uncappedFen > capFen ? `，以本金的 ${capPctOfPrincipal}% 为上限：${formatYuan(capFen)}` : '');
  return { amountFen, uncappedFen, capped: capFen !== null && uncappedFen > capFen, days, principalDays: Number(principalDays), courtReductionRisk, basis };
}

/** Aging buckets by days past the due date. */
export const AGING_BUCKETS = [
  { key: 'not_due', label: '未到期', maxDays: 0 },
  { key: 'd1_30', label: '1–30 天', maxDays: 30 },
  { key: 'd31_90', label: '31–90 天', maxDays: 90 },
  { key: 'd91_180', label: '91–180 天', maxDays: 180 },
  { key: 'd181_365', label: '181–365 天', maxDays: 365 },
  { key: 'y1_2', label: '1–2 年', maxDays: 730 },
  { key: 'y2_3', label: '2–3 年', maxDays: 1095 },
  { key: 'y3_plus', label: '3 年以上', maxDays: Number.POSITIVE_INFINITY },
] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number]['key'];

export function agingBucket(dueDate: string, asOf: string): AgingBucket {
  const overdue = daysBetween(dueDate, asOf);
  return AGING_BUCKETS.find((b) => overdue <= b.maxDays)!.key;
}
