import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtp, type FakeSmtp } from '../../test/providers/smtp.ts';
import { ChannelError, type OutgoingMessage } from './channel.ts';
import { SmtpEmailAdapter, type SmtpEmailConfig } from './smtp-email.ts';

/** The SMTP adapter against a real smtp-server on 127.0.0.1. */

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x00, 0xff]), Buffer.from('\n1 0 obj<<>>endobj\n%%EOF\n')]);
const message: OutgoingMessage = {
  ref: 'outbox-5/demand',
  to: 'owner-301@example.com',
  subject: '催缴通知书：幸福里 1 栋 2 单元 301 室',
  text: '尊敬的业主：\n您 2026 年 1 月至 3 月物业费合计 ￥900.00 尚未缴纳，请于收到本通知之日起 15 日内缴纳。\n幸福物业服务有限公司',
  template: 'demand_notice',
  params: {},
  attachments: [{ filename: '催缴通知书-301.pdf', content: pdf, contentType: 'application/pdf' }],
};

async function caught(p: Promise<unknown>): Promise<ChannelError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ChannelError);
  return e as ChannelError;
}

describe('SMTP e-mail adapter', () => {
  let smtp: FakeSmtp;
  let config: SmtpEmailConfig;
  beforeAll(async () => {
    smtp = await startFakeSmtp({
      users: { 'notice@example.com': 'mail-pass' },
      rcptReply: (to) => (to.startsWith('busy@') ? { code: 450, message: 'Mailbox busy, try later' }
        : to.startsWith('nobody@') ? { code: 550, message: 'No such user here' } : undefined),
    });
    config = {
      host: smtp.host, port: smtp.port, auth: { user: 'notice@example.com', pass: 'mail-pass' },
      from: { name: '幸福物业服务有限公司', address: 'notice@example.com' }, now: () => new Date('2026-03-01T02:00:00Z'),
    };
  });
  afterAll(async () => { await smtp.close(); });

  it('delivers subject, Chinese text and the PDF intact, and takes the 250 as the delivery receipt', async () => {
    const adapter = new SmtpEmailAdapter(config);
    try {
      const result = await adapter.send(message);
      const mail = smtp.received.at(-1);
      expect(mail).toMatchObject({ from: 'notice@example.com', to: ['owner-301@example.com'], subject: message.subject });
      expect(mail?.text.replace(/\r\n/g, '\n').trimEnd()).toBe(message.text);
      expect(mail?.headers['content-type']).toMatch(/^multipart\/mixed/);
      expect(mail?.raw).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
      expect(mail?.headers.from).toContain('notice@example.com');
      expect(mail?.attachments).toHaveLength(1);
      expect(mail?.attachments[0]).toMatchObject({ filename: '催缴通知书-301.pdf', contentType: 'application/pdf' });
      expect(mail?.attachments[0]?.content.equals(pdf)).toBe(true);

      expect(result.providerId).toBe('<wuye.outbox-5-demand@example.com>');
      expect(mail?.headers['message-id']).toBe(result.providerId);
      expect(result.response).toMatch(/^250 /);
      expect(result.receipt).toMatchObject({ providerId: result.providerId, status: 'delivered', at: '2026-03-01T02:00:00.000Z', detail: `SMTP ${result.response}`, ref: message.ref });
    } finally {
      adapter.close();
    }
  });

  it('4xx from the server is retryable, 5xx is not', async () => {
    const adapter = new SmtpEmailAdapter(config);
    const busy = await caught(adapter.send({ ...message, to: 'busy@example.com' }));
    expect(busy).toMatchObject({ code: 'SMTP_450', retryable: true });
    expect(busy.message).toContain('暂时拒收');
    const gone = await caught(adapter.send({ ...message, to: 'nobody@example.com' }));
    expect(gone).toMatchObject({ code: 'SMTP_550', retryable: false });
    expect(gone.message).toContain('No such user here');
  });

  it('a wrong password is refused by the server (535), not worth a retry', async () => {
    const before = smtp.received.length;
    const e = await caught(new SmtpEmailAdapter({ ...config, auth: { user: 'notice@example.com', pass: 'wrong' } }).send(message));
    expect(e).toMatchObject({ code: 'SMTP_AUTH', retryable: false });
    expect(e.message).toContain('邮件服务器登录失败');
    expect(smtp.received).toHaveLength(before);
  });

  it('an unreachable server is retryable; a malformed address fails before connecting', async () => {
    const closed = await startFakeSmtp();
    await closed.close();
    const down = new SmtpEmailAdapter({ ...config, port: closed.port, timeoutMs: 2_000 });
    expect(await caught(down.send(message))).toMatchObject({ retryable: true });
    expect(await caught(down.send({ ...message, to: 'owner at example.com' }))).toMatchObject({ code: 'BAD_ADDRESS', retryable: false });
  });
});
