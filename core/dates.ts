/** Calendar dates are 'YYYY-MM-DD' strings with no time zone; instants are UTC; the clock is passed in. */
export type LocalDate = string & { readonly __localDate: unique symbol };

export interface Clock {
  /** The current instant. */
  now(): Date;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(text: string): text is LocalDate {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar date of an instant in a time zone (IANA name, default Asia/Shanghai). */
export function localDateOf(instant: Date, timeZone = 'Asia/Shanghai'): LocalDate {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
  return parts as LocalDate;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Two half-open-at-infinity periods [from, to] (to inclusive, null = open) overlap. */
export function periodsOverlap(a: { from: string; to: string | null }, b: { from: string; to: string | null }): boolean {
  const aEnd = a.to ?? '9999-12-31';
  const bEnd = b.to ?? '9999-12-31';
  return a.from <= bEnd && b.from <= aEnd;
}

/** ISO weekday of a calendar date (1 = Monday … 7 = Sunday). */
export function isoWeekday(date: string): number {
  return ((new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10))).getUTCDay() + 6) % 7) + 1;
}

/** The Monday of the Monday–Sunday week a calendar date falls in. */
export function mondayOf(date: string): LocalDate {
  const d = new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10) + 1 - isoWeekday(date)));
  return d.toISOString().slice(0, 10) as LocalDate;
}
