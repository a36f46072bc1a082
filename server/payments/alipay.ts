import { createSign, createVerify, type KeyObject } from 'node:crypto';
import {
  GatewayError, type CreateOrderInput, type CreatedOrder, type NotifyReply, type NotifyRequest, type PaymentGateway, type TradeState, type TradeStatus,
} from './gateway.ts';
import {
  checkOrderInput, checkOutTradeNo, chinaTime, chinaTimeToIso, fenToYuan, httpCall, jsonObject, required, rsaPrivateKey, rsaPublicKey, str, yuanToFen,
  type Fetch,
} from './support.ts';

/** Alipay open platform with RSA2 keys (公钥模式): the mobile-site payment alipay.trade.wap.pay (a signed gateway URL the
 * owner's browser opens), the asynchronous notification, and alipay.trade.query. */
export interface AlipayConfig {
  appId: string;
  /** The application private key (应用私钥), PEM or the bare base64 the key tool prints. */
  appPrivateKey: string;
  /** The Alipay public key (支付宝公钥) shown in the console after the application public key is uploaded. */
  alipayPublicKey: string;
  /** Default https://openapi.alipay.com/gateway.do ; tests point it at a local fake. */
  gateway?: string;
  fetch?: Fetch;
  now?: () => Date;
  timeoutMs?: number;
}

const LABEL = '支付宝';
const QUERY_RESPONSE = 'alipay_trade_query_response';

const STATES: Record<string, TradeStatus> = {
  TRADE_SUCCESS: 'paid',
  // Paid, and past the refund period.
  TRADE_FINISHED: 'paid',
  WAIT_BUYER_PAY: 'pending',
  TRADE_CLOSED: 'closed',
};

const ZH: Record<string, string> = {
  'ACQ.TRADE_NOT_EXIST': '交易不存在',
  'ACQ.SYSTEM_ERROR': '支付宝系统错误，稍后重试',
  'ACQ.INVALID_PARAMETER': '参数无效',
  'isv.invalid-signature': '签名不正确（应用私钥与开放平台登记的应用公钥不匹配）',
  'isv.invalid-app-id': 'AppID 不存在或应用未上线',
  'isv.invalid-timestamp': '请求时间与支付宝相差过大，请校准服务器时钟',
  'isv.insufficient-isv-permissions': '应用未签约或无此接口权限',
  'isp.unknow-error': '支付宝系统繁忙，稍后重试',
};
const RETRYABLE = new Set(['ACQ.SYSTEM_ERROR', 'aop.ACQ.SYSTEM_ERROR', 'isp.unknow-error']);

/** What Alipay signs in a request: every parameter but `sign` with a non-empty value, sorted by name, joined as
 * k=v&k=v with the values as they are (not URL-encoded). */
export function alipaySignContent(params: Record<string, string>): string {
  return Object.keys(params).filter((k) => k !== 'sign' && params[k] !== '').sort().map((k) => `${k}=${params[k]}`).join('&');
}

/** The text of one member's value in a JSON object, exactly as it stands in the text (Alipay signs the response
 * member's text, so it must not be re-serialised). Undefined when the member is missing or appears twice. The text is
 * already known to be valid JSON. */
export function jsonMemberText(text: string, member: string): string | undefined {
  let i = 0;
  const skipSpace = () => { while (i < text.length && ' \t\r\n'.includes(text.charAt(i))) i++; };
  const readString = (): string => {
    const start = i++;
    while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipValue = () => {
    let depth = 0;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        readString();
        if (depth === 0) return;
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) return;
        if (--depth === 0) { i++; return; }
      } else if (c === ',' && depth === 0) return;
      i++;
    }
  };
  skipSpace();
  if (text.charAt(i) !== '{') return undefined;
  i++;
  let found: string | undefined;
  let seen = 0;
  for (;;) {
    skipSpace();
    if (text.charAt(i) !== '"') return seen === 1 ? found : undefined;
    const key = readString();
    skipSpace();
    i++; // ':'
    skipSpace();
    const start = i;
    skipValue();
    if (key === member) {
      seen++;
      found = text.slice(start, i).trimEnd();
    }
    skipSpace();
    if (text.charAt(i) === ',') i++;
  }
}

export class AlipayGateway implements PaymentGateway {
  readonly provider = 'alipay';
  readonly ledgerChannel = '支付宝';
  private readonly gateway: string;
  private readonly now: () => Date;
  private readonly fetch: Fetch;
  private readonly appKey: KeyObject;
  private readonly alipayKey: KeyObject;

  constructor(private readonly cfg: AlipayConfig) {
    required(cfg.appId, LABEL, ' AppID');
    this.appKey = rsaPrivateKey(cfg.appPrivateKey, LABEL, '应用私钥');
    this.alipayKey = rsaPublicKey(cfg.alipayPublicKey, LABEL, '支付宝公钥');
    this.gateway = cfg.gateway ?? 'https://openapi.alipay.com/gateway.do';
    this.now = cfg.now ?? (() => new Date());
    this.fetch = cfg.fetch ?? fetch;
  }

  /** The signed gateway URL of alipay.trade.wap.pay; nothing is sent: the owner's browser opens it. */
  createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    return Promise.resolve().then(() => {
      const { expiresAt } = checkOrderInput(input, this.now(), LABEL);
      const params = this.request('alipay.trade.wap.pay', {
        out_trade_no: input.outTradeNo,
        total_amount: fenToYuan(input.amountFen),
        subject: input.description,
        product_code: 'QUICK_WAP_WAY',
        time_expire: chinaTime(expiresAt),
        // Where the owner lands on leaving the cashier without paying.
        ...(input.returnUrl ? { quit_url: input.returnUrl } : {}),
      }, { notify_url: input.notifyUrl, return_url: input.returnUrl ?? '' });
      const query = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      return {
        payUrl: `${this.gateway}${this.gateway.includes('?') ? '&' : '?'}${query}`,
        payMode: 'redirect' as const,
        raw: alipaySignContent(params),
      };
    });
  }

  async queryOrder(outTradeNo: string): Promise<TradeState> {
    checkOutTradeNo(outTradeNo, LABEL);
    const params = this.request('alipay.trade.query', { out_trade_no: outTradeNo });
    const answer = await httpCall(LABEL, this.fetch, this.gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
      body: new URLSearchParams(params).toString(),
    }, this.cfg.timeoutMs);
    const retryableStatus = answer.status >= 500 || answer.status === 429;
    const json = jsonObject(answer.text);
    const member = json && Object.hasOwn(json, QUERY_RESPONSE) ? QUERY_RESPONSE : json && Object.hasOwn(json, 'error_response') ? 'error_response' : undefined;
    const source = json && member ? jsonMemberText(answer.text, member) : undefined;
    const r = source === undefined ? undefined : jsonObject(source);
    if (!r || !source) {
      throw new GatewayError(`${LABEL}查询订单返回了无法识别的应答（HTTP ${answer.status}）`, retryableStatus, retryableStatus ? `HTTP_${answer.status}` : 'BAD_ANSWER');
    }
    const sign = str(json?.sign);
    let verified = false;
    if (sign) {
      try {
        verified = createVerify('RSA-SHA256').update(source, 'utf8').verify(this.alipayKey, sign, 'base64');
      } catch { verified = false; }
      if (!verified) throw new GatewayError(`${LABEL}查询订单的应答验签失败，已拒绝`, false, 'BAD_SIGNATURE');
    }
    const code = str(r.code);
    const subCode = str(r.sub_code);
    // An answer we act upon must be signed: a paid order, or "no such trade". Other refusals are believed as they are.
    if ((code === '10000' || subCode === 'ACQ.TRADE_NOT_EXIST') && !verified) {
      throw new GatewayError(`${LABEL}查询订单的应答没有签名，已拒绝`, false, 'BAD_SIGNATURE');
    }
    if (code === '40004' && subCode === 'ACQ.TRADE_NOT_EXIST') throw new GatewayError(`${LABEL}查询订单失败：交易不存在`, false, 'ORDER_NOT_EXIST');
    if (code !== '10000') {
      const detail = (str(r.sub_msg) || str(r.msg)).slice(0, 200);
      const errorCode = subCode || code || `HTTP_${answer.status}`;
      throw new GatewayError(`${LABEL}查询订单失败：${ZH[errorCode] ?? (detail || '未知错误')}（${errorCode}${detail ? `：${detail}` : ''}）`,
        retryableStatus || code === '20000' || RETRYABLE.has(subCode), errorCode);
    }
    if (str(r.out_trade_no) !== outTradeNo) throw new GatewayError(`${LABEL}查询订单的应答是另一笔订单`, false, 'BAD_ANSWER');
    return this.tradeOf({
      outTradeNo, status: str(r.trade_status), tradeNo: str(r.trade_no), amount: str(r.total_amount), paidAt: str(r.send_pay_date),
    }, `${LABEL}查询订单的应答`, 'BAD_ANSWER', answer.text);
  }

  /** The form Alipay posts: verified over every parameter but sign and sign_type, sorted, values decoded, then checked
   * to be for our app. */
  parseNotify(req: NotifyRequest): { trade: TradeState; ok: NotifyReply; fail: NotifyReply } {
    const p: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(req.body)) {
      if (Object.hasOwn(p, k)) throw new GatewayError(`${LABEL}支付通知的参数 ${k.slice(0, 40)} 重复`, false, 'BAD_NOTIFY');
      p[k] = v;
    }
    const refuse = (why: string) => new GatewayError(`${LABEL}支付通知验签失败：${why}，已拒绝`, false, 'BAD_SIGNATURE');
    if (!p.sign) throw refuse('缺少签名');
    if (p.sign_type !== undefined && p.sign_type !== 'RSA2') throw refuse(`签名类型 ${p.sign_type.slice(0, 10)} 不是 RSA2`);
    const content = Object.keys(p).filter((k) => k !== 'sign' && k !== 'sign_type').sort().map((k) => `${k}=${p[k]}`).join('&');
    let good = false;
    try {
      good = createVerify('RSA-SHA256').update(content, 'utf8').verify(this.alipayKey, p.sign, 'base64');
    } catch { good = false; }
    if (!good) throw refuse('签名不正确');
    if (p.app_id !== this.cfg.appId) throw new GatewayError(`${LABEL}支付通知的 AppID 与配置不符，已拒绝`, false, 'WRONG_MERCHANT');
    if (p.notify_type !== undefined && p.notify_type !== 'trade_status_sync') {
      throw new GatewayError(`${LABEL}通知不是交易状态通知（${p.notify_type.slice(0, 40)}）`, false, 'BAD_NOTIFY');
    }
    const text = (body: string): NotifyReply => ({ status: 200, contentType: 'text/plain; charset=utf-8', body });
    return {
      trade: this.tradeOf({
        outTradeNo: p.out_trade_no ?? '', status: p.trade_status ?? '', tradeNo: p.trade_no ?? '', amount: p.total_amount ?? '', paidAt: p.gmt_payment ?? '',
      }, `${LABEL}支付通知`, 'BAD_NOTIFY', req.body),
      // Alipay stops notifying on "success" and retries on anything else.
      ok: text('success'),
      fail: text('failure'),
    };
  }

  /** The common parameters, biz_content and the RSA2 signature. */
  private request(method: string, biz: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
    const params: Record<string, string> = {
      app_id: this.cfg.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: chinaTime(this.now()),
      version: '1.0',
      ...extra,
      biz_content: JSON.stringify(biz),
    };
    for (const k of Object.keys(params)) if (params[k] === '') delete params[k];
    params.sign = createSign('RSA-SHA256').update(alipaySignContent(params), 'utf8').sign(this.appKey, 'base64');
    return params;
  }

  private tradeOf(t: { outTradeNo: string; status: string; tradeNo: string; amount: string; paidAt: string }, what: string, code: string, raw: string): TradeState {
    if (!t.outTradeNo) throw new GatewayError(`${what}缺少商户订单号`, false, code);
    const status = Object.hasOwn(STATES, t.status) ? STATES[t.status] : undefined;
    if (!status) throw new GatewayError(`${what}的交易状态“${t.status.slice(0, 20)}”无法识别`, false, code);
    if (status === 'paid' && !t.tradeNo) throw new GatewayError(`${what}缺少支付宝交易号`, false, code);
    return {
      outTradeNo: t.outTradeNo,
      status,
      ...(t.tradeNo ? { providerTradeNo: t.tradeNo } : {}),
      amountFen: yuanToFen(t.amount, what),
      ...(status === 'paid' && t.paidAt ? { paidAt: chinaTimeToIso(t.paidAt, what, code) } : {}),
      raw,
    };
  }
}
