import { addDays } from '../billing/periods.ts';
import { isoWeekday } from '../dates.ts';

/**
 * China's statutory holiday calendar (法定休假日) for deadline arithmetic under 民法典203 (R17).
 *
 * Data: the State Council General Office notices on holiday arrangements (国务院办公厅关于 20XX 年部分节假日安排的通知)
 * for the years in HOLIDAY_TABLE. `off` lists the public-holiday runs as announced, [first, last] inclusive; `work`
 * lists the 调休 make-up working days (weekend days declared working days).
 *
 * Choices:
 * - A rest day is a Saturday or Sunday, or a day inside an announced holiday run, unless it is a 调休 working day.
 *   A 调休 day is an ordinary working day (courts and offices are open), so it is NOT a 法定休假日 and a deadline
 *   falling on it stays put.
 * - Years not in the table: weekends only (no public holidays are guessed). Extend the table each November when the
 *   next year's notice is published; HOLIDAY_YEARS tells callers which years are covered.
 */
export const HOLIDAY_TABLE: Readonly<Record<number, { off: ReadonlyArray<readonly [string, string]>; work: readonly string[] }>> = {
  2024: {
    off: [
      ['2024-01-01', '2024-01-01'], // 元旦
      ['2024-02-10', '2024-02-17'], // 春节
      ['2024-04-04', '2024-04-06'], // 清明节
      ['2024-05-01', '2024-05-05'], // 劳动节
      ['2024-06-10', '2024-06-10'], // 端午节
      ['2024-09-15', '2024-09-17'], // 中秋节
      ['2024-10-01', '2024-10-07'], // 国庆节
    ],
    work: ['2024-02-04', '2024-02-18', '2024-04-07', '2024-04-28', '2024-05-11', '2024-09-14', '2024-09-29', '2024-10-12'],
  },
  2025: {
    off: [
      ['2025-01-01', '2025-01-01'], // 元旦
      ['2025-01-28', '2025-02-04'], // 春节（含除夕）
      ['2025-04-04', '2025-04-06'], // 清明节
      ['2025-05-01', '2025-05-05'], // 劳动节
      ['2025-05-31', '2025-06-02'], // 端午节
      ['2025-10-01', '2025-10-08'], // 国庆节、中秋节
    ],
    work: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    off: [
      ['2026-01-01', '2026-01-03'], // 元旦
      ['2026-02-15', '2026-02-23'], // 春节
      ['2026-04-04', '2026-04-06'], // 清明节
      ['2026-05-01', '2026-05-05'], // 劳动节
      ['2026-06-19', '2026-06-21'], // 端午节
      ['2026-09-25', '2026-09-27'], // 中秋节
      ['2026-10-01', '2026-10-07'], // 国庆节
    ],
    work: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};

export const HOLIDAY_YEARS: readonly number[] = Object.keys(HOLIDAY_TABLE).map(Number);

const HOLIDAYS = new Set<string>();
const WORKDAYS = new Set<string>();
for (const { off, work } of Object.values(HOLIDAY_TABLE)) {
  for (const [first, last] of off) for (let d = first; d <= last; d = addDays(d, 1)) HOLIDAYS.add(d);
  for (const d of work) WORKDAYS.add(d);
}


/** A weekend day or a statutory holiday, minus 调休 make-up working days. */
export function isRestDay(date: string): boolean {
  if (WORKDAYS.has(date)) return false;
  return HOLIDAYS.has(date) || isoWeekday(date) >= 6;
}

/** The date itself if it is a working day, else the first working day after it (民法典203). */
export function nextWorkingDayOnOrAfter(date: string): string {
  let d = date;
  while (isRestDay(d)) d = addDays(d, 1);
  return d;
}
