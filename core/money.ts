/**
 * Money is an integer number of fen (分). Never a float: every amount that enters the system is parsed from its
 * decimal text, and every amount that leaves it is formatted from the integer.
 */
export type Fen = number & { readonly __fen: unique symbol };

export function fen(n: number): Fen {
  if (!Number.isSafeInteger(n)) throw new RangeError(`金额必须是整数分: ${n}`);
  return n as Fen;
}

/** Parse "1234.5", "1,234.56", "¥12" into fen. Returns null if the text is not an amount with at most 2 decimals. */
export function parseYuan(text: string): Fen | null {
  const t = text.trim().replace(/,/g, '');
  const m = /^(-)?[¥￥]?(\d+)(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const whole = Number(m[2]);
  const frac = Number((m[3] ?? '').padEnd(2, '0'));
  const v = whole * 100 + frac;
  if (!Number.isSafeInteger(v)) return null;
  return fen(m[1] ? -v : v);
}

/** 1234.56 from 123456 fen: two decimals, no symbol, no separators (a form field, a CSV cell, a yuan amount to parse back). */
export function fenToYuanText(amount: Fen | number): string {
  const abs = Math.abs(amount);
  return `${amount < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** ¥1,234.56 (negative: -¥1,234.56). */
export function formatYuan(amount: Fen | number, symbol = '¥'): string {
  const neg = amount < 0;
  const abs = Math.abs(amount);
  const yuan = Math.trunc(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100).toString().padStart(2, '0');
  return `${neg ? '-' : ''}${symbol}${yuan}.${cents}`;
}

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const SMALL_UNITS = ['', '拾', '佰', '仟'];
const BIG_UNITS = ['', '万', '亿', '万亿'];

/** Amount in Chinese financial capitals (大写), e.g. 1234.56 → 壹仟贰佰叁拾肆元伍角陆分; 100 → 壹佰元整. */
export function toChineseUppercase(amount: Fen | number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError('金额必须是整数分');
  if (amount < 0) return `负${toChineseUppercase(0 - amount)}`;
  const yuan = Math.trunc(amount / 100);
  const jiao = Math.trunc(amount / 10) % 10;
  const cent = amount % 10;
  let out = '';
  if (yuan > 0) {
    const groups: number[] = [];
    for (let y = yuan; y > 0; y = Math.trunc(y / 10000)) groups.push(y % 10000);
    let needZero = false;
    for (let g = groups.length - 1; g >= 0; g--) {
      const group = groups[g] ?? 0;
      if (group === 0) { needZero = out !== ''; continue; }
      if (needZero || (out !== '' && group < 1000)) out += '零';
      needZero = false;
      let zeroRun = false;
      for (let i = 3; i >= 0; i--) {
        const d = Math.trunc(group / 10 ** i) % 10;
        if (d === 0) { zeroRun = out !== '' && group % 10 ** i !== 0 && group >= 10 ** i; continue; }
        if (zeroRun) out += '零';
        zeroRun = false;
        out += (DIGITS[d] ?? '') + (SMALL_UNITS[i] ?? '');
      }
      out += BIG_UNITS[g] ?? '';
    }
    out += '元';
  }
  if (jiao === 0 && cent === 0) return (out || '零元') + '整';
  if (jiao > 0) out += `${DIGITS[jiao] ?? ''}角`;
  else if (yuan > 0) out += '零';
  if (cent > 0) out += `${DIGITS[cent] ?? ''}分`;
  else out += '整';
  return out;
}

/** A rate in basis points as a percentage without trailing zeros: 500 → "5%", 250 → "2.5%", 9523 → "95.23%". */
export function formatPercentBp(bp: number): string {
  const whole = Math.trunc(bp / 100);
  const frac = String(Math.abs(bp % 100)).padStart(2, '0').replace(/0+$/, '');
  return `${bp < 0 && whole === 0 ? '-' : ''}${whole}${frac ? `.${frac}` : ''}%`;
}

/** "5" or "2.5" (per cent, up to 2 decimals, 0 < p < 100) → basis points; null when it is not such a number. */
export function parsePercentBp(text: string): number | null {
  const m = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp > 0 && bp < 10_000 ? bp : null;
}
