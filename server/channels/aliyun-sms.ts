import { createHmac, randomUUID } from 'node:crypto';
import { ChannelError, type CallbackRequest, type ChannelAdapter, type DeliveryReceipt, type OutgoingMessage, type SendResult } from './channel.ts';
import { chinaTimeToIso, httpJson, jsonArrayBody, mainlandMobile, mappedTemplate, requireUrlToken, str, type Fetch } from './support.ts';

/** Aliyun SMS (Dysmsapi, RPC style, version 2017-05-25): SendSms, and the HTTP batch push of SmsReport. */
export interface AliyunSmsConfig {
  /** Default https://dysmsapi.aliyuncs.com/ ; tests point it at a local fake. */
  endpoint?: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Default cn-hangzhou (Dysmsapi is served from there for mainland numbers). */
  regionId?: string;
  /** The approved signature, e.g. 某某物业 (shown as 【某某物业】). */
  signName: string;
  /** Our template kind → Aliyun template code (SMS_…). */
  templates: Record<string, string>;
  /** The secret in the report URL registered with Aliyun (…/callbacks/aliyun?token=…), see requireUrlToken. */
  callbackToken: string;
  now?: () => Date;
  fetch?: Fetch;
  timeoutMs?: number;
}

const LABEL = '阿里云短信';

/** Aliyun's percent-encoding: RFC 3986 unreserved characters stay, everything else is %XX of its UTF-8 bytes (so a
 * space is %20, not +; * is %2A; ~ stays). encodeURIComponent already does this except for !'()*. */
export function aliyunPercentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Signature version 1.0: base64(HMAC-SHA1(secret + "&", METHOD + "&%2F&" + encode(sorted, encoded query))). */
export function aliyunSignature(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  const canonical = Object.keys(params).sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k] ?? '')}`).join('&');
  const stringToSign = `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** What each error code means to the person reading the outbox; unknown codes show Aliyun's own message. */
const ZH: Record<string, string> = {
  SignatureDoesNotMatch: 'AccessKey Secret 不正确，签名校验未通过',
  'InvalidAccessKeyId.NotFound': 'AccessKeyId 不存在',
  'InvalidAccessKeyId.Inactive': 'AccessKey 已停用',
  'InvalidTimeStamp.Expired': '请求时间与阿里云相差过大，请校准服务器时钟',
  'isv.MOBILE_NUMBER_ILLEGAL': '手机号码格式不正确',
  'isv.SMS_TEMPLATE_ILLEGAL': '模板编号不存在或未审核通过',
  'isv.SMS_SIGNATURE_ILLEGAL': '短信签名不存在或未审核通过',
  'isv.TEMPLATE_MISSING_PARAMETERS': '模板变量缺失',
  'isv.INVALID_JSON_PARAM': '模板变量不是合法的 JSON',
  'isv.AMOUNT_NOT_ENOUGH': '账户余额不足',
  'isv.BUSINESS_LIMIT_CONTROL': '同一号码发送过于频繁（业务流控），稍后重试',
  'isv.DAY_LIMIT_CONTROL': '已达到当日发送上限，稍后重试',
  'isp.SYSTEM_ERROR': '阿里云系统错误，稍后重试',
};

/** Throttling and Aliyun-side faults clear up by themselves; everything else needs a person to fix the request. */
function retryableCode(code: string): boolean {
  return code.startsWith('Throttling') || ['isv.BUSINESS_LIMIT_CONTROL', 'isv.DAY_LIMIT_CONTROL', 'isp.SYSTEM_ERROR',
    'ServiceUnavailable', 'InternalError', 'SignatureNonceUsed'].includes(code);
}

export class AliyunSmsAdapter implements ChannelAdapter {
  readonly kind = 'sms';
  readonly provider = 'aliyun';
  private readonly endpoint: string;
  private readonly now: () => Date;
  private readonly fetch: Fetch;

  constructor(private readonly cfg: AliyunSmsConfig) {
    this.endpoint = cfg.endpoint ?? 'https://dysmsapi.aliyuncs.com/';
    this.now = cfg.now ?? (() => new Date());
    this.fetch = cfg.fetch ?? fetch;
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const templateCode = mappedTemplate(this.cfg.templates, msg.template, '短信模板', '阿里云');
    const params: Record<string, string> = {
      AccessKeyId: this.cfg.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: this.cfg.regionId ?? 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: this.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      PhoneNumbers: mainlandMobile(msg.to),
      SignName: this.cfg.signName,
      TemplateCode: templateCode,
      TemplateParam: JSON.stringify(msg.params),
      OutId: msg.ref,
    };
    // POST keeps the phone number and the text out of URLs (and so out of proxy logs); the signature covers the method.
    const body = Object.entries({ ...params, Signature: aliyunSignature('POST', params, this.cfg.accessKeySecret) })
      .map(([k, v]) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(v)}`).join('&');
    const answer = await httpJson(LABEL, this.fetch, this.endpoint, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' }, body,
    }, this.cfg.timeoutMs);
    const r = answer.json as { Code?: string; Message?: string; BizId?: string };
    if (r.Code === 'OK' && r.BizId) return { providerId: r.BizId, response: answer.text };
    const code = r.Code ?? `HTTP_${answer.status}`;
    throw new ChannelError(`${LABEL}发送失败：${ZH[code] ?? r.Message ?? '未知错误'}（${code}：${r.Message ?? ''}）`,
      answer.status >= 500 || retryableCode(code), code);
  }

  /** SmsReport, HTTP batch push: a JSON array of reports, answered with {"code":0,"msg":"成功"} (anything else makes
   * Aliyun push again). Aliyun does not sign these pushes, so the URL token is all there is to check. */
  parseCallback(req: CallbackRequest): { receipts: DeliveryReceipt[]; reply: { status: number; contentType: string; body: string } } {
    requireUrlToken(req, this.cfg.callbackToken, LABEL);
    const receipts = jsonArrayBody(req.body, LABEL).map((r): DeliveryReceipt => {
      if (!str(r.biz_id)) throw new ChannelError(`${LABEL}回执缺少 biz_id`, false, 'BAD_CALLBACK');
      const ref = str(r.out_id);
      return {
        providerId: str(r.biz_id),
        status: r.success === true || r.success === 'true' ? 'delivered' : 'failed',
        at: chinaTimeToIso(str(r.report_time), LABEL),
        detail: `${str(r.err_code)} ${str(r.err_msg)}`.trim(),
        raw: JSON.stringify(r),
        ...(ref ? { ref } : {}),
      };
    });
    return { receipts, reply: { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ code: 0, msg: '成功' }) } };
  }
}
