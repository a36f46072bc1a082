import { AppError, fieldError, type FieldIssue } from '../errors.ts';
import { isLocalDate, periodsOverlap } from '../dates.ts';
import { FORBIDDEN_CONTACT_HINTS, type ContactKind } from './vocabulary.ts';

/** Mainland mobile numbers: 11 digits starting 1[3-9]; an optional +86/86 prefix and spaces or dashes are tolerated. */
export function normalizeMobile(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** Landlines: area code 0xx or 0xxx, then 7–8 digits, optional extension: 021-12345678, 0571-8765432-123. */
export function normalizeLandline(text: string): string | null {
  const t = text.replace(/\s/g, '').replace(/[（(]/g, '').replace(/[)）]/g, '-');
  const m = /^(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?$/.exec(t);
  if (!m) return null;
  return `${m[1]}-${m[2]}${m[3] ? `-${m[3]}` : ''}`;
}

export function normalizeEmail(text: string): string | null {
  const t = text.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t) && t.length <= 254 ? t : null;
}

/** Validate and normalise a contact value of a kind; throws a field error in Chinese. */
export function normalizeContact(kind: ContactKind, value: string, field = 'value'): string {
  const trimmed = value.trim();
  if (!trimmed) throw fieldError(field, 'VALIDATION_FAILED', '不能为空');
  switch (kind) {
    case '手机': {
      const v = normalizeMobile(trimmed);
      if (!v) throw fieldError(field, 'MOBILE_MALFORMED');
      return v;
    }
    case '固话': {
      const v = normalizeLandline(trimmed);
      if (!v) throw fieldError(field, 'LANDLINE_MALFORMED');
      return v;
    }
    case '邮箱': {
      const v = normalizeEmail(trimmed);
      if (!v) throw fieldError(field, 'EMAIL_MALFORMED');
      return v;
    }
    case '微信':
      if (!/^[A-Za-z][-_A-Za-z0-9]{5,19}$/.test(trimmed) && normalizeMobile(trimmed) === null) {
        throw fieldError(field, 'VALIDATION_FAILED', '微信号应为 6–20 位字母、数字、下划线或减号，以字母开头，或为手机号');
      }
      return trimmed;
    case '送达地址':
      if (trimmed.length < 6) throw fieldError(field, 'VALIDATION_FAILED', '送达地址过短');
      return trimmed;
  }
}

/** Refuse notes and labels that would record a third party (employer, relatives, friends): R35, R49. */
export function assertNoThirdPartyContact(label: string | null | undefined, field = 'note'): void {
  if (!label) return;
  const hit = FORBIDDEN_CONTACT_HINTS.find((w) => label.includes(w));
  if (hit) throw fieldError(field, 'FORBIDDEN_CONTACT_KIND', `含“${hit}”`);
}

/** Area in m² with at most 2 decimals → integer hundredths of m². */
export function parseArea(input: string | number, field = 'area'): number {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) {
    if (/^-/.test(text)) throw fieldError(field, 'AREA_NOT_POSITIVE');
    throw fieldError(field, 'VALIDATION_FAILED', '应为数字');
  }
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 2) throw fieldError(field, 'AREA_TOO_PRECISE');
  const v = Number(m[1]) * 100 + Number(frac.padEnd(2, '0'));
  if (v <= 0) throw fieldError(field, 'AREA_NOT_POSITIVE');
  if (v > 10_000_000_00) throw fieldError(field, 'VALIDATION_FAILED', '面积过大');
  return v;
}

/** Integer hundredths of m² → "89.50". */
export function formatArea(areaX100: number): string {
  return `${Math.trunc(areaX100 / 100)}.${String(areaX100 % 100).padStart(2, '0')}`;
}

export function assertDate(text: string | null | undefined, field: string): void {
  if (text == null) return;
  if (!isLocalDate(text)) throw fieldError(field, 'DATE_MALFORMED');
}

export function assertRange(from: string, to: string | null | undefined, field = 'to'): void {
  if (to != null && to < from) throw fieldError(field, 'DATE_RANGE_INVALID');
}

/** A house number such as 3-2-1201 or A座1201 or 商铺-05: 1–32 characters, no spaces. */
export function assertHouseNumber(text: string, field = 'number'): string {
  const t = text.trim();
  if (!/^[^\s]{1,32}$/.test(t)) throw fieldError(field, 'VALIDATION_FAILED', '房号应为 1–32 个字符，不含空格');
  return t;
}

/** Ownership periods of one house must not overlap; returns the first clash. */
export function findOverlap<T extends { from: string; to: string | null }>(candidate: { from: string; to: string | null }, existing: T[]): T | undefined {
  return existing.find((p) => periodsOverlap(candidate, p));
}

/** A value from a closed vocabulary, or a field error listing the allowed values. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw fieldError(field, 'VALIDATION_FAILED', `可选值：${allowed.join('、')}`);
  return value as T;
}

/** Trimmed, non-empty text of at most `max` characters. */
export function requireText(value: string | undefined | null, field: string, max = 200): string {
  const t = (value ?? '').trim();
  if (!t) throw fieldError(field, 'VALIDATION_FAILED', '不能为空');
  if (t.length > max) throw fieldError(field, 'VALIDATION_FAILED', `不能超过 ${max} 个字符`);
  return t;
}

/** An optional text: null when blank, else trimmed and at most `max` characters. */
export function optionalText(value: string | undefined | null, field: string, max = 200): string | null {
  return (value ?? '').trim() ? requireText(value, field, max) : null;
}

export function collect(issues: FieldIssue[]): void {
  const first = issues[0];
  if (first) throw new AppError(first.code, issues.map((i) => i.message).join('；'), issues);
}
