import { callProvider, chinaWallClockToIso, sameSecret, type Fetch } from '../provider-support.ts';
import { normalizeMobile } from '../../core/registry/validate.ts';
import { ChannelError, type CallbackRequest } from './channel.ts';

/** Small helpers the adapters share: one HTTP call with the failure mapping, secrets compared in constant time, China time. */

export type { Fetch };

export interface HttpAnswer { status: number; text: string; json: unknown }

/** One HTTP call that must answer JSON. Transport failures and unreadable 5xx answers are retryable; an unreadable
 * 4xx answer is not (retrying the same request cannot help). */
export async function httpJson(label: string, doFetch: Fetch, url: string, init: RequestInit, timeoutMs = 10_000): Promise<HttpAnswer> {
  const { status, text } = await callProvider(label, doFetch, url, init, timeoutMs, async (res) => ({ status: res.status, text: await res.text() }),
    (message, code) => new ChannelError(message, true, code));
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  if (json === undefined || json === null || typeof json !== 'object') {
    throw new ChannelError(`${label}接口返回了无法识别的应答（HTTP ${status}）：${text.slice(0, 200)}`, status >= 500 || status === 429, `HTTP_${status}`);
  }
  return { status, text, json };
}

/** For pushes that carry no signature of their own (Aliyun, Tencent SMS reports): the callback URL registered with the
 * provider carries `?token=<shared secret>`, and a request without it is refused. This only proves the caller knew the
 * URL, so the URL must be HTTPS and kept out of logs. */
export function requireUrlToken(req: CallbackRequest, token: string, label: string): void {
  if (!sameSecret(req.query.token ?? '', token)) throw new ChannelError(`${label}回执的令牌不正确，已拒绝`, false, 'BAD_SIGNATURE');
}

/** Looks up our template kind in a provider mapping; an unmapped kind is a configuration error, not worth a retry. */
export function mappedTemplate<T>(map: Record<string, T>, template: string, kindLabel: string, providerLabel: string): T {
  const found = Object.hasOwn(map, template) ? map[template] : undefined;
  if (found === undefined) throw new ChannelError(`${kindLabel}“${template}”未在${providerLabel}登记模板编号`, false, 'TEMPLATE_NOT_MAPPED');
  return found;
}

/** Mainland mobile numbers only (the registry's own check): both SMS providers are configured for domestic templates.
 * The number itself stays out of the message, which is stored. */
export function mainlandMobile(to: string): string {
  const mobile = normalizeMobile(to);
  if (mobile === null) throw new ChannelError('收件号码不是 11 位大陆手机号', false, 'BAD_NUMBER');
  return mobile;
}

/** "yyyy-MM-dd HH:mm:ss" in China time (UTC+8, no daylight saving) → ISO instant in UTC. */
export function chinaTimeToIso(s: string, label: string): string {
  const iso = chinaWallClockToIso(s);
  if (iso === null) throw new ChannelError(`${label}回执的时间“${s}”无法识别`, false, 'BAD_CALLBACK');
  return iso;
}

/** The JSON array body both SMS providers push. */
export function jsonArrayBody(body: string, label: string): Array<Record<string, unknown>> {
  let parsed: unknown;
  try { parsed = JSON.parse(body); } catch { parsed = undefined; }
  if (!Array.isArray(parsed) || !parsed.every((x) => x !== null && typeof x === 'object')) {
    throw new ChannelError(`${label}回执不是 JSON 数组`, false, 'BAD_CALLBACK');
  }
  return parsed as Array<Record<string, unknown>>;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
