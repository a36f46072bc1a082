import { daysInMonth, type LocalDate } from '../dates.ts';

/**
 * Billing periods are calendar months 'YYYY-MM'. A billing cycle (month, quarter, half-year, year) groups months into
 * one bill whose first month is an anchor month (e.g. January and July for a half-yearly cycle).
 */
export type Period = string & { readonly __period: unique symbol };

export const CYCLES = ['month', 'quarter', 'half_year', 'year'] as const;
export type Cycle = (typeof CYCLES)[number];
export const CYCLE_MONTHS: Record<Cycle, number> = { month: 1, quarter: 3, half_year: 6, year: 12 };
export const CYCLE_LABELS: Record<Cycle, string> = { month: '按月', quarter: '按季', half_year: '按半年', year: '按年' };

export function isPeriod(text: string): text is Period {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

export function periodOf(date: string): Period {
  return date.slice(0, 7) as Period;
}

export function addMonths(period: string, n: number): Period {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const idx = y * 12 + (m - 1) + n;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}` as Period;
}

export function firstDay(period: string): LocalDate {
  return `${period}-01` as LocalDate;
}

export function lastDay(period: string): LocalDate {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return `${period}-${String(daysInMonth(y, m)).padStart(2, '0')}` as LocalDate;
}

export function daysOfPeriod(period: string): number {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return daysInMonth(y, m);
}

/** Whole days from a to b (b − a); both calendar dates. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.UTC(+b.slice(0, 4), +b.slice(5, 7) - 1, +b.slice(8, 10)) - Date.UTC(+a.slice(0, 4), +a.slice(5, 7) - 1, +a.slice(8, 10))) / 86_400_000);
}

export function addDays(date: string, n: number): LocalDate {
  const t = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) + n * 86_400_000;
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}` as LocalDate;
}

/** The months of the cycle that contains `period`, given the anchor month (1–12) at which cycles start. */
export function cycleMonths(period: string, cycle: Cycle, anchorMonth = 1): Period[] {
  const size = CYCLE_MONTHS[cycle];
  const month = Number(period.slice(5, 7));
  const offset = (((month - anchorMonth) % size) + size) % size;
  const start = addMonths(period, -offset);
  return Array.from({ length: size }, (_, i) => addMonths(start, i));
}

/**
 * The billable days of a month for a house delivered on `deliveryDate` (billing starts on delivery, R28): the whole
 * month if delivered before it, none if delivered after it, and from the delivery day to the month's end otherwise.
 */
export function billableDays(period: string, deliveryDate: string | null): number {
  if (deliveryDate === null) return 0;
  if (deliveryDate <= firstDay(period)) return daysOfPeriod(period);
  if (deliveryDate > lastDay(period)) return 0;
  return daysBetween(deliveryDate, lastDay(period)) + 1;
}

/** Due-date rules: the Nth day of the cycle's first month, or N days after it starts. */
export type DueRule = { kind: 'day_of_first_month'; day: number } | { kind: 'days_after_start'; days: number };

export function dueDateOf(cycleStart: string, rule: DueRule): LocalDate {
  if (rule.kind === 'days_after_start') return addDays(firstDay(cycleStart), rule.days);
  const day = Math.min(rule.day, daysOfPeriod(cycleStart));
  return `${cycleStart}-${String(day).padStart(2, '0')}` as LocalDate;
}
