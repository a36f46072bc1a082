import type { ContactKind } from './vocabulary.ts';

/** 13812345678 → 138****5678 */
export function maskMobile(v: string): string {
  return v.length >= 11 ? `${v.slice(0, 3)}****${v.slice(-4)}` : '****';
}

/** 021-12345678 → 021-****5678 */
export function maskLandline(v: string): string {
  const [area, num = '', ext] = v.split('-');
  return `${area ?? ''}-****${num.slice(-4)}${ext ? `-${ext}` : ''}`;
}

/** zhang.san@example.com → z***@example.com */
export function maskEmail(v: string): string {
  const at = v.indexOf('@');
  return at > 0 ? `${v.slice(0, 1)}***${v.slice(at)}` : '***';
}

/** Keep the first 6 characters of an address (city/district), hide the rest. */
export function maskAddress(v: string): string {
  return v.length <= 6 ? '******' : `${v.slice(0, 6)}******`;
}

export function maskWechat(v: string): string {
  return v.length <= 2 ? '***' : `${v.slice(0, 2)}***${v.slice(-1)}`;
}

export function maskContact(kind: ContactKind, value: string): string {
  switch (kind) {
    case '手机': return maskMobile(value);
    case '固话': return maskLandline(value);
    case '邮箱': return maskEmail(value);
    case '微信': return maskWechat(value);
    case '送达地址': return maskAddress(value);
  }
}

/** Last four digits used for "search by the last 4 digits of a phone". */
export function phoneLast4(kind: ContactKind, value: string): string | null {
  if (kind !== '手机' && kind !== '固话') return null;
  const digits = value.split('-').slice(0, 2).join('').replace(/\D/g, '');
  return digits.length >= 4 ? digits.slice(-4) : null;
}
