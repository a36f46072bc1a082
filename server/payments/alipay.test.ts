import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAlipay, type FakeAlipay } from '../../test/providers/alipay.ts';
import { listen } from '../../test/providers/http.ts';
import { caughtGatewayError, startNotifyReceiver } from '../../test/providers/notify-receiver.ts';
import { AlipayGateway, jsonMemberText, type AlipayConfig } from './alipay.ts';
import { GatewayError, type CreateOrderInput } from './gateway.ts';
import { fenToYuan, yuanToFen } from './support.ts';

/** The Alipay adapter against a local open-platform gateway that checks RSA2 signatures and signs its answers. */

const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APP_ID = '2021000000000001';
const pkcs8 = (k: typeof app.privateKey) => String(k.export({ type: 'pkcs8', format: 'pem' }));
/** The Alipay console shows its public key as bare base64, without PEM armour. */
const bareSpki = (k: typeof app.publicKey) => String(k.export({ type: 'spki', format: 'pem' })).replace(/-----[A-Z ]+-----|\s/g, '');


let seq = 0;
const orderNo = () => `ALI${Date.now()}${String(++seq).padStart(4, '0')}`;

describe('yuan and fen for the providers', () => {
  it('formats integer fen as yuan with two decimals and parses yuan back exactly', () => {
    expect([1, 10, 100, 30000, 123_456_789].map(fenToYuan)).toEqual(['0.01', '0.10', '1.00', '300.00', '1234567.89']);
    expect(['0.01', '0.10', '0.1', '1', '88.88', '1234567.89', '0.00'].map((s) => yuanToFen(s, '测试'))).toEqual([1, 10, 10, 100, 8888, 123_456_789, 0]);
    for (const bad of ['1.001', '-1', '-0.01', '1e3', '01.00', '1,000.00', '¥1', ' 1', '1 ', '', '.5', '1.', '+1', '0x10', 'NaN']) {
      expect(() => yuanToFen(bad, '测试'), bad).toThrow(GatewayError);
    }
    expect(() => fenToYuan(1.5)).toThrow(GatewayError);
    expect(() => fenToYuan(-1)).toThrow(GatewayError);
  });
});

describe('jsonMemberText', () => {
  it('returns a member\'s text exactly as written, whatever it holds and wherever it stands', () => {
    const text = '{"sign":"a\\"}b","r" : {"s":"}{,\\\\","n":[1,{"x":"\\u4e2d\\/"}]} ,"t":1}';
    expect(jsonMemberText(text, 'r')).toBe('{"s":"}{,\\\\","n":[1,{"x":"\\u4e2d\\/"}]}');
    expect(jsonMemberText(text, 'sign')).toBe('"a\\"}b"');
    expect(jsonMemberText(text, 't')).toBe('1');
    expect(jsonMemberText(text, 'missing')).toBeUndefined();
    expect(jsonMemberText('{"r":{"a":1},"r":{"a":2}}', 'r')).toBeUndefined();
    expect(jsonMemberText('[{"r":1}]', 'r')).toBeUndefined();
  });
});

describe('Alipay gateway', () => {
  let fake: FakeAlipay;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let config: AlipayConfig;
  let gateway: AlipayGateway;
  const order = (o: Partial<CreateOrderInput> = {}): CreateOrderInput => ({
    outTradeNo: orderNo(), amountFen: 30000, description: '幸福里 3栋1201 物业费 2026-10', notifyUrl: `${receiver.url}/api/payments/notify/alipay`,
    returnUrl: 'https://wuye.example.com/portal/bills?paid=1&from=alipay', expiresAt: '2099-10-01T10:30:00.000Z', ...o,
  });
  /** Creates the order and has the owner open (and by default pay) it at the fake. */
  const placed = async (o: Partial<CreateOrderInput> = {}, pay = true) => {
    const input = order(o);
    const created = await gateway.createOrder(input);
    const opened = fake.open(created.payUrl, { pay });
    if (!opened.ok) throw new Error(`fake refused the pay URL: ${opened.subCode}`);
    return { input, created, trade: opened.trade };
  };

  beforeAll(async () => {
    fake = await startFakeAlipay({ appId: APP_ID, appPublicKey: app.publicKey, alipayPrivateKey: alipay.privateKey });
    config = { appId: APP_ID, appPrivateKey: pkcs8(app.privateKey), alipayPublicKey: bareSpki(alipay.publicKey), gateway: fake.url };
    gateway = new AlipayGateway(config);
    receiver = await startNotifyReceiver(gateway);
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });

  it('builds a signed wap.pay URL without calling Alipay, which the cashier accepts', async () => {
    const requestsBefore = fake.requests.length;
    const input = order({ amountFen: 1 });
    const created = await gateway.createOrder(input);
    expect(fake.requests).toHaveLength(requestsBefore);
    expect(created.payMode).toBe('redirect');
    expect(created.payUrl.startsWith(`${fake.url}?`)).toBe(true);
    expect(created.payUrl).not.toMatch(/[ 幸{}"]/);
    const params = Object.fromEntries(new URL(created.payUrl).searchParams);
    expect(params).toMatchObject({
      app_id: APP_ID, method: 'alipay.trade.wap.pay', format: 'JSON', charset: 'utf-8', sign_type: 'RSA2', version: '1.0',
      notify_url: input.notifyUrl, return_url: input.returnUrl,
    });
    expect(params.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(JSON.parse(params.biz_content ?? '')).toEqual({
      out_trade_no: input.outTradeNo, total_amount: '0.01', subject: '幸福里 3栋1201 物业费 2026-10', product_code: 'QUICK_WAP_WAY',
      time_expire: '2099-10-01 18:30:00', quit_url: input.returnUrl,
    });
    // raw is the string that was signed: the parameters in name order, values as they are, no sign.
    expect(created.raw.startsWith(`app_id=${APP_ID}&biz_content={"out_trade_no":"${input.outTradeNo}"`)).toBe(true);
    expect(created.raw).toContain(`&return_url=${input.returnUrl}&sign_type=RSA2&timestamp=${params.timestamp}&version=1.0`);
    expect(created.raw).not.toContain('sign=');

    const opened = fake.open(created.payUrl);
    expect(opened).toMatchObject({ ok: true, trade: { outTradeNo: input.outTradeNo, totalAmount: '0.01', status: 'TRADE_SUCCESS' } });

    const big = await placed({ amountFen: 123_456_789 });
    expect(big.trade.totalAmount).toBe('1234567.89');
    expect(gateway).toMatchObject({ provider: 'alipay', ledgerChannel: '支付宝' });
  });

  it('writes the request time in China time', async () => {
    const fixed = new AlipayGateway({ ...config, now: () => new Date('2026-09-30T16:05:09.000Z') });
    const created = await fixed.createOrder(order());
    expect(new URL(created.payUrl).searchParams.get('timestamp')).toBe('2026-10-01 00:05:09');
  });

  it('a URL signed with the wrong key, or changed after signing, is refused by the cashier', async () => {
    const wrongKey = new AlipayGateway({ ...config, appPrivateKey: pkcs8(stranger.privateKey) });
    const input = order();
    expect(fake.open((await wrongKey.createOrder(input)).payUrl)).toMatchObject({ ok: false, subCode: 'isv.invalid-signature' });
    const good = await gateway.createOrder(input);
    const url = new URL(good.payUrl);
    url.searchParams.set('biz_content', (url.searchParams.get('biz_content') ?? '').replace('"300.00"', '"0.01"'));
    expect(fake.open(url.toString())).toMatchObject({ ok: false, subCode: 'isv.invalid-signature' });
    expect(fake.trades.has(input.outTradeNo)).toBe(false);
  });

  it('queries a trade: waiting, paid with trade_no and time, closed, finished; the answer is verified as written', async () => {
    const { input, trade } = await placed({ amountFen: 8888 }, false);
    const waiting = await gateway.queryOrder(input.outTradeNo);
    expect(waiting).toMatchObject({ outTradeNo: input.outTradeNo, status: 'pending', amountFen: 8888 });
    expect(waiting.paidAt).toBeUndefined();

    fake.setStatus(input.outTradeNo, 'TRADE_SUCCESS');
    trade.gmtPayment = '2026-10-01 08:00:01';
    const paid = await gateway.queryOrder(input.outTradeNo);
    expect(paid).toMatchObject({ status: 'paid', amountFen: 8888, providerTradeNo: trade.tradeNo, paidAt: '2026-10-01T00:00:01.000Z' });
    // The answer as written: "/" escaped and Chinese as \u escapes, which re-serialising would have changed.
    expect(paid.raw).toContain('\\u5e78\\u798f\\u91cc\\/');

    fake.signFirst = true;
    try {
      expect((await gateway.queryOrder(input.outTradeNo)).status).toBe('paid');
    } finally {
      fake.signFirst = false;
    }
    fake.setStatus(input.outTradeNo, 'TRADE_FINISHED');
    expect((await gateway.queryOrder(input.outTradeNo)).status).toBe('paid');
    fake.setStatus(input.outTradeNo, 'TRADE_CLOSED');
    expect((await gateway.queryOrder(input.outTradeNo)).status).toBe('closed');
    const sent = fake.requests.at(-1);
    expect(sent).toMatchObject({ method: 'alipay.trade.query', app_id: APP_ID, sign_type: 'RSA2', biz_content: JSON.stringify({ out_trade_no: input.outTradeNo }) });
  });

  it('an unknown trade is ORDER_NOT_EXIST, not retryable; an unsigned or altered answer is refused', async () => {
    const e = await caughtGatewayError(gateway.queryOrder('NOSUCHTRADE001'));
    expect(e).toMatchObject({ code: 'ORDER_NOT_EXIST', retryable: false });
    fake.tamperNext('unsigned');
    expect(await caughtGatewayError(gateway.queryOrder('NOSUCHTRADE001'))).toMatchObject({ code: 'BAD_SIGNATURE' });

    const { input } = await placed({}, false);
    for (const how of ['body', 'key', 'unsigned'] as const) {
      fake.tamperNext(how);
      expect(await caughtGatewayError(gateway.queryOrder(input.outTradeNo)), how).toMatchObject({ code: 'BAD_SIGNATURE', retryable: false });
    }
    expect((await gateway.queryOrder(input.outTradeNo)).status).toBe('pending');
  });

  it('a query signed with the wrong key is refused by Alipay with isv.invalid-signature, not worth a retry', async () => {
    const wrongKey = new AlipayGateway({ ...config, appPrivateKey: pkcs8(stranger.privateKey) });
    const e = await caughtGatewayError(wrongKey.queryOrder('NOSUCHTRADE001'));
    expect(e).toMatchObject({ code: 'isv.invalid-signature', retryable: false });
    expect(e.message.startsWith('支付宝查询订单失败：签名不正确（应用私钥与开放平台登记的应用公钥不匹配）')).toBe(true);
  });

  it('system errors, 5xx and unreachable gateways are retryable; business refusals are not', async () => {
    fake.failNext('20000', 'Service Currently Unavailable', 'isp.unknow-error', '系统繁忙');
    expect(await caughtGatewayError(gateway.queryOrder('ANYTRADE0001'))).toMatchObject({ code: 'isp.unknow-error', retryable: true });
    fake.failNext('40004', 'Business Failed', 'ACQ.SYSTEM_ERROR', '系统错误');
    expect(await caughtGatewayError(gateway.queryOrder('ANYTRADE0001'))).toMatchObject({ code: 'ACQ.SYSTEM_ERROR', retryable: true });
    fake.failNext('40004', 'Business Failed', 'ACQ.INVALID_PARAMETER', '参数无效');
    expect(await caughtGatewayError(gateway.queryOrder('ANYTRADE0001'))).toMatchObject({ code: 'ACQ.INVALID_PARAMETER', retryable: false });
    fake.httpFailNext(502, '<html><body>502 Bad Gateway</body></html>');
    expect(await caughtGatewayError(gateway.queryOrder('ANYTRADE0001'))).toMatchObject({ code: 'HTTP_502', retryable: true });
    fake.httpFailNext(400, '<html>Bad Request</html>');
    expect(await caughtGatewayError(gateway.queryOrder('ANYTRADE0001'))).toMatchObject({ code: 'BAD_ANSWER', retryable: false });

    const closed = await listen(() => undefined);
    await closed.close();
    expect(await caughtGatewayError(new AlipayGateway({ ...config, gateway: `${closed.url}/gateway.do` }).queryOrder('ANYTRADE0001'))).toMatchObject({ code: 'NETWORK', retryable: true });
  });

  it('reads a notification: verified, amounts exact, China time; the same notification twice gives the same trade', async () => {
    const { input, trade } = await placed({ amountFen: 10 });
    trade.gmtPayment = '2026-10-01 23:59:59';
    const body = fake.notification(input.outTradeNo);
    const url = `${receiver.url}/api/payments/notify/alipay`;
    expect(await fake.post(url, body)).toEqual({ status: 200, body: 'success' });
    const got = receiver.trades.at(-1);
    expect(got).toEqual({ outTradeNo: input.outTradeNo, status: 'paid', providerTradeNo: trade.tradeNo, amountFen: 10, paidAt: '2026-10-01T15:59:59.000Z', raw: body });
    expect(await fake.post(url, body)).toEqual({ status: 200, body: 'success' });
    expect(receiver.trades.at(-1)).toEqual(got);

    const { fail } = gateway.parseNotify({ headers: {}, body });
    expect(fail).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'failure' });
    const amount = (total: string) => gateway.parseNotify({ headers: {}, body: fake.notification(input.outTradeNo, { total_amount: total }) }).trade.amountFen;
    expect(amount('0.10')).toBe(10);
    expect(amount('1234567.89')).toBe(123_456_789);
    for (const bad of ['1.001', '-1', '1e2', '']) expect(await caughtGatewayError(() => amount(bad)), bad).toMatchObject({ code: 'BAD_AMOUNT' });
    const status = (s: string) => gateway.parseNotify({ headers: {}, body: fake.notification(input.outTradeNo, { trade_status: s }) }).trade.status;
    expect(['TRADE_SUCCESS', 'TRADE_FINISHED', 'WAIT_BUYER_PAY', 'TRADE_CLOSED'].map(status)).toEqual(['paid', 'paid', 'pending', 'closed']);
    expect(await caughtGatewayError(() => status('TRADE_UNKNOWN'))).toMatchObject({ code: 'BAD_NOTIFY' });
  });

  it('refuses notifications that do not verify or are not for this app', async () => {
    const { input } = await placed({ amountFen: 1 });
    const good = fake.notification(input.outTradeNo);
    const url = `${receiver.url}/api/payments/notify/alipay`;
    const refusedBefore = receiver.refused.length;
    const tradesBefore = receiver.trades.length;
    const forged = [
      good.replace('total_amount=0.01', 'total_amount=100.01'),
      good.replace('trade_status=TRADE_SUCCESS', 'trade_status=TRADE_FINISHED'),
      fake.notification(input.outTradeNo, {}, { signingKey: stranger.privateKey }),
      good.replace(/&sign=[^&]*/, ''),
      good.replace('sign_type=RSA2', 'sign_type=RSA'),
      `${good}&extra=1`,
    ];
    expect(forged.every((f) => f !== good)).toBe(true);
    for (const f of forged) expect((await fake.post(url, f)).status).toBe(403);
    expect(receiver.refused.slice(refusedBefore).map((e) => e.code)).toEqual(Array(forged.length).fill('BAD_SIGNATURE'));

    const otherApp = fake.notification(input.outTradeNo, { app_id: '2021000000000999', auth_app_id: '2021000000000999' });
    expect(await caughtGatewayError(() => gateway.parseNotify({ headers: {}, body: otherApp }))).toMatchObject({ code: 'WRONG_MERCHANT', retryable: false });
    expect(await caughtGatewayError(() => gateway.parseNotify({ headers: {}, body: `${good}&trade_status=TRADE_SUCCESS` }))).toMatchObject({ code: 'BAD_NOTIFY' });
    expect(receiver.trades).toHaveLength(tradesBefore);
  });

  it('checks orders and configuration first, and keeps keys out of its messages', async () => {
    expect(await caughtGatewayError(gateway.createOrder(order({ outTradeNo: 'a b' })))).toMatchObject({ code: 'BAD_ORDER' });
    expect(await caughtGatewayError(gateway.createOrder(order({ amountFen: -100 })))).toMatchObject({ code: 'BAD_ORDER' });
    const broken = bareSpki(app.publicKey);
    const e = await caughtGatewayError(() => new AlipayGateway({ ...config, appPrivateKey: broken }));
    expect(e).toMatchObject({ code: 'BAD_CONFIG', message: '支付宝配置的应用私钥无法读取（需要 2048 位及以上的 RSA 私钥，PEM 格式）' });
    expect(e.message).not.toContain(broken.slice(20, 60));
    // The application private key as bare base64 (PKCS#8), as the key tool prints it, reads too.
    const bare = pkcs8(app.privateKey).replace(/-----[A-Z ]+-----|\s/g, '');
    const fromBare = new AlipayGateway({ ...config, appPrivateKey: bare });
    expect(fake.open((await fromBare.createOrder(order())).payUrl)).toMatchObject({ ok: true });
  });
});
