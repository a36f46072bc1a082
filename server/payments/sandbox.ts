import { createHmac, randomBytes } from 'node:crypto';
import {
  GatewayError, type CreateOrderInput, type CreatedOrder, type NotifyReply, type NotifyRequest, type PaymentGateway, type TradeState, type TradeStatus,
} from './gateway.ts';
import { sameSecret } from '../provider-support.ts';
import { checkOrderInput, freshTimestamp, headerOf, httpCall, jsonObject, required, str, type Fetch } from './support.ts';

/** A payment gateway for development and demonstrations, with no outside provider: orders live in memory, the pay page
 * is ours (/api/portal/sandbox-pay/<outTradeNo>), and "paying" posts an HMAC-signed notification to the order's
 * notify URL the way a real gateway does, so the whole notify → settle path runs. Nothing here moves money. */
export interface SandboxConfig {
  /** Signs the notifications (HMAC-SHA256); any non-empty string, kept out of logs. */
  secret: string;
  /** Our server's public URL, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  now?: () => Date;
  fetch?: Fetch;
  timeoutMs?: number;
}

export interface SandboxOrder {
  outTradeNo: string;
  amountFen: number;
  description: string;
  notifyUrl: string;
  returnUrl?: string;
  expiresAt: string;
  status: TradeStatus;
  providerTradeNo?: string;
  paidAt?: string;
  /** The notification body, fixed once paid: a re-notification repeats it byte for byte. */
  notifyBody?: string;
}

const LABEL = '沙箱支付';
const SIGNATURE = 'X-Sandbox-Signature';
const TIMESTAMP = 'X-Sandbox-Timestamp';

/** hex HMAC-SHA256(secret, timestamp + "\n" + body). */
export function sandboxSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${body}`, 'utf8').digest('hex');
}

export class SandboxGateway implements PaymentGateway {
  readonly provider = 'sandbox';
  readonly ledgerChannel = '沙箱支付';
  private readonly orders = new Map<string, SandboxOrder>();
  private readonly baseUrl: string;
  private readonly now: () => Date;
  private readonly fetch: Fetch;

  constructor(private readonly cfg: SandboxConfig) {
    required(cfg.secret, LABEL, '签名密钥');
    this.baseUrl = required(cfg.baseUrl, LABEL, '服务器地址').replace(/\/$/, '');
    this.now = cfg.now ?? (() => new Date());
    this.fetch = cfg.fetch ?? fetch;
  }

  createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    return Promise.resolve().then(() => {
      const { expiresAt } = checkOrderInput(input, this.now(), LABEL);
      const existing = this.orders.get(input.outTradeNo);
      if (existing && (existing.amountFen !== input.amountFen || existing.description !== input.description || existing.notifyUrl !== input.notifyUrl)) {
        throw new GatewayError(`${LABEL}：商户订单号已用于另一笔订单`, false, 'OUT_TRADE_NO_USED');
      }
      if (existing?.status === 'paid') throw new GatewayError(`${LABEL}：该订单已支付`, false, 'ORDER_PAID');
      if (existing?.status === 'closed') throw new GatewayError(`${LABEL}：该订单已关闭`, false, 'ORDER_CLOSED');
      if (!existing) {
        this.orders.set(input.outTradeNo, {
          outTradeNo: input.outTradeNo, amountFen: input.amountFen, description: input.description, notifyUrl: input.notifyUrl,
          ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}), expiresAt: expiresAt.toISOString(), status: 'pending',
        });
      }
      const payUrl = `${this.baseUrl}/api/portal/sandbox-pay/${encodeURIComponent(input.outTradeNo)}`;
      return { payUrl, payMode: 'redirect' as const, raw: JSON.stringify({ out_trade_no: input.outTradeNo, amount_fen: input.amountFen, pay_url: payUrl }) };
    });
  }

  /** The stored order (a copy), for the sandbox pay page; undefined when there is none. */
  order(outTradeNo: string): SandboxOrder | undefined {
    const o = this.orders.get(outTradeNo);
    return o ? { ...this.expire(o) } : undefined;
  }

  /** The owner "pays": the order is marked paid and the notification posted to its notify URL. Returns our server's
   * answer. Paying a paid order posts its notification again. */
  async pay(outTradeNo: string): Promise<{ status: number; body: string }> {
    const o = this.expire(this.known(outTradeNo));
    if (o.status === 'closed') throw new GatewayError(`${LABEL}：订单已关闭或已过期，不能支付`, false, 'ORDER_CLOSED');
    if (o.status === 'pending') {
      const paidAt = this.now().toISOString();
      o.status = 'paid';
      o.providerTradeNo = `SBX${randomBytes(10).toString('hex').toUpperCase()}`;
      o.paidAt = paidAt;
      o.notifyBody = JSON.stringify({
        out_trade_no: o.outTradeNo, trade_no: o.providerTradeNo, status: 'paid', amount_fen: o.amountFen, paid_at: paidAt, notify_id: randomBytes(12).toString('hex'),
      });
    }
    return this.post(o);
  }

  /** Posts the same notification again, as real gateways do until they are answered: the same body, a fresh
   * timestamp and signature. */
  renotify(outTradeNo: string): Promise<{ status: number; body: string }> {
    const o = this.known(outTradeNo);
    if (o.status !== 'paid') return Promise.reject(new GatewayError(`${LABEL}：订单未支付，没有可重发的通知`, false, 'ORDER_NOT_PAID'));
    return this.post(o);
  }

  /** Closes an unpaid order (the owner gave up, or it expired). */
  close(outTradeNo: string): void {
    const o = this.known(outTradeNo);
    if (o.status === 'paid') throw new GatewayError(`${LABEL}：订单已支付，不能关闭`, false, 'ORDER_PAID');
    o.status = 'closed';
  }

  queryOrder(outTradeNo: string): Promise<TradeState> {
    return Promise.resolve().then(() => {
      const o = this.expire(this.known(outTradeNo));
      return {
        outTradeNo: o.outTradeNo,
        status: o.status,
        ...(o.providerTradeNo ? { providerTradeNo: o.providerTradeNo } : {}),
        amountFen: o.amountFen,
        ...(o.paidAt ? { paidAt: o.paidAt } : {}),
        raw: JSON.stringify({ out_trade_no: o.outTradeNo, status: o.status, amount_fen: o.amountFen, trade_no: o.providerTradeNo, paid_at: o.paidAt }),
      };
    });
  }

  /** Checks the HMAC (constant time) and the timestamp (five minutes either side), then reads the body. */
  parseNotify(req: NotifyRequest): { trade: TradeState; ok: NotifyReply; fail: NotifyReply } {
    const timestamp = headerOf(req.headers, TIMESTAMP) ?? '';
    const signature = headerOf(req.headers, SIGNATURE) ?? '';
    const refuse = (why: string) => new GatewayError(`${LABEL}通知验签失败：${why}，已拒绝`, false, 'BAD_SIGNATURE');
    if (!timestamp || !signature) throw refuse('缺少签名头');
    if (!freshTimestamp(timestamp, this.now())) throw refuse('时间戳与本机时间相差超过 5 分钟');
    if (!sameSecret(signature.toLowerCase(), sandboxSignature(this.cfg.secret, timestamp, req.body))) throw refuse('签名不正确');
    const n = jsonObject(req.body);
    const bad = (why: string) => new GatewayError(`${LABEL}通知${why}`, false, 'BAD_NOTIFY');
    if (!n) throw bad('不是 JSON');
    const amount = n.amount_fen;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) throw bad('的金额无法识别');
    if (n.status !== 'paid' || !str(n.out_trade_no) || !str(n.trade_no)) throw bad('缺少订单号或状态');
    const paidAt = Date.parse(str(n.paid_at));
    if (Number.isNaN(paidAt)) throw bad('的支付时间无法识别');
    const json = (status: number, body: unknown): NotifyReply => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
    return {
      trade: { outTradeNo: str(n.out_trade_no), status: 'paid', providerTradeNo: str(n.trade_no), amountFen: amount, paidAt: new Date(paidAt).toISOString(), raw: req.body },
      ok: json(200, { ok: true }),
      fail: json(500, { ok: false }),
    };
  }

  private known(outTradeNo: string): SandboxOrder {
    const o = this.orders.get(outTradeNo);
    if (!o) throw new GatewayError(`${LABEL}：订单不存在`, false, 'ORDER_NOT_EXIST');
    return o;
  }

  /** An unpaid order past its expiry is closed, as real gateways close them. */
  private expire(o: SandboxOrder): SandboxOrder {
    if (o.status === 'pending' && Date.parse(o.expiresAt) <= this.now().getTime()) o.status = 'closed';
    return o;
  }

  private async post(o: SandboxOrder): Promise<{ status: number; body: string }> {
    const body = o.notifyBody ?? '';
    const timestamp = String(Math.floor(this.now().getTime() / 1000));
    const answer = await httpCall(LABEL, this.fetch, o.notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', [TIMESTAMP]: timestamp, [SIGNATURE]: sandboxSignature(this.cfg.secret, timestamp, body) },
      body,
    }, this.cfg.timeoutMs);
    return { status: answer.status, body: answer.text };
  }
}
