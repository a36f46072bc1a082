import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from '../../test/providers/http.ts';
import { caughtGatewayError, startNotifyReceiver } from '../../test/providers/notify-receiver.ts';
import type { CreateOrderInput } from './gateway.ts';
import { SandboxGateway } from './sandbox.ts';

/** The sandbox gateway: orders in memory, notifications HMAC-signed and posted to a local stand-in for our route. */

const SECRET = 'sandbox-secret-不要外泄';
let clock = Date.parse('2026-10-01T02:00:00.000Z');
const now = () => new Date(clock);


let seq = 0;

describe('sandbox gateway', () => {
  let gateway: SandboxGateway;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  const order = (o: Partial<CreateOrderInput> = {}): CreateOrderInput => ({
    outTradeNo: `SBXTEST${String(++seq).padStart(4, '0')}`, amountFen: 30000, description: '幸福里 3栋1201 物业费 2026-10',
    notifyUrl: `${receiver.url}/api/payments/notify/sandbox`, expiresAt: new Date(clock + 30 * 60_000).toISOString(), ...o,
  });

  beforeAll(async () => {
    gateway = new SandboxGateway({ secret: SECRET, baseUrl: 'http://127.0.0.1:3000/', now });
    receiver = await startNotifyReceiver(gateway);
  });
  afterAll(async () => { await receiver.close(); });
  beforeEach(() => { clock = Date.parse('2026-10-01T02:00:00.000Z'); });

  it('creates an order whose pay page is ours, and keeps it for that page', async () => {
    const input = order({ amountFen: 1 });
    const created = await gateway.createOrder(input);
    expect(created).toMatchObject({ payUrl: `http://127.0.0.1:3000/api/portal/sandbox-pay/${input.outTradeNo}`, payMode: 'redirect' });
    expect(JSON.parse(created.raw)).toMatchObject({ out_trade_no: input.outTradeNo, amount_fen: 1 });
    expect(gateway.order(input.outTradeNo)).toMatchObject({ amountFen: 1, description: '幸福里 3栋1201 物业费 2026-10', status: 'pending' });
    expect(gateway.order('SBXNOSUCH0001')).toBeUndefined();
    expect(gateway).toMatchObject({ provider: 'sandbox', ledgerChannel: '沙箱支付' });
    // The same order again gets the same page; the number for another order is refused.
    expect((await gateway.createOrder(input)).payUrl).toBe(created.payUrl);
    expect(await caughtGatewayError(gateway.createOrder({ ...input, amountFen: 2 }))).toMatchObject({ code: 'OUT_TRADE_NO_USED', retryable: false });
    // A copy: changing it changes nothing stored.
    const copy = gateway.order(input.outTradeNo);
    if (copy) copy.status = 'paid';
    expect(gateway.order(input.outTradeNo)?.status).toBe('pending');
  });

  it('pay posts a signed notification our route accepts; the signature is HMAC-SHA256 over timestamp and body', async () => {
    const input = order({ amountFen: 123_456_789 });
    await gateway.createOrder(input);
    const answer = await gateway.pay(input.outTradeNo);
    expect(answer).toEqual({ status: 200, body: '{"ok":true}' });
    const sent = receiver.received.at(-1);
    const timestamp = sent?.headers['x-sandbox-timestamp'] ?? '';
    expect(timestamp).toBe(String(clock / 1000));
    const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${sent?.body ?? ''}`).digest('hex');
    expect(sent?.headers['x-sandbox-signature']).toBe(expected);
    const body = JSON.parse(sent?.body ?? '') as Record<string, unknown>;
    expect(body).toMatchObject({ out_trade_no: input.outTradeNo, status: 'paid', amount_fen: 123_456_789, paid_at: '2026-10-01T02:00:00.000Z' });
    expect(body.trade_no).toMatch(/^SBX[0-9A-F]{20}$/);
    expect(typeof body.notify_id).toBe('string');

    const trade = receiver.trades.at(-1);
    expect(trade).toEqual({
      outTradeNo: input.outTradeNo, status: 'paid', providerTradeNo: body.trade_no, amountFen: 123_456_789, paidAt: '2026-10-01T02:00:00.000Z', raw: sent?.body,
    });
    expect(await gateway.queryOrder(input.outTradeNo)).toMatchObject({ status: 'paid', providerTradeNo: body.trade_no, amountFen: 123_456_789 });
  });

  it('renotify posts the same body again with a fresh timestamp and signature', async () => {
    const input = order();
    await gateway.createOrder(input);
    await gateway.pay(input.outTradeNo);
    const first = receiver.received.at(-1);
    clock += 120_000;
    expect(await gateway.renotify(input.outTradeNo)).toEqual({ status: 200, body: '{"ok":true}' });
    const second = receiver.received.at(-1);
    expect(second?.body).toBe(first?.body);
    expect(Number(second?.headers['x-sandbox-timestamp'])).toBe(Number(first?.headers['x-sandbox-timestamp']) + 120);
    expect(second?.headers['x-sandbox-signature']).not.toBe(first?.headers['x-sandbox-signature']);
    expect(receiver.trades.at(-1)).toEqual(receiver.trades.at(-2));
    // Paying a paid order only notifies again: the trade number stays.
    await gateway.pay(input.outTradeNo);
    expect(receiver.received.at(-1)?.body).toBe(first?.body);
  });

  it('when our route answers fail the order stays paid and a later renotify gets through', async () => {
    const input = order();
    await gateway.createOrder(input);
    receiver.state.failNext = true;
    expect(await gateway.pay(input.outTradeNo)).toEqual({ status: 500, body: '{"ok":false}' });
    expect(gateway.order(input.outTradeNo)?.status).toBe('paid');
    const before = receiver.trades.length;
    expect((await gateway.renotify(input.outTradeNo)).status).toBe(200);
    expect(receiver.trades).toHaveLength(before + 1);
  });

  it('refuses notifications with a changed body, another secret, a stale timestamp or no signature', async () => {
    const input = order({ amountFen: 100 });
    await gateway.createOrder(input);
    await gateway.pay(input.outTradeNo);
    const sent = receiver.received.at(-1) ?? { headers: {}, body: '' };
    expect(gateway.parseNotify(sent).trade.amountFen).toBe(100);

    const changed = { ...sent, body: sent.body.replace('"amount_fen":100', '"amount_fen":1') };
    expect(changed.body).not.toBe(sent.body);
    expect(await caughtGatewayError(() => gateway.parseNotify(changed))).toMatchObject({ code: 'BAD_SIGNATURE', retryable: false });
    const other = new SandboxGateway({ secret: 'another-secret', baseUrl: 'http://127.0.0.1:3000', now });
    expect(await caughtGatewayError(() => other.parseNotify(sent))).toMatchObject({ code: 'BAD_SIGNATURE' });
    for (const offset of [301_000, -301_000]) {
      const skewed = new SandboxGateway({ secret: SECRET, baseUrl: 'http://127.0.0.1:3000', now: () => new Date(clock + offset) });
      expect(await caughtGatewayError(() => skewed.parseNotify(sent))).toMatchObject({ code: 'BAD_SIGNATURE' });
    }
    const within = new SandboxGateway({ secret: SECRET, baseUrl: 'http://127.0.0.1:3000', now: () => new Date(clock + 299_000) });
    expect(within.parseNotify(sent).trade.status).toBe('paid');
    expect(await caughtGatewayError(() => gateway.parseNotify({ ...sent, headers: { 'x-sandbox-timestamp': sent.headers['x-sandbox-timestamp'] } }))).toMatchObject({ code: 'BAD_SIGNATURE' });
    const e = await caughtGatewayError(() => gateway.parseNotify({ ...sent, headers: { ...sent.headers, 'x-sandbox-signature': '00'.repeat(32) } }));
    expect(e.message).not.toContain(SECRET);
  });

  it('queries, closes and expires orders; unknown orders do not exist', async () => {
    const input = order();
    await gateway.createOrder(input);
    expect(await gateway.queryOrder(input.outTradeNo)).toMatchObject({ status: 'pending', amountFen: 30000 });
    gateway.close(input.outTradeNo);
    expect((await gateway.queryOrder(input.outTradeNo)).status).toBe('closed');
    expect(await caughtGatewayError(gateway.pay(input.outTradeNo))).toMatchObject({ code: 'ORDER_CLOSED' });
    expect(await caughtGatewayError(gateway.renotify(input.outTradeNo))).toMatchObject({ code: 'ORDER_NOT_PAID' });

    const late = order();
    await gateway.createOrder(late);
    clock += 31 * 60_000;
    expect((await gateway.queryOrder(late.outTradeNo)).status).toBe('closed');
    expect(await caughtGatewayError(gateway.pay(late.outTradeNo))).toMatchObject({ code: 'ORDER_CLOSED' });

    const paid = order();
    await gateway.createOrder(paid);
    await gateway.pay(paid.outTradeNo);
    expect(await caughtGatewayError(() => gateway.close(paid.outTradeNo))).toMatchObject({ code: 'ORDER_PAID' });
    expect(await caughtGatewayError(gateway.createOrder(paid))).toMatchObject({ code: 'ORDER_PAID' });

    expect(await caughtGatewayError(gateway.queryOrder('SBXNOSUCH0001'))).toMatchObject({ code: 'ORDER_NOT_EXIST', retryable: false });
    expect(await caughtGatewayError(gateway.pay('SBXNOSUCH0001'))).toMatchObject({ code: 'ORDER_NOT_EXIST' });
  });

  it('an unreachable notify URL is a retryable network error; the payment stands', async () => {
    const closed = await listen(() => undefined);
    await closed.close();
    const input = order({ notifyUrl: `${closed.url}/api/payments/notify/sandbox` });
    await gateway.createOrder(input);
    expect(await caughtGatewayError(gateway.pay(input.outTradeNo))).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(gateway.order(input.outTradeNo)?.status).toBe('paid');
  });

  it('checks its configuration and orders', async () => {
    expect(await caughtGatewayError(() => new SandboxGateway({ secret: '', baseUrl: 'http://127.0.0.1:3000' }))).toMatchObject({ code: 'BAD_CONFIG' });
    expect(await caughtGatewayError(gateway.createOrder(order({ amountFen: 0 })))).toMatchObject({ code: 'BAD_ORDER' });
    expect(await caughtGatewayError(gateway.createOrder(order({ outTradeNo: '../../x' })))).toMatchObject({ code: 'BAD_ORDER' });
  });
});
