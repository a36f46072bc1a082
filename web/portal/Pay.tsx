import { useState } from 'react';
import { api, type Provider } from './api.ts';
import { Card, ErrorBox, Loading, Money } from './ui.tsx';
import { errorText, go, periodLabel, useLoad } from './util.ts';

/** 缴费: the periods chosen on the bills, their total, and the payment method; the order goes to the gateway or its screen. */
export default function Pay({ houseId, periods }: { houseId: number; periods: string[] }) {
  const bills = useLoad(() => api.bills(houseId), `bills:${houseId}`);
  const gateways = useLoad(() => api.gateways(), 'gateways');
  const [provider, setProvider] = useState<Provider | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if ((bills.loading && !bills.data) || (gateways.loading && !gateways.data)) return <Loading />;
  if (!bills.data || !gateways.data) return <ErrorBox error={bills.error ?? gateways.error} onRetry={() => { bills.reload(); gateways.reload(); }} />;
  const chosen = bills.data.periods.filter((p) => periods.includes(p.period) && p.owedFen > 0);
  const totalFen = chosen.reduce((s, p) => s + p.owedFen, 0);
  const items = gateways.data.items;
  const current = provider ?? items[0]?.provider ?? null;

  async function pay() {
    if (!current) return;
    setBusy(true);
    setError(null);
    try {
      const order = await api.createOrder(houseId, { periods: chosen.map((p) => p.period), provider: current });
      if (order.payMode === 'redirect' && order.payUrl) {
        window.location.assign(order.payUrl);
        return;
      }
      go(`/orders/${encodeURIComponent(order.outTradeNo)}`);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  return (
    <div data-testid="pay" data-house-id={houseId}>
      <Card title={`${bills.data.label} · 本次缴费`}>
        {chosen.length === 0 ? <p className="muted">没有选择待缴账期，请返回账单选择。</p> : null}
        <ul className="list">
          {chosen.map((p) => (
            <li key={p.period} className="between" data-testid="pay-period" data-period={p.period}><span>{periodLabel(p.period)}{p.overdue ? '（已逾期）' : ''}</span><Money fen={p.owedFen} /></li>
          ))}
        </ul>
        <div className="between total-line"><strong>合计</strong><Money fen={totalFen} className="big danger" testId="pay-total" /></div>
      </Card>
      <Card title="支付方式" testId="pay-gateways">
        {items.length === 0 ? <p className="muted">暂未开通在线支付，请到物业服务中心缴费或银行转账。</p> : null}
        <div className="radios" role="radiogroup" aria-label="支付方式">
          {items.map((g) => (
            <label key={g.provider} className="radio" data-testid="pay-gateway" data-provider={g.provider}>
              <input type="radio" name="gateway" value={g.provider} checked={current === g.provider} onChange={() => setProvider(g.provider)} />
              <span>{g.label}</span>
            </label>
          ))}
        </div>
      </Card>
      <ErrorBox error={error} />
      <button type="button" className="btn primary block" data-testid="pay-submit" disabled={busy || !current || chosen.length === 0} onClick={() => void pay()}>
        {busy ? '正在创建订单…' : <>确认支付 <Money fen={totalFen} /></>}
      </button>
      <button type="button" className="btn ghost block" onClick={() => go(`/bills/${houseId}`)}>返回账单</button>
      <p className="small muted pad">支付成功后自动开具电子收据，可在“缴费记录”中下载。实际金额以订单为准。</p>
    </div>
  );
}
