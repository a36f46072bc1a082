import { createHash, createHmac } from 'node:crypto';
import { ChannelError, type CallbackRequest, type ChannelAdapter, type DeliveryReceipt, type OutgoingMessage, type SendResult } from './channel.ts';
import { chinaTimeToIso, httpJson, jsonArrayBody, mainlandMobile, mappedTemplate, requireUrlToken, str, type Fetch } from './support.ts';

/** Tencent Cloud SMS, API 3.0 (SendSms, version 2021-01-11, TC3-HMAC-SHA256), and its status-report push. */
export interface TencentSmsConfig {
  /** Default https://sms.tencentcloudapi.com/ ; tests point it at a local fake. */
  endpoint?: string;
  secretId: string;
  secretKey: string;
  /** Default ap-guangzhou. */
  region?: string;
  smsSdkAppId: string;
  signName: string;
  /** Our template kind → Tencent template id and the names of our params in the template's {1}, {2}, … order
   * (Tencent's TemplateParamSet is positional). */
  templates: Record<string, { templateId: string; paramOrder: string[] }>;
  /** The secret in the status-report URL registered with Tencent (…?token=…), see requireUrlToken. */
  callbackToken: string;
  now?: () => Date;
  fetch?: Fetch;
  timeoutMs?: number;
}

const LABEL = '腾讯云短信';
const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** The TC3-HMAC-SHA256 Authorization header for a POST of `payload` to `/` with content-type and host signed.
 * Header names and values are lowercased in the canonical request, as Tencent's reference implementation does. */
export function tc3Authorization(a: { secretId: string; secretKey: string; service: string; host: string; contentType: string; payload: string; timestamp: number }): string {
  const date = new Date(a.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = ['POST', '/', '', `content-type:${a.contentType.toLowerCase()}\nhost:${a.host.toLowerCase()}\n`, 'content-type;host', sha256hex(a.payload)].join('\n');
  const scope = `${date}/${a.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(a.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${a.secretKey}`, date), a.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${a.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

const ZH: Record<string, string> = {
  'AuthFailure.SignatureFailure': 'SecretKey 不正确，签名校验未通过',
  'AuthFailure.SecretIdNotFound': 'SecretId 不存在',
  'AuthFailure.SignatureExpire': '请求时间与腾讯云相差超过 5 分钟，请校准服务器时钟',
  'InvalidParameterValue.IncorrectPhoneNumber': '手机号码格式不正确',
  'InvalidParameterValue.SdkAppIdNotExist': 'SmsSdkAppId 不存在',
  'FailedOperation.TemplateIncorrectOrUnapproved': '模板编号不存在或未审核通过',
  'FailedOperation.SignatureIncorrectOrUnapproved': '短信签名不存在或未审核通过',
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate': '模板变量与审核通过的模板不一致',
  'FailedOperation.InsufficientBalanceInSmsPackage': '短信套餐包余量不足',
  'FailedOperation.PhoneNumberInBlacklist': '号码在免打扰名单中（用户已退订）',
  'LimitExceeded.PhoneNumberThirtySecondLimit': '同一号码 30 秒内发送过于频繁，稍后重试',
  'LimitExceeded.PhoneNumberOneHourLimit': '同一号码 1 小时内发送过于频繁，稍后重试',
  'LimitExceeded.PhoneNumberDailyLimit': '同一号码已达当日发送上限，稍后重试',
  RequestLimitExceeded: '接口调用过于频繁，稍后重试',
};

/** Tencent's own faults and frequency limits clear up by themselves; the rest needs the request or the config fixed. */
const retryableCode = (code: string) => /^(InternalError|RequestLimitExceeded|LimitExceeded)/.test(code);

export class TencentSmsAdapter implements ChannelAdapter {
  readonly kind = 'sms';
  readonly provider = 'tencent';
  private readonly endpoint: string;
  private readonly now: () => Date;
  private readonly fetch: Fetch;

  constructor(private readonly cfg: TencentSmsConfig) {
    this.endpoint = cfg.endpoint ?? 'https://sms.tencentcloudapi.com/';
    this.now = cfg.now ?? (() => new Date());
    this.fetch = cfg.fetch ?? fetch;
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const template = mappedTemplate(this.cfg.templates, msg.template, '短信模板', '腾讯云');
    const paramSet = template.paramOrder.map((name) => {
      const v = msg.params[name];
      if (v === undefined) throw new ChannelError(`短信模板“${msg.template}”缺少变量“${name}”`, false, 'MISSING_PARAM');
      return v;
    });
    const payload = JSON.stringify({
      PhoneNumberSet: [`+86${mainlandMobile(msg.to)}`],
      SmsSdkAppId: this.cfg.smsSdkAppId,
      SignName: this.cfg.signName,
      TemplateId: template.templateId,
      TemplateParamSet: paramSet,
      SessionContext: msg.ref,
    });
    const contentType = 'application/json; charset=utf-8';
    const timestamp = Math.floor(this.now().getTime() / 1000);
    const authorization = tc3Authorization({
      secretId: this.cfg.secretId, secretKey: this.cfg.secretKey, service: 'sms', host: new URL(this.endpoint).host, contentType, payload, timestamp,
    });
    const answer = await httpJson(LABEL, this.fetch, this.endpoint, {
      method: 'POST',
      headers: {
        authorization, 'content-type': contentType,
        'x-tc-action': 'SendSms', 'x-tc-version': '2021-01-11', 'x-tc-timestamp': String(timestamp),
        'x-tc-region': this.cfg.region ?? 'ap-guangzhou', 'x-tc-language': 'zh-CN',
      },
      body: payload,
    }, this.cfg.timeoutMs);
    type Status = { SerialNo?: string; Code?: string; Message?: string };
    const r = (answer.json as { Response?: { Error?: { Code?: string; Message?: string }; SendStatusSet?: Status[] } }).Response;
    const first = r?.SendStatusSet?.[0];
    if (!r?.Error && first?.Code === 'Ok' && first.SerialNo) return { providerId: first.SerialNo, response: answer.text };
    // Errors of the whole request come in Response.Error; errors of one number in its SendStatusSet entry.
    const failure = r?.Error ?? first ?? { Code: `HTTP_${answer.status}`, Message: '应答中没有 SendStatusSet' };
    const code = failure.Code ?? `HTTP_${answer.status}`;
    throw new ChannelError(`${LABEL}发送失败：${ZH[code] ?? failure.Message ?? '未知错误'}（${code}：${failure.Message ?? ''}）`,
      answer.status >= 500 || retryableCode(code), code);
  }

  /** Status-report push: a JSON array, answered with {"result":0,"errmsg":"OK"}. Tencent does not sign these pushes,
   * so the URL token is all there is to check. */
  parseCallback(req: CallbackRequest): { receipts: DeliveryReceipt[]; reply: { status: number; contentType: string; body: string } } {
    requireUrlToken(req, this.cfg.callbackToken, LABEL);
    const receipts = jsonArrayBody(req.body, LABEL).map((r): DeliveryReceipt => {
      if (!str(r.sid)) throw new ChannelError(`${LABEL}回执缺少 sid`, false, 'BAD_CALLBACK');
      return {
        providerId: str(r.sid),
        status: r.report_status === 'SUCCESS' ? 'delivered' : 'failed',
        at: chinaTimeToIso(str(r.user_receive_time), LABEL),
        detail: `${str(r.errmsg)} ${str(r.description)}`.trim(),
        raw: JSON.stringify(r),
      };
    });
    return { receipts, reply: { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ result: 0, errmsg: 'OK' }) } };
  }
}
