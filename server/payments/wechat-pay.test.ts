import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../test/providers/http.ts';
import { caughtGatewayError, startNotifyReceiver } from '../../test/providers/notify-receiver.ts';
import { startFakeWechatPay, type FakeWechatPay } from '../../test/providers/wechat-pay.ts';
import { type CreateOrderInput } from './gateway.ts';
import { WechatPayGateway, type WechatPayConfig } from './wechat-pay.ts';

/** The WeChat Pay APIv3 adapter against a local WeChat Pay that checks the merchant's signatures and signs its own. */

const pem = (k: { export: (o: { type: 'pkcs8' | 'spki'; format: 'pem' }) => string | Buffer }, type: 'pkcs8' | 'spki') => String(k.export({ type, format: 'pem' }));
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ACCOUNT = {
  appId: 'wx00000000000000a1', mchId: '1900000109', merchantSerialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  platformSerialNo: 'PUB_KEY_ID_0119000001092025010100000000000001', apiV3Key: 'Wuye0APIv3Key0Test0Only000000032',
};


let seq = 0;
const orderNo = () => `WX${Date.now()}${String(++seq).padStart(4, '0')}`;

describe('WeChat Pay APIv3 gateway', () => {
  let fake: FakeWechatPay;
  let receiver: Awaited<ReturnType<typeof startNotifyReceiver>>;
  let config: WechatPayConfig;
  let gateway: WechatPayGateway;
  const order = (o: Partial<CreateOrderInput> = {}): CreateOrderInput => ({
    outTradeNo: orderNo(), amountFen: 30000, description: '幸福里 3栋1201 物业费 2026-10',
    notifyUrl: `${receiver.url}/api/payments/notify/wechatpay`, expiresAt: '2099-10-01T10:30:00.000Z', ...o,
  });

  beforeAll(async () => {
    expect(ACCOUNT.apiV3Key).toHaveLength(32);
    fake = await startFakeWechatPay({
      appId: ACCOUNT.appId, mchId: ACCOUNT.mchId, merchantSerialNo: ACCOUNT.merchantSerialNo, merchantPublicKey: merchant.publicKey,
      platformPrivateKey: platform.privateKey, platformSerialNo: ACCOUNT.platformSerialNo, apiV3Key: ACCOUNT.apiV3Key,
    });
    config = {
      ...ACCOUNT, endpoint: fake.url, merchantPrivateKey: pem(merchant.privateKey, 'pkcs8'), platformPublicKey: pem(platform.publicKey, 'spki'),
    };
    gateway = new WechatPayGateway(config);
    receiver = await startNotifyReceiver(gateway);
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });

  it('creates a Native order the fake accepts (signature checked with the merchant public key) and returns its code_url as a QR', async () => {
    const input = order({ amountFen: 1 });
    const created = await gateway.createOrder(input);
    const stored = fake.orders.get(input.outTradeNo);
    expect(stored).toMatchObject({
      appid: ACCOUNT.appId, mchid: ACCOUNT.mchId, description: '幸福里 3栋1201 物业费 2026-10', total: 1,
      timeExpire: '2099-10-01T18:30:00+08:00', notifyUrl: input.notifyUrl, tradeState: 'NOTPAY',
    });
    expect(JSON.parse(stored?.body ?? '')).toMatchObject({ amount: { total: 1, currency: 'CNY' }, out_trade_no: input.outTradeNo });
    expect(created).toEqual({ payUrl: stored?.codeUrl, payMode: 'qr', raw: JSON.stringify({ code_url: stored?.codeUrl }) });
    expect(created.payUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    expect(gateway).toMatchObject({ provider: 'wechatpay', ledgerChannel: '微信' });

    const big = order({ amountFen: 123_456_789 });
    await gateway.createOrder(big);
    expect(fake.orders.get(big.outTradeNo)?.total).toBe(123_456_789);
  });

  it('in H5 mode creates the order with the owner IP and sends the mobile browser to h5_url, which returns to our page', async () => {
    const h5 = new WechatPayGateway({ ...config, mode: 'h5' });
    const input = { ...order(), clientIp: '203.0.113.7', returnUrl: 'https://wuye.example.com/portal/#/orders/X1' };
    const created = await h5.createOrder(input);
    const stored = fake.orders.get(input.outTradeNo)!;
    expect(JSON.parse(stored.body)).toMatchObject({ scene_info: { payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap' } } });
    expect(stored.codeUrl).toMatch(/^https:\/\/wx\.tenpay\.com\/cgi-bin\/mmpayweb-bin\/checkmweb\?prepay_id=wx/);
    expect(created).toMatchObject({ payMode: 'redirect', payUrl: `${stored.codeUrl}&redirect_url=${encodeURIComponent(input.returnUrl)}` });
    expect(await caughtGatewayError(h5.createOrder(order()))).toMatchObject({ code: 'BAD_ORDER', retryable: false });
  });

  it('a wrong merchant key or certificate serial is refused by the fake with SIGN_ERROR, not worth a retry', async () => {
    const refusedBefore = fake.refused.length;
    const input = order();
    const wrongKey = new WechatPayGateway({ ...config, merchantPrivateKey: pem(stranger.privateKey, 'pkcs8') });
    const e = await caughtGatewayError(wrongKey.createOrder(input));
    expect(e).toMatchObject({ code: 'SIGN_ERROR', retryable: false });
    expect(e.message).toContain('签名错误');
    const wrongSerial = new WechatPayGateway({ ...config, merchantSerialNo: '0000000000000000000000000000000000000000' });
    expect(await caughtGatewayError(wrongSerial.queryOrder(input.outTradeNo))).toMatchObject({ code: 'SIGN_ERROR', retryable: false });
    expect(fake.refused.slice(refusedBefore).map((r) => r.code)).toEqual(['SIGN_ERROR', 'SIGN_ERROR']);
    expect(fake.orders.has(input.outTradeNo)).toBe(false);
  });

  it('refuses answers that do not verify: changed body, another key, another serial, a stale timestamp, no signature', async () => {
    for (const how of ['body', 'key', 'serial', 'stale', 'unsigned'] as const) {
      fake.tamperNext(how);
      const e = await caughtGatewayError(gateway.createOrder(order()));
      expect(e, how).toMatchObject({ code: 'BAD_SIGNATURE', retryable: false });
    }
    const input = order();
    await gateway.createOrder(input);
    fake.tamperNext('body');
    expect(await caughtGatewayError(gateway.queryOrder(input.outTradeNo))).toMatchObject({ code: 'BAD_SIGNATURE' });
    // The same answer untouched verifies.
    expect((await gateway.queryOrder(input.outTradeNo)).status).toBe('pending');
  });

  it('accepts answers from a clock a minute apart (within the five minutes either side)', async () => {
    const input = order();
    await gateway.createOrder(input);
    for (const offset of [60_000, -60_000]) {
      const skewed = new WechatPayGateway({ ...config, now: () => new Date(Date.now() + offset) });
      expect((await skewed.queryOrder(input.outTradeNo)).status).toBe('pending');
    }
  });

  it('queries an order: pending, paid with the transaction id and time, closed; each state mapped', async () => {
    const input = order({ amountFen: 10 });
    await gateway.createOrder(input);
    const pending = await gateway.queryOrder(input.outTradeNo);
    expect(pending).toMatchObject({ outTradeNo: input.outTradeNo, status: 'pending', amountFen: 10 });
    expect(pending.providerTradeNo).toBeUndefined();
    expect(pending.paidAt).toBeUndefined();

    fake.setState(input.outTradeNo, 'SUCCESS', { successTime: '2026-10-01T18:30:05+08:00', payerTotal: 8 });
    const paid = await gateway.queryOrder(input.outTradeNo);
    expect(paid).toMatchObject({
      status: 'paid', amountFen: 10, providerTradeNo: fake.orders.get(input.outTradeNo)?.transactionId, paidAt: '2026-10-01T10:30:05.000Z',
    });
    expect(JSON.parse(paid.raw)).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 10, payer_total: 8 } });

    const expected = { NOTPAY: 'pending', USERPAYING: 'pending', CLOSED: 'closed', REVOKED: 'closed', PAYERROR: 'closed', REFUND: 'paid', SUCCESS: 'paid' } as const;
    for (const [state, status] of Object.entries(expected)) {
      fake.setState(input.outTradeNo, state as keyof typeof expected);
      expect((await gateway.queryOrder(input.outTradeNo)).status, state).toBe(status);
    }
  });

  it('an unknown order is ORDER_NOT_EXIST, not retryable; an unsigned "not exist" is not believed', async () => {
    const e = await caughtGatewayError(gateway.queryOrder('NOSUCHORDER0001'));
    expect(e).toMatchObject({ code: 'ORDER_NOT_EXIST', retryable: false });
    expect(e.message).toContain('订单不存在');
    fake.tamperNext('unsigned');
    expect(await caughtGatewayError(gateway.queryOrder('NOSUCHORDER0001'))).toMatchObject({ code: 'BAD_SIGNATURE' });
    expect(await caughtGatewayError(gateway.queryOrder('bad/../no'))).toMatchObject({ code: 'BAD_ORDER' });
  });

  it('5xx and 429 are retryable; 4xx refusals are not and carry WeChat\'s code', async () => {
    fake.failNext(500, 'SYSTEM_ERROR', '系统错误');
    expect(await caughtGatewayError(gateway.createOrder(order()))).toMatchObject({ code: 'SYSTEM_ERROR', retryable: true });
    fake.failNext(429, 'FREQUENCY_LIMITED', '频率超限');
    expect(await caughtGatewayError(gateway.createOrder(order()))).toMatchObject({ code: 'FREQUENCY_LIMITED', retryable: true });
    fake.failNext(403, 'NO_AUTH', '商户无权限');
    const e = await caughtGatewayError(gateway.createOrder(order()));
    expect(e).toMatchObject({ code: 'NO_AUTH', retryable: false });
    expect(e.message).toBe('微信支付下单失败：商户号未开通 Native 支付或权限不足（NO_AUTH：商户无权限）');
    fake.failNext(400, 'PARAM_ERROR', '输入源“/body/out_trade_no”映射到值字段“商户订单号”字符串规则校验失败');
    expect(await caughtGatewayError(gateway.createOrder(order()))).toMatchObject({ code: 'PARAM_ERROR', retryable: false });
  });

  it('an unreachable endpoint and a timeout are retryable', async () => {
    const closed = await listen(() => undefined);
    await closed.close();
    expect(await caughtGatewayError(new WechatPayGateway({ ...config, endpoint: closed.url }).createOrder(order()))).toMatchObject({ code: 'NETWORK', retryable: true });
    const hanging: typeof fetch = (_url, init) => new Promise((_, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
    });
    const e = await caughtGatewayError(new WechatPayGateway({ ...config, fetch: hanging, timeoutMs: 50 }).createOrder(order()));
    expect(e).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('reads a payment notification: verified, decrypted, mapped; the same notification twice gives the same trade', async () => {
    const input = order({ amountFen: 123_456_789 });
    await gateway.createOrder(input);
    fake.setState(input.outTradeNo, 'SUCCESS', { successTime: '2026-10-01T08:00:00+08:00' });
    const first = await fake.notify(input.outTradeNo);
    expect(first).toMatchObject({ status: 200, body: '' });
    const trade = receiver.trades.at(-1);
    expect(trade).toEqual({
      outTradeNo: input.outTradeNo, status: 'paid', providerTradeNo: fake.orders.get(input.outTradeNo)?.transactionId, amountFen: 123_456_789,
      paidAt: '2026-10-01T00:00:00.000Z', raw: first.notification.transaction,
    });
    // The notification body itself carries no clear text of the transaction.
    expect(first.notification.body).not.toContain(input.outTradeNo);

    const again = await fake.post(`${receiver.url}/api/payments/notify/wechatpay`, first.notification);
    expect(again.status).toBe(200);
    expect(receiver.trades.at(-1)).toEqual(trade);

    const { fail, ok } = gateway.parseNotify({ headers: first.notification.headers, body: first.notification.body });
    expect(ok).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: '' });
    expect(fail).toMatchObject({ status: 500, body: '{"code":"FAIL","message":"失败"}' });
  });

  it('maps the states a notification can carry', async () => {
    const input = order();
    await gateway.createOrder(input);
    const n = fake.notification(input.outTradeNo, { tradeState: 'CLOSED' });
    expect(gateway.parseNotify(n).trade).toMatchObject({ status: 'closed', amountFen: 30000 });
    expect(gateway.parseNotify(fake.notification(input.outTradeNo, { tradeState: 'USERPAYING' })).trade.status).toBe('pending');
    const bogus = fake.notification(input.outTradeNo, { tradeState: 'NOSUCHSTATE' as 'SUCCESS' });
    expect(await caughtGatewayError(() => gateway.parseNotify(bogus))).toMatchObject({ code: 'BAD_NOTIFY' });
  });

  it('refuses notifications that do not verify or are not ours', async () => {
    const input = order();
    await gateway.createOrder(input);
    fake.setState(input.outTradeNo, 'SUCCESS');
    const good = fake.notification(input.outTradeNo);
    const url = `${receiver.url}/api/payments/notify/wechatpay`;
    const refusedBefore = receiver.refused.length;
    const tradesBefore = receiver.trades.length;

    const changedBody = { ...good, body: good.body.replace('"summary":"支付成功"', '"summary":"支付成功 "') };
    const cases = [
      changedBody,
      fake.notification(input.outTradeNo, { signingKey: stranger.privateKey }),
      fake.notification(input.outTradeNo, { serial: 'PUB_KEY_ID_0119000001092025010100000000000999' }),
      fake.notification(input.outTradeNo, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      fake.notification(input.outTradeNo, { timestamp: Math.floor(Date.now() / 1000) + 400 }),
      { ...good, headers: { ...good.headers, 'Wechatpay-Signature': '' } },
    ];
    for (const n of cases) expect((await fake.post(url, n)).status).toBe(403);
    expect(receiver.refused.slice(refusedBefore).map((e) => e.code)).toEqual(Array(cases.length).fill('BAD_SIGNATURE'));

    const otherMerchant = fake.notification(input.outTradeNo, { transaction: { mchid: '1900000999' } });
    expect(await caughtGatewayError(() => gateway.parseNotify(otherMerchant))).toMatchObject({ code: 'WRONG_MERCHANT', retryable: false });
    const otherApp = fake.notification(input.outTradeNo, { transaction: { appid: 'wx00000000000000ff' } });
    expect(await caughtGatewayError(() => gateway.parseNotify(otherApp))).toMatchObject({ code: 'WRONG_MERCHANT' });
    const wrongAesKey = fake.notification(input.outTradeNo, { apiV3Key: 'z'.repeat(32) });
    expect(await caughtGatewayError(() => gateway.parseNotify(wrongAesKey))).toMatchObject({ code: 'DECRYPT_FAILED', retryable: false });
    expect(receiver.trades).toHaveLength(tradesBefore);
  });

  it('checks orders and configuration before any request, and never puts keys in its messages', async () => {
    const before = fake.orders.size;
    expect(await caughtGatewayError(gateway.createOrder(order({ description: '物'.repeat(43) })))).toMatchObject({ code: 'BAD_ORDER' });
    expect(await caughtGatewayError(gateway.createOrder(order({ amountFen: 0 })))).toMatchObject({ code: 'BAD_ORDER' });
    expect(await caughtGatewayError(gateway.createOrder(order({ amountFen: 1.5 })))).toMatchObject({ code: 'BAD_ORDER' });
    expect(await caughtGatewayError(gateway.createOrder(order({ expiresAt: '2020-01-01T00:00:00Z' })))).toMatchObject({ code: 'BAD_ORDER' });
    expect(fake.orders.size).toBe(before);

    const short = await caughtGatewayError(() => new WechatPayGateway({ ...config, apiV3Key: 'short-key' }));
    expect(short).toMatchObject({ code: 'BAD_CONFIG' });
    const broken = config.merchantPrivateKey.slice(0, 200);
    const badKey = await caughtGatewayError(() => new WechatPayGateway({ ...config, merchantPrivateKey: broken }));
    expect(badKey).toMatchObject({ code: 'BAD_CONFIG', message: '微信支付配置的商户 API 私钥无法读取（需要 2048 位及以上的 RSA 私钥，PEM 格式）' });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(await caughtGatewayError(() => new WechatPayGateway({ ...config, platformPublicKey: pem(weak.publicKey, 'spki') }))).toMatchObject({ code: 'BAD_CONFIG' });
    // A key pasted from an environment variable with "\n" written out still reads.
    expect(() => new WechatPayGateway({ ...config, merchantPrivateKey: config.merchantPrivateKey.replace(/\n/g, '\\n') })).not.toThrow();

    const wrongKey = new WechatPayGateway({ ...config, merchantPrivateKey: pem(stranger.privateKey, 'pkcs8') });
    const errors = [short, badKey, await caughtGatewayError(wrongKey.createOrder(order()))];
    for (const e of errors) {
      expect(e.message).not.toContain(ACCOUNT.apiV3Key);
      expect(e.message).not.toContain('PRIVATE KEY');
      expect(e.message).not.toContain(broken.slice(40, 80));
    }
  });
});
