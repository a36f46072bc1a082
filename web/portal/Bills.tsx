import { useState } from 'react';
import { api, type BillPeriod } from './api.ts';
import { Badge, Card, ErrorBox, Loading, Money, Row } from './ui.tsx';
import { go, periodLabel, useLoad } from './util.ts';

function PeriodCard({ p, checked, onToggle }: { p: BillPeriod; checked: boolean; onToggle: () => void }) {
  const payable = p.owedFen > 0;
  return (
    <section className={`card period${checked ? ' picked' : ''}`} data-testid="bill-period" data-period={p.period} data-owed={p.owedFen}>
      <label className="period-head">
        <input type="checkbox" data-testid="bill-period-check" checked={checked} disabled={!payable} onChange={onToggle} />
        <span className="period-name">
          <strong>{periodLabel(p.period)}</strong>
          <span className="small muted">缴费截止 {p.dueDate}</span>
        </span>
        <span className="period-owed">
          {p.overdue ? <Badge tone="danger">已逾期</Badge> : payable ? <Badge tone="warn">待缴</Badge> : <Badge tone="ok">已缴清</Badge>}
          <Money fen={p.owedFen} testId="bill-period-owed" />
        </span>
      </label>
      <ul className="lines">
        {p.lines.map((l) => (
          <li key={l.chargeId} data-testid="bill-line" data-charge-id={l.chargeId}>
            <div className="between"><span>{l.item}</span><Money fen={l.amountFen} /></div>
            {l.principalPaidFen > 0 ? <div className="between small muted"><span>已缴</span><Money fen={-l.principalPaidFen} /></div> : null}
            {l.lateFeeFen > 0 || l.lateFeeOwedFen > 0 ? (
              <div className="latefee" data-testid="bill-late-fee">
                <div className="between small"><span>违约金</span><Money fen={l.lateFeeOwedFen} testId="bill-late-fee-owed" /></div>
                {l.lateFeeBasis ? <p className="small muted basis" data-testid="bill-late-fee-basis">计算方式：{l.lateFeeBasis}</p> : null}
              </div>
            ) : null}
            <div className="between small"><span className="muted">本项待缴</span><Money fen={l.principalOwedFen + l.lateFeeOwedFen} /></div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** 账单: what this house owes, period by period (oldest first), and which periods to pay now. */
export function BillsScreen({ houseId }: { houseId: number }) {
  const bills = useLoad(() => api.bills(houseId), `bills:${houseId}`);
  /** Periods the owner unticked: by default every period that owes something is ticked (overdue and due). */
  const [unpicked, setUnpicked] = useState<ReadonlySet<string>>(new Set());
  if (bills.loading && !bills.data) return <Loading />;
  if (!bills.data) return <ErrorBox error={bills.error} onRetry={bills.reload} />;
  const b = bills.data;
  const payable = b.periods.filter((p) => p.owedFen > 0);
  const picked = payable.filter((p) => !unpicked.has(p.period));
  const pickedFen = picked.reduce((s, p) => s + p.owedFen, 0);
  const toggle = (period: string) => setUnpicked((prev) => {
    const next = new Set(prev);
    if (next.has(period)) next.delete(period); else next.add(period);
    return next;
  });
  const allPicked = picked.length === payable.length;

  return (
    <div className="with-paybar" data-testid="bills" data-house-id={houseId}>
      <Card testId="bills-summary">
        <div className="total">
          <span className="muted">{b.label} · 待缴合计</span>
          <Money fen={b.owedFen} className={b.owedFen > 0 ? 'big danger' : 'big ok'} testId="bills-owed" />
        </div>
        <Row label="其中 物业费等本金"><Money fen={b.principalOwedFen} testId="bills-principal" /></Row>
        <Row label="其中 违约金"><Money fen={b.lateFeeOwedFen} testId="bills-late-fee" /></Row>
        <Row label="预存余额"><Money fen={b.prepaidFen} testId="bills-prepaid" /></Row>
        <p className="small muted">截至 {b.asOf}。预存余额会在到期时自动抵扣。对账单有疑问请到“联系物业”。</p>
      </Card>
      {b.discountOffer ? (
        <Card title="提前缴费优惠" testId="bills-discount">
          <p>{b.discountOffer.from} 至 {b.discountOffer.to} 一次缴清全年可享 {b.discountOffer.rate} 优惠，优惠 <Money fen={b.discountOffer.discountFen} />，应付 <Money fen={b.discountOffer.settleFen} />。请到物业服务中心办理。</p>
        </Card>
      ) : null}
      {payable.length > 1 ? (
        <div className="between pad">
          <span className="small muted">共 {payable.length} 期待缴</span>
          <button type="button" className="link" data-testid="bills-toggle-all"
            onClick={() => setUnpicked(allPicked ? new Set(payable.map((p) => p.period)) : new Set())}>{allPicked ? '全不选' : '全选'}</button>
        </div>
      ) : null}
      {b.periods.length === 0 ? <Card><p className="center ok" data-testid="bills-none">暂无待缴账单，感谢您的支持！</p></Card> : null}
      {b.periods.map((p) => <PeriodCard key={p.period} p={p} checked={p.owedFen > 0 && !unpicked.has(p.period)} onToggle={() => toggle(p.period)} />)}
      <div className="links pad">
        <button type="button" className="link" onClick={() => go(`/history/${houseId}`)}>缴费记录</button>
        <button type="button" className="link" onClick={() => go(`/standards/${houseId}`)}>收费标准与成本构成</button>
      </div>
      {payable.length > 0 ? (
        <div className="paybar" data-testid="paybar">
          <div>
            <div className="small muted">已选 {picked.length} 期</div>
            <Money fen={pickedFen} className="strong" testId="paybar-total" />
          </div>
          <button type="button" className="btn primary" data-testid="bills-pay" disabled={picked.length === 0}
            onClick={() => go(`/pay/${houseId}?periods=${picked.map((p) => p.period).join(',')}`)}>去缴费</button>
        </div>
      ) : null}
    </div>
  );
}
