import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { assertNoThirdPartyContact, formatArea, normalizeContact, normalizeLandline, normalizeMobile, parseArea } from './validate.ts';
import { maskContact, phoneLast4 } from './mask.ts';

function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return e instanceof AppError ? e.code : 'OTHER'; }
  return undefined;
}

describe('registry validation', () => {
  it('normalises mainland mobile numbers and rejects malformed ones', () => {
    expect(normalizeMobile('+86 138 0013 8000')).toBe('13800138000');
    expect(normalizeMobile('12800138000')).toBeNull();
    expect(normalizeMobile('1380013800')).toBeNull();
    expect(codeOf(() => normalizeContact('手机', '1234'))).toBe('MOBILE_MALFORMED');
  });

  it('normalises landlines', () => {
    expect(normalizeLandline('(021)12345678')).toBe('021-12345678');
    expect(normalizeLandline('0571-8765432-12')).toBe('0571-8765432-12');
    expect(normalizeLandline('12345678')).toBeNull();
  });

  it('parses areas exactly with at most two decimals', () => {
    expect(parseArea('89.5')).toBe(8950);
    expect(parseArea(120.25)).toBe(12025);
    expect(parseArea('100.100')).toBe(10010);
    expect(formatArea(8950)).toBe('89.50');
    expect(codeOf(() => parseArea('0'))).toBe('AREA_NOT_POSITIVE');
    expect(codeOf(() => parseArea('-3'))).toBe('AREA_NOT_POSITIVE');
    expect(codeOf(() => parseArea('89.555'))).toBe('AREA_TOO_PRECISE');
  });

  it('refuses third-party contacts (R35, R49)', () => {
    expect(codeOf(() => assertNoThirdPartyContact('工作单位电话'))).toBe('FORBIDDEN_CONTACT_KIND');
    expect(codeOf(() => assertNoThirdPartyContact('本人常用'))).toBeUndefined();
  });

  it('masks every kind of contact by default (R37)', () => {
    expect(maskContact('手机', '13800138000')).toBe('138****8000');
    expect(maskContact('固话', '021-12345678')).toBe('021-****5678');
    expect(maskContact('邮箱', 'owner@example.com')).toBe('o***@example.com');
    expect(maskContact('送达地址', '上海市浦东新区某路100号')).toBe('上海市浦东新******');
    expect(phoneLast4('手机', '13800138000')).toBe('8000');
    expect(phoneLast4('固话', '021-12345678-9')).toBe('5678');
  });
});
