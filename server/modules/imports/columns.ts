import { isLocalDate } from '../../../core/dates.ts';
import { AppError } from '../../../core/errors.ts';
import { parseYuan } from '../../../core/money.ts';

/**
 * Column definitions: the one description of an import's columns, from which the template to download is generated
 * (headers, notes, an example row) and by which the uploaded rows are read. They can not drift apart.
 */

export interface Column<V> {
  key: string;
  header: string;
  /** Other headers the same column is known by (older templates, other systems). */
  aliases?: readonly string[];
  required: boolean;
  /** What to write, for the template's notes. */
  note: string;
  example: string;
  /** Read a non-empty cell: the value, or the reason (zh-CN) it is wrong. */
  parse: (text: string) => V | Reason;
}
export class Reason { constructor(readonly text: string) {} }
const bad = (text: string) => new Reason(text);

export type Parsed<C extends Record<string, Column<unknown>>> = { [K in keyof C]: C[K] extends Column<infer V> ? V | null : never };
export interface CellError { column: string; value: string; reason: string }

export const text = (max = 100) => (t: string) => (t.length > max ? bad(`不能超过 ${max} 个字符`) : t);
export const money = (t: string) => {
  const v = parseYuan(t.replace(/[¥￥,，\s元]/g, ''));
  return v === null ? bad('金额应为元，最多两位小数，如 1234.50') : v as number;
};
export const positiveMoney = (t: string) => {
  const v = money(t);
  return v instanceof Reason || v > 0 ? v : bad('金额应大于 0');
};
export const int = (min: number, max: number) => (t: string) => (/^-?\d+$/.test(t) && Number(t) >= min && Number(t) <= max ? Number(t) : bad(`应为 ${min} 到 ${max} 的整数`));

/** Excel serial day numbers (1900 system) and the usual ways of writing a date: 2026-03-15, 2026/3/15, 2026年3月15日, 20260315. */
export function date(t: string): string | Reason {
  if (/^\d{5}(\.\d+)?$/.test(t)) {
    const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(Number(t)) * 86_400_000);
    return d.toISOString().slice(0, 10);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return bad('日期格式应为 YYYY-MM-DD');
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isLocalDate(iso) ? iso : bad('日期不存在');
}
export const period = (t: string) => {
  const m = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(t) ?? /^(\d{4})(\d{2})$/.exec(t);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return bad('账期格式应为 YYYY-MM');
  return `${m[1]}-${m[2]!.padStart(2, '0')}`;
};
export const oneOfWords = <T extends string>(words: readonly T[], synonyms: Record<string, T> = {}) => (t: string) =>
  (words as readonly string[]).includes(t) ? t as T : synonyms[t] ?? bad(`可选值：${words.join('、')}`);

/** The service's own validators throw AppError with a field message: its text as a reason, without the field prefix. */
export const reasonText = (e: AppError): string => (e.details?.[0]?.message ?? e.message).replace(/^[^：]*：输入有误（(.*)）$/, '$1');

/** A validator of the service's own as a column parser: its value, or its AppError as a reason. */
export function reasonOf(fn: () => string): string | Reason {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AppError) return bad(reasonText(e));
    throw e;
  }
}

/** A header as compared: without spaces, a parenthesised unit or note, or the template's required-column star. */
export const normHeader = (h: string) => h.replace(/\s|（.*?）|\(.*?\)|\*/g, '');
/** The names a column is known by: its header and its aliases. */
export const namesOf = (c: Pick<Column<unknown>, 'header' | 'aliases'>) => [c.header, ...(c.aliases ?? [])];

/** Find each column in the header row (by its header or an alias); missing required columns are reported together. */
export function mapHeaders(columns: Record<string, Column<unknown>>, headers: readonly string[]): { index: Record<string, number>; missing: string[] } {
  const index: Record<string, number> = {};
  const missing: string[] = [];
  for (const [key, c] of Object.entries(columns)) {
    const names = namesOf(c).map(normHeader);
    const i = headers.findIndex((h) => names.includes(normHeader(h)));
    if (i >= 0) index[key] = i;
    else if (c.required) missing.push(c.header);
  }
  return { index, missing };
}

/** Read one row by the column definitions: the parsed values, or every cell error of the row. */
export function readRow<C extends Record<string, Column<unknown>>>(columns: C, index: Record<string, number>, values: readonly string[]): { ok: true; value: Parsed<C> } | { ok: false; errors: CellError[] } {
  const out: Record<string, unknown> = {};
  const errors: CellError[] = [];
  for (const [key, c] of Object.entries(columns)) {
    const i = index[key];
    const raw = i === undefined ? '' : (values[i] ?? '').trim();
    if (raw === '') {
      if (c.required) errors.push({ column: c.header, value: '', reason: '必填' });
      out[key] = null;
      continue;
    }
    const v = c.parse(raw);
    if (v instanceof Reason) errors.push({ column: c.header, value: raw, reason: v.text });
    else out[key] = v;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: out as Parsed<C> };
}
