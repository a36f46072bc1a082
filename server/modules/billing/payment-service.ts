import { sql, type Kysely, type Transaction } from 'kysely';
import { AppError, fieldError } from '../../../core/errors.ts';
import { allocate, type Debt } from '../../../core/billing/allocation.ts';
import { agingBucket, lateFee, type LateFeeClause } from '../../../core/billing/late-fee.ts';
import { localDateOf } from '../../../core/dates.ts';
import { formatYuan, parseYuan } from '../../../core/money.ts';
import { oneOf } from '../../../core/registry/validate.ts';
import type { DB } from '../../db/schema.ts';
import { termsOf } from '../../db/repositories/billing-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase } from '../registry/registry-service.ts';
import { issueReceipt } from './receipt-service.ts';

export const CHANNELS = ['现金', 'POS刷卡', '银行转账', '微信', '支付宝'] as const;

type Q = Kysely<DB> | Transaction<DB>;

export interface PaymentInput {
  houseId: number;
  amount: string;
  channel: string;
  /** Whose money: the owners of an ownership period (default: the current one), or the developer. */
  payer?: { kind: 'owner'; ownershipId?: number | undefined } | { kind: 'developer' } | undefined;
  payerName?: string | null | undefined;
  /** Periods (YYYY-MM) the payer designates (R18); the payment then goes to those periods only. */
  periods?: string[] | undefined;
  /** The same key twice records one payment (a double click, a re-sent import row). */
  idempotencyKey?: string | null | undefined;
  note?: string | null | undefined;
}

/** The debts of one payer on one house, each with what is still owed per component as of a date. */
async function openDebts(db: Q, houseId: number, payer: { kind: 'owner'; ownershipId: number } | { kind: 'developer' }, asOf: string) {
  let q = db.selectFrom('charge').innerJoin('fee_item', 'fee_item.id', 'charge.fee_item_id')
    .select(['charge.id', 'charge.period', 'charge.due_date', 'charge.amount_fen', 'charge.project_id', 'charge.fee_item_id', 'fee_item.name as item_name'])
    .where('charge.house_id', '=', houseId);
  q = payer.kind === 'developer' ? q.where('charge.bill_to', '=', 'developer') : q.where('charge.bill_to', '=', 'owner').where('charge.ownership_id', '=', payer.ownershipId);
  const charges = await q.orderBy('charge.due_date').orderBy('charge.fee_item_id').orderBy('charge.id').execute();
  if (charges.length === 0) return [];
  const allocs = await db.selectFrom('allocation').innerJoin('payment', 'payment.id', 'allocation.payment_id')
    .select(['allocation.charge_id', 'allocation.component', 'allocation.amount_fen', 'payment.received_on'])
    .where('allocation.charge_id', 'in', charges.map((c) => c.id)).where('payment.received_on', '<=', asOf).execute();
  const waivers = await db.selectFrom('late_fee_waiver').select(['charge_id', 'amount_fen'])
    .where('charge_id', 'in', charges.map((c) => c.id)).where('status', '=', '已批准').execute();
  const terms = await termsOf(db, charges[0]!.project_id);
  return charges.map((c) => {
    const mine = allocs.filter((a) => a.charge_id === c.id);
    const paid = (component: string) => mine.filter((a) => a.component === component).reduce((s, a) => s + a.amount_fen, 0);
    // The clause of the terms in force on the due date governs this period (no clause, no late fee: R19).
    const t = terms.find((x) => x.effective_from <= c.due_date);
    const clause: LateFeeClause | null = t && t.late_fee_daily_ppm !== null
      ? { dailyRatePpm: t.late_fee_daily_ppm, graceDays: t.late_fee_grace_days ?? 0, capPctOfPrincipal: t.late_fee_cap_pct }
      : null;
    const principalPayments = mine.filter((a) => a.component === 'principal').map((a) => ({ date: a.received_on, amountFen: a.amount_fen }));
    const fee = lateFee({ principalFen: c.amount_fen, dueDate: c.due_date, principalPayments, asOf, clause });
    return {
      chargeId: c.id, period: c.period, dueDate: c.due_date, itemName: c.item_name, amountFen: c.amount_fen,
      principalPaidFen: paid('principal'), lateFeeFen: fee.amountFen, lateFeePaidFen: paid('late_fee'), lateFeeBasis: fee.basis,
      lateFeeWaivedFen: waivers.filter((w) => w.charge_id === c.id).reduce((s, w) => s + w.amount_fen, 0),
      courtReductionRisk: fee.courtReductionRisk,
    };
  });
}

async function currentOwnership(db: Q, houseId: number, on: string) {
  return db.selectFrom('ownership').select(['id', 'from_date', 'to_date']).where('house_id', '=', houseId)
    .where('from_date', '<=', on).where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', on)])).executeTakeFirst();
}

/**
 * Record a payment at the counter or from an import, and allocate it (R18, 民法典 560/561): to the periods the payer
 * designates, otherwise oldest due first; late fee before principal; what is left goes to the house's prepaid account.
 * Only the payer's own debts are touched: a new owner's money never pays a former owner's periods (R30).
 */
export async function recordPayment(ctx: ServiceContext, actor: Actor, input: PaymentInput) {
  const house = await getHouseBase(ctx, actor, input.houseId);
  requireAccess(actor, 'payment.record', { projectId: house.projectId, buildingId: house.buildingId });
  const amountFen = parseYuan(input.amount);
  if (amountFen === null || amountFen <= 0) throw fieldError('amount', 'VALIDATION_FAILED', '金额应为正数，最多两位小数');
  const channel = oneOf(input.channel, CHANNELS, 'channel');
  const key = input.idempotencyKey?.trim() || null;
  if (key) {
    const seen = await ctx.db.selectFrom('payment').select('id').where('idempotency_key', '=', key).executeTakeFirst();
    if (seen) return getPayment(ctx, actor, seen.id);
  }
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', house.projectId).executeTakeFirstOrThrow();
  const now = ctx.clock.now();
  const receivedOn = localDateOf(now, project.time_zone);

  const id = await ctx.db.transaction().execute(async (trx) => {
    // Payments of one house are serialised: two at the same moment never allocate the same debt twice.
    if (ctx.dialect === 'postgres') await sql`select id from house where id = ${input.houseId} for update`.execute(trx);
    let payer: { kind: 'owner'; ownershipId: number } | { kind: 'developer' };
    if (input.payer?.kind === 'developer') payer = { kind: 'developer' };
    else if (input.payer?.ownershipId !== undefined) {
      const o = await trx.selectFrom('ownership').select('id').where('id', '=', input.payer.ownershipId).where('house_id', '=', input.houseId).executeTakeFirst();
      if (!o) throw fieldError('payer.ownershipId', 'VALIDATION_FAILED', '该产权期间不属于此房屋');
      payer = { kind: 'owner', ownershipId: o.id };
    } else {
      const o = await currentOwnership(trx, input.houseId, receivedOn);
      if (!o) throw fieldError('payer', 'VALIDATION_FAILED', '此房屋当前没有产权登记，请指明缴费的产权期间或开发商');
      payer = { kind: 'owner', ownershipId: o.id };
    }
    const debts = await openDebts(trx, input.houseId, payer, receivedOn);
    const periods = input.periods?.length ? new Set(input.periods) : null;
    if (periods) {
      const unknown = [...periods].filter((p) => !debts.some((d) => d.period === p));
      if (unknown.length) throw fieldError('periods', 'VALIDATION_FAILED', `没有这些账期的应收：${unknown.join('、')}`);
    }
    const coreDebts: Debt[] = debts.map((d) => ({
      id: d.chargeId, dueDate: d.dueDate, costFen: 0,
      lateFeeFen: Math.max(0, d.lateFeeFen - d.lateFeePaidFen - d.lateFeeWaivedFen), principalFen: Math.max(0, d.amountFen - d.principalPaidFen),
    }));
    const designated = periods ? debts.filter((d) => periods.has(d.period)).map((d) => d.chargeId) : undefined;
    const result = allocate({ amountFen, debts: coreDebts, asOf: receivedOn, ...(designated ? { designated } : {}) });
    const createdAt = nowIso(ctx);
    const row = await trx.insertInto('payment').values({
      project_id: house.projectId, house_id: input.houseId, payer_kind: payer.kind, ownership_id: payer.kind === 'owner' ? payer.ownershipId : null,
      payer_name: input.payerName?.trim() || null, channel, amount_fen: amountFen, received_at: now.toISOString(), received_on: receivedOn,
      designated_json: periods ? JSON.stringify([...periods]) : null, reverses_payment_id: null, reason: null, idempotency_key: key,
      note: input.note?.trim() || null, recorded_by: actor.name, recorded_by_id: actor.userId, created_at: createdAt,
    }).returning('id').executeTakeFirstOrThrow();
    if (result.allocations.length) {
      await trx.insertInto('allocation').values(result.allocations.map((a) => ({
        payment_id: row.id, charge_id: Number(a.debtId), component: a.component, amount_fen: a.amountFen, created_at: createdAt,
      }))).execute();
    }
    if (result.leftoverFen > 0) {
      await trx.insertInto('prepaid_entry').values({ house_id: input.houseId, kind: 'overpayment', amount_fen: result.leftoverFen, payment_id: row.id, created_at: createdAt }).execute();
    }
    await issueReceipt(trx, house.projectId, row.id, createdAt);
    await audit(trx, ctx, actor, {
      action: 'payment.record', entity: 'payment', entityId: row.id, projectId: house.projectId,
      after: { houseId: input.houseId, amountFen, channel, payer, periods: periods ? [...periods] : null, allocated: amountFen - result.leftoverFen, prepaid: result.leftoverFen },
    });
    return row.id;
  });
  return getPayment(ctx, actor, id);
}

/**
 * Correct a payment by a reversing entry with a reason (never an edit). Only 财务 may do it, and not for a payment
 * they recorded themselves (a second pair of eyes). The allocations and the prepaid credit are reversed with it.
 */
export async function reversePayment(ctx: ServiceContext, actor: Actor, paymentId: number, reason: string) {
  const p = await ctx.db.selectFrom('payment').selectAll().where('id', '=', paymentId).executeTakeFirst();
  if (!p) throw new AppError('NOT_FOUND', '收款记录不存在');
  const house = await getHouseBase(ctx, actor, p.house_id);
  requireAccess(actor, 'payment.reverse', { projectId: house.projectId, buildingId: house.buildingId });
  if (!reason?.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '冲正必须填写原因');
  if (p.reverses_payment_id !== null || p.amount_fen < 0) throw fieldError('paymentId', 'VALIDATION_FAILED', '冲正记录本身不能再冲正');
  if (p.recorded_by_id !== null && p.recorded_by_id === actor.userId) throw new AppError('FORBIDDEN', '不能冲正自己录入的收款，请由另一位财务人员办理');
  const now = nowIso(ctx);
  const id = await ctx.db.transaction().execute(async (trx) => {
    if (ctx.dialect === 'postgres') await sql`select id from house where id = ${p.house_id} for update`.execute(trx);
    const done = await trx.selectFrom('payment').select('id').where('reverses_payment_id', '=', paymentId).executeTakeFirst();
    if (done) throw fieldError('paymentId', 'VALIDATION_FAILED', '该收款已冲正');
    const prepaid = await trx.selectFrom('prepaid_entry').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('house_id', '=', p.house_id).executeTakeFirstOrThrow();
    const credited = await trx.selectFrom('prepaid_entry').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('payment_id', '=', paymentId).executeTakeFirstOrThrow();
    if (Number(credited.s ?? 0) > Number(prepaid.s ?? 0)) throw fieldError('paymentId', 'VALIDATION_FAILED', '该收款存入的预存款已被使用，须先处理预存款');
    const row = await trx.insertInto('payment').values({
      ...Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'id')) as Omit<typeof p, 'id'>,
      amount_fen: -p.amount_fen, reverses_payment_id: paymentId, reason: reason.trim(), idempotency_key: null,
      received_at: ctx.clock.now().toISOString(), recorded_by: actor.name, recorded_by_id: actor.userId, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const allocs = await trx.selectFrom('allocation').select(['charge_id', 'component', 'amount_fen']).where('payment_id', '=', paymentId).execute();
    if (allocs.length) await trx.insertInto('allocation').values(allocs.map((a) => ({ ...a, payment_id: row.id, amount_fen: -a.amount_fen, created_at: now }))).execute();
    if (Number(credited.s ?? 0) !== 0) await trx.insertInto('prepaid_entry').values({ house_id: p.house_id, kind: 'reversal', amount_fen: -Number(credited.s), payment_id: row.id, created_at: now }).execute();
    await audit(trx, ctx, actor, { action: 'payment.reverse', entity: 'payment', entityId: row.id, projectId: p.project_id, after: { reverses: paymentId, amountFen: -p.amount_fen, reason: reason.trim() } });
    return row.id;
  });
  return getPayment(ctx, actor, id);
}

export async function getPayment(ctx: ServiceContext, actor: Actor, id: number) {
  const p = await ctx.db.selectFrom('payment').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw new AppError('NOT_FOUND', '收款记录不存在');
  await getHouseBase(ctx, actor, p.house_id);
  const allocs = await ctx.db.selectFrom('allocation').innerJoin('charge', 'charge.id', 'allocation.charge_id').innerJoin('fee_item', 'fee_item.id', 'charge.fee_item_id')
    .select(['allocation.charge_id', 'allocation.component', 'allocation.amount_fen', 'charge.period', 'fee_item.name'])
    .where('allocation.payment_id', '=', id).orderBy('allocation.id').execute();
  const prepaid = await ctx.db.selectFrom('prepaid_entry').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('payment_id', '=', id).executeTakeFirstOrThrow();
  const receipt = await ctx.db.selectFrom('receipt').select('number').where('payment_id', '=', id).executeTakeFirst();
  return {
    receiptNumber: receipt?.number ?? null,
    id: p.id, houseId: p.house_id, payerKind: p.payer_kind, ownershipId: p.ownership_id, payerName: p.payer_name, channel: p.channel,
    amountFen: p.amount_fen, amount: formatYuan(p.amount_fen), receivedAt: p.received_at, receivedOn: p.received_on,
    reversesPaymentId: p.reverses_payment_id, reason: p.reason, recordedBy: p.recorded_by,
    allocations: allocs.map((a) => ({ chargeId: a.charge_id, period: a.period, item: a.name, component: a.component, amountFen: a.amount_fen })),
    prepaidFen: Number(prepaid.s ?? 0),
  };
}

/** A house's statement of account as of a date: every charge with what was paid and what is owed, late fees, aging. */
export async function houseAccount(ctx: ServiceContext, actor: Actor, houseId: number, asOf?: string) {
  const house = await getHouseBase(ctx, actor, houseId);
  requireAccess(actor, 'billing.read', { projectId: house.projectId, buildingId: house.buildingId });
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', house.projectId).executeTakeFirstOrThrow();
  const on = asOf ?? localDateOf(ctx.clock.now(), project.time_zone);
  const payers = await ctx.db.selectFrom('charge').select(['bill_to', 'ownership_id']).distinct().where('house_id', '=', houseId).execute();
  const perPayer = await Promise.all(payers.map(async (p) => {
    const debts = await openDebts(ctx.db, houseId, p.bill_to === 'developer' ? { kind: 'developer' } : { kind: 'owner', ownershipId: p.ownership_id! }, on);
    return debts.map((d) => ({
      ...d, billTo: p.bill_to, ownershipId: p.ownership_id,
      principalOwedFen: d.amountFen - d.principalPaidFen, lateFeeOwedFen: Math.max(0, d.lateFeeFen - d.lateFeePaidFen - d.lateFeeWaivedFen),
      aging: d.amountFen - d.principalPaidFen > 0 ? agingBucket(d.dueDate, on) : null,
    }));
  }));
  const lines = perPayer.flat();
  lines.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.chargeId - b.chargeId);
  // As of the date: payments received later are not counted (a statement for a past date shows that day's position).
  const prepaid = await ctx.db.selectFrom('prepaid_entry').innerJoin('payment', 'payment.id', 'prepaid_entry.payment_id')
    .select((eb) => eb.fn.sum<number>('prepaid_entry.amount_fen').as('s')).where('prepaid_entry.house_id', '=', houseId).where('payment.received_on', '<=', on).executeTakeFirstOrThrow();
  const sum = (f: (l: (typeof lines)[number]) => number) => lines.reduce((s, l) => s + f(l), 0);
  return {
    houseId, asOf: on, lines,
    totals: { chargedFen: sum((l) => l.amountFen), principalOwedFen: sum((l) => l.principalOwedFen), lateFeeOwedFen: sum((l) => l.lateFeeOwedFen), prepaidFen: Number(prepaid.s ?? 0) },
  };
}

/** Ask to waive or reduce a late fee on one charge, with a reason; nothing changes until someone else approves it. */
export async function requestWaiver(ctx: ServiceContext, actor: Actor, input: { chargeId: number; amount: string; reason: string; asOf?: string | undefined }) {
  const charge = await ctx.db.selectFrom('charge').select(['id', 'house_id', 'bill_to', 'ownership_id']).where('id', '=', input.chargeId).executeTakeFirst();
  if (!charge?.house_id) throw fieldError('chargeId', 'NOT_FOUND', '应收记录不存在');
  const house = await getHouseBase(ctx, actor, charge.house_id);
  requireAccess(actor, 'waiver.request', { projectId: house.projectId, buildingId: house.buildingId });
  const amountFen = parseYuan(input.amount);
  if (amountFen === null || amountFen <= 0) throw fieldError('amount', 'VALIDATION_FAILED', '减免金额应为正数，最多两位小数');
  if (!input.reason?.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '减免须写明原因');
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', house.projectId).executeTakeFirstOrThrow();
  const on = input.asOf ?? localDateOf(ctx.clock.now(), project.time_zone);
  const debts = await openDebts(ctx.db, charge.house_id, charge.bill_to === 'developer' ? { kind: 'developer' } : { kind: 'owner', ownershipId: charge.ownership_id! }, on);
  const d = debts.find((x) => x.chargeId === charge.id)!;
  const pending = await ctx.db.selectFrom('late_fee_waiver').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('charge_id', '=', charge.id).where('status', '=', '待审批').executeTakeFirstOrThrow();
  const open = d.lateFeeFen - d.lateFeePaidFen - d.lateFeeWaivedFen - Number(pending.s ?? 0);
  if (amountFen > open) throw fieldError('amount', 'VALIDATION_FAILED', `超过可减免的逾期违约金 ${formatYuan(Math.max(0, open))}`);
  return ctx.db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('late_fee_waiver').values({
      charge_id: charge.id, amount_fen: amountFen, reason: input.reason.trim(), status: '待审批', requested_by: actor.name, requested_by_id: actor.userId,
      requested_at: nowIso(ctx), decided_by: null, decided_at: null, decision_note: null,
    }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'waiver.request', entity: 'late_fee_waiver', entityId: id, projectId: house.projectId, after: { chargeId: charge.id, amountFen, reason: input.reason.trim() } });
    return { id, chargeId: charge.id, amountFen, status: '待审批' };
  });
}

/** Approve or reject a waiver request: by a project manager or above, never by the person who asked for it. */
export async function decideWaiver(ctx: ServiceContext, actor: Actor, waiverId: number, approve: boolean, note?: string) {
  const w = await ctx.db.selectFrom('late_fee_waiver').innerJoin('charge', 'charge.id', 'late_fee_waiver.charge_id')
    .select(['late_fee_waiver.id', 'late_fee_waiver.status', 'late_fee_waiver.requested_by_id', 'late_fee_waiver.requested_by', 'late_fee_waiver.amount_fen', 'charge.house_id'])
    .where('late_fee_waiver.id', '=', waiverId).executeTakeFirst();
  if (!w?.house_id) throw new AppError('NOT_FOUND', '减免申请不存在');
  const house = await getHouseBase(ctx, actor, w.house_id);
  requireAccess(actor, 'waiver.approve', { projectId: house.projectId, buildingId: house.buildingId });
  if (w.status !== '待审批') throw fieldError('waiverId', 'VALIDATION_FAILED', `该申请${w.status}，不能再次审批`);
  if ((w.requested_by_id !== null && w.requested_by_id === actor.userId) || w.requested_by === actor.name) throw new AppError('FORBIDDEN', '不能审批自己提出的减免申请');
  const status = approve ? '已批准' : '已驳回';
  await ctx.db.transaction().execute(async (trx) => {
    const done = await trx.updateTable('late_fee_waiver').set({ status, decided_by: actor.name, decided_at: nowIso(ctx), decision_note: note?.trim() || null })
      .where('id', '=', waiverId).where('status', '=', '待审批').executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw fieldError('waiverId', 'VALIDATION_FAILED', '该申请已被处理');
    await audit(trx, ctx, actor, { action: approve ? 'waiver.approve' : 'waiver.reject', entity: 'late_fee_waiver', entityId: waiverId, projectId: house.projectId, before: { status: '待审批' }, after: { status, note: note?.trim() || null } });
  });
  return { id: waiverId, status, amountFen: w.amount_fen };
}
