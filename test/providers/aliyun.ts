import { createHmac, randomUUID } from 'node:crypto';
import { listen, postCallback, queryOf, reply } from './http.ts';

/**
 * A stand-in for Aliyun Dysmsapi (RPC style, 2017-05-25) on 127.0.0.1. It checks requests the way Aliyun does (known
 * AccessKeyId, fresh Timestamp, unused SignatureNonce, HMAC-SHA1 signature 1.0 recomputed from the parameters it
 * received) and answers with Aliyun's own error shapes. Its signing code is written apart from the adapter's on
 * purpose, so a shared mistake cannot make both sides agree.
 */
export interface FakeAliyunOptions {
  accessKeyId: string;
  secret: string;
  /** Approved signatures; any when absent. */
  signNames?: string[];
  /** Approved template codes; any when absent. */
  templates?: string[];
  now?: () => Date;
}

export interface AliyunSent {
  bizId: string;
  method: string;
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  outId: string | undefined;
  /** Every parameter as received, the signature included. */
  params: Record<string, string>;
}

export interface FakeAliyun {
  url: string;
  sent: AliyunSent[];
  /** The next SendSms that passes the signature check gets this error instead (HTTP 200 with the code, as Aliyun
   * answers business errors; give a status for e.g. a 503). */
  failNext(code: string, message?: string, httpStatus?: number): void;
  /** An SmsReport push body (HTTP batch push) for one sent message. */
  deliveryReport(bizId: string, success: boolean, opts?: { errCode?: string; errMsg?: string; reportTime?: Date }): string;
  /** POSTs a report body to our callback URL the way Aliyun does. */
  pushReports(callbackUrl: string, body: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Percent-encoding byte by byte over UTF-8: only A-Z a-z 0-9 - _ . ~ stay as they are. */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Aliyun prints report times as China wall-clock time. */
function chinaTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

const COMMON = ['AccessKeyId', 'Action', 'Format', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'Timestamp', 'Version', 'Signature'];

export async function startFakeAliyun(opts: FakeAliyunOptions): Promise<FakeAliyun> {
  const now = opts.now ?? (() => new Date());
  const sent: AliyunSent[] = [];
  const nonces = new Set<string>();
  const failures: Array<{ code: string; message: string; status: number }> = [];
  let seq = 0;

  const server = await listen((req, body, res) => {
    const requestId = randomUUID().toUpperCase();
    const fail = (status: number, code: string, message: string) =>
      reply(res, status, { RequestId: requestId, HostId: 'dysmsapi.aliyuncs.com', Code: code, Message: message, Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` });
    const method = req.method ?? 'GET';
    // RPC parameters come in the query (GET) or as a form body (POST); both are signed the same way.
    const params: Record<string, string> = { ...queryOf(req), ...(method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : {}) };
    const missing = COMMON.find((k) => !params[k]);
    if (missing) return fail(400, `Missing${missing}`, `${missing} is mandatory for this action.`);
    if (params.AccessKeyId !== opts.accessKeyId) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') return fail(400, 'InvalidParameter', 'The specified SignatureMethod or SignatureVersion is not supported.');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(params.Timestamp ?? '')) return fail(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    if (Math.abs(now().getTime() - Date.parse(params.Timestamp ?? '')) > 15 * 60_000) return fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');

    const { Signature: given, ...signed } = params;
    const canonical = Object.keys(signed).sort().map((k) => `${pct(k)}=${pct(signed[k] ?? '')}`).join('&');
    const stringToSign = `${method}&${pct('/')}&${pct(canonical)}`;
    const expected = createHmac('sha1', `${opts.secret}&`).update(stringToSign, 'utf8').digest('base64');
    if (given !== expected) return fail(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
    if (nonces.has(params.SignatureNonce ?? '')) return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(params.SignatureNonce ?? '');
    if (params.Action !== 'SendSms' || params.Version !== '2017-05-25') return fail(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');

    const business = (code: string, message: string) => reply(res, 200, { RequestId: requestId, Code: code, Message: message });
    const failure = failures.shift();
    if (failure) return failure.status === 200 ? business(failure.code, failure.message) : fail(failure.status, failure.code, failure.message);
    const phones = (params.PhoneNumbers ?? '').split(',');
    if (!phones.every((p) => /^(\+?86)?1\d{10}$/.test(p))) return business('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (!params.SignName || (opts.signNames && !opts.signNames.includes(params.SignName))) return business('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    if (!params.TemplateCode || (opts.templates && !opts.templates.includes(params.TemplateCode))) return business('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let templateParam: Record<string, string> = {};
    try {
      templateParam = params.TemplateParam ? JSON.parse(params.TemplateParam) as Record<string, string> : {};
    } catch {
      return business('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    const bizId = `${String(900_000_000_000 + ++seq)}^0`;
    sent.push({
      bizId, method, phoneNumbers: params.PhoneNumbers ?? '', signName: params.SignName, templateCode: params.TemplateCode,
      templateParam, outId: params.OutId, params,
    });
    reply(res, 200, { RequestId: requestId, Code: 'OK', Message: 'OK', BizId: bizId });
  });

  return {
    url: `${server.url}/`,
    sent,
    failNext: (code, message = code, httpStatus = 200) => { failures.push({ code, message, status: httpStatus }); },
    deliveryReport(bizId, success, o = {}) {
      const s = sent.find((m) => m.bizId === bizId);
      const reportTime = o.reportTime ?? now();
      return JSON.stringify([{
        phone_number: s?.phoneNumbers ?? '',
        send_time: chinaTime(new Date(reportTime.getTime() - 5_000)),
        report_time: chinaTime(reportTime),
        success,
        err_code: o.errCode ?? (success ? 'DELIVERED' : 'UNDELIV'),
        err_msg: o.errMsg ?? (success ? '用户接收成功' : '短信未送达'),
        sms_size: '1',
        biz_id: bizId,
        out_id: s?.outId ?? '',
      }]);
    },
    pushReports: (callbackUrl, body) => postCallback(callbackUrl, body, 'application/json'),
    close: server.close,
  };
}
