import { AppError, fieldError } from '../../../core/errors.ts';
import { inScope } from '../../../core/access/roles.ts';
import { allocate } from '../../../core/billing/allocation.ts';
import { localDateOf } from '../../../core/dates.ts';
import { formatYuan, parseYuan } from '../../../core/money.ts';
import { oneOf, requireText } from '../../../core/registry/validate.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase, getProjectOrThrow } from '../registry/registry-service.ts';
import { assertDecidable, markDecided, PENDING } from './approval.ts';
import { CHANNELS, lockHouse, openDebts, payerOf, prepaidBalance, toCoreDebts, writeAllocations, type Payer } from './payment-service.ts';

/**
 * The prepaid account (预存款) of a house, kept per payer (R30): what a payment left over, less what bill runs deducted
 * from it and what was refunded. Two movements live here:
 * - a bill run deducts prepaid money from the charges of items that allow it (fee_item.prepaid_deduct), oldest due
 *   first, recorded as a 'prepaid_deduction' payment of 0 (allocations +X, prepaid −X: no money moved);
 * - a refund is asked for with a reason and paid out only after someone else approves it (R32: unserved prepaid fees
 *   are refunded on termination); it is a 'refund' payment of −X on the channel the money goes out by.
 */

const PREPAID_CHANNEL = '预存款';

export interface DeductionReport {
  houses: number;
  amountFen: number;
}

/**
 * Deduct prepaid balances of a project's payers from their open charges of deductible items (called by the bill run
 * after it has written its charges). Each payer is settled in its own short transaction, serialised with payments
 * on the same house, and the balance is read again inside it, so a payment or refund meanwhile never overdraws it.
 */
export async function deductPrepaid(ctx: ServiceContext, actor: Actor, projectId: number, on: string): Promise<DeductionReport> {
  const holders = await ctx.db.selectFrom('prepaid_entry').innerJoin('payment', 'payment.id', 'prepaid_entry.payment_id')
    .select(['prepaid_entry.house_id', 'payment.payer_kind', 'payment.ownership_id', (eb) => eb.fn.sum<number>('prepaid_entry.amount_fen').as('balance')])
    .where('payment.project_id', '=', projectId)
    .groupBy(['prepaid_entry.house_id', 'payment.payer_kind', 'payment.ownership_id'])
    .having((eb) => eb.fn.sum('prepaid_entry.amount_fen'), '>', 0)
    .orderBy('prepaid_entry.house_id').execute();
  const report: DeductionReport = { houses: 0, amountFen: 0 };
  for (const h of holders) {
    const payer = payerOf(h);
    const deducted = await ctx.db.transaction().execute(async (trx) => {
      await lockHouse(ctx, trx, h.house_id);
      const balance = await prepaidBalance(trx, h.house_id, payer);
      const debts = (await openDebts(trx, h.house_id, payer, on)).filter((d) => d.prepaidDeduct);
      const core = toCoreDebts(debts);
      const owed = core.reduce((s, d) => s + d.principalFen + d.lateFeeFen, 0);
      const amount = Math.min(balance, owed);
      if (amount <= 0) return 0;
      const result = allocate({ amountFen: amount, debts: core, asOf: on });
      const createdAt = nowIso(ctx);
      const row = await trx.insertInto('payment').values({
        project_id: projectId, house_id: h.house_id, kind: 'prepaid_deduction', payer_kind: payer.kind, ownership_id: payer.kind === 'owner' ? payer.ownershipId : null,
        payer_name: null, channel: PREPAID_CHANNEL, amount_fen: 0, received_at: ctx.clock.now().toISOString(), received_on: on, designated_json: null,
        reverses_payment_id: null, reason: '出账时预存款自动抵扣', idempotency_key: null, note: null, recorded_by: actor.name, recorded_by_id: actor.userId, created_at: createdAt,
      }).returning('id').executeTakeFirstOrThrow();
      await writeAllocations(trx, row.id, h.house_id, { ...result, leftoverFen: -amount }, createdAt, 'deduction');
      return amount;
    });
    if (deducted > 0) {
      report.houses += 1;
      report.amountFen += deducted;
    }
  }
  return report;
}

export interface RefundInput {
  houseId: number;
  payer?: Payer | undefined;
  amount: string;
  channel: string;
  reason: string;
}

/** Ask to refund prepaid money to its payer; nothing moves until someone else approves. */
export async function requestRefund(ctx: ServiceContext, actor: Actor, input: RefundInput) {
  const house = await getHouseBase(ctx, actor, input.houseId);
  requireAccess(actor, 'refund.request', { projectId: house.projectId, buildingId: house.buildingId });
  const amountFen = parseYuan(input.amount);
  if (amountFen === null || amountFen <= 0) throw fieldError('amount', 'VALIDATION_FAILED', '退款金额应为正数，最多两位小数');
  const channel = oneOf(input.channel, CHANNELS, 'channel');
  const reason = requireText(input.reason, 'reason', 500);
  const payer = input.payer ?? await defaultPayer(ctx, input.houseId);
  if (payer.kind === 'owner') {
    const o = await ctx.db.selectFrom('ownership').select('id').where('id', '=', payer.ownershipId).where('house_id', '=', input.houseId).executeTakeFirst();
    if (!o) throw fieldError('payer.ownershipId', 'VALIDATION_FAILED', '该产权期间不属于此房屋');
  }
  return ctx.db.transaction().execute(async (trx) => {
    await lockHouse(ctx, trx, input.houseId);
    const balance = await prepaidBalance(trx, input.houseId, payer);
    let pendingQ = trx.selectFrom('refund_request').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('house_id', '=', input.houseId).where('status', '=', PENDING);
    pendingQ = payer.kind === 'developer' ? pendingQ.where('payer_kind', '=', 'developer') : pendingQ.where('ownership_id', '=', payer.ownershipId);
    const pending = Number((await pendingQ.executeTakeFirstOrThrow()).s ?? 0);
    if (amountFen > balance - pending) {
      throw fieldError('amount', 'VALIDATION_FAILED', `超过可退的预存款余额 ${formatYuan(Math.max(0, balance - pending))}${pending ? `（另有 ${formatYuan(pending)} 待审批）` : ''}`);
    }
    const values = {
      project_id: house.projectId, house_id: input.houseId, payer_kind: payer.kind, ownership_id: payer.kind === 'owner' ? payer.ownershipId : null,
      amount_fen: amountFen, channel, reason, status: PENDING, requested_by: actor.name, requested_by_id: actor.userId, requested_at: nowIso(ctx),
      decided_by: null, decided_at: null, decision_note: null, payment_id: null,
    };
    const { id } = await trx.insertInto('refund_request').values(values).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'refund.request', entity: 'refund_request', entityId: id, projectId: house.projectId, after: { houseId: input.houseId, amountFen, channel, reason } });
    return refundView({ id, ...values });
  });
}

async function defaultPayer(ctx: ServiceContext, houseId: number): Promise<Payer> {
  const rows = await ctx.db.selectFrom('payment').select(['payer_kind', 'ownership_id']).distinct().where('house_id', '=', houseId).execute();
  const withBalance = [];
  for (const r of rows) if (await prepaidBalance(ctx.db, houseId, payerOf(r)) > 0) withBalance.push(payerOf(r));
  if (withBalance.length !== 1) throw fieldError('payer', 'VALIDATION_FAILED', withBalance.length === 0 ? '此房屋没有预存款余额' : '此房屋有多位缴费人的预存款，请指明退给谁');
  return withBalance[0]!;
}

/**
 * Approve or reject a refund: by someone allowed to, never by the person who asked. On approval the balance is read
 * again under the house lock (it may have been deducted meanwhile), then the refund is paid out of the prepaid account.
 */
export async function decideRefund(ctx: ServiceContext, actor: Actor, refundId: number, approve: boolean, note?: string) {
  const r = await ctx.db.selectFrom('refund_request').selectAll().where('id', '=', refundId).executeTakeFirst();
  if (!r) throw new AppError('NOT_FOUND', '退款申请不存在');
  const house = await getHouseBase(ctx, actor, r.house_id);
  requireAccess(actor, 'refund.approve', { projectId: house.projectId, buildingId: house.buildingId });
  assertDecidable('refund_request', r, actor);
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', r.project_id).executeTakeFirstOrThrow();
  return ctx.db.transaction().execute(async (trx) => {
    await lockHouse(ctx, trx, r.house_id);
    const now = nowIso(ctx);
    let paymentId: number | null = null;
    if (approve) {
      const payer = payerOf(r);
      const balance = await prepaidBalance(trx, r.house_id, payer);
      if (r.amount_fen > balance) throw fieldError('refundId', 'VALIDATION_FAILED', `预存款余额 ${formatYuan(balance)} 已不足退款 ${formatYuan(r.amount_fen)}，请驳回后重新申请`);
      const row = await trx.insertInto('payment').values({
        project_id: r.project_id, house_id: r.house_id, kind: 'refund', payer_kind: r.payer_kind, ownership_id: r.ownership_id, payer_name: null, channel: r.channel,
        amount_fen: -r.amount_fen, received_at: ctx.clock.now().toISOString(), received_on: localDateOf(ctx.clock.now(), project.time_zone), designated_json: null,
        reverses_payment_id: null, reason: r.reason, idempotency_key: `refund:${r.id}`, note: null, recorded_by: actor.name, recorded_by_id: actor.userId, created_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('prepaid_entry').values({ house_id: r.house_id, kind: 'refund', amount_fen: -r.amount_fen, payment_id: row.id, created_at: now }).execute();
      paymentId = row.id;
    }
    const status = await markDecided(trx, 'refund_request', refundId, approve, actor, note?.trim() || null, now, { payment_id: paymentId });
    await audit(trx, ctx, actor, {
      action: approve ? 'refund.approve' : 'refund.reject', entity: 'refund_request', entityId: refundId, projectId: r.project_id,
      before: { status: PENDING }, after: { status, paymentId, amountFen: r.amount_fen, note: note?.trim() || null },
    });
    return refundView({ ...r, status, decided_by: actor.name, decided_at: now, decision_note: note?.trim() || null, payment_id: paymentId });
  });
}

function refundView(r: { id: number; house_id: number; payer_kind: string; ownership_id: number | null; amount_fen: number; channel: string; reason: string; status: string; requested_by: string; requested_at: string; decided_by: string | null; decided_at: string | null; decision_note: string | null; payment_id: number | null }) {
  return {
    id: r.id, houseId: r.house_id, payerKind: r.payer_kind, ownershipId: r.ownership_id, amountFen: r.amount_fen, channel: r.channel, reason: r.reason, status: r.status,
    requestedBy: r.requested_by, requestedAt: r.requested_at, decidedBy: r.decided_by, decidedAt: r.decided_at, decisionNote: r.decision_note, paymentId: r.payment_id,
  };
}

/** Refund requests of a project (pending first), for the approvals page. */
export async function listRefunds(ctx: ServiceContext, actor: Actor, projectId: number, status?: string) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, projectId);
  let q = ctx.db.selectFrom('refund_request').innerJoin('house', 'house.id', 'refund_request.house_id').innerJoin('building', 'building.id', 'house.building_id')
    .selectAll('refund_request').select(['house.number', 'building.name as building_name', 'house.building_id']).where('refund_request.project_id', '=', projectId);
  if (status) q = q.where('refund_request.status', '=', status);
  const rows = await q.orderBy('refund_request.id', 'desc').limit(500).execute();
  return rows.filter((r) => inScope(actor.scope, { projectId, buildingId: r.building_id })).map((r) => ({ ...refundView(r), house: `${r.building_name} ${r.number}` }));
}
