import { createDecipheriv, createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import {
  GatewayError, type CreateOrderInput, type CreatedOrder, type NotifyReply, type NotifyRequest, type PaymentGateway, type TradeState, type TradeStatus,
} from './gateway.ts';
import {
  checkOrderInput, checkOutTradeNo, chinaRfc3339, freshTimestamp, headerOf, httpCall, jsonObject, required, rfc3339ToIso, rsaPrivateKey, rsaPublicKey, str,
  type Fetch,
} from './support.ts';

/** WeChat Pay API v3 for a directly connected merchant (直连商户): Native orders (a code_url shown as a QR code), the
 * payment notification (signed, its resource encrypted with the APIv3 key), and the query by our order number. */
export interface WechatPayConfig {
  appId: string;
  /** 商户号 */
  mchId: string;
  /** The serial number of the merchant API certificate (商户API证书序列号), named in every request we sign. */
  merchantSerialNo: string;
  /** The merchant API private key (apiclient_key.pem). */
  merchantPrivateKey: string;
  /** The APIv3 key set in the merchant console: 32 characters, the AES-256-GCM key of notifications. */
  apiV3Key: string;
  /** The WeChat Pay platform public key (微信支付公钥) or the platform certificate's PEM, which signs WeChat's answers
   * and notifications. */
  platformPublicKey: string;
  /** Its serial (Wechatpay-Serial): PUB_KEY_ID_… for a WeChat Pay public key, the certificate serial otherwise. */
  platformSerialNo: string;
  /** Default https://api.mch.weixin.qq.com ; tests point it at a local fake. */
  endpoint?: string;
  fetch?: Fetch;
  now?: () => Date;
  timeoutMs?: number;
  /** 'native' (default): a code to scan with WeChat (a desk, another screen); 'h5': WeChat Pay's page opened from a mobile
   * browser (H5 支付, needs the owner's IP and a domain registered with WeChat Pay). */
  mode?: 'native' | 'h5';
}

const LABEL = '微信支付';
const SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

const ZH: Record<string, string> = {
  SIGN_ERROR: '签名错误（商户 API 证书序列号或商户私钥不正确）',
  PARAM_ERROR: '参数错误',
  INVALID_REQUEST: '请求不符合规则（例如商户订单号已用于另一笔订单）',
  APPID_MCHID_NOT_MATCH: 'AppID 与商户号未绑定',
  MCH_NOT_EXISTS: '商户号不存在',
  NO_AUTH: '商户号未开通 Native 支付或权限不足',
  OUT_TRADE_NO_USED: '商户订单号重复',
  ORDER_NOT_EXIST: '订单不存在',
  ORDER_CLOSED: '订单已关闭',
  RULE_LIMIT: '交易受规则限制',
  TRADE_ERROR: '交易错误',
  FREQUENCY_LIMITED: '请求过于频繁，稍后重试',
  SYSTEM_ERROR: '微信支付系统错误，稍后重试',
  BANKERROR: '银行系统异常，稍后重试',
};
const RETRYABLE = new Set(['FREQUENCY_LIMITED', 'SYSTEM_ERROR', 'BANKERROR']);

const STATES: Record<string, TradeStatus> = {
  SUCCESS: 'paid',
  // A refund does not undo the payment: the order was paid, and the refund is recorded on its own.
  REFUND: 'paid',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'closed',
};

const badSignature = (what: string, why: string) => new GatewayError(`${LABEL}${what}验签失败：${why}，已拒绝`, false, 'BAD_SIGNATURE');

export class WechatPayGateway implements PaymentGateway {
  readonly provider = 'wechatpay';
  readonly ledgerChannel = '微信';
  private readonly endpoint: string;
  private readonly now: () => Date;
  private readonly fetch: Fetch;
  private readonly merchantKey: KeyObject;
  private readonly platformKey: KeyObject;
  private readonly aesKey: Buffer;

  constructor(private readonly cfg: WechatPayConfig) {
    required(cfg.appId, LABEL, ' AppID');
    required(cfg.mchId, LABEL, '商户号');
    required(cfg.merchantSerialNo, LABEL, '商户 API 证书序列号');
    required(cfg.platformSerialNo, LABEL, '平台公钥（证书）序列号');
    this.merchantKey = rsaPrivateKey(cfg.merchantPrivateKey, LABEL, '商户 API 私钥');
    this.platformKey = rsaPublicKey(cfg.platformPublicKey, LABEL, '微信支付平台公钥');
    this.aesKey = Buffer.from(cfg.apiV3Key, 'utf8');
    if (this.aesKey.length !== 32) throw new GatewayError(`${LABEL}配置的 APIv3 密钥应为 32 个字符`, false, 'BAD_CONFIG');
    this.endpoint = (cfg.endpoint ?? 'https://api.mch.weixin.qq.com').replace(/\/$/, '');
    this.now = cfg.now ?? (() => new Date());
    this.fetch = cfg.fetch ?? fetch;
  }

  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    const { expiresAt } = checkOrderInput(input, this.now(), LABEL);
    const h5 = this.cfg.mode === 'h5';
    if (h5 && !input.clientIp) throw new GatewayError(`${LABEL} H5 支付须提供付款人的 IP 地址`, false, 'BAD_ORDER');
    const body = JSON.stringify({
      appid: this.cfg.appId,
      mchid: this.cfg.mchId,
      description: input.description,
      out_trade_no: input.outTradeNo,
      time_expire: chinaRfc3339(expiresAt),
      notify_url: input.notifyUrl,
      amount: { total: input.amountFen, currency: 'CNY' },
      ...(h5 ? { scene_info: { payer_client_ip: input.clientIp, h5_info: { type: 'Wap' } } } : {}),
    });
    const text = await this.call('POST', h5 ? '/v3/pay/transactions/h5' : '/v3/pay/transactions/native', body, '下单');
    const url = str(jsonObject(text)?.[h5 ? 'h5_url' : 'code_url']);
    if (!url) throw new GatewayError(`${LABEL}下单的应答缺少 ${h5 ? 'h5_url' : 'code_url'}`, false, 'BAD_ANSWER');
    // H5: WeChat's page sends the owner back to redirect_url after paying.
    if (h5) return { payUrl: input.returnUrl ? `${url}&redirect_url=${encodeURIComponent(input.returnUrl)}` : url, payMode: 'redirect', raw: text };
    return { payUrl: url, payMode: 'qr', raw: text };
  }

  async queryOrder(outTradeNo: string): Promise<TradeState> {
    checkOutTradeNo(outTradeNo, LABEL);
    const text = await this.call('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${encodeURIComponent(this.cfg.mchId)}`, '', '查询订单');
    const trade = this.tradeOf(text, '查询订单的应答', 'BAD_ANSWER');
    if (trade.outTradeNo !== outTradeNo) throw new GatewayError(`${LABEL}查询订单的应答是另一笔订单`, false, 'BAD_ANSWER');
    return trade;
  }

  /** Verifies the signature headers (and the serial and timestamp), decrypts the resource and reads the transaction. */
  parseNotify(req: NotifyRequest): { trade: TradeState; ok: NotifyReply; fail: NotifyReply } {
    this.verify((name) => headerOf(req.headers, name), Buffer.from(req.body, 'utf8'), '支付通知');
    const n = jsonObject(req.body);
    const bad = (why: string) => new GatewayError(`${LABEL}支付通知${why}`, false, 'BAD_NOTIFY');
    if (!n) throw bad('不是 JSON');
    if (!str(n.event_type).startsWith('TRANSACTION.') || n.resource_type !== 'encrypt-resource') throw bad(`不是支付结果通知（${str(n.event_type)}）`);
    const r = n.resource !== null && typeof n.resource === 'object' ? n.resource as Record<string, unknown> : {};
    if (r.algorithm !== 'AEAD_AES_256_GCM' || r.original_type !== 'transaction') throw bad('的加密方式或内容类型无法识别');
    const plaintext = this.decrypt(str(r.ciphertext), str(r.nonce), str(r.associated_data));
    return {
      trade: this.tradeOf(plaintext, '支付通知', 'BAD_NOTIFY'),
      ok: { status: 200, contentType: 'text/plain; charset=utf-8', body: '' },
      fail: { status: 500, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ code: 'FAIL', message: '失败' }) },
    };
  }

  /** The Authorization header: RSA-SHA256 over "METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n" with the merchant key. */
  private authorization(method: string, pathWithQuery: string, body: string): string {
    const timestamp = String(Math.floor(this.now().getTime() / 1000));
    const nonce = randomBytes(16).toString('hex').toUpperCase();
    const signature = createSign('RSA-SHA256').update(`${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`, 'utf8').sign(this.merchantKey, 'base64');
    return `${SCHEMA} mchid="${this.cfg.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${this.cfg.merchantSerialNo}"`;
  }

  /** Checks Wechatpay-Serial against the configured platform key, Wechatpay-Timestamp against our clock, and
   * Wechatpay-Signature over "timestamp\nnonce\nbody\n". */
  private verify(header: (name: string) => string | undefined, body: Buffer, what: string): void {
    const timestamp = header('Wechatpay-Timestamp') ?? '';
    const nonce = header('Wechatpay-Nonce') ?? '';
    const signature = header('Wechatpay-Signature') ?? '';
    const serial = header('Wechatpay-Serial') ?? '';
    if (!timestamp || !nonce || !signature || !serial) throw badSignature(what, '缺少签名头');
    const type = header('Wechatpay-Signature-Type');
    if (type !== undefined && type !== SCHEMA) throw badSignature(what, `签名类型 ${type.slice(0, 40)} 不受支持`);
    if (serial !== this.cfg.platformSerialNo) throw badSignature(what, `序列号 ${serial.slice(0, 64)} 不是配置的平台公钥`);
    if (!freshTimestamp(timestamp, this.now())) throw badSignature(what, '时间戳与本机时间相差超过 5 分钟');
    let good = false;
    try {
      good = createVerify('RSA-SHA256').update(Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n')]))
        .verify(this.platformKey, signature, 'base64');
    } catch { good = false; }
    if (!good) throw badSignature(what, '签名不正确');
  }

  /** One signed call. A 2xx answer must carry a valid signature. An error answer is verified when it is signed (WeChat
   * does not sign its refusal of a request whose own signature failed); "order does not exist" must be signed, since a
   * caller may act on it. */
  private async call(method: 'GET' | 'POST', pathWithQuery: string, body: string, what: string): Promise<string> {
    const headers: Record<string, string> = {
      authorization: this.authorization(method, pathWithQuery, body),
      accept: 'application/json',
      'user-agent': 'wuye-collect',
      ...(method === 'POST' ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    };
    const answer = await httpCall(LABEL, this.fetch, `${this.endpoint}${pathWithQuery}`, { method, headers, ...(method === 'POST' ? { body } : {}) }, this.cfg.timeoutMs);
    if (answer.status >= 200 && answer.status < 300) {
      this.verify(answer.header, answer.bytes, `${what}的应答`);
      return answer.text;
    }
    const e = jsonObject(answer.text);
    const code = str(e?.code) || `HTTP_${answer.status}`;
    if (answer.header('Wechatpay-Signature') !== undefined || code === 'ORDER_NOT_EXIST') this.verify(answer.header, answer.bytes, `${what}的应答`);
    const detail = (e ? str(e.message) : answer.text).slice(0, 200);
    const retryable = answer.status >= 500 || answer.status === 429 || RETRYABLE.has(code);
    throw new GatewayError(`${LABEL}${what}失败：${ZH[code] ?? (detail || '未知错误')}（${code}${detail ? `：${detail}` : ''}）`, retryable, code);
  }

  /** AEAD_AES_256_GCM: key = APIv3 key, iv = nonce, AAD = associated_data; the last 16 bytes are the tag. */
  private decrypt(ciphertext: string, nonce: string, associatedData: string): string {
    const data = Buffer.from(ciphertext, 'base64');
    try {
      if (data.length <= 16 || !nonce) throw new Error('short');
      const decipher = createDecipheriv('aes-256-gcm', this.aesKey, Buffer.from(nonce, 'utf8'), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new GatewayError(`${LABEL}支付通知解密失败（APIv3 密钥不正确或密文被改动）`, false, 'DECRYPT_FAILED');
    }
  }

  /** A transaction (decrypted notification resource or query answer), checked to be ours. */
  private tradeOf(text: string, what: string, code: string): TradeState {
    const t = jsonObject(text);
    const bad = (why: string) => new GatewayError(`${LABEL}${what}${why}`, false, code);
    if (!t) throw bad('不是 JSON');
    if (t.mchid !== this.cfg.mchId || t.appid !== this.cfg.appId) {
      throw new GatewayError(`${LABEL}${what}的商户号或 AppID 与配置不符，已拒绝`, false, 'WRONG_MERCHANT');
    }
    const outTradeNo = str(t.out_trade_no);
    if (!outTradeNo) throw bad('缺少商户订单号');
    const state = str(t.trade_state);
    const status = Object.hasOwn(STATES, state) ? STATES[state] : undefined;
    if (!status) throw bad(`的交易状态“${state.slice(0, 20)}”无法识别`);
    const amount = t.amount !== null && typeof t.amount === 'object' ? t.amount as Record<string, unknown> : {};
    // total is the order amount; payer_total is less when a coupon paid part of it.
    const total = amount.total;
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) throw bad('的金额无法识别');
    if (amount.currency !== undefined && amount.currency !== 'CNY') throw bad(`的币种 ${str(amount.currency).slice(0, 8)} 不是人民币`);
    const transactionId = str(t.transaction_id);
    if (status === 'paid' && !transactionId) throw bad('缺少微信支付订单号');
    const successTime = str(t.success_time);
    return {
      outTradeNo,
      status,
      ...(transactionId ? { providerTradeNo: transactionId } : {}),
      amountFen: total,
      ...(status === 'paid' && successTime ? { paidAt: rfc3339ToIso(successTime, `${LABEL}${what}`, code) } : {}),
      raw: text,
    };
  }
}
