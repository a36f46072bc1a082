import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { listen, postCallback, reply } from './http.ts';

/**
 * A stand-in for Tencent Cloud SMS API 3.0 (SendSms, 2021-01-11) on 127.0.0.1. It verifies TC3-HMAC-SHA256 the way
 * Tencent does: parses the Authorization header, rebuilds the canonical request from the headers it names and the body
 * it received, derives the signing key from its own copy of the SecretKey, and answers HTTP 200 with
 * {Response:{Error:{Code,Message},RequestId}} when anything is off. Written apart from the adapter's signer on purpose.
 */
export interface FakeTencentOptions {
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  /** Approved signatures; any when absent. */
  signNames?: string[];
  /** Approved template ids; any when absent. */
  templates?: string[];
  now?: () => Date;
}

export interface TencentSent {
  serialNo: string;
  phoneNumber: string;
  signName: string;
  templateId: string;
  params: string[];
  sessionContext: string | undefined;
  region: string;
}

export interface FakeTencent {
  url: string;
  sent: TencentSent[];
  /** The next SendSms that passes the signature check fails with this code: for the whole request (Response.Error),
   * or, with perNumber, in the number's SendStatusSet entry, as Tencent reports e.g. frequency limits. */
  failNext(code: string, message?: string, opts?: { perNumber?: boolean }): void;
  /** A status-report push body for one sent message. */
  statusReport(serialNo: string, success: boolean, opts?: { errmsg?: string; description?: string; receivedAt?: Date }): string;
  /** POSTs a status-report body to our callback URL the way Tencent does. */
  pushReports(callbackUrl: string, body: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const chinaTime = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v.join(',') : v ?? '').trim();
};

export async function startFakeTencent(opts: FakeTencentOptions): Promise<FakeTencent> {
  const now = opts.now ?? (() => new Date());
  const sent: TencentSent[] = [];
  const failures: Array<{ code: string; message: string; perNumber: boolean }> = [];
  let seq = 0;

  /** The reason the request does not verify, or undefined when it does. */
  function authFailure(req: IncomingMessage, body: string): [string, string] | undefined {
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([\w-]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
      .exec(header(req, 'authorization'));
    if (!m) return ['AuthFailure.InvalidAuthorization', 'Credential is malformed or Authorization header is not TC3-HMAC-SHA256.'];
    const [, secretId = '', date = '', service = '', signedHeaders = '', signature = ''] = m;
    if (secretId !== opts.secretId) return ['AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.'];
    const timestamp = Number(header(req, 'x-tc-timestamp'));
    const serverTime = Math.floor(now().getTime() / 1000);
    if (!Number.isInteger(timestamp) || Math.abs(serverTime - timestamp) > 300) {
      return ['AuthFailure.SignatureExpire', `Signature expired. Timestamp: ${timestamp}, server time: ${serverTime}.`];
    }
    const names = signedHeaders.split(';');
    const mismatch: [string, string] = ['AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.'];
    if (!names.includes('content-type') || !names.includes('host') || service !== 'sms') return mismatch;
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return mismatch;
    const canonicalHeaders = names.map((n) => `${n}:${header(req, n).toLowerCase()}\n`).join('');
    const canonicalRequest = [req.method, '/', '', canonicalHeaders, signedHeaders, sha256(body)].join('\n');
    const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha256(canonicalRequest)}`;
    let key: Buffer = Buffer.from(`TC3${opts.secretKey}`, 'utf8');
    for (const part of [date, service, 'tc3_request']) key = createHmac('sha256', key).update(part).digest();
    return createHmac('sha256', key).update(stringToSign).digest('hex') === signature ? undefined : mismatch;
  }

  const server = await listen((req, body, res) => {
    const requestId = randomUUID();
    const error = (code: string, message: string) => reply(res, 200, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } });
    if (req.method !== 'POST') return error('InvalidParameter', 'Only POST is served by this fake.');
    const auth = authFailure(req, body);
    if (auth) return error(...auth);
    if (header(req, 'x-tc-action') !== 'SendSms') return error('InvalidAction', `Action ${header(req, 'x-tc-action')} does not exist.`);
    if (header(req, 'x-tc-version') !== '2021-01-11') return error('NoSuchVersion', 'The API version does not exist.');
    const region = header(req, 'x-tc-region');
    if (!region) return error('MissingParameter', 'The request is missing a required parameter `Region`.');
    let p: { PhoneNumberSet?: string[]; SmsSdkAppId?: string; SignName?: string; TemplateId?: string; TemplateParamSet?: string[]; SessionContext?: string };
    try {
      p = JSON.parse(body) as typeof p;
    } catch {
      return error('InvalidParameter', 'The request body is not valid JSON.');
    }
    if (p.SmsSdkAppId !== opts.smsSdkAppId) return error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId does not exist.');
    const failure = failures.shift();
    if (failure && !failure.perNumber) return error(failure.code, failure.message);
    if (!p.SignName || (opts.signNames && !opts.signNames.includes(p.SignName))) return error('FailedOperation.SignatureIncorrectOrUnapproved', '签名未审批或格式错误。');
    if (!p.TemplateId || (opts.templates && !opts.templates.includes(p.TemplateId))) return error('FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配。');
    if (!Array.isArray(p.TemplateParamSet) || !p.TemplateParamSet.every((x) => typeof x === 'string')) return error('InvalidParameterValue.TemplateParameterFormatError', '验证码模板参数格式错误。');
    const statuses = (p.PhoneNumberSet ?? []).map((phone) => {
      if (failure) return { SerialNo: '', PhoneNumber: phone, Fee: 0, SessionContext: p.SessionContext ?? '', Code: failure.code, Message: failure.message, IsoCode: 'CN' };
      if (!/^\+861\d{10}$/.test(phone)) return { SerialNo: '', PhoneNumber: phone, Fee: 0, SessionContext: p.SessionContext ?? '', Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: '手机号格式错误。', IsoCode: 'CN' };
      const serialNo = `2640:${String(100_000_000_000 + ++seq)}`;
      sent.push({ serialNo, phoneNumber: phone, signName: p.SignName ?? '', templateId: p.TemplateId ?? '', params: p.TemplateParamSet ?? [], sessionContext: p.SessionContext, region });
      return { SerialNo: serialNo, PhoneNumber: phone, Fee: 1, SessionContext: p.SessionContext ?? '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' };
    });
    reply(res, 200, { Response: { SendStatusSet: statuses, RequestId: requestId } });
  });

  return {
    url: `${server.url}/`,
    sent,
    failNext: (code, message = code, o = {}) => { failures.push({ code, message, perNumber: o.perNumber ?? false }); },
    statusReport(serialNo, success, o = {}) {
      const s = sent.find((m) => m.serialNo === serialNo);
      return JSON.stringify([{
        user_receive_time: chinaTime(o.receivedAt ?? now()),
        nationcode: '86',
        mobile: s?.phoneNumber.replace(/^\+86/, '') ?? '',
        report_status: success ? 'SUCCESS' : 'FAIL',
        errmsg: o.errmsg ?? (success ? 'DELIVRD' : 'UNDELIV'),
        description: o.description ?? (success ? '用户短信送达成功' : '短信未送达'),
        sid: serialNo,
      }]);
    },
    pushReports: (callbackUrl, body) => postCallback(callbackUrl, body, 'application/json'),
    close: server.close,
  };
}
