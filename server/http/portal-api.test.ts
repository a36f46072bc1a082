import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../../test/db.ts';
import { contextOf, fixedClock, insertMonthlyProject, projectUser, sessionCookie, shanghaiAt } from '../../test/fixtures.ts';
import { startFakeAliyun, type FakeAliyun } from '../../test/providers/aliyun.ts';
import { startFakeAlipay, type FakeAlipay } from '../../test/providers/alipay.ts';
import { startFakeWechatPay, type FakeWechatPay } from '../../test/providers/wechat-pay.ts';
import { AliyunSmsAdapter } from '../channels/aliyun-sms.ts';
import type { ServiceContext } from '../modules/context.ts';
import { sweep } from '../modules/dunning/sweep-service.ts';
import { ensureCompany, systemActor } from '../modules/setup/bootstrap.ts';
import { AlipayGateway } from '../payments/alipay.ts';
import { SandboxGateway } from '../payments/sandbox.ts';
import { WechatPayGateway } from '../payments/wechat-pay.ts';
import { buildApp } from './app.ts';

const DIALECTS = await testDialects();

/**
 * Paying online through the portal's HTTP API (issue 8 point 4), with the sandbox gateway and local servers that speak
 * WeChat Pay v3 and Alipay and check every signature: an order is created for the chosen periods, the verified
 * notification posts one payment (allocated to those periods, receipted at once), a repeated notification changes
 * nothing, a forged one is refused, a lost one is made up by a query, and a wrong amount is not posted.
 */
describe.each(DIALECTS)('portal payments over HTTP on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let app: FastifyInstance;
  let base = '';
  let sms: FakeAliyun;
  let wechat: FakeWechatPay;
  let alipay: FakeAlipay;
  let cookie = '';
  let staffCookie = '';
  let w: { projectId: number; houses: number[] };
  const clock = fixedClock(shanghaiAt('2026-03-20', '10:00'));
  const now = () => clock.now();

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, text, json: (text.startsWith('{') ? JSON.parse(text) : null) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
  };
  const paymentsOf = () => t.db.selectFrom('payment').select(['id', 'amount_fen', 'channel', 'idempotency_key']).where('house_id', '=', w.houses[0]!).orderBy('id').execute();
  const owed = async () => (await call('GET', `/api/portal/houses/${w.houses[0]}/bills`)).json.owedFen as number;
  const order = async (provider: string, periods: string[]) => {
    const r = await call('POST', `/api/portal/houses/${w.houses[0]}/orders`, { provider, periods });
    expect(r.status, r.text).toBe(201);
    return r.json as { outTradeNo: string; amountFen: number; payUrl: string; payMode: string; status: string };
  };

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    ctx = contextOf(t, clock);
    const admin = systemActor(await ensureCompany(ctx), 'test');
    w = await insertMonthlyProject(ctx, admin, { name: '和园', houses: 2, monthly: '300', periods: ['2026-01', '2026-02', '2026-03'], mobiles: '1448' });
    await sweep(ctx, admin, w.projectId, '2026-03-20', { dryRun: false });

    sms = await startFakeAliyun({ accessKeyId: 'LTAI-test', secret: 'aliyun-secret', now });
    const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const apiV3Key = 'A'.repeat(16) + 'b'.repeat(16);
    wechat = await startFakeWechatPay({ appId: 'wx-app', mchId: '1900000001', merchantSerialNo: 'M-SERIAL', merchantPublicKey: merchant.publicKey, platformPrivateKey: platform.privateKey, platformSerialNo: 'PUB_KEY_ID_01', apiV3Key, now });
    const appKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const aliKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    alipay = await startFakeAlipay({ appId: '2021000000000001', appPublicKey: appKeys.publicKey, alipayPrivateKey: aliKeys.privateKey, now });

    // The gateways need our address, which exists once the server listens: start it, then hand it over.
    const gateways: Record<string, unknown> = {};
    const smsAdapter = new AliyunSmsAdapter({ endpoint: sms.url, accessKeyId: 'LTAI-test', accessKeySecret: 'aliyun-secret', signName: '和园物业', templates: { sms_login_code: 'SMS_900' }, callbackToken: 'cb', now });
    app = await buildApp({ ctx, channels: { sms: smsAdapter }, gateways, webRoot: '/nonexistent' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const pem = (k: { export(o: object): string | Buffer }, type: 'pkcs8' | 'spki') => String(k.export({ type, format: 'pem' }));
    gateways.sandbox = new SandboxGateway({ secret: 'sandbox-secret', baseUrl: base, now });
    gateways.wechatpay = new WechatPayGateway({
      appId: 'wx-app', mchId: '1900000001', merchantSerialNo: 'M-SERIAL', merchantPrivateKey: pem(merchant.privateKey, 'pkcs8'), apiV3Key,
      platformPublicKey: pem(platform.publicKey, 'spki'), platformSerialNo: 'PUB_KEY_ID_01', endpoint: wechat.url, now,
    });
    gateways.alipay = new AlipayGateway({ appId: '2021000000000001', appPrivateKey: pem(appKeys.privateKey, 'pkcs8'), alipayPublicKey: pem(aliKeys.publicKey, 'spki'), gateway: alipay.url, now });

    // The owner logs in with the code the SMS provider received.
    expect((await call('POST', '/api/portal/auth/code', { phone: '14480000001' })).status).toBe(200);
    const res = await fetch(`${base}/api/portal/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '14480000001', code: sms.sent.at(-1)!.templateParam.code }) });
    expect(res.status).toBe(200);
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    await projectUser(ctx, admin, w.projectId, 'caiwu', '财务', 'cashier');
    staffCookie = await sessionCookie(app, 'caiwu');
  });
  afterAll(async () => { await app?.close(); await Promise.all([sms?.close(), wechat?.close(), alipay?.close()]); await t?.destroy(); });

  it('lists the configured gateways and refuses an order for a period that owes nothing', async () => {
    const g = await call('GET', '/api/portal/gateways');
    expect(g.json.items!.map((x) => x.provider).sort()).toEqual(['alipay', 'sandbox', 'wechatpay']);
    const bad = await call('POST', `/api/portal/houses/${w.houses[0]}/orders`, { provider: 'sandbox', periods: ['2025-12'] });
    expect(bad.status).toBe(409);
    expect(bad.json.message).toContain('2025-12');
    expect((await call('POST', `/api/portal/houses/${w.houses[1]}/orders`, { provider: 'sandbox' })).status).toBe(403);
  });

  it('sandbox: pays the chosen period once, receipted at once; the repeated notification changes nothing', async () => {
    const before = await owed();
    const o = await order('sandbox', ['2026-01']);
    expect(o).toMatchObject({ status: 'pending', payMode: 'redirect' });
    // ¥300 and the late fee of 2026-01 (no late-fee clause in this project: none).
    expect(o.amountFen).toBe(30000);
    const page = await call('GET', `/api/portal/sandbox-pay/${o.outTradeNo}`);
    expect(page.text).toContain('¥300.00');
    expect((await call('POST', `/api/portal/sandbox-pay/${o.outTradeNo}/pay`)).json).toMatchObject({ ok: true });
    const paid = (await call('GET', `/api/portal/orders/${o.outTradeNo}`)).json;
    expect(paid).toMatchObject({ status: 'paid', statusLabel: '支付成功', receiptNumber: expect.stringMatching(/^\d{3}-\d{8}$/) as string });
    expect(await paymentsOf()).toEqual([expect.objectContaining({ amount_fen: 30000, channel: '沙箱支付', idempotency_key: `online:sandbox:${o.outTradeNo}` })]);
    const allocations = await t.db.selectFrom('allocation').innerJoin('charge', 'charge.id', 'allocation.charge_id').select(['charge.period', 'allocation.amount_fen'])
      .where('allocation.payment_id', '=', paid.paymentId as number).execute();
    expect(allocations).toEqual([{ period: '2026-01', amount_fen: 30000 }]);
    expect(await owed()).toBe(before - 30000);

    // Re-notifying an order nobody paid is refused with the sandbox's reason.
    const unpaid = await order('sandbox', ['2026-02']);
    const refused = await call('POST', `/api/portal/sandbox-pay/${unpaid.outTradeNo}/renotify`);
    expect(refused.status).toBe(409);
    expect(refused.json.message).toContain('未支付');
    expect((await call('POST', `/api/portal/sandbox-pay/${o.outTradeNo}/renotify`)).json).toMatchObject({ ok: true });
    expect(await paymentsOf()).toHaveLength(1);
    expect(await owed()).toBe(before - 30000);
    const receipt = await fetch(`${base}/api/portal/houses/${w.houses[0]}/payments/${paid.paymentId as number}/receipt.pdf`, { headers: { cookie } });
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await receipt.arrayBuffer()).subarray(0, 4).toString()).toBe('%PDF');
    const history = (await call('GET', `/api/portal/houses/${w.houses[0]}/payments`)).json.items!;
    expect(history).toEqual([expect.objectContaining({ amountFen: 30000, channel: '沙箱支付', receiptNumber: paid.receiptNumber })]);
  });

  it('WeChat Pay v3: a forged notification is refused, the signed one posts once, its repeat changes nothing', async () => {
    const o = await order('wechatpay', ['2026-02']);
    expect(o.payMode).toBe('qr');
    expect(wechat.orders.get(o.outTradeNo)).toMatchObject({ total: 30000, notifyUrl: `${base}/api/payments/notify/wechatpay` });
    // Paid last night, but the sandbox payment of this morning is already on the house: allocation follows the order of
    // days, so this one is dated today.
    wechat.setState(o.outTradeNo, 'SUCCESS', { successTime: '2026-03-19T22:00:00+08:00' });
    const forged = wechat.notification(o.outTradeNo, { signingKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
    expect((await wechat.post(`${base}/api/payments/notify/wechatpay`, forged)).status).toBe(400);
    expect(await paymentsOf()).toHaveLength(1);

    const first = await wechat.notify(o.outTradeNo);
    expect(first.status).toBe(200);
    expect((await paymentsOf()).at(-1)).toMatchObject({ amount_fen: 30000, channel: '微信', idempotency_key: `online:wechatpay:${o.outTradeNo}` });
    expect((await t.db.selectFrom('payment').select('received_on').where('idempotency_key', '=', `online:wechatpay:${o.outTradeNo}`).executeTakeFirstOrThrow()).received_on).toBe('2026-03-20');
    const again = await wechat.post(`${base}/api/payments/notify/wechatpay`, first.notification);
    expect(again.status).toBe(200);
    expect(await paymentsOf()).toHaveLength(2);
    expect((await call('GET', `/api/portal/orders/${o.outTradeNo}`)).json.status).toBe('paid');
  });

  it('Alipay: a lost notification is made up by a query when the owner looks; the late notification then changes nothing', async () => {
    const o = await order('alipay', ['2026-03']);
    expect(o.payUrl.startsWith(alipay.url)).toBe(true);
    const opened = alipay.open(o.payUrl);
    expect(opened.ok).toBe(true);
    expect((await call('GET', `/api/portal/orders/${o.outTradeNo}`)).json.status).toBe('pending');
    clock.advance(11_000);
    expect((await call('GET', `/api/portal/orders/${o.outTradeNo}`)).json).toMatchObject({ status: 'paid' });
    expect((await paymentsOf()).at(-1)).toMatchObject({ amount_fen: 30000, channel: '支付宝' });
    const late = await alipay.post(`${base}/api/payments/notify/alipay`, alipay.notification(o.outTradeNo));
    expect(late).toEqual({ status: 200, body: 'success' });
    expect(await paymentsOf()).toHaveLength(3);
    expect(await owed()).toBe(0);
  });

  it('dates the payment on the day the owner paid when the notification comes a day late (late fees stop then)', async () => {
    // House 2's owner logs in with their own number.
    clock.advance(61_000);
    expect((await call('POST', '/api/portal/auth/code', { phone: '14480000002' })).status).toBe(200);
    const res = await fetch(`${base}/api/portal/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '14480000002', code: sms.sent.at(-1)!.templateParam.code }) });
    const second = res.headers.get('set-cookie')!.split(';')[0]!;
    const created = await fetch(`${base}/api/portal/houses/${w.houses[1]}/orders`, { method: 'POST', headers: { cookie: second, 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'wechatpay', periods: ['2026-01'] }) });
    const o = await created.json() as { outTradeNo: string; amountFen: number };
    // Paid last night; the notification only arrives this morning.
    wechat.setState(o.outTradeNo, 'SUCCESS', { successTime: '2026-03-19T21:30:00+08:00' });
    expect((await wechat.notify(o.outTradeNo)).status).toBe(200);
    const p = await t.db.selectFrom('payment').select(['received_on', 'amount_fen']).where('house_id', '=', w.houses[1]!).executeTakeFirstOrThrow();
    expect(p).toEqual({ received_on: '2026-03-19', amount_fen: o.amountFen });
  });

  it('a notification whose amount differs from the order is not posted and is flagged for staff', async () => {
    const r = await call('POST', `/api/portal/houses/${w.houses[0]}/orders`, { provider: 'wechatpay' });
    // Everything is paid: nothing to order.
    expect(r.status).toBe(409);
    // A new bill, then an order, then a notification claiming one fen less.
    const admin = systemActor(await ensureCompany(ctx), 'test');
    const { runBillRun } = await import('../modules/billing/bill-run-service.ts');
    await runBillRun(ctx, admin, w.projectId, '2026-04');
    const o = await order('wechatpay', ['2026-04']);
    wechat.setState(o.outTradeNo, 'SUCCESS');
    await wechat.notify(o.outTradeNo, { transaction: { amount: { total: o.amountFen - 1, payer_total: o.amountFen - 1, currency: 'CNY', payer_currency: 'CNY' } } });
    const row = await t.db.selectFrom('portal_order').select(['status', 'problem']).where('out_trade_no', '=', o.outTradeNo).executeTakeFirstOrThrow();
    expect(row.status).toBe('mismatch');
    expect(row.problem).toContain('不符');
    expect(await paymentsOf()).toHaveLength(3);
    // Staff see it among the project's online orders.
    const staff = await app.inject({ method: 'GET', url: `/api/projects/${w.projectId}/portal/orders?status=mismatch`, headers: { cookie: staffCookie } });
    expect(staff.json()).toEqual({ items: [expect.objectContaining({ outTradeNo: o.outTradeNo, statusLabel: '金额不符，待核对', house: '1栋 1-1-1001' })] });
  });
});
