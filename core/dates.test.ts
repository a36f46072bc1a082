import { describe, expect, it } from 'vitest';
import { isLocalDate, localDateOf, periodsOverlap } from './dates.ts';

describe('dates', () => {
  it('accepts real calendar dates only', () => {
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate('2023-02-29')).toBe(false);
    expect(isLocalDate('2026-13-01')).toBe(false);
    expect(isLocalDate('2026-1-1')).toBe(false);
  });

  it('gives the Shanghai calendar date of a UTC instant', () => {
    expect(localDateOf(new Date('2026-11-23T16:30:00Z'))).toBe('2026-11-24');
    expect(localDateOf(new Date('2026-11-23T15:59:59Z'))).toBe('2026-11-23');
    expect(localDateOf(new Date('2026-11-23T16:30:00Z'), 'UTC')).toBe('2026-11-23');
  });

  it('detects overlapping ownership periods, open ends included', () => {
    expect(periodsOverlap({ from: '2020-01-01', to: '2022-12-31' }, { from: '2023-01-01', to: null })).toBe(false);
    expect(periodsOverlap({ from: '2020-01-01', to: '2023-01-01' }, { from: '2023-01-01', to: null })).toBe(true);
    expect(periodsOverlap({ from: '2020-01-01', to: null }, { from: '2030-01-01', to: '2031-01-01' })).toBe(true);
  });
});
