import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChannelError, type ChannelAdapter, type DeliveryReceipt } from '../../server/channels/channel.ts';

/** Plumbing for the fake providers: a node:http server on 127.0.0.1 and a port the system picks. */

export interface Listening { url: string; close: () => Promise<void> }

export async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>): Promise<Listening> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, Buffer.concat(chunks).toString('utf8'), res)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    }),
  };
}

export function reply(res: ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Query parameters of a request as a flat record (last value wins). */
export function queryOf(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(new URL(req.url ?? '/', 'http://fake').searchParams);
}

/** POSTs a callback the way a provider does and returns what our side answered. */
export async function postCallback(url: string, body: string, contentType: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: await res.text() };
}

/** Stands in for our own callback route: hands each request to the adapter's parseCallback and answers with its
 * reply, 403 for a push that does not verify and 400 for one that cannot be read. */
export async function startCallbackReceiver(adapter: Pick<ChannelAdapter, 'parseCallback'>): Promise<Listening & { receipts: DeliveryReceipt[]; refused: ChannelError[] }> {
  const receipts: DeliveryReceipt[] = [];
  const refused: ChannelError[] = [];
  const server = await listen((req, body, res) => {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    try {
      const out = adapter.parseCallback?.({ query: queryOf(req), headers, body });
      if (!out) return reply(res, 404, 'no callbacks', 'text/plain');
      receipts.push(...out.receipts);
      reply(res, out.reply.status, out.reply.body, out.reply.contentType);
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      refused.push(e);
      reply(res, e.code === 'BAD_SIGNATURE' ? 403 : 400, e.message, 'text/plain; charset=utf-8');
    }
  });
  return { ...server, receipts, refused };
}
