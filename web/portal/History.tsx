import { api, receiptUrl } from './api.ts';
import { Card, ErrorBox, Loading, Money } from './ui.tsx';
import { periodLabel, useLoad } from './util.ts';

/** 缴费记录 with a receipt PDF per payment. */
export default function History({ houseId }: { houseId: number }) {
  const payments = useLoad(() => api.payments(houseId), `payments:${houseId}`);
  if (payments.loading && !payments.data) return <Loading />;
  if (!payments.data) return <ErrorBox error={payments.error} onRetry={payments.reload} />;
  const items = payments.data.items;
  return (
    <div data-testid="history" data-house-id={houseId}>
      {items.length === 0 ? <Card><p className="center muted" data-testid="history-none">暂无缴费记录</p></Card> : null}
      {items.map((p) => (
        <Card key={p.id} testId="history-item"
          title={p.receivedOn}
          extra={<Money fen={p.amountFen} className="strong" testId="history-amount" />}>
          <div data-payment-id={p.id} data-receipt={p.receiptNumber ?? ''}>
            <p className="small muted">{p.channel}{p.receiptNumber ? ` · 收据 ${p.receiptNumber}` : ''}</p>
            <ul className="lines">
              {p.lines.map((l, i) => (
                <li key={i} className="between small"><span>{periodLabel(l.period)} {l.item} · {l.componentLabel}</span><Money fen={l.amountFen} /></li>
              ))}
              {p.prepaidFen > 0 ? <li className="between small"><span>转入预存</span><Money fen={p.prepaidFen} /></li> : null}
            </ul>
            {p.receiptNumber ? (
              <a className="btn secondary block" data-testid="history-receipt" href={receiptUrl(houseId, p.id)} target="_blank" rel="noopener" download>下载收据（PDF）</a>
            ) : null}
          </div>
        </Card>
      ))}
    </div>
  );
}
