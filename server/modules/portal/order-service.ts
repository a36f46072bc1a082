import { randomBytes } from 'node:crypto';
import { AppError, fieldError } from '../../../core/errors.ts';
import { localDateOf } from '../../../core/dates.ts';
import { fenToYuanText } from '../../../core/money.ts';
import { ORDER_STATUS_LABELS, GATEWAY_LABELS } from '../../../core/portal/vocabulary.ts';
import { GatewayError, type GatewayProvider, type NotifyRequest, type NotifyReply, type PaymentGateway, type TradeState } from '../../payments/gateway.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, type ServiceContext } from '../context.ts';
import { recordPaymentOnce } from '../billing/payment-service.ts';
import { systemActor } from '../setup/bootstrap.ts';
import type { PortalPrincipal } from './auth-service.ts';
import { billsOf, houseOf, portalActor } from './portal-service.ts';

/**
 * Paying online. An order is written before the gateway is asked (so a notification can never find no order), for
 * what the owner's chosen periods owe today. The gateway's notification — verified by its adapter — or a query after
 * a timeout settles it: the payment is recorded once (its idempotency key is the order number, so a repeated
 * notification, a query and a notification racing each other all land on the same payment), allocated to the chosen
 * periods (R18: the owner designated them) and receipted in the same transaction.
 */
export type Gateways = Partial<Record<GatewayProvider, PaymentGateway>>;

const ORDER_MINUTES = 30;
/** A pending order is asked about at the gateway when the owner's page polls it this long after creation / last query. */
const QUERY_AFTER_MS = 10_000;

/** The configured gateway of that name, if any (the name comes from a request or a stored order). */
const gatewayNamed = (gateways: Gateways, provider: string): PaymentGateway | undefined =>
  (Object.hasOwn(gateways, provider) ? gateways[provider as GatewayProvider] : undefined);

function gatewayOf(gateways: Gateways, provider: string): PaymentGateway {
  const g = gatewayNamed(gateways, provider);
  if (!g) throw fieldError('provider', 'VALIDATION_FAILED', '该支付方式未开通');
  return g;
}

export function listGateways(gateways: Gateways) {
  return { items: (Object.keys(gateways) as GatewayProvider[]).filter((p) => gateways[p]).map((p) => ({ provider: p, label: GATEWAY_LABELS[p] ?? p })) };
}

type OrderRow = { house_id: number; out_trade_no: string; provider: string; amount_fen: number; periods_json: string; status: string; pay_url: string | null; pay_mode: string | null; payment_id: number | null; created_at: string };

async function orderView(ctx: ServiceContext, o: OrderRow) {
  const receipt = o.payment_id === null ? undefined : await ctx.db.selectFrom('receipt').select('number').where('payment_id', '=', o.payment_id).executeTakeFirst();
  return {
    outTradeNo: o.out_trade_no, houseId: o.house_id, provider: o.provider, amountFen: Number(o.amount_fen), periods: JSON.parse(o.periods_json) as string[], status: o.status,
    statusLabel: ORDER_STATUS_LABELS[o.status] ?? o.status, payUrl: o.pay_url, payMode: o.pay_mode, paymentId: o.payment_id, receiptNumber: receipt?.number ?? null, createdAt: o.created_at,
  };
}

export async function createOrder(ctx: ServiceContext, gateways: Gateways, principal: PortalPrincipal, houseId: number, input: { provider: string; periods?: string[] | undefined }, where: { baseUrl: string; clientIp: string }) {
  const { baseUrl } = where;
  const gateway = gatewayOf(gateways, input.provider);
  const h = await houseOf(ctx, principal, houseId);
  const b = await billsOf(ctx, principal, h);
  const chosen = input.periods?.length ? input.periods : b.periods.map((p) => p.period);
  for (const [i, p] of chosen.entries()) if (!b.periods.some((x) => x.period === p)) throw fieldError(`periods.${i}`, 'NOTHING_TO_PAY', `账期 ${p} 没有待缴金额`);
  const amountFen = b.periods.filter((p) => chosen.includes(p.period)).reduce((s, p) => s + p.owedFen, 0);
  if (amountFen <= 0) throw new AppError('NOTHING_TO_PAY');
  const now = ctx.clock.now();
  const stamp = now.toISOString().slice(0, 10).replace(/-/g, '');
  const outTradeNo = `WY${stamp}${randomBytes(9).toString('hex').toUpperCase()}`;
  const expiresAt = new Date(now.getTime() + ORDER_MINUTES * 60_000).toISOString();
  const periods = [...chosen].sort();
  await ctx.db.insertInto('portal_order').values({
    out_trade_no: outTradeNo, provider: gateway.provider, account_id: principal.accountId, project_id: h.projectId, house_id: houseId, ownership_id: h.ownershipId,
    amount_fen: amountFen, periods_json: JSON.stringify(periods), status: 'pending', created_at: now.toISOString(), expires_at: expiresAt,
  }).execute();
  const description = `${h.projectName} ${h.label} 物业费 ${periods.length > 1 ? `${periods[0]}至${periods.at(-1)}` : periods[0]}`;
  try {
    const created = await gateway.createOrder({
      outTradeNo, amountFen, description, expiresAt, clientIp: where.clientIp, notifyUrl: `${baseUrl}/api/payments/notify/${gateway.provider}`, returnUrl: `${baseUrl}/portal/#/orders/${outTradeNo}`,
    });
    await ctx.db.updateTable('portal_order').set({ pay_url: created.payUrl, pay_mode: created.payMode, create_answer: created.raw }).where('out_trade_no', '=', outTradeNo).execute();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await ctx.db.updateTable('portal_order').set({ status: 'failed', problem: message }).where('out_trade_no', '=', outTradeNo).execute();
    throw new AppError('GATEWAY_ERROR', e instanceof GatewayError ? `支付渠道下单失败：${message}` : undefined);
  }
  await audit(ctx.db, ctx, portalActor(h.companyId, principal), { action: 'portal.order', entity: 'portal_order', entityId: outTradeNo, projectId: h.projectId, after: { amountFen, periods, provider: gateway.provider } });
  return getOrder(ctx, gateways, principal, outTradeNo);
}

/**
 * Settle an order from what the gateway says of it (a verified notification or a query). Paid: record the payment
 * once and mark the order paid. A paid amount that differs from the order is not posted: the order is marked for
 * staff to check (the money is at the gateway, so nothing is lost).
 */
export async function applyTrade(ctx: ServiceContext, gateway: PaymentGateway, trade: TradeState): Promise<'applied' | 'already' | 'pending' | 'closed' | 'mismatch'> {
  const provider = gateway.provider;
  const o = await ctx.db.selectFrom('portal_order').innerJoin('project', 'project.id', 'portal_order.project_id')
    .select(['portal_order.id', 'portal_order.status', 'portal_order.amount_fen', 'portal_order.house_id', 'portal_order.ownership_id', 'portal_order.periods_json',
      'portal_order.project_id', 'portal_order.out_trade_no', 'project.company_id', 'project.time_zone'])
    .where('portal_order.out_trade_no', '=', trade.outTradeNo).where('portal_order.provider', '=', provider).executeTakeFirst();
  if (!o) throw new AppError('NOT_FOUND', `订单不存在：${trade.outTradeNo}`);
  if (o.status === 'paid') return 'already';
  const actor = systemActor(o.company_id, `在线支付（${provider}）`);
  if (trade.status === 'pending') return 'pending';
  if (trade.status === 'closed') {
    await ctx.db.updateTable('portal_order').set({ status: 'closed' }).where('id', '=', o.id).where('status', '=', 'pending').execute();
    return 'closed';
  }
  if (trade.amountFen !== Number(o.amount_fen)) {
    const problem = `支付渠道报告的金额 ${fenToYuanText(trade.amountFen)} 元与订单金额 ${fenToYuanText(Number(o.amount_fen))} 元不符，未入账，请核对`;
    await ctx.db.updateTable('portal_order').set({ status: 'mismatch', problem, notify_raw: trade.raw, provider_trade_no: trade.providerTradeNo ?? null }).where('id', '=', o.id).execute();
    await audit(ctx.db, ctx, actor, { action: 'portal.order.mismatch', entity: 'portal_order', entityId: o.out_trade_no, projectId: o.project_id, after: { problem } });
    return 'mismatch';
  }
  let recorded: Awaited<ReturnType<typeof recordPaymentOnce>>;
  const payment = {
    houseId: o.house_id, amount: fenToYuanText(trade.amountFen), channel: gateway.ledgerChannel, payer: { kind: 'owner' as const, ownershipId: o.ownership_id },
    periods: JSON.parse(o.periods_json) as string[], idempotencyKey: `online:${provider}:${o.out_trade_no}`, note: `在线支付 ${trade.providerTradeNo ?? ''}`.trim(),
  };
  // The money arrived the day the owner paid (a notification or query may come a day later): late fees stop then.
  const paidOn = trade.paidAt ? localDateOf(new Date(trade.paidAt), o.time_zone) : null;
  try {
    try {
      recorded = await recordPaymentOnce(ctx, actor, { ...payment, receivedOn: paidOn });
    } catch (e) {
      // A payment recorded at the counter after that day: allocation follows the order of days, so this one is dated today.
      if (!(paidOn && e instanceof AppError && e.details?.some((d) => d.field === 'receivedOn'))) throw e;
      recorded = await recordPaymentOnce(ctx, actor, payment);
    }
  } catch (e) {
    // Not posted: the gateway will notify again (or the next query retries); staff see why on the order meanwhile.
    await ctx.db.updateTable('portal_order').set({ problem: `入账失败：${e instanceof Error ? e.message : String(e)}`, notify_raw: trade.raw }).where('id', '=', o.id).execute();
    throw e;
  }
  const { payment: posted, created } = recorded;
  await ctx.db.updateTable('portal_order').set({ status: 'paid', payment_id: posted.id, provider_trade_no: trade.providerTradeNo ?? null, notify_raw: trade.raw, paid_at: trade.paidAt ?? nowIso(ctx) })
    .where('id', '=', o.id).where('status', 'in', ['pending', 'closed']).execute();
  return created ? 'applied' : 'already';
}

/** A gateway's notification: verified by the adapter, then applied; the reply tells the gateway whether to retry. */
export async function handleNotify(ctx: ServiceContext, gateways: Gateways, provider: string, req: NotifyRequest): Promise<NotifyReply> {
  const gateway = gatewayNamed(gateways, provider);
  if (!gateway) return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'unknown gateway' };
  let parsed: ReturnType<PaymentGateway['parseNotify']>;
  try {
    parsed = gateway.parseNotify(req);
  } catch (e) {
    return { status: 400, contentType: 'text/plain; charset=utf-8', body: e instanceof Error ? e.message : 'bad notification' };
  }
  try {
    await applyTrade(ctx, gateway, parsed.trade);
    return parsed.ok;
  } catch {
    return parsed.fail;
  }
}

/** The owner's view of an order; a pending one is asked about at the gateway when its notification is late. */
export async function getOrder(ctx: ServiceContext, gateways: Gateways, principal: PortalPrincipal, outTradeNo: string) {
  let o = await ctx.db.selectFrom('portal_order').selectAll().where('out_trade_no', '=', outTradeNo).where('account_id', '=', principal.accountId).executeTakeFirst();
  if (!o) throw new AppError('NOT_FOUND', '订单不存在');
  const now = ctx.clock.now().getTime();
  if (o.status === 'pending' && now - Date.parse(o.queried_at ?? o.created_at) >= QUERY_AFTER_MS) {
    await queryOrder(ctx, gateways, o);
    o = (await ctx.db.selectFrom('portal_order').selectAll().where('id', '=', o.id).executeTakeFirst())!;
  }
  return orderView(ctx, o);
}

async function queryOrder(ctx: ServiceContext, gateways: Gateways, o: { id: number; provider: string; out_trade_no: string; expires_at: string }) {
  const gateway = gatewayNamed(gateways, o.provider);
  if (!gateway) return;
  await ctx.db.updateTable('portal_order').set({ queried_at: nowIso(ctx) }).where('id', '=', o.id).execute();
  try {
    const trade = await gateway.queryOrder(o.out_trade_no);
    const result = await applyTrade(ctx, gateway, trade);
    if (result === 'pending' && o.expires_at < nowIso(ctx)) await ctx.db.updateTable('portal_order').set({ status: 'closed' }).where('id', '=', o.id).where('status', '=', 'pending').execute();
  } catch (e) {
    // Not found at the gateway long after expiry: the owner never paid it.
    if (e instanceof GatewayError && e.code === 'ORDER_NOT_EXIST' && o.expires_at < nowIso(ctx)) {
      await ctx.db.updateTable('portal_order').set({ status: 'closed' }).where('id', '=', o.id).where('status', '=', 'pending').execute();
    }
  }
}

/** The job behind lost notifications: every pending order older than a minute is asked about at its gateway. */
export async function reconcilePendingOrders(ctx: ServiceContext, gateways: Gateways): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - 60_000).toISOString();
  const pending = await ctx.db.selectFrom('portal_order').select(['id', 'provider', 'out_trade_no', 'expires_at']).where('status', '=', 'pending').where('created_at', '<', before).limit(200).execute();
  for (const o of pending) await queryOrder(ctx, gateways, o);
  return pending.length;
}
