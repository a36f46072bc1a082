import { monthlyCharge, type MonthlyCharge } from './charge.ts';
import { cycleMonths, dueDateOf, firstDay, lastDay, type Cycle } from './periods.ts';
import type { Rounding } from './rounding.ts';

/**
 * The bill run as a pure function: for one project and one month, which charges to create and which houses to skip,
 * with the reason. One charge per house × item × month × payer. Committing the plan is the server's job; re-running it
 * creates nothing new because every planned charge has a natural key.
 *
 * - A cycle (quarter, half-year, year) is billed in its first month: that run creates a charge for every month of the
 *   cycle, all due on the cycle's due date; runs in the other months of the cycle create nothing.
 * - Billing starts at delivery (R28): a month is prorated by days from the delivery date for the owner, and the days
 *   before delivery (or the whole month of an undelivered house) are billed to the developer.
 * - The owner of a month is the ownership period covering its first day, else its last day (arrears stay with the
 *   owner of the period, R30).
 */
export interface PlanTerms {
  cycle: Cycle;
  anchorMonth: number;
  dueDay: number;
}

export interface PlanItem {
  id: number;
  name: string;
  rounding: Rounding;
  /** Standards in force for the month, by property type ('*' for every type). */
  standards: ReadonlyArray<{
    propertyType: string;
    pricing: { kind: 'per_area'; priceX10000: number } | { kind: 'fixed'; monthlyFen: number };
    /** The vacancy rate (per cent) the contract or a local rule grants a registered vacant house (R29); none if absent. */
    vacantRatePct?: number | null | undefined;
  }>;
}

export interface PlanHouse {
  id: number;
  number: string;
  propertyType: string;
  areaX100: number;
  deliveryDate: string | null;
  ownerships: ReadonlyArray<{ id: number; from: string; to: string | null }>;
  /** Approved vacancy registrations, as month ranges (YYYY-MM, inclusive). */
  vacancies?: ReadonlyArray<{ from: string; to: string }> | undefined;
}

export interface PlannedCharge {
  houseId: number;
  feeItemId: number;
  period: string;
  dueDate: string;
  billTo: 'owner' | 'developer';
  ownershipId: number | null;
  amountFen: number;
  basis: string;
}

export interface PlanSkip {
  houseId: number | null;
  houseNumber: string | null;
  feeItemId: number | null;
  reason: string;
}

export interface BillRunPlan {
  period: string;
  billingMonth: boolean;
  charges: PlannedCharge[];
  skips: PlanSkip[];
  totalFen: number;
}

function withVacancyNote<T extends { basis: string }>(c: T): T {
  return { ...c, basis: `空置（已登记）：${c.basis}` };
}

function covering(h: PlanHouse, day: string): number | null {
  for (const o of h.ownerships) if (o.from <= day && (o.to === null || o.to >= day)) return o.id;
  return null;
}

/** The owner of a month: the ownership period covering its first day, else its last day. */
function ownerOf(h: PlanHouse, first: string, last: string): number | null {
  return covering(h, first) ?? covering(h, last);
}

type Standard = PlanItem['standards'][number];

/**
 * monthlyCharge is pure, and most houses of a run share an area and are billed the whole month, so its results are
 * kept per standard (the object, for as long as the caller holds it: one run), month and area, for the three cases
 * that do not depend on the exact delivery day: the whole month, no day at all (undelivered, or delivered after the
 * month), and the whole month regardless of delivery. Delivery within the month is computed every time.
 */
const chargeCache = new WeakMap<Standard, Map<string, MonthlyCharge>>();

function cachedCharge(standard: Standard, rounding: Rounding, month: string, areaX100: number, deliveryDate: string | null, span: 'all' | 'none'): MonthlyCharge {
  let byKey = chargeCache.get(standard);
  if (byKey === undefined) chargeCache.set(standard, byKey = new Map<string, MonthlyCharge>());
  const key = `${month}|${areaX100}|${span}`;
  let c = byKey.get(key);
  if (c === undefined) byKey.set(key, c = monthlyCharge({ pricing: standard.pricing, areaX100, period: month, rounding, deliveryDate }));
  return c;
}

export function planBillRun(input: { period: string; terms: PlanTerms; items: readonly PlanItem[]; houses: Iterable<PlanHouse> }): BillRunPlan {
  const months = cycleMonths(input.period, input.terms.cycle, input.terms.anchorMonth);
  const charges: PlannedCharge[] = [];
  const skips: PlanSkip[] = [];
  if (months[0] !== input.period) {
    skips.push({ houseId: null, houseNumber: null, feeItemId: null, reason: `${input.period} 不是计费月：${input.terms.cycle} 周期于 ${months[0]} 出账` });
    return { period: input.period, billingMonth: false, charges, skips, totalFen: 0 };
  }
  const dueDate = dueDateOf(input.period, { kind: 'day_of_first_month', day: input.terms.dueDay });
  const bounds = months.map((month) => ({ month, first: firstDay(month), last: lastDay(month) }));
  // The standard of an item for a property type, looked up once per type rather than once per house.
  const standards = input.items.map(() => new Map<string, Standard | null>());
  for (const h of input.houses) {
    for (let i = 0; i < input.items.length; i++) {
      const item = input.items[i]!;
      let standard = standards[i]!.get(h.propertyType);
      if (standard === undefined) {
        standard = item.standards.find((s) => s.propertyType === h.propertyType) ?? item.standards.find((s) => s.propertyType === '*') ?? null;
        standards[i]!.set(h.propertyType, standard);
      }
      if (!standard) {
        skips.push({ houseId: h.id, houseNumber: h.number, feeItemId: item.id, reason: `“${item.name}”没有适用于${h.propertyType}的收费标准` });
        continue;
      }
      for (const { month, first, last } of bounds) {
        const delivery = h.deliveryDate;
        const owed = delivery !== null && delivery <= first ? cachedCharge(standard, item.rounding, month, h.areaX100, delivery, 'all')
          : delivery === null || delivery > last ? cachedCharge(standard, item.rounding, month, h.areaX100, null, 'none')
            : monthlyCharge({ pricing: standard.pricing, areaX100: h.areaX100, period: month, rounding: item.rounding, deliveryDate: delivery });
        // The full month is needed only when the owner does not pay all of it (delivery after the month's first day).
        const full = owed.days === owed.daysInPeriod ? owed : cachedCharge(standard, item.rounding, month, h.areaX100, '0000-01-01', 'all');
        // A registered vacancy lowers the owner's charge where a rate is granted (R29); never the developer's share.
        const vacant = standard.vacantRatePct != null && owed.amountFen > 0 && h.vacancies !== undefined && h.vacancies.some((v) => v.from <= month && month <= v.to);
        const owner = vacant
          ? withVacancyNote(monthlyCharge({ pricing: standard.pricing, areaX100: h.areaX100, period: month, rounding: item.rounding, deliveryDate: delivery, ratePct: standard.vacantRatePct! }))
          : owed;
        if (owner.amountFen > 0) {
          const ownershipId = ownerOf(h, first, last);
          if (ownershipId === null) skips.push({ houseId: h.id, houseNumber: h.number, feeItemId: item.id, reason: `${h.number} ${month} 没有产权登记，无法确定缴费业主` });
          else charges.push({ houseId: h.id, feeItemId: item.id, period: month, dueDate, billTo: 'owner', ownershipId, amountFen: owner.amountFen, basis: owner.basis });
        }
        // The developer pays what the owner does not: the whole month before delivery, the days before it in the
        // delivery month (R28). The complement is taken from the full month so the two always add up to it.
        const developerFen = full.amountFen - owed.amountFen;
        if (developerFen > 0) {
          const days = full.daysInPeriod - owed.days;
          charges.push({
            houseId: h.id, feeItemId: item.id, period: month, dueDate, billTo: 'developer', ownershipId: null, amountFen: developerFen,
            basis: `未交付，由开发商缴纳：${full.basis}${days === full.daysInPeriod ? '' : ` 中交付前 ${days} 天`}`,
          });
        }
      }
    }
  }
  return { period: input.period, billingMonth: true, charges, skips, totalFen: charges.reduce((a, c) => a + c.amountFen, 0) };
}
