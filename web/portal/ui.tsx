import type { ReactNode } from 'react';
import { formatYuan } from './util.ts';

/** Small shared pieces of the portal's screens (the styles are in index.html). */

export function Loading({ text = '加载中…' }: { text?: string }) {
  return <p className="muted center" role="status" data-testid="loading">{text}</p>;
}

export function ErrorBox({ error, onRetry }: { error: string | null; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div className="alert error" role="alert" data-testid="error">
      <span>{error}</span>
      {onRetry ? <button type="button" className="link" onClick={onRetry}>重试</button> : null}
    </div>
  );
}

export function Notice({ children, kind = 'ok', testId }: { children: ReactNode; kind?: 'ok' | 'info' | 'error'; testId?: string }) {
  return <div className={`alert ${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId}>{children}</div>;
}

export function Money({ fen, className, testId }: { fen: number; className?: string; testId?: string }) {
  return <span className={`money ${className ?? ''}`} data-testid={testId} data-fen={fen}>{formatYuan(fen)}</span>;
}

export function Card({ title, children, extra, testId }: { title?: ReactNode; children: ReactNode; extra?: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      {title ? <h2 className="card-title"><span>{title}</span>{extra}</h2> : null}
      {children}
    </section>
  );
}

/** A label–value row. */
export function Row({ label, children, testId }: { label: ReactNode; children: ReactNode; testId?: string }) {
  return <div className="row" data-testid={testId}><span className="row-label">{label}</span><span className="row-value">{children}</span></div>;
}

export function Badge({ children, tone = 'default' }: { children: ReactNode; tone?: 'default' | 'warn' | 'ok' | 'danger' }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** Tone of a status word the server sends. */
export function statusTone(status: string): 'default' | 'warn' | 'ok' | 'danger' {
  if (/^(approved|resolved|fulfilled|paid|recorded|执行中|已完成)$/.test(status)) return 'ok';
  if (/^(rejected|failed|closed|refused|mismatch|已驳回|已违约)$/.test(status)) return 'danger';
  if (/^(pending|open|待审批)$/.test(status)) return 'warn';
  return 'default';
}
