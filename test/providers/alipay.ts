import { generateKeyPairSync, randomBytes, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { listen, queryOf } from './http.ts';

/**
 * A stand-in for the Alipay open-platform gateway on 127.0.0.1. It checks a request's RSA2 signature with the
 * application PUBLIC key (recomputed from the parameters it received), answers alipay.trade.query signed with the
 * Alipay private key, "opens" an alipay.trade.wap.pay URL the way the cashier does (signature checked, then the trade
 * created and, unless told otherwise, paid), and builds signed notification forms. Its signing code is written apart
 * from the adapter's on purpose, so a shared mistake cannot make both sides agree.
 */
export interface FakeAlipayOptions {
  appId: string;
  appPublicKey: KeyObject;
  alipayPrivateKey: KeyObject;
  now?: () => Date;
}

export type AlipayTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

export interface AlipayTrade {
  outTradeNo: string;
  tradeNo: string;
  /** total_amount as the merchant sent it. */
  totalAmount: string;
  subject: string;
  timeExpire: string;
  notifyUrl: string;
  returnUrl: string;
  status: AlipayTradeStatus;
  gmtPayment?: string;
  /** Every parameter of the pay URL, as received. */
  params: Record<string, string>;
}

export type AlipayRefusal = { ok: false; code: string; subCode: string; subMsg: string };

export interface FakeAlipay {
  /** The gateway URL (…/gateway.do). */
  url: string;
  trades: Map<string, AlipayTrade>;
  /** Requests to the gateway, as received (parameters, sign included). */
  requests: Array<Record<string, string>>;
  /** Put "sign" before the response member in query answers (Alipay's own order is the response first). */
  signFirst: boolean;
  /** The next query that passes the signature check gets this business error (signed) instead. */
  failNext(code: string, msg: string, subCode?: string, subMsg?: string): void;
  /** The next request gets this raw HTTP answer (e.g. a 502 from a proxy). */
  httpFailNext(status: number, body: string): void;
  /** The next answer is changed after signing, signed with another key, or sent without a sign. */
  tamperNext(how: 'body' | 'key' | 'unsigned'): void;
  /** The owner's browser opens the pay URL: refused unless it is well signed; otherwise the trade exists and is paid
   * (or only waiting, with pay: false). */
  open(payUrl: string, opts?: { pay?: boolean }): { ok: true; trade: AlipayTrade } | AlipayRefusal;
  setStatus(outTradeNo: string, status: AlipayTradeStatus): void;
  /** A signed asynchronous notification (form body) for the trade; overrides are applied before signing (a value of
   * undefined removes the field). */
  notification(outTradeNo: string, overrides?: Record<string, string | undefined>, opts?: { signingKey?: KeyObject }): string;
  /** POSTs a notification form the way Alipay does and returns our answer. */
  post(url: string, body: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Alipay prints times as China wall-clock time. */
function shanghai(d: Date): string {
  const s = new Date(d.getTime() + 8 * 60 * 60 * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${s.getUTCFullYear()}-${p(s.getUTCMonth() + 1)}-${p(s.getUTCDate())} ${p(s.getUTCHours())}:${p(s.getUTCMinutes())}:${p(s.getUTCSeconds())}`;
}

/** A request's string to sign: parameters other than sign with a value, in byte order of their names. */
function requestContent(params: Record<string, string>): string {
  const names: string[] = [];
  for (const name in params) if (name !== 'sign' && (params[name] ?? '').length > 0) names.push(name);
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return names.map((n) => n + '=' + (params[n] ?? '')).join('&');
}

function rsa2(key: KeyObject, content: string): string {
  return rsaSign('RSA-SHA256', Buffer.from(content, 'utf8'), key).toString('base64');
}

/** JSON as Alipay's serializer might write it, and not as JSON.stringify does: "/" escaped, non-ASCII as \\uXXXX. A
 * client that re-serialises the member instead of taking its text gets a different string. */
function writeJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, '\\/').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

let other: KeyObject | undefined;
function otherKey(): KeyObject {
  other ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return other;
}

export async function startFakeAlipay(opts: FakeAlipayOptions): Promise<FakeAlipay> {
  const now = opts.now ?? (() => new Date());
  const trades = new Map<string, AlipayTrade>();
  const requests: Array<Record<string, string>> = [];
  const failures: Array<Record<string, string>> = [];
  const httpFailures: Array<{ status: number; body: string }> = [];
  const tampers: Array<'body' | 'key' | 'unsigned'> = [];
  const state = { signFirst: false };
  let seq = 0;

  /** The checks both the gateway and the cashier make; null when the request is good. */
  function refusal(params: Record<string, string>): AlipayRefusal | null {
    const no = (subCode: string, subMsg: string): AlipayRefusal => ({ ok: false, code: '40002', subCode, subMsg });
    for (const k of ['app_id', 'method', 'charset', 'sign_type', 'sign', 'timestamp', 'version']) {
      if (!params[k]) return { ok: false, code: '40001', subCode: `isv.missing-${k.replace('_', '-')}`, subMsg: `缺少${k}参数` };
    }
    if (params.app_id !== opts.appId) return no('isv.invalid-app-id', '无效的AppID参数');
    if (params.sign_type !== 'RSA2') return no('isv.invalid-signature-type', '无效的签名类型');
    const ts = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(params.timestamp ?? '');
    const at = ts ? Date.UTC(Number(ts[1]), Number(ts[2]) - 1, Number(ts[3]), Number(ts[4]) - 8, Number(ts[5]), Number(ts[6])) : NaN;
    if (Number.isNaN(at) || Math.abs(at - now().getTime()) > 30 * 60_000) return no('isv.invalid-timestamp', '非法的时间戳参数');
    const good = rsaVerify('RSA-SHA256', Buffer.from(requestContent(params), 'utf8'), opts.appPublicKey, Buffer.from(params.sign ?? '', 'base64'));
    if (!good) return no('isv.invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${requestContent(params)}`);
    return null;
  }

  const server = await listen((req, body, res) => {
    const params: Record<string, string> = { ...queryOf(req), ...Object.fromEntries(new URLSearchParams(body)) };
    requests.push(params);
    const httpFailure = httpFailures.shift();
    if (httpFailure) {
      res.writeHead(httpFailure.status, { 'content-type': 'text/html' });
      res.end(httpFailure.body);
      return;
    }
    const member = `${(params.method ?? 'error').replace(/\./g, '_')}_response`;
    const answer = (response: Record<string, unknown>) => {
      const tamper = tampers.shift();
      const text = writeJson(response);
      const sign = rsa2(tamper === 'key' ? otherKey() : opts.alipayPrivateKey, text);
      const sent = tamper === 'body' ? text.replace(/"total_amount":"([\d.]+)"/, (_, amount: string) => `"total_amount":"${amount}0"`).replace('"WAIT_BUYER_PAY"', '"TRADE_SUCCESS"').replace(/"sub_code"/, '"sub_code" ') : text;
      const signPart = tamper === 'unsigned' ? '' : `"sign":"${sign}"`;
      const members = [`"${member}":${sent}`, ...(signPart ? [signPart] : [])];
      res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
      res.end(`{${(state.signFirst ? members.reverse() : members).join(',')}}`);
    };
    const refused = refusal(params);
    if (refused) return answer({ code: refused.code, msg: 'Invalid Arguments', sub_code: refused.subCode, sub_msg: refused.subMsg });
    const failure = failures.shift();
    if (failure) return answer(failure);
    if (params.method !== 'alipay.trade.query') return answer({ code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' });
    let biz: Record<string, unknown> = {};
    try { biz = JSON.parse(params.biz_content ?? '{}') as Record<string, unknown>; } catch { /* answered below */ }
    const trade = typeof biz.out_trade_no === 'string' ? trades.get(biz.out_trade_no) : undefined;
    if (!trade) return answer({ code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在', out_trade_no: biz.out_trade_no, buyer_pay_amount: '0.00', point_amount: '0.00', invoice_amount: '0.00', receipt_amount: '0.00' });
    const paid = trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED';
    answer({
      code: '10000', msg: 'Success', buyer_logon_id: '144***@example.com', buyer_pay_amount: paid ? trade.totalAmount : '0.00', buyer_user_id: '2088102177846880',
      invoice_amount: paid ? trade.totalAmount : '0.00', out_trade_no: trade.outTradeNo, point_amount: '0.00', receipt_amount: paid ? trade.totalAmount : '0.00',
      ...(paid && trade.gmtPayment ? { send_pay_date: trade.gmtPayment } : {}),
      store_name: '幸福里/物业服务中心', total_amount: trade.totalAmount, trade_no: trade.tradeNo, trade_status: trade.status,
    });
  });

  function trade(outTradeNo: string): AlipayTrade {
    const t = trades.get(outTradeNo);
    if (!t) throw new Error(`fake Alipay: no trade ${outTradeNo}`);
    return t;
  }

  function pay(t: AlipayTrade): void {
    t.status = 'TRADE_SUCCESS';
    t.gmtPayment ??= shanghai(now());
  }

  return {
    url: `${server.url}/gateway.do`,
    trades,
    requests,
    get signFirst() { return state.signFirst; },
    set signFirst(v: boolean) { state.signFirst = v; },
    failNext(code, msg, subCode, subMsg) { failures.push({ code, msg, ...(subCode ? { sub_code: subCode } : {}), ...(subMsg ? { sub_msg: subMsg } : {}) }); },
    httpFailNext(status, body) { httpFailures.push({ status, body }); },
    tamperNext(how) { tampers.push(how); },
    open(payUrl, o = {}) {
      const params = Object.fromEntries(new URL(payUrl).searchParams);
      const refused = refusal(params);
      if (refused) return refused;
      const biz = JSON.parse(params.biz_content ?? '{}') as Record<string, string>;
      const bad = (subMsg: string): AlipayRefusal => ({ ok: false, code: '40004', subCode: 'ACQ.INVALID_PARAMETER', subMsg });
      if (params.method !== 'alipay.trade.wap.pay') return bad('方法不是 alipay.trade.wap.pay');
      if (biz.product_code !== 'QUICK_WAP_WAY') return bad('product_code 不正确');
      if (!/^[0-9A-Za-z_]{1,64}$/.test((biz.out_trade_no ?? '').replace(/-/g, '_'))) return bad('out_trade_no 不合法');
      if (!/^\d+(\.\d{1,2})?$/.test(biz.total_amount ?? '') || Number(biz.total_amount) < 0.01 || Number(biz.total_amount) > 100_000_000) return bad('total_amount 不合法');
      if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(biz.time_expire ?? '')) return bad('time_expire 格式不正确');
      const outTradeNo = biz.out_trade_no ?? '';
      let t = trades.get(outTradeNo);
      if (!t) {
        t = {
          outTradeNo, tradeNo: `2026${String(++seq).padStart(8, '0')}22001${randomBytes(4).readUInt32BE() % 1_000_000}`, totalAmount: biz.total_amount ?? '',
          subject: biz.subject ?? '', timeExpire: biz.time_expire ?? '', notifyUrl: params.notify_url ?? '', returnUrl: params.return_url ?? '', status: 'WAIT_BUYER_PAY', params,
        };
        trades.set(outTradeNo, t);
      }
      if (o.pay !== false) pay(t);
      return { ok: true, trade: t };
    },
    setStatus(outTradeNo, status) {
      const t = trade(outTradeNo);
      if (status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED') pay(t);
      t.status = status;
    },
    notification(outTradeNo, overrides = {}, o = {}) {
      const t = trade(outTradeNo);
      const fields: Record<string, string | undefined> = {
        gmt_create: shanghai(new Date(now().getTime() - 60_000)),
        charset: 'utf-8',
        ...(t.gmtPayment ? { gmt_payment: t.gmtPayment } : {}),
        notify_time: shanghai(now()),
        subject: t.subject,
        buyer_id: '2088102177846880',
        invoice_amount: t.totalAmount,
        version: '1.0',
        notify_id: `2026${randomBytes(12).toString('hex')}`,
        fund_bill_list: `[{"amount":"${t.totalAmount}","fundChannel":"ALIPAYACCOUNT"}]`,
        notify_type: 'trade_status_sync',
        out_trade_no: t.outTradeNo,
        total_amount: t.totalAmount,
        trade_status: t.status,
        trade_no: t.tradeNo,
        auth_app_id: opts.appId,
        receipt_amount: t.totalAmount,
        point_amount: '0.00',
        app_id: opts.appId,
        buyer_pay_amount: t.totalAmount,
        seller_id: '2088102177649450',
        ...overrides,
      };
      const kept = Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined);
      // Notifications are signed over every field but sign and sign_type, in name order.
      const content = kept.slice().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
      const signed = [...kept, ['sign_type', 'RSA2'], ['sign', rsa2(o.signingKey ?? opts.alipayPrivateKey, content)]];
      return signed.map(([k, v]) => `${encodeURIComponent(k ?? '')}=${encodeURIComponent(v ?? '')}`).join('&');
    },
    async post(url, body) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
      return { status: res.status, body: await res.text() };
    },
    close: server.close,
  };
}
