import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatYuan, parseYuan, toChineseUppercase } from './money.ts';

describe('money', () => {
  it('parses decimal yuan text into integer fen without floats', () => {
    expect(parseYuan('1234.56')).toBe(123456);
    expect(parseYuan('¥1,234.5')).toBe(123450);
    expect(parseYuan('0.1')).toBe(10);
    expect(parseYuan('-3')).toBe(-300);
    expect(parseYuan('1.234')).toBeNull();
    expect(parseYuan('abc')).toBeNull();
  });

  it('formats as users expect: ¥1,234.56', () => {
    expect(formatYuan(123456)).toBe('¥1,234.56');
    expect(formatYuan(5)).toBe('¥0.05');
    expect(formatYuan(-100000000)).toBe('-¥1,000,000.00');
  });

  it('round-trips every amount through format and parse', () => {
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => parseYuan(formatYuan(n)) === n));
  });

  it.each([
    [123456, '壹仟贰佰叁拾肆元伍角陆分'],
    [10000, '壹佰元整'],
    [0, '零元整'],
    [5, '伍分'],
    [50, '伍角整'],
    [100005, '壹仟元零伍分'],
    [1000100, '壹万零壹元整'],
    [10010000, '壹拾万零壹佰元整'],
    [100000000, '壹佰万元整'],
    [1000000000000, '壹佰亿元整'],
    [20030040000, '贰亿零叁拾万零肆佰元整'],
    [310020, '叁仟壹佰元贰角整'],
  ])('大写 of %i fen is %s', (amount, text) => {
    expect(toChineseUppercase(amount)).toBe(text);
  });
});
