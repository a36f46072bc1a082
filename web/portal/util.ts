import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';

export { fenToYuanText, formatYuan, parseYuan } from '../../core/money.ts';
export { addDays } from '../../core/billing/periods.ts';

/**
 * Hash routes (`#/bills/12?periods=2026-01`): the server serves one HTML file for /portal/, and a payment provider can
 * return to `/portal/#/orders/<outTradeNo>`.
 */
export interface Route { path: string[]; query: URLSearchParams }

function readHash(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, readHash);
  const [p, q = ''] = hash.split('?');
  return { path: (p ?? '/').split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export function go(to: string): void {
  window.location.hash = to;
}

/** An ISO instant → "YYYY-MM-DD HH:mm" in Beijing time; a plain date stays as it is. */
const instant = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p: Record<string, string> = {};
  for (const part of instant.formatToParts(d)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Today's date in Beijing time, YYYY-MM-DD. */
export function todayInChina(): string {
  return formatTime(new Date().toISOString()).slice(0, 10);
}

/** "2026-03" → "2026年3月"; anything else stays as it is. */
export function periodLabel(p: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(p);
  return m ? `${m[1]}年${Number(m[2])}月` : p;
}

/** What to show for a failed call: the server's Chinese message (PortalError), or the error's own. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface Loaded<T> { data: T | null; error: string | null; loading: boolean; reload: () => void }

/** Load once per key (and again on reload); the answer of a stale key is dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ key: string; data: T | null; error: string | null; loading: boolean }>({ key, data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ key, data: s.key === key ? s.data : null, error: null, loading: true }));
    loadRef.current().then(
      (data) => { if (live) setState({ key, data, error: null, loading: false }); },
      (e: unknown) => { if (live) setState({ key, data: null, error: errorText(e), loading: false }); },
    );
    return () => { live = false; };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === key;
  return { data: current ? state.data : null, error: current ? state.error : null, loading: !current || state.loading, reload };
}
