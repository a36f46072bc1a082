import { expect } from 'vitest';
import { GatewayError, type NotifyRequest, type PaymentGateway, type TradeState } from '../../server/payments/gateway.ts';
import { listen, reply, type Listening } from './http.ts';

/** What a gateway call threw, checked to be a GatewayError; a function is called, a promise awaited. */
export async function caughtGatewayError(p: Promise<unknown> | (() => unknown)): Promise<GatewayError> {
  const e = typeof p === 'function' ? (() => { try { p(); return undefined; } catch (x) { return x; } })() : await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(GatewayError);
  return e as GatewayError;
}

/** Stands in for our notify route: parseNotify, then its ok reply (or its fail reply once, when told to); 403 for a
 * notification that does not verify. Keeps every request it got. */
export async function startNotifyReceiver(gateway: PaymentGateway): Promise<Listening & { received: NotifyRequest[]; trades: TradeState[]; refused: GatewayError[]; state: { failNext: boolean } }> {
  const received: NotifyRequest[] = [];
  const trades: TradeState[] = [];
  const refused: GatewayError[] = [];
  const state = { failNext: false };
  const server = await listen((req, body, res) => {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    received.push({ headers, body });
    try {
      const out = gateway.parseNotify({ headers, body });
      const answer = state.failNext ? out.fail : out.ok;
      if (!state.failNext) trades.push(out.trade);
      state.failNext = false;
      reply(res, answer.status, answer.body, answer.contentType);
    } catch (e) {
      if (!(e instanceof GatewayError)) throw e;
      refused.push(e);
      reply(res, e.code === 'BAD_SIGNATURE' ? 403 : 400, e.message, 'text/plain; charset=utf-8');
    }
  });
  return { ...server, received, trades, refused, state };
}
