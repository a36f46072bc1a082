/**
 * The contract between the owner portal's online payment and the payment providers. One adapter per provider (WeChat
 * Pay API v3, Alipay open platform, and a sandbox for development); each takes its configuration in the constructor
 * (ids, keys, endpoint) and never reads the environment itself. Amounts are integer fen; instants are ISO strings, UTC.
 */
export type GatewayProvider = 'wechatpay' | 'alipay' | 'sandbox';

export interface CreateOrderInput {
  /** Our order number (商户订单号): 6–32 characters of [0-9A-Za-z_-], unique per merchant. */
  outTradeNo: string;
  amountFen: number;
  /** What the owner sees on the payment page, e.g. "幸福里 3栋1201 物业费 2026-10". At most 127 bytes (WeChat's limit). */
  description: string;
  /** Where the provider posts its payment notification (our public URL /api/payments/notify/<provider>). */
  notifyUrl: string;
  /** Where the owner's browser returns after paying (Alipay's return_url); ignored where the provider has none. */
  returnUrl?: string;
  /** ISO instant after which the order can no longer be paid. */
  expiresAt: string;
  /** The owner's IP address as our server saw it (WeChat Pay's H5 payment requires it). */
  clientIp?: string;
}

export interface CreatedOrder {
  /** What the owner opens: a URL to follow (Alipay wap page, the sandbox page) or a QR-code content (WeChat native code_url). */
  payUrl: string;
  /** 'redirect' = open payUrl in the browser; 'qr' = show payUrl as a QR code to scan with the provider's app. */
  payMode: 'redirect' | 'qr';
  /** The provider's raw answer, kept with the order. */
  raw: string;
}

export type TradeStatus = 'paid' | 'pending' | 'closed';

/** What a verified notification or a query says of one order. */
export interface TradeState {
  outTradeNo: string;
  status: TradeStatus;
  /** The provider's own transaction number (WeChat transaction_id, Alipay trade_no); absent while unpaid. */
  providerTradeNo?: string;
  /** The amount the provider says was paid, in fen: the caller checks it against the order. */
  amountFen: number;
  /** ISO instant of payment, when paid. */
  paidAt?: string;
  /** The provider's record (decrypted where it was encrypted), kept as evidence. */
  raw: string;
}

export interface NotifyRequest { headers: Record<string, string | undefined>; body: string }
export interface NotifyReply { status: number; contentType: string; body: string }

export class GatewayError extends Error {
  /** @param retryable true for network trouble, 5xx and throttling; false for bad signatures, bad config, refused orders.
   *  @param code the provider's error code where it gave one, else ours (NETWORK, TIMEOUT, BAD_SIGNATURE, BAD_NOTIFY, …). */
  constructor(message: string, readonly retryable: boolean, readonly code: string) {
    super(message);
    this.name = 'GatewayError';
  }
}

export interface PaymentGateway {
  readonly provider: GatewayProvider;
  /** The payment channel a settled order is recorded under in the ledger ('微信', '支付宝', '沙箱支付'). */
  readonly ledgerChannel: string;
  /** Create the order at the provider. Throws GatewayError. */
  createOrder(input: CreateOrderInput): Promise<CreatedOrder>;
  /** Parse and VERIFY a payment notification the provider posted to us (signature; decryption for WeChat). Throws
   * GatewayError(…, false, 'BAD_SIGNATURE') when it does not verify. `ok` is what to answer once the notification has
   * been applied; `fail` what to answer when we could not apply it (the provider will then retry). */
  parseNotify(req: NotifyRequest): { trade: TradeState; ok: NotifyReply; fail: NotifyReply };
  /** Ask the provider for the order's state (after a timeout or a lost notification). Throws GatewayError. */
  queryOrder(outTradeNo: string): Promise<TradeState>;
}
