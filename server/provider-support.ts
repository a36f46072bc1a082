import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * What the message channels (server/channels) and the payment gateways (server/payments) both need from a provider:
 * one HTTP call with its transport failures told apart, secrets compared in constant time, China wall-clock times.
 * Each side turns a failure into its own error class (ChannelError, GatewayError).
 */

export type Fetch = typeof fetch;

/** One HTTP call with a timeout, its answer read by `read`. A timeout or a connection failure (sending or reading) is
 * reported through `fail`; both are worth a retry (a timeout may come after the provider took the request, so each
 * side's request carries its own reference). */
export async function callProvider<T>(label: string, doFetch: Fetch, url: string, init: RequestInit, timeoutMs: number,
  read: (res: Response) => Promise<T>, fail: (message: string, code: 'TIMEOUT' | 'NETWORK') => Error): Promise<T> {
  try {
    return await read(await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }));
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    if (timedOut) throw fail(`${label}接口超时（${timeoutMs} 毫秒未应答）`, 'TIMEOUT');
    const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw fail(`无法连接${label}接口：${cause}`, 'NETWORK');
  }
}

/** Compares two secrets without leaking, through timing, how much of a guess was right. An empty expected value
 * matches nothing, so a forgotten setting refuses everything instead of accepting all. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return expected !== '' && timingSafeEqual(digest(given), digest(expected));
}

/** "yyyy-MM-dd HH:mm:ss" in China time (UTC+8, no daylight saving) → ISO instant in UTC, or null when unreadable. */
export function chinaWallClockToIso(s: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(s);
  const t = m ? Date.parse(`${m[1]}T${m[2]}+08:00`) : NaN;
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
