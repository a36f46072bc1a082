import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { callProvider, chinaWallClockToIso, type Fetch } from '../provider-support.ts';
import { fenToYuanText, parseYuan } from '../../core/money.ts';
import { GatewayError, type CreateOrderInput } from './gateway.ts';

/** Small helpers the payment adapters share: one HTTP call with the failure mapping, China time, yuan ↔ fen through
 * integers, keys from PEM, and the checks every order and notification goes through. */

export type { Fetch };

export interface HttpAnswer {
  status: number;
  /** The body exactly as received: signatures are over these bytes. */
  bytes: Buffer;
  text: string;
  header: (name: string) => string | undefined;
}

/** One HTTP call. Transport failures and timeouts are retryable (a timeout may come after the provider took the order:
 * the order number is what makes the retry safe); what the answer means is the caller's business. */
export function httpCall(label: string, doFetch: Fetch, url: string, init: RequestInit, timeoutMs = 10_000): Promise<HttpAnswer> {
  return callProvider(label, doFetch, url, init, timeoutMs, async (res) => {
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, bytes, text: bytes.toString('utf8'), header: (name: string) => res.headers.get(name) ?? undefined };
  }, (message, code) => new GatewayError(message, true, code));
}

/** The JSON object in a text, or undefined when it is not one. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return undefined; }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A header of a notification, whatever the case its name arrived in. */
export function headerOf(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted && v !== undefined) return v;
  return undefined;
}

/** A notification's or answer's timestamp (seconds since the epoch) is at most five minutes off our clock: an older
 * one may be a replay of a captured message. */
export function freshTimestamp(seconds: string, now: Date, maxSkewMs = 5 * 60_000): boolean {
  return /^\d{1,12}$/.test(seconds) && Math.abs(now.getTime() - Number(seconds) * 1000) <= maxSkewMs;
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/** "yyyy-MM-dd HH:mm:ss", China wall-clock time (UTC+8, no daylight saving), as Alipay writes times. */
export function chinaTime(d: Date): string {
  return new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** RFC 3339 with the China offset, "2026-10-01T18:30:00+08:00", as WeChat Pay writes times. */
export function chinaRfc3339(d: Date): string {
  return `${new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/** "yyyy-MM-dd HH:mm:ss" in China time → ISO instant, UTC. */
export function chinaTimeToIso(s: string, what: string, code: string): string {
  const iso = chinaWallClockToIso(s);
  if (iso === null) throw new GatewayError(`${what}的时间“${s.slice(0, 40)}”无法识别`, false, code);
  return iso;
}

/** RFC 3339 with an explicit offset ("2026-10-01T18:30:00+08:00") → ISO instant, UTC. */
export function rfc3339ToIso(s: string, what: string, code: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s);
  const t = ok ? Date.parse(s) : NaN;
  if (Number.isNaN(t)) throw new GatewayError(`${what}的时间“${s.slice(0, 40)}”无法识别`, false, code);
  return new Date(t).toISOString();
}

/** Integer fen → the yuan string providers take ("0.01", "1234567.89"). */
export function fenToYuan(amountFen: number): string {
  if (!Number.isSafeInteger(amountFen) || amountFen < 0) throw new GatewayError(`金额必须是非负整数分：${amountFen}`, false, 'BAD_AMOUNT');
  return fenToYuanText(amountFen);
}

/** A provider's yuan string → integer fen, exactly: digits, at most two decimals, no sign, no separators, no
 * exponent. Anything else ("1.001", "-1", "1e3", "¥1") is refused rather than rounded. */
export function yuanToFen(text: string, what: string): number {
  const amount = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/.test(text) ? parseYuan(text) : null;
  if (amount === null) throw new GatewayError(`${what}的金额“${text.slice(0, 20)}”不是有效的元金额`, false, 'BAD_AMOUNT');
  return amount;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_-]{6,32}$/;

export function checkOutTradeNo(outTradeNo: string, label: string): void {
  if (!OUT_TRADE_NO.test(outTradeNo)) throw new GatewayError(`${label}：商户订单号须为 6–32 位字母、数字、下划线或短横线`, false, 'BAD_ORDER');
}

/** The checks every new order goes through before it reaches a provider; returns the expiry as a Date. */
export function checkOrderInput(input: CreateOrderInput, now: Date, label: string): { expiresAt: Date } {
  checkOutTradeNo(input.outTradeNo, label);
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) {
    throw new GatewayError(`${label}：订单金额必须是正整数分`, false, 'BAD_ORDER');
  }
  const bytes = Buffer.byteLength(input.description, 'utf8');
  if (bytes === 0 || bytes > 127) throw new GatewayError(`${label}：商品描述须为 1–127 字节（现为 ${bytes} 字节）`, false, 'BAD_ORDER');
  const expires = Date.parse(input.expiresAt);
  if (Number.isNaN(expires)) throw new GatewayError(`${label}：订单失效时间无法识别`, false, 'BAD_ORDER');
  if (expires <= now.getTime()) throw new GatewayError(`${label}：订单失效时间已过`, false, 'BAD_ORDER');
  return { expiresAt: new Date(expires) };
}

/** Keys come as PEM, possibly with "\n" written out (from an environment variable), or as the bare base64 that the
 * Alipay console shows. */
function pemCandidates(text: string, labels: string[]): string[] {
  const t = text.trim().replace(/\\n/g, '\n');
  if (t.includes('-----BEGIN')) return [t];
  const b64 = t.replace(/\s+/g, '');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return labels.map((l) => `-----BEGIN ${l}-----\n${lines.join('\n')}\n-----END ${l}-----\n`);
}

function rsa2048(key: KeyObject): KeyObject | undefined {
  return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? key : undefined;
}

/** An RSA private key of at least 2048 bits (PKCS#8 or PKCS#1). The error names the setting, never its content. */
export function rsaPrivateKey(pem: string, label: string, what: string): KeyObject {
  for (const candidate of pemCandidates(pem, ['PRIVATE KEY', 'RSA PRIVATE KEY'])) {
    try {
      const key = rsa2048(createPrivateKey(candidate));
      if (key) return key;
    } catch { /* try the next form */ }
  }
  throw new GatewayError(`${label}配置的${what}无法读取（需要 2048 位及以上的 RSA 私钥，PEM 格式）`, false, 'BAD_CONFIG');
}

/** An RSA public key of at least 2048 bits, from a public-key PEM, a certificate PEM or bare base64. */
export function rsaPublicKey(pem: string, label: string, what: string): KeyObject {
  for (const candidate of pemCandidates(pem, ['PUBLIC KEY', 'RSA PUBLIC KEY'])) {
    try {
      const key = rsa2048(candidate.includes('CERTIFICATE') ? new X509Certificate(candidate).publicKey : createPublicKey(candidate));
      if (key) return key;
    } catch { /* try the next form */ }
  }
  throw new GatewayError(`${label}配置的${what}无法读取（需要 2048 位及以上的 RSA 公钥或证书，PEM 格式）`, false, 'BAD_CONFIG');
}

/** A configuration value that must be present. */
export function required(value: string | undefined, label: string, what: string): string {
  if (!value || !value.trim()) throw new GatewayError(`${label}未配置${what}`, false, 'BAD_CONFIG');
  return value;
}
