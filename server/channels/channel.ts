import type { ProviderChannel } from '../../core/notices/vocabulary.ts';
/**
 * The contract between the outbox and the providers that carry its messages. One adapter per provider; each one takes
 * its configuration in the constructor (endpoint, keys, template mapping) and never reads the environment itself.
 */
/** The channels a provider carries: the vocabulary's, so the outbox and the adapters name them alike. */
export type ChannelKind = ProviderChannel;

/** One message to one recipient. `text` is the fully rendered content (what the evidence stores); SMS providers in China
 * only send pre-registered templates, so `template` names our template kind and `params` are its variables as strings. */
export interface OutgoingMessage {
  /** Our outbox id / dedup key, passed to the provider where it has a field for it (Aliyun OutId, Tencent SessionContext, WeChat client_msg_id, e-mail Message-ID). */
  ref: string;
  /** Mobile number (11 digits, mainland), e-mail address, or WeChat openid. */
  to: string;
  /** E-mail subject / title. */
  subject?: string;
  text: string;
  /** Our template kind, e.g. 'sms_pre_due', 'demand_notice'. */
  template: string;
  params: Record<string, string>;
  /** The page a WeChat template message opens when tapped (ignored by the other channels). */
  url?: string;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

export interface DeliveryReceipt {
  /** The provider's id of the sent message, as SendResult.providerId gave it. */
  providerId: string;
  status: 'delivered' | 'failed';
  /** ISO instant, UTC. */
  at: string;
  detail: string;
  /** The provider's own record of this receipt, kept as evidence. */
  raw: string;
  /** Our ref, when the provider echoes it back (Aliyun out_id). */
  ref?: string;
}

export interface SendResult {
  providerId: string;
  /** The provider's raw answer, kept as evidence. */
  response: string;
  /** Present when the channel confirms delivery at once (SMTP). */
  receipt?: DeliveryReceipt;
}

export interface CallbackRequest { query: Record<string, string>; headers: Record<string, string | undefined>; body: string }
export interface CallbackReply { status: number; contentType: string; body: string }

export class ChannelError extends Error {
  /** @param retryable true for network trouble, 5xx and throttling; false for a bad number, signature, template or config.
   *  @param code the provider's error code where it gave one, else one of ours (NETWORK, TIMEOUT, BAD_SIGNATURE, …). */
  constructor(message: string, readonly retryable: boolean, readonly code: string) {
    super(message);
    this.name = 'ChannelError';
  }
}

export interface ChannelAdapter {
  readonly kind: ChannelKind;
  /** 'aliyun' | 'tencent' | 'smtp' | 'wechat' */
  readonly provider: string;
  /** Throws ChannelError (retryable for network/5xx/throttling, not for bad number/signature/template). */
  send(msg: OutgoingMessage): Promise<SendResult>;
  /** Parse and VERIFY a delivery-callback request the provider posts to us; throws ChannelError('…', false, 'BAD_SIGNATURE')
   * when it does not verify. Absent for channels without callbacks. */
  parseCallback?(req: CallbackRequest): { receipts: DeliveryReceipt[]; reply: CallbackReply };
}
