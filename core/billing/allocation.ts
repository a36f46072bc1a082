import { splitProportionally } from './rounding.ts';

/**
 * Payment allocation (legal R18; 民法典 560 and 561).
 *
 * A debt is one charge: house × item × period, with three components. The order, unless the parties agreed otherwise:
 * - the owner may designate the debts a payment is for; it then goes to those debts only, and what is left over goes
 *   to the house's prepaid account (it is never applied silently to debts the owner did not name);
 * - otherwise debts already due come before debts not yet due, and among them the earliest due first (560); debts due
 *   on the same day share the payment in proportion to what is owed on each (560, last sentence), the rounding
 *   remainder going to the largest remainders, ties to the earliest listed;
 * - within one debt: costs of enforcing it, then interest (the late-payment penalty), then principal (561). A contract
 *   may agree "principal first" instead.
 */
export interface Debt {
  id: string | number;
  dueDate: string;
  costFen: number;
  lateFeeFen: number;
  principalFen: number;
}

export type Component = 'cost' | 'late_fee' | 'principal';
export type ComponentOrder = 'law_561' | 'principal_first';

export interface Allocation {
  debtId: string | number;
  component: Component;
  amountFen: number;
}

export interface AllocationResult {
  allocations: Allocation[];
  /** What no debt took: credited to the prepaid account. */
  leftoverFen: number;
}

const ORDERS: Record<ComponentOrder, Component[]> = {
  law_561: ['cost', 'late_fee', 'principal'],
  principal_first: ['principal', 'cost', 'late_fee'],
};

function owed(d: Debt): number {
  return d.costFen + d.lateFeeFen + d.principalFen;
}

function payDebt(d: Debt, amount: number, order: ComponentOrder, out: Allocation[]): number {
  let left = amount;
  for (const c of ORDERS[order]) {
    const due = c === 'cost' ? d.costFen : c === 'late_fee' ? d.lateFeeFen : d.principalFen;
    const take = Math.min(due, left);
    if (take > 0) out.push({ debtId: d.id, component: c, amountFen: take });
    left -= take;
  }
  return amount - left;
}

export function allocate(input: {
  amountFen: number;
  debts: readonly Debt[];
  asOf: string;
  designated?: ReadonlyArray<string | number>;
  order?: ComponentOrder;
}): AllocationResult {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new RangeError('付款金额必须为正整数分');
  const order = input.order ?? 'law_561';
  const open = input.debts.filter((d) => owed(d) > 0);
  const chosen = input.designated ? open.filter((d) => input.designated!.includes(d.id)) : open;
  // Due (due date on or before asOf) first, then by due date; a stable sort keeps the caller's order for ties.
  const sorted = [...chosen].sort((a, b) => Number(a.dueDate > input.asOf) - Number(b.dueDate > input.asOf) || a.dueDate.localeCompare(b.dueDate));
  const allocations: Allocation[] = [];
  let left = input.amountFen;
  for (let i = 0; i < sorted.length && left > 0;) {
    const group: Debt[] = [];
    const due = sorted[i]!.dueDate;
    while (i < sorted.length && sorted[i]!.dueDate === due) group.push(sorted[i++]!);
    const total = group.reduce((a, d) => a + owed(d), 0);
    if (left >= total) {
      for (const d of group) left -= payDebt(d, owed(d), order, allocations);
    } else {
      const shares = splitProportionally(left, group.map(owed));
      group.forEach((d, k) => { left -= payDebt(d, shares[k] ?? 0, order, allocations); });
    }
  }
  return { allocations, leftoverFen: left };
}
