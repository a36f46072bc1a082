import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAliyun, type FakeAliyun } from '../../test/providers/aliyun.ts';
import { startCallbackReceiver } from '../../test/providers/http.ts';
import { AliyunSmsAdapter, aliyunPercentEncode, aliyunSignature, type AliyunSmsConfig } from './aliyun-sms.ts';
import { ChannelError, type OutgoingMessage } from './channel.ts';

/** The Aliyun SMS adapter against a local Dysmsapi that verifies signatures as Aliyun does. */

const KEY = { accessKeyId: 'LTAI-test-id', secret: 'test-secret-不要外泄' };
const message: OutgoingMessage = {
  ref: 'outbox-41',
  to: '14400000001',
  text: '【幸福物业】尊敬的业主，您 1 栋 2 单元 301 室 2026 年 3 月物业费 ￥300.00 将于 3 月 31 日到期。',
  template: 'sms_pre_due',
  // Characters Aliyun's encoding treats specially: space, *, ~, ', !, ( ) and Chinese.
  params: { house: '1栋2单元301室', amount: '300.00', due: '3月31日', note: "a*b~c 'd'!(e)" },
};

async function caught(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ChannelError);
  return e as ChannelError;
}

describe('Aliyun SMS adapter', () => {
  let fake: FakeAliyun;
  let config: AliyunSmsConfig;
  beforeAll(async () => {
    fake = await startFakeAliyun({ ...KEY, signNames: ['幸福物业'], templates: ['SMS_100001'] });
    config = {
      endpoint: fake.url, accessKeyId: KEY.accessKeyId, accessKeySecret: KEY.secret, signName: '幸福物业',
      templates: { sms_pre_due: 'SMS_100001', sms_overdue: 'SMS_999999' }, callbackToken: 'cb-token-aliyun',
    };
  });
  afterAll(async () => { await fake.close(); });

  it('signs as Aliyun documents it (the published DescribeRegions example) and encodes by its rules', () => {
    const params = {
      AccessKeyId: 'testid', Action: 'DescribeRegions', Format: 'XML', SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', SignatureVersion: '1.0', Timestamp: '2016-02-23T12:46:24Z', Version: '2014-05-26',
    };
    expect(aliyunSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(aliyunPercentEncode("a b*c~d'!()")).toBe('a%20b%2Ac~d%27%21%28%29');
    expect(aliyunPercentEncode('物')).toBe('%E7%89%A9');
  });

  it('sends a template SMS the fake accepts, with our ref as OutId', async () => {
    const result = await new AliyunSmsAdapter(config).send(message);
    const sent = fake.sent.at(-1);
    expect(sent).toMatchObject({
      method: 'POST', phoneNumbers: '14400000001', signName: '幸福物业', templateCode: 'SMS_100001', templateParam: message.params, outId: 'outbox-41',
    });
    expect(result.providerId).toBe(sent?.bizId);
    expect(JSON.parse(result.response)).toMatchObject({ Code: 'OK', BizId: sent?.bizId });
    expect(result.receipt).toBeUndefined();
  });

  it('reads the SmsReport push the fake posts, and refuses one without the URL token', async () => {
    const adapter = new AliyunSmsAdapter(config);
    const { providerId } = await adapter.send({ ...message, ref: 'outbox-42' });
    const receiver = await startCallbackReceiver(adapter);
    try {
      const reportTime = new Date('2026-03-01T02:00:07Z');
      const ok = await fake.pushReports(`${receiver.url}/callbacks/aliyun?token=cb-token-aliyun`, fake.deliveryReport(providerId, true, { reportTime }));
      expect(ok).toEqual({ status: 200, body: '{"code":0,"msg":"成功"}' });
      expect(receiver.receipts).toEqual([expect.objectContaining({
        providerId, status: 'delivered', at: '2026-03-01T02:00:07.000Z', detail: 'DELIVERED 用户接收成功', ref: 'outbox-42',
      })]);
      expect(JSON.parse(receiver.receipts[0]?.raw ?? '')).toMatchObject({ report_time: '2026-03-01 10:00:07', biz_id: providerId });

      await fake.pushReports(`${receiver.url}/callbacks/aliyun?token=cb-token-aliyun`, fake.deliveryReport(providerId, false));
      expect(receiver.receipts[1]).toMatchObject({ providerId, status: 'failed', detail: 'UNDELIV 短信未送达' });

      const forged = fake.deliveryReport(providerId, true);
      for (const url of [`${receiver.url}/callbacks/aliyun`, `${receiver.url}/callbacks/aliyun?token=guess`]) {
        expect((await fake.pushReports(url, forged)).status).toBe(403);
      }
      expect(receiver.refused.map((e) => e.code)).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE']);
      expect(receiver.receipts).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('a wrong AccessKey secret is refused by the fake with SignatureDoesNotMatch, not worth a retry', async () => {
    const before = fake.sent.length;
    const e = await caught(new AliyunSmsAdapter({ ...config, accessKeySecret: 'wrong-secret' }).send(message));
    expect(e).toMatchObject({ code: 'SignatureDoesNotMatch', retryable: false });
    expect(e.message).toContain('AccessKey Secret 不正确');
    expect(fake.sent).toHaveLength(before);
  });

  it('throttling and Aliyun-side faults are retryable; an unapproved template is not', async () => {
    const adapter = new AliyunSmsAdapter(config);
    fake.failNext('isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1');
    expect(await caught(adapter.send(message))).toMatchObject({ code: 'isv.BUSINESS_LIMIT_CONTROL', retryable: true });
    fake.failNext('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503);
    expect(await caught(adapter.send(message))).toMatchObject({ code: 'ServiceUnavailable', retryable: true });

    const e = await caught(adapter.send({ ...message, template: 'sms_overdue' }));
    expect(e).toMatchObject({ code: 'isv.SMS_TEMPLATE_ILLEGAL', retryable: false });
    expect(e.message).toBe('阿里云短信发送失败：模板编号不存在或未审核通过（isv.SMS_TEMPLATE_ILLEGAL：该账号下找不到对应模板）');
  });

  it('an unreachable endpoint is a retryable network error', async () => {
    const closed = await startFakeAliyun(KEY);
    await closed.close();
    expect(await caught(new AliyunSmsAdapter({ ...config, endpoint: closed.url }).send(message))).toMatchObject({ code: 'NETWORK', retryable: true });
  });

  it('an unmapped template or a malformed number fails before any request, in Chinese', async () => {
    const before = fake.sent.length;
    const adapter = new AliyunSmsAdapter(config);
    const e = await caught(adapter.send({ ...message, template: 'sms_unknown' }));
    expect(e).toMatchObject({ code: 'TEMPLATE_NOT_MAPPED', retryable: false, message: '短信模板“sms_unknown”未在阿里云登记模板编号' });
    expect(await caught(adapter.send({ ...message, to: '1440000' }))).toMatchObject({ code: 'BAD_NUMBER', retryable: false });
    // Object.prototype names are not templates.
    expect(await caught(adapter.send({ ...message, template: 'constructor' }))).toMatchObject({ code: 'TEMPLATE_NOT_MAPPED' });
    expect(fake.sent).toHaveLength(before);
  });
});
