import { createTransport } from 'nodemailer';
import { normalizeEmail } from '../../core/registry/validate.ts';
import { ChannelError, type ChannelAdapter, type OutgoingMessage, type SendResult } from './channel.ts';

/** E-mail through the company's SMTP relay (nodemailer). */
export interface SmtpEmailConfig {
  host: string;
  port: number;
  /** true for implicit TLS (port 465); false (default) speaks plain SMTP and upgrades with STARTTLS when offered. */
  secure?: boolean;
  /** Refuse to send unless STARTTLS succeeds (set it for relays across the internet). */
  requireTLS?: boolean;
  auth?: { user: string; pass: string };
  /** Sender shown to the owner, e.g. { name: '某某物业服务有限公司', address: 'notice@example.com' }. */
  from: { name: string; address: string };
  now?: () => Date;
  timeoutMs?: number;
}

/** Connection-level failures: the message never reached a server that could judge it, so trying again can help. */
const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']);

function smtpError(e: unknown): ChannelError {
  const err = (e ?? {}) as { code?: string; responseCode?: number; response?: string; message?: string };
  const rc = err.responseCode;
  const said = err.response ?? err.message ?? String(e);
  // 4xx is the server's "not now" (greylisting, mailbox busy, rate limit); 5xx is a final "no".
  const retryable = rc !== undefined ? rc >= 400 && rc < 500 : NETWORK_CODES.has(err.code ?? '');
  if (err.code === 'EAUTH') return new ChannelError(`邮件服务器登录失败，请检查账号和密码（SMTP ${said}）`, retryable, 'SMTP_AUTH');
  if (rc !== undefined) return new ChannelError(`邮件服务器${retryable ? '暂时' : ''}拒收（SMTP ${said}）`, retryable, `SMTP_${rc}`);
  if (retryable) return new ChannelError(`无法连接邮件服务器：${said}`, true, err.code ?? 'NETWORK');
  return new ChannelError(`邮件发送失败：${said}`, false, err.code ?? 'SMTP_ERROR');
}

export class SmtpEmailAdapter implements ChannelAdapter {
  readonly kind = 'email';
  readonly provider = 'smtp';
  private readonly transport;
  private readonly now: () => Date;

  constructor(private readonly cfg: SmtpEmailConfig) {
    const timeout = cfg.timeoutMs ?? 30_000;
    this.transport = createTransport({
      host: cfg.host, port: cfg.port, secure: cfg.secure ?? false, requireTLS: cfg.requireTLS ?? false,
      ...(cfg.auth ? { auth: cfg.auth } : {}),
      connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout,
    });
    this.now = cfg.now ?? (() => new Date());
  }

  async send(msg: OutgoingMessage): Promise<SendResult> {
    if (normalizeEmail(msg.to) === null) throw new ChannelError('收件邮箱地址格式不正确', false, 'BAD_ADDRESS');
    // The Message-ID is derived from our ref, so a retry of the same outbox entry carries the same id and the owner's
    // mail client can fold a duplicate away.
    const domain = this.cfg.from.address.split('@')[1] ?? 'localhost';
    const messageId = `<wuye.${msg.ref.replace(/[^A-Za-z0-9._-]/g, '-')}@${domain}>`;
    let info;
    try {
      info = await this.transport.sendMail({
        from: { name: this.cfg.from.name, address: this.cfg.from.address },
        to: msg.to,
        subject: msg.subject ?? this.cfg.from.name,
        text: msg.text,
        messageId,
        date: this.now(),
        attachments: (msg.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
    } catch (e) {
      throw smtpError(e);
    }
    // One recipient per message: nodemailer throws when it is refused, so reaching here means it was accepted.
    // Acceptance by the receiving MTA (its 250 after DATA) is the only proof of delivery SMTP gives, so it is the
    // receipt. When the configured host is a relay rather than the owner's mail server, a later bounce arrives as a
    // DSN mail to the sender address, which this adapter does not read.
    return {
      providerId: info.messageId,
      response: info.response,
      receipt: {
        providerId: info.messageId,
        status: 'delivered',
        at: this.now().toISOString(),
        detail: `SMTP ${info.response}`,
        raw: JSON.stringify({ response: info.response, accepted: info.accepted, rejected: info.rejected, envelope: info.envelope }),
        ref: msg.ref,
      },
    };
  }

  /** Closes idle connections (nodemailer opens one per message unless pooled; this is for shutdown). */
  close(): void { this.transport.close(); }
}
