import { divideToNumber } from './rounding.ts';

/**
 * Early-payment discount (a contract term, e.g. "5% off when the whole year is paid between 1 and 15 January").
 *
 * The offer exists on a day inside the window of its year. It covers that year's 物业服务费 charges (代收 and other items
 * are passed through or priced on their own, so they are never discounted), and only when all twelve months of the year
 * are billed: "the whole year" must be there to be paid. Each charge's discount is its principal still owed × rate,
 * rounded half up to the fen, so the discount of a charge never changes with the order in which charges are listed.
 * Whether the offer is taken is decided by the caller: the payment must settle every covered charge in full.
 */
export interface DiscountTerms {
  rateBp: number;
  /** MM-DD, inclusive. */
  from: string;
  to: string;
}

export interface DiscountDebt {
  chargeId: number;
  period: string;
  category: string;
  principalOwedFen: number;
}

export interface DiscountOffer {
  year: string;
  rateBp: number;
  from: string;
  to: string;
  /** The discount per covered charge (only charges with something still owed). */
  byCharge: ReadonlyMap<number, number>;
  discountFen: number;
  /** What the covered charges cost after the discount. */
  payableFen: number;
}

export const DISCOUNT_CATEGORY = '物业服务费';

export function isMonthDay(text: string): boolean {
  const m = /^(\d{2})-(\d{2})$/.exec(text);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 12 && Number(m[2]) >= 1 && Number(m[2]) <= 31;
}

export function discountOffer(terms: DiscountTerms | null, on: string, debts: readonly DiscountDebt[]): DiscountOffer | null {
  if (!terms || terms.rateBp <= 0) return null;
  const year = on.slice(0, 4);
  const day = on.slice(5);
  if (day < terms.from || day > terms.to) return null;
  const covered = debts.filter((d) => d.category === DISCOUNT_CATEGORY && d.period.startsWith(`${year}-`));
  const months = new Set(covered.map((d) => d.period));
  if (months.size < 12) return null;
  const byCharge = new Map<number, number>();
  let discountFen = 0;
  let payableFen = 0;
  for (const d of covered) {
    if (d.principalOwedFen <= 0) continue;
    const off = divideToNumber(BigInt(d.principalOwedFen) * BigInt(terms.rateBp), 10_000n, 'half_up');
    byCharge.set(d.chargeId, off);
    discountFen += off;
    payableFen += d.principalOwedFen - off;
  }
  if (byCharge.size === 0) return null;
  return { year, rateBp: terms.rateBp, from: terms.from, to: terms.to, byCharge, discountFen, payableFen };
}
