import { fieldError } from '../errors.ts';

/**
 * 价格管理形式 of a fee item (R24): 政府指导价 (a government base price with a permitted range either side) or
 * 市场调节价 (agreed in the contract). Pure: the range check and the R31 handling-fee rule, no IO.
 */
export const PRICE_FORMS = ['市场调节价', '政府指导价'] as const;
export type PriceForm = (typeof PRICE_FORMS)[number];
export const DEFAULT_PRICE_FORM: PriceForm = '市场调节价';

/**
 * A 浮动幅度 as a percentage text ("20", "12.5", "20%") → basis points (2000, 1250). More than 0 and less than 100%,
 * at most two decimals.
 */
export function parseFloatRangeBp(input: string | number, field = 'guideFloatPct'): number {
  const text = (typeof input === 'number' ? String(input) : input).trim().replace(/^[±+]/, '').replace(/[%％]$/, '').trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw fieldError(field, 'VALIDATION_FAILED', '浮动幅度应为百分比数字，如 20 表示上下浮动 20%');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 2) throw fieldError(field, 'VALIDATION_FAILED', '浮动幅度最多两位小数');
  const bp = Number(m[1]) * 100 + Number(frac.padEnd(2, '0') || '0');
  if (bp <= 0 || bp >= 10_000) throw fieldError(field, 'VALIDATION_FAILED', '浮动幅度应大于 0 且小于 100%');
  return bp;
}

/** Basis points as a ± percentage: 2000 → "±20%", 1250 → "±12.5%". */
export function formatFloatRange(bp: number): string {
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return `±${Math.trunc(bp / 100)}${frac ? `.${frac}` : ''}%`;
}

/**
 * The permitted band of a 政府指导价: base × (1 − range) … base × (1 + range), in the base's own integer unit (price
 * ×10000 or fen). The lower bound is rounded up and the upper one down, so that every integer inside is permitted.
 */
export function guideBand(base: number, rangeBp: number): { min: number; max: number } {
  const lo = base * (10_000 - rangeBp);
  const hi = base * (10_000 + rangeBp);
  return { min: Math.ceil(lo / 10_000), max: Math.floor(hi / 10_000) };
}

/** Whether an actual standard lies within base × (1 ± range), compared exactly in integers (no float rounding). */
export function withinGuide(actual: number, base: number, rangeBp: number): boolean {
  return actual * 10_000 >= base * (10_000 - rangeBp) && actual * 10_000 <= base * (10_000 + rangeBp);
}

/**
 * Refuse a standard outside the band of its 政府指导价 with a field error that names the band. `format` prints an
 * amount of the base's unit (e.g. "2.40 元/m²/月").
 */
export function assertWithinGuide(actual: number, base: number, rangeBp: number, field: string, format: (v: number) => string): void {
  if (withinGuide(actual, base, rangeBp)) return;
  const { min, max } = guideBand(base, rangeBp);
  throw fieldError(field, 'VALIDATION_FAILED',
    `该项目执行政府指导价：基准价 ${format(base)}，浮动幅度 ${formatFloatRange(rangeBp)}，实际收费标准应在 ${format(min)} 至 ${format(max)} 之间（R24），${format(actual)} 超出范围`);
}

export const HANDLING_FEE_WORDS = ['手续费', '代收服务费', '代缴服务费', '代收管理费', '代收费服务费', '代办费'] as const;
const MARKUP = /加收|加价|上浮|溢价|附加|\d+(?:\.\d+)?\s*[%％]|百分之/;

/**
 * R31: money collected on behalf of suppliers (代收, e.g. 公摊水电) is passed on at the supplier's price; no handling fee
 * and no markup may be charged to owners. The rule, in words that can be explained to staff:
 * 1. no fee item of any category may be a handling fee: its name may not contain 手续费, 代收服务费, 代缴服务费, 代收管理费,
 *    代收费服务费 or 代办费;
 * 2. a 代收 item may not announce a surcharge in its name: 加收, 加价, 上浮, 溢价, 附加, or a percentage (10%, 百分之十);
 * 3. a 代收 item may not be configured as 政府指导价 with a 浮动幅度: the band would be room to charge above the
 *    supplier's price; its 收费依据 states the supplier's price instead.
 * Returns the reason (zh-CN, citing R31) and the field it concerns, or null when the item is acceptable.
 */
export function handlingFeeProblem(item: { name: string; category: string; priceForm?: string | null | undefined }): { field: string; reason: string } | null {
  const word = HANDLING_FEE_WORDS.find((w) => item.name.includes(w));
  if (word) return { field: 'name', reason: `不得设立手续费类收费项目，代收代缴不得向业主收取手续费（R31）：名称含“${word}”` };
  if (item.category !== '代收') return null;
  const markup = MARKUP.exec(item.name);
  if (markup) return { field: 'name', reason: `代收费用按供应单位的价格原价收取，不得加价（R31）：名称含“${markup[0]}”` };
  if (item.priceForm === '政府指导价') {
    return { field: 'priceForm', reason: '代收费用按供应单位的价格原价收取（R31），不设基准价和浮动幅度；请选择“市场调节价”，并在收费依据中写明供应单位的价格文件' };
  }
  return null;
}
