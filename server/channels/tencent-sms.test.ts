import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCallbackReceiver } from '../../test/providers/http.ts';
import { startFakeTencent, type FakeTencent } from '../../test/providers/tencent.ts';
import { ChannelError, type OutgoingMessage } from './channel.ts';
import { TencentSmsAdapter, tc3Authorization, type TencentSmsConfig } from './tencent-sms.ts';

/** The Tencent Cloud SMS adapter against a local API 3.0 endpoint that verifies TC3-HMAC-SHA256 as Tencent does. */

const KEY = { secretId: 'AKID-test-0001', secretKey: 'test-key-不要外泄', smsSdkAppId: '1400000001' };
const message: OutgoingMessage = {
  ref: 'outbox-77',
  to: '14400000002',
  text: '【幸福物业】尊敬的业主，您 3 栋 101 室物业费已逾期 45 天，欠费 ￥1,350.00，请尽快缴纳。',
  template: 'sms_overdue',
  params: { amount: '1,350.00', house: '3栋101室', days: '45' },
};

async function caught(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ChannelError);
  return e as ChannelError;
}

describe('Tencent Cloud SMS adapter', () => {
  let fake: FakeTencent;
  let config: TencentSmsConfig;
  beforeAll(async () => {
    fake = await startFakeTencent({ ...KEY, signNames: ['幸福物业'], templates: ['2000001'] });
    config = {
      endpoint: fake.url, secretId: KEY.secretId, secretKey: KEY.secretKey, smsSdkAppId: KEY.smsSdkAppId, signName: '幸福物业',
      // Tencent's parameters are positional: {1} house, {2} days, {3} amount in the approved template.
      templates: { sms_overdue: { templateId: '2000001', paramOrder: ['house', 'days', 'amount'] }, sms_pre_due: { templateId: '2999999', paramOrder: [] } },
      callbackToken: 'cb-token-tencent',
    };
  });
  afterAll(async () => { await fake.close(); });

  it('signs as Tencent documents it (the published DescribeInstances example)', () => {
    expect(tc3Authorization({
      secretId: 'AKID-EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', service: 'cvm', host: 'cvm.tencentcloudapi.com',
      contentType: 'application/json; charset=utf-8', timestamp: 1551113065,
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    })).toBe('TC3-HMAC-SHA256 Credential=AKID-EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, '
      + 'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  });

  it('sends a TC3-signed SendSms the fake accepts, params in template order and our ref as SessionContext', async () => {
    const result = await new TencentSmsAdapter(config).send(message);
    const sent = fake.sent.at(-1);
    expect(sent).toMatchObject({
      phoneNumber: '+8614400000002', signName: '幸福物业', templateId: '2000001', params: ['3栋101室', '45', '1,350.00'],
      sessionContext: 'outbox-77', region: 'ap-guangzhou',
    });
    expect(result.providerId).toBe(sent?.serialNo);
    expect(JSON.parse(result.response)).toMatchObject({ Response: { SendStatusSet: [{ Code: 'Ok', SerialNo: sent?.serialNo }] } });
  });

  it('reads the status report the fake posts, and refuses one without the URL token', async () => {
    const adapter = new TencentSmsAdapter(config);
    const { providerId } = await adapter.send(message);
    const receiver = await startCallbackReceiver(adapter);
    try {
      const url = `${receiver.url}/callbacks/tencent?token=cb-token-tencent`;
      const answer = await fake.pushReports(url, fake.statusReport(providerId, true, { receivedAt: new Date('2026-03-01T15:59:59Z') }));
      expect(answer).toEqual({ status: 200, body: '{"result":0,"errmsg":"OK"}' });
      expect(receiver.receipts).toEqual([expect.objectContaining({ providerId, status: 'delivered', at: '2026-03-01T15:59:59.000Z', detail: 'DELIVRD 用户短信送达成功' })]);
      expect(JSON.parse(receiver.receipts[0]?.raw ?? '')).toMatchObject({ user_receive_time: '2026-03-01 23:59:59', mobile: '14400000002' });

      await fake.pushReports(url, fake.statusReport(providerId, false));
      expect(receiver.receipts[1]).toMatchObject({ providerId, status: 'failed' });

      expect((await fake.pushReports(`${receiver.url}/callbacks/tencent?token=cb-token-aliyun`, fake.statusReport(providerId, true))).status).toBe(403);
      expect(receiver.refused.map((e) => e.code)).toEqual(['BAD_SIGNATURE']);
      expect(receiver.receipts).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('a wrong SecretKey is refused by the fake with AuthFailure.SignatureFailure, not worth a retry', async () => {
    const before = fake.sent.length;
    const e = await caught(new TencentSmsAdapter({ ...config, secretKey: 'wrong-key' }).send(message));
    expect(e).toMatchObject({ code: 'AuthFailure.SignatureFailure', retryable: false });
    expect(e.message).toContain('SecretKey 不正确');
    // A clock more than five minutes off fails too: the timestamp is part of what is signed.
    const skewed = new TencentSmsAdapter({ ...config, now: () => new Date(Date.now() - 10 * 60_000) });
    expect(await caught(skewed.send(message))).toMatchObject({ code: 'AuthFailure.SignatureExpire', retryable: false });
    expect(fake.sent).toHaveLength(before);
  });

  it('frequency limits and Tencent-side faults are retryable; an unapproved template is not', async () => {
    const adapter = new TencentSmsAdapter(config);
    fake.failNext('LimitExceeded.PhoneNumberThirtySecondLimit', '单个手机号30秒内下发短信条数超过设定的上限', { perNumber: true });
    expect(await caught(adapter.send(message))).toMatchObject({ code: 'LimitExceeded.PhoneNumberThirtySecondLimit', retryable: true });
    fake.failNext('InternalError.RequestTimeException', '请求发起时间不正常');
    expect(await caught(adapter.send(message))).toMatchObject({ code: 'InternalError.RequestTimeException', retryable: true });

    const e = await caught(adapter.send({ ...message, template: 'sms_pre_due' }));
    expect(e).toMatchObject({ code: 'FailedOperation.TemplateIncorrectOrUnapproved', retryable: false });
    expect(e.message).toContain('模板编号不存在或未审核通过');
  });

  it('an unmapped template or a missing positional param fails before any request, in Chinese', async () => {
    const before = fake.sent.length;
    const adapter = new TencentSmsAdapter(config);
    expect(await caught(adapter.send({ ...message, template: 'sms_unknown' })))
      .toMatchObject({ code: 'TEMPLATE_NOT_MAPPED', retryable: false, message: '短信模板“sms_unknown”未在腾讯云登记模板编号' });
    expect(await caught(adapter.send({ ...message, params: { house: '3栋101室', amount: '1,350.00' } })))
      .toMatchObject({ code: 'MISSING_PARAM', retryable: false, message: '短信模板“sms_overdue”缺少变量“days”' });
    expect(fake.sent).toHaveLength(before);
  });
});
