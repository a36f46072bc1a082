import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import { assertWithinGuide, formatFloatRange, guideBand, handlingFeeProblem, parseFloatRangeBp, withinGuide } from './price-form.ts';
import { formatUnitPrice } from './rates.ts';

const message = (f: () => unknown): string => {
  try { f(); } catch (e) { return e instanceof AppError ? e.message : String(e); }
  return 'did not fail';
};

describe('政府指导价 range (R24)', () => {
  it('parses a 浮动幅度 in percent into basis points', () => {
    expect(parseFloatRangeBp('20')).toBe(2000);
    expect(parseFloatRangeBp('±20%')).toBe(2000);
    expect(parseFloatRangeBp(' 12.5 ')).toBe(1250);
    expect(parseFloatRangeBp('0.05')).toBe(5);
    expect(message(() => parseFloatRangeBp('0'))).toMatch(/大于 0 且小于 100%/);
    expect(message(() => parseFloatRangeBp('100'))).toMatch(/大于 0 且小于 100%/);
    expect(message(() => parseFloatRangeBp('12.345'))).toMatch(/两位小数/);
    expect(message(() => parseFloatRangeBp('二十'))).toMatch(/浮动幅度/);
  });

  it('formats basis points as ± percent', () => {
    expect(formatFloatRange(2000)).toBe('±20%');
    expect(formatFloatRange(1250)).toBe('±12.5%');
    expect(formatFloatRange(5)).toBe('±0.05%');
  });

  it('accepts exactly base × (1 ± range), bounds included', () => {
    // 2.00 元/m²/月 ± 20% → 1.60 … 2.40
    expect(guideBand(20000, 2000)).toEqual({ min: 16000, max: 24000 });
    expect(withinGuide(24000, 20000, 2000)).toBe(true);
    expect(withinGuide(16000, 20000, 2000)).toBe(true);
    expect(withinGuide(24001, 20000, 2000)).toBe(false);
    expect(withinGuide(15999, 20000, 2000)).toBe(false);
    // A band that does not fall on whole units: 1.2345 ± 15% = 1.049325 … 1.419675 → 1.0494 … 1.4196
    expect(guideBand(12345, 1500)).toEqual({ min: 10494, max: 14196 });
    expect(withinGuide(10493, 12345, 1500)).toBe(false);
    expect(withinGuide(14197, 12345, 1500)).toBe(false);
  });

  it('agrees with the band for any base, range and actual value', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 9_999 }), fc.integer({ min: 0, max: 20_000_000 }), (base, bp, actual) => {
      const { min, max } = guideBand(base, bp);
      expect(withinGuide(actual, base, bp)).toBe(actual >= min && actual <= max);
    }));
  });

  it('refuses a standard outside the band with a Chinese field error naming the band', () => {
    const fmt = (v: number) => `${formatUnitPrice(v)} 元/m²/月`;
    expect(() => assertWithinGuide(22000, 20000, 2000, 'unitPrice', fmt)).not.toThrow();
    let err: unknown;
    try { assertWithinGuide(25000, 20000, 2000, 'unitPrice', fmt); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.details?.[0]?.field).toBe('unitPrice');
    expect(e.message).toContain('基准价 2.00 元/m²/月，浮动幅度 ±20%，实际收费标准应在 1.60 元/m²/月 至 2.40 元/m²/月 之间（R24）');
  });
});

describe('no handling fee on 代收 (R31)', () => {
  it('refuses handling fees by name in any category', () => {
    expect(handlingFeeProblem({ name: '水电代收手续费', category: '代收' })?.reason).toMatch(/手续费.*R31/);
    expect(handlingFeeProblem({ name: '代收服务费', category: '其他' })).toMatchObject({ field: 'name' });
    expect(handlingFeeProblem({ name: '银行手续费', category: '其他' })?.reason).toContain('R31');
    expect(handlingFeeProblem({ name: '燃气代办费', category: '其他' })?.reason).toContain('代办费');
  });

  it('refuses a 代收 item that announces a markup, and one with a 浮动幅度', () => {
    expect(handlingFeeProblem({ name: '公摊电费（加收10%）', category: '代收' })?.reason).toMatch(/不得加价（R31）/);
    expect(handlingFeeProblem({ name: '公摊水费上浮', category: '代收' })?.reason).toContain('上浮');
    expect(handlingFeeProblem({ name: '二次供水 5%', category: '代收' })?.reason).toContain('5%');
    expect(handlingFeeProblem({ name: '公摊电费', category: '代收', priceForm: '政府指导价' })).toMatchObject({ field: 'priceForm' });
  });

  it('accepts plain 代收 items and ordinary fees', () => {
    expect(handlingFeeProblem({ name: '公摊水电', category: '代收' })).toBeNull();
    expect(handlingFeeProblem({ name: '公摊水电', category: '代收', priceForm: '市场调节价' })).toBeNull();
    expect(handlingFeeProblem({ name: '物业服务费', category: '物业服务费', priceForm: '政府指导价' })).toBeNull();
    // A percentage in a non-代收 name is not a handling fee (e.g. a discount note).
    expect(handlingFeeProblem({ name: '车位管理费（九折）', category: '车位管理费' })).toBeNull();
  });
});
