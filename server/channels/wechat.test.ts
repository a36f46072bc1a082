import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCallbackReceiver } from '../../test/providers/http.ts';
import { startFakeWechat, type FakeWechat } from '../../test/providers/wechat.ts';
import { ChannelError, type OutgoingMessage } from './channel.ts';
import { WechatAdapter, parseFlatXml, wechatSignature, type WechatConfig } from './wechat.ts';

/** The WeChat template-message adapter against a local Official Account API that checks appid, secret and tokens. */

const ACCOUNT = { appId: 'wx0000000000000001', appSecret: 'test-secret-不要外泄', token: 'push-token-1' };
const OPENID = 'oTEST_openid_0001';
const message: OutgoingMessage = {
  ref: 'outbox-9',
  to: OPENID,
  text: '幸福里 1 栋 2 单元 301 室：2026 年 3 月物业费 ￥300.00，请于 3 月 31 日前缴纳。',
  template: 'sms_pre_due',
  params: { house: '幸福里1栋2单元301室', amount: '300.00', due: '2026年3月31日' },
  url: 'https://pay.example.com/bill/41',
};

async function caught(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ChannelError);
  return e as ChannelError;
}

describe('WeChat template message adapter', () => {
  let fake: FakeWechat;
  let config: WechatConfig;
  beforeAll(async () => {
    fake = await startFakeWechat({ ...ACCOUNT, templates: ['TPL_pre_due'], followers: [OPENID] });
    config = {
      endpoint: fake.url, appId: ACCOUNT.appId, appSecret: ACCOUNT.appSecret, token: ACCOUNT.token,
      templates: {
        sms_pre_due: { templateId: 'TPL_pre_due', fields: { thing1: 'house', amount2: 'amount', time3: 'due' } },
        demand_notice: { templateId: 'TPL_withdrawn', fields: {} },
      },
    };
  });
  afterAll(async () => { await fake.close(); });

  it('fetches a token once, then sends template messages with it; the 64-bit msgid survives intact', async () => {
    const adapter = new WechatAdapter(config);
    const tokensBefore = fake.tokenRequests;
    const first = await adapter.send(message);
    const second = await adapter.send({ ...message, ref: 'outbox-10' });
    expect(fake.tokenRequests - tokensBefore).toBe(1);
    const [a, b] = fake.sent.slice(-2);
    expect(a).toMatchObject({
      touser: OPENID, templateId: 'TPL_pre_due', url: 'https://pay.example.com/bill/41', clientMsgId: 'outbox-9',
      data: { thing1: { value: '幸福里1栋2单元301室' }, amount2: { value: '300.00' }, time3: { value: '2026年3月31日' } },
    });
    expect(first.providerId).toBe(a?.msgid);
    expect(second.providerId).toBe(b?.msgid);
    expect(BigInt(first.providerId)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(first.response).toContain('"errmsg":"ok"');
  });

  it('fetches a new token once after 42001 (expired) and sends again', async () => {
    const adapter = new WechatAdapter(config);
    await adapter.send(message);
    fake.expireTokens();
    const before = { tokens: fake.tokenRequests, sent: fake.sent.length };
    const result = await adapter.send({ ...message, ref: 'outbox-11' });
    expect(fake.tokenRequests - before.tokens).toBe(1);
    expect(fake.sent).toHaveLength(before.sent + 1);
    expect(result.providerId).toBe(fake.sent.at(-1)?.msgid);
  });

  it('renews the token before it expires, by the clock', async () => {
    let now = new Date('2026-03-01T02:00:00Z');
    const adapter = new WechatAdapter({ ...config, now: () => now });
    await adapter.send(message);
    const before = fake.tokenRequests;
    now = new Date(now.getTime() + 6_000_000); // 100 minutes: still inside 7200 s less the margin
    await adapter.send(message);
    expect(fake.tokenRequests).toBe(before);
    now = new Date(now.getTime() + 1_000_000); // ~117 minutes: inside the five-minute margin
    await adapter.send(message);
    expect(fake.tokenRequests).toBe(before + 1);
  });

  it('a wrong AppSecret is refused by the fake (40125), not worth a retry', async () => {
    const e = await caught(new WechatAdapter({ ...config, appSecret: 'wrong' }).send(message));
    expect(e).toMatchObject({ code: '40125', retryable: false });
    expect(e.message).toContain('AppSecret 不正确');
  });

  it('system busy is retryable; an unfollowed openid or an unknown template id is not', async () => {
    const adapter = new WechatAdapter(config);
    fake.failNext(-1, 'system error');
    expect(await caught(adapter.send(message))).toMatchObject({ code: '-1', retryable: true });
    const e = await caught(adapter.send({ ...message, to: 'oTEST_not_following' }));
    expect(e).toMatchObject({ code: '43004', retryable: false });
    expect(e.message).toContain('用户未关注公众号');
    expect(await caught(adapter.send({ ...message, template: 'demand_notice' }))).toMatchObject({ code: '40037', retryable: false });
  });

  it('an unmapped template or a missing field fails before any request, in Chinese', async () => {
    const before = fake.sent.length;
    const adapter = new WechatAdapter(config);
    expect(await caught(adapter.send({ ...message, template: 'sms_unknown' })))
      .toMatchObject({ code: 'TEMPLATE_NOT_MAPPED', retryable: false, message: '微信模板消息“sms_unknown”未在微信公众号登记模板编号' });
    expect(await caught(adapter.send({ ...message, params: { house: 'x', amount: '1' } })))
      .toMatchObject({ code: 'MISSING_PARAM', message: '微信模板消息“sms_pre_due”缺少变量“due”' });
    expect(fake.sent).toHaveLength(before);
  });

  it('reads the signed TEMPLATESENDJOBFINISH push, answers "success", and refuses a bad signature', async () => {
    const adapter = new WechatAdapter(config);
    const { providerId } = await adapter.send(message);
    const receiver = await startCallbackReceiver(adapter);
    try {
      const url = `${receiver.url}/callbacks/wechat`;
      expect(await fake.push(url, fake.templateFinished(providerId))).toEqual({ status: 200, body: 'success' });
      const blocked = fake.templateFinished(providerId, 'failed:user block');
      expect((await fake.push(url, blocked)).status).toBe(200);
      expect(receiver.receipts).toEqual([
        expect.objectContaining({ providerId, status: 'delivered', detail: 'success' }),
        expect.objectContaining({ providerId, status: 'failed', detail: 'failed:user block' }),
      ]);
      expect(receiver.receipts[0]?.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);

      // A body changed in transit keeps a valid signature (WeChat signs only token, timestamp and nonce), but a
      // forged query does not verify.
      const forged = fake.templateFinished(providerId);
      expect((await fake.push(url, { ...forged, query: { ...forged.query, signature: 'f'.repeat(40) } })).status).toBe(403);
      expect((await fake.push(url, { ...forged, query: { ...forged.query, nonce: '1' } })).status).toBe(403);
      expect(receiver.refused.map((e) => e.code)).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE']);
      expect(receiver.receipts).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('answers the URL check with echostr, ignores other events, and reads entities and CDATA in the XML', () => {
    const adapter = new WechatAdapter(config);
    const query = { timestamp: '1772330400', nonce: '12345', signature: wechatSignature(ACCOUNT.token, '1772330400', '12345') };
    expect(adapter.parseCallback({ query: { ...query, echostr: 'echo-42' }, headers: {}, body: '' }).reply.body).toBe('echo-42');
    const subscribe = '<xml><FromUserName><![CDATA[o1]]></FromUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>';
    expect(adapter.parseCallback({ query, headers: {}, body: subscribe })).toEqual({ receipts: [], reply: { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' } });
    expect(() => adapter.parseCallback({ query, headers: {}, body: '<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>' })).toThrow(/明文模式/);
    expect(parseFlatXml('<xml><A>1 &lt; 2 &amp; 3</A><B><![CDATA[<b>&amp;</b>]]></B><C></C></xml>')).toEqual({ A: '1 < 2 & 3', B: '<b>&amp;</b>', C: '' });
  });
});
