import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives and reads the MIME back into subject, text
 * and attachments, so tests can check what an owner's mail client would show. Plain SMTP only (no STARTTLS): the
 * adapter under test then talks to it exactly as to a relay on the local network.
 */
export interface FakeSmtpOptions {
  /** Accounts for AUTH; when absent the server takes mail without logging in. */
  users?: Record<string, string>;
  /** Refuse a recipient with this SMTP reply (e.g. 450 mailbox busy, 550 no such user). */
  rcptReply?: (address: string) => { code: number; message: string } | undefined;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as it arrived (7-bit: nodemailer encodes everything else). */
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
}

export interface FakeSmtp { host: string; port: number; received: ReceivedMail[]; close(): Promise<void> }

export async function startFakeSmtp(opts: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: opts.users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.users,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username && opts.users?.[auth.username] === auth.password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const refusal = opts.rcptReply?.(address.address);
      cb(refusal ? Object.assign(new Error(refusal.message), { responseCode: refusal.code }) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const mail = readMime(raw);
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw, headers: mail.headers, subject: decodeWords(mail.headers.subject ?? ''), text: mail.text, attachments: mail.attachments,
        });
        cb(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

// --- a small MIME reader: enough for what nodemailer writes ---

function headersOf(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] ??= line.slice(i + 1).trim();
  }
  return out;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=); the space between two of them is not part of the text. */
export function decodeWords(s: string): string {
  return s.replace(/(\?=)\s+(=\?)/g, '$1$2').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, enc: string, data: string) =>
    (enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : qp(data.replace(/_/g, ' '))).toString('utf8'));
}

function qp(s: string): Buffer {
  return Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
}

/** A header value and its parameters, with RFC 2231 continuations (name*0*=utf-8''%E5…; name*1*=…) put back together. */
function valueAndParams(header: string): { value: string; params: Record<string, string> } {
  const parts: Record<string, Array<{ i: number; text: string; encoded: boolean }>> = {};
  for (const m of header.matchAll(/;\s*([^\s=*;]+)(?:\*(\d+))?(\*)?=("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
    const name = (m[1] ?? '').toLowerCase();
    const text = (m[4] ?? '').trim().replace(/^"(.*)"$/s, '$1').replace(/\\(.)/g, '$1');
    (parts[name] ??= []).push({ i: Number(m[2] ?? 0), text, encoded: m[3] === '*' });
  }
  const params: Record<string, string> = {};
  for (const [name, list] of Object.entries(parts)) {
    const bytes = list.sort((a, b) => a.i - b.i).map((p) => p.encoded
      ? Buffer.from(p.text.replace(/^[^']*'[^']*'/, '').replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
      : Buffer.from(p.text, 'latin1'));
    params[name] = decodeWords(Buffer.concat(bytes).toString('utf8'));
  }
  return { value: (header.split(';')[0] ?? '').trim().toLowerCase(), params };
}

function readMime(raw: string): { headers: Record<string, string>; text: string; attachments: ReceivedMail['attachments'] } {
  const out = { text: '', attachments: [] as ReceivedMail['attachments'] };
  const walk = (entity: string): Record<string, string> => {
    const split = entity.search(/\r?\n\r?\n/);
    const headers = headersOf(split < 0 ? entity : entity.slice(0, split));
    const body = split < 0 ? '' : entity.slice(split).replace(/^\r?\n\r?\n/, '');
    const type = valueAndParams(headers['content-type'] ?? 'text/plain');
    if (type.value.startsWith('multipart/') && type.params.boundary) {
      const sections = body.split(`--${type.params.boundary}`).slice(1);
      for (const s of sections) if (!s.startsWith('--')) walk(s.replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
      return headers;
    }
    const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
    const content = cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : cte === 'quoted-printable' ? qp(body) : Buffer.from(body, 'latin1');
    const disposition = valueAndParams(headers['content-disposition'] ?? 'inline');
    if (disposition.value === 'attachment' || !type.value.startsWith('text/')) {
      out.attachments.push({ filename: disposition.params.filename ?? type.params.name ?? '', contentType: type.value, content });
    } else if (type.value === 'text/plain') {
      out.text += content.toString('utf8');
    }
    return headers;
  };
  const headers = walk(raw);
  return { headers, ...out };
}
