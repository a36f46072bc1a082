import { useEffect, useState } from 'react';
import { api, PortalError, receiptUrl, type Order } from './api.ts';
import { Card, ErrorBox, Loading, Money, Row } from './ui.tsx';
import { errorText, formatTime, go, periodLabel } from './util.ts';

const POLL_MS = 2000;
const FINAL = new Set(['paid', 'closed', 'failed', 'mismatch']);

/** 订单: polls the order every 2 s until it is paid or closed (the provider returns here: #/orders/<outTradeNo>). */
export default function OrderScreen({ outTradeNo }: { outTradeNo: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let paidWithoutPayment = 0;
    const poll = async () => {
      try {
        const o = await api.order(outTradeNo);
        if (!live) return;
        setOrder(o);
        setError(null);
        // A paid order whose payment is not yet recorded: a few more looks.
        const waitPayment = o.status === 'paid' && o.paymentId === null && paidWithoutPayment++ < 5;
        if (!FINAL.has(o.status) || waitPayment) timer = setTimeout(() => void poll(), POLL_MS);
      } catch (e) {
        if (!live) return;
        setError(errorText(e));
        // Not found or not mine: no point asking again; a network hiccup: keep trying.
        if (!(e instanceof PortalError && (e.status === 404 || e.status === 403 || e.status === 401))) timer = setTimeout(() => void poll(), POLL_MS);
      }
    };
    void poll();
    return () => { live = false; clearTimeout(timer); };
  }, [outTradeNo]);

  if (!order) return error ? <ErrorBox error={error} /> : <Loading text="正在查询订单…" />;
  const houseId = order.houseId;

  return (
    <div data-testid="order" data-status={order.status} data-out-trade-no={order.outTradeNo}>
      {order.status === 'paid' ? (
        <Card testId="order-paid">
          <div className="success">
            <svg width="56" height="56" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="#52c41a" /><path d="m7 12.5 3.2 3.2L17 9" stroke="#fff" strokeWidth="2.2" fill="none" strokeLinecap="round" strokeLinejoin="round" /></svg>
            <h2 data-testid="order-status">支付成功</h2>
            <Money fen={order.amountFen} className="big" testId="order-amount" />
          </div>
          <Row label="收据编号"><span data-testid="order-receipt">{order.receiptNumber ?? '生成中…'}</span></Row>
          <Row label="缴费账期">{order.periods.map(periodLabel).join('、') || '—'}</Row>
          <Row label="订单号"><span className="break">{order.outTradeNo}</span></Row>
          {order.paymentId !== null ? (
            <a className="btn primary block" data-testid="order-receipt-pdf" href={receiptUrl(houseId, order.paymentId)} target="_blank" rel="noopener" download>下载电子收据（PDF）</a>
          ) : null}
        </Card>
      ) : order.status === 'pending' ? (
        <Card testId="order-pending">
          <h2 className="center" data-testid="order-status">{order.payMode === 'qr' ? '请扫码支付' : '等待支付结果…'}</h2>
          <div className="center"><Money fen={order.amountFen} className="big" testId="order-amount" /></div>
          {order.payMode === 'qr' ? (
            <>
              <p>请用手机截屏或在电脑上打开本页，使用<strong>微信“扫一扫”</strong>扫描支付二维码。二维码内容：</p>
              <p className="code break" data-testid="order-qr-text">{order.payUrl}</p>
            </>
          ) : (
            <p className="center"><a className="link" href={order.payUrl ?? undefined} data-testid="order-continue">还没支付？继续支付</a></p>
          )}
          <p className="small muted center">支付完成后本页会自动更新，请勿重复支付。</p>
        </Card>
      ) : (
        <Card testId="order-closed">
          <h2 className="center" data-testid="order-status">{order.statusLabel || (order.status === 'closed' ? '订单已关闭' : '支付失败')}</h2>
          <p className="center muted">{order.status === 'mismatch'
            ? '支付金额与订单金额不符，暂未入账。物业核对后会处理，请勿重复支付。'
            : '本订单未完成支付。如已扣款，请联系物业核实。'}</p>
        </Card>
      )}
      <ErrorBox error={error} />
      <p className="small muted pad">下单时间 {formatTime(order.createdAt)}</p>
      <div className="two">
        <button type="button" className="btn secondary" onClick={() => go(`/bills/${houseId}`)}>返回账单</button>
        <button type="button" className="btn secondary" onClick={() => go(`/history/${houseId}`)}>缴费记录</button>
      </div>
    </div>
  );
}
