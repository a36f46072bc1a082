import { fieldError } from '../errors.ts';

/**
 * Rates as exact integers with a stated scale:
 * - a unit price in 元/m²/月 with up to 4 decimals → ten-thousandths of a yuan (`priceX10000`): 2.35 → 23500;
 * - a daily late-fee rate such as 0.0003 (万分之三) → parts per million (`ppm`): 300.
 */
export function parseUnitPrice(text: string | number, field = 'unitPrice'): number {
  return parseScaled(text, 4, field, '单价最多 4 位小数');
}

export function parseDailyRatePpm(text: string | number, field = 'dailyRate'): number {
  const v = parseScaled(text, 6, field, '日费率最多 6 位小数（如 0.0003）');
  if (v >= 10_000) throw fieldError(field, 'VALIDATION_FAILED', '日费率达到 1%，法院认定明显过高（R21），不予接受');
  return v;
}

export function formatUnitPrice(priceX10000: number): string {
  // At least two decimals, trailing zeros beyond them dropped: 2.3500 → 2.35, 2.3456 → 2.3456.
  return formatScaled(priceX10000, 4).replace(/(\.\d{2}\d*?)0+$/, '$1');
}

export function formatDailyRate(ppm: number): string {
  return formatScaled(ppm, 6).replace(/0+$/, '').replace(/\.$/, '');
}

function parseScaled(input: string | number, scale: number, field: string, tooPrecise: string): number {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw fieldError(field, 'VALIDATION_FAILED', '应为非负数字');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > scale) throw fieldError(field, 'VALIDATION_FAILED', tooPrecise);
  const v = Number(m[1]) * 10 ** scale + Number(frac.padEnd(scale, '0') || '0');
  if (!Number.isSafeInteger(v)) throw fieldError(field, 'VALIDATION_FAILED', '数值过大');
  return v;
}

function formatScaled(v: number, scale: number): string {
  const d = 10 ** scale;
  return `${Math.trunc(v / d)}.${String(v % d).padStart(scale, '0')}`;
}
