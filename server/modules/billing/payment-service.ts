import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { AppError, fieldError } from '../../../core/errors.ts';
import { allocate, type AllocationResult, type Debt } from '../../../core/billing/allocation.ts';
import { discountOffer, type DiscountOffer, type DiscountTerms } from '../../../core/billing/discount.ts';
import { agingBucket, lateFee, type LateFeeClause } from '../../../core/billing/late-fee.ts';
import { isLocalDate, localDateOf } from '../../../core/dates.ts';
import { formatPercentBp, formatYuan, parseYuan } from '../../../core/money.ts';
import { inScope } from '../../../core/access/roles.ts';
import { oneOf } from '../../../core/registry/validate.ts';
import type { DB } from '../../db/schema.ts';
import { termsOf } from '../../db/repositories/billing-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase, getProjectOrThrow } from '../registry/registry-service.ts';
import { assertDecidable, markDecided, PENDING } from './approval.ts';
import { issueReceipt } from './receipt-service.ts';
import { refreshHouses } from '../dunning/sweep-service.ts';

export const CHANNELS = ['现金', 'POS刷卡', '银行转账', '微信', '支付宝'] as const;
/** The owner portal's development gateway: recorded only by a settled online order (key `online:…`), never by staff. */
const SANDBOX_CHANNEL = '沙箱支付';

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
  /**
   * The day the money arrived (YYYY-MM-DD, the project's calendar) when it is recorded later, e.g. a bank transfer
   * from a statement; default today. Never in the future, never before a payment already recorded for the house.
   */
  receivedOn?: string | null | undefined;
  note?: string | null | undefined;
}

export type Payer = { kind: 'owner'; ownershipId: number } | { kind: 'developer' };

/**
 * The debts of one payer on one house, each with what is still owed per component as of a date. A debt is a charge
 * worth its amount plus its adjustment and discount entries (those point at it; payments are allocated to it).
 */
export async function openDebts(db: Q, houseId: number, payer: Payer, asOf: string) {
  let q = db.selectFrom('charge').innerJoin('fee_item', 'fee_item.id', 'charge.fee_item_id')
    .select(['charge.id', 'charge.period', 'charge.due_date', 'charge.project_id', 'charge.fee_item_id', 'charge.basis', 'fee_item.name as item_name', 'fee_item.category', 'fee_item.prepaid_deduct',
      sql<number>`charge.amount_fen + coalesce((select sum(adj.amount_fen) from charge adj where adj.adjusts_charge_id = charge.id), 0)`.as('amount_fen')])
    .where('charge.house_id', '=', houseId).where('charge.adjusts_charge_id', 'is', null);
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
    const fee = lateFee({ principalFen: Number(c.amount_fen), dueDate: c.due_date, principalPayments, asOf, clause });
    return {
      chargeId: c.id, period: c.period, dueDate: c.due_date, basis: c.basis, itemName: c.item_name, category: c.category, prepaidDeduct: c.prepaid_deduct === 1, amountFen: Number(c.amount_fen),
      principalPaidFen: paid('principal'), lateFeeFen: fee.amountFen, lateFeePaidFen: paid('late_fee'), lateFeeBasis: fee.basis,
      lateFeeWaivedFen: waivers.filter((w) => w.charge_id === c.id).reduce((s, w) => s + w.amount_fen, 0),
      courtReductionRisk: fee.courtReductionRisk,
    };
  });
}

/**
 * Serialise every movement of one house's money (payments, reversals, deductions, refunds) on PostgreSQL; SQLite has
 * one writer at a time anyway.
 */
export async function lockHouse(ctx: ServiceContext, trx: Transaction<DB>, houseId: number): Promise<void> {
  if (ctx.dialect === 'postgres') await sql`select id from house where id = ${houseId} for update`.execute(trx);
}

/** Whose money a payment row is. */
export function payerOf(p: { payer_kind: string; ownership_id: number | null }): Payer {
  return p.payer_kind === 'developer' || p.ownership_id === null ? { kind: 'developer' } : { kind: 'owner', ownershipId: p.ownership_id };
}

/**
 * A payer's prepaid balance on a house: the prepaid entries of that payer's payments (R30: one owner's prepaid money
 * never pays another owner's periods, nor is it refunded to them).
 */
export async function prepaidBalance(db: Q, houseId: number, payer: Payer, asOf?: string): Promise<number> {
  let q = db.selectFrom('prepaid_entry').innerJoin('payment', 'payment.id', 'prepaid_entry.payment_id')
    .select((eb) => eb.fn.sum<number>('prepaid_entry.amount_fen').as('s')).where('prepaid_entry.house_id', '=', houseId);
  q = payer.kind === 'developer' ? q.where('payment.payer_kind', '=', 'developer') : q.where('payment.ownership_id', '=', payer.ownershipId);
  if (asOf) q = q.where('payment.received_on', '<=', asOf);
  return Number((await q.executeTakeFirstOrThrow()).s ?? 0);
}

async function currentOwnership(db: Q, houseId: number, on: string) {
  return db.selectFrom('ownership').select(['id', 'from_date', 'to_date']).where('house_id', '=', houseId)
    .where('from_date', '<=', on).where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', on)])).executeTakeFirst();
}

type OpenDebt = Awaited<ReturnType<typeof openDebts>>[number];

/** Open debts as the allocation core sees them, less any discount offered on them. */
export function toCoreDebts(debts: readonly OpenDebt[], discount: ReadonlyMap<number, number> = new Map()): Debt[] {
  return debts.map((d) => ({
    id: d.chargeId, dueDate: d.dueDate, costFen: 0,
    lateFeeFen: Math.max(0, d.lateFeeFen - d.lateFeePaidFen - d.lateFeeWaivedFen),
    principalFen: Math.max(0, d.amountFen - d.principalPaidFen - (discount.get(d.chargeId) ?? 0)),
  }));
}

function toDiscountDebts(debts: readonly OpenDebt[]) {
  return debts.map((d) => ({ chargeId: d.chargeId, period: d.period, category: d.category, principalOwedFen: d.amountFen - d.principalPaidFen }));
}

/** The early-payment discount of the contract terms in force on a day, if they grant one. */
export function discountTermsOf(terms: Awaited<ReturnType<typeof termsOf>>, on: string): DiscountTerms | null {
  const t = terms.find((x) => x.effective_from <= on);
  return t && t.discount_bp !== null && t.discount_from && t.discount_to ? { rateBp: t.discount_bp, from: t.discount_from, to: t.discount_to } : null;
}

/** A discount entry per covered charge: a negative entry pointing at the charge, recording the payment that earned it. */
async function insertDiscountEntries(trx: Transaction<DB>, offer: DiscountOffer, paymentId: number, by: string, createdAt: string) {
  const ids = [...offer.byCharge.keys()];
  const originals = await trx.selectFrom('charge').selectAll().where('id', 'in', ids).execute();
  await trx.insertInto('charge').values(originals.map((c) => ({
    project_id: c.project_id, house_id: c.house_id, parking_space_id: c.parking_space_id, object_key: c.object_key, fee_item_id: c.fee_item_id,
    period: c.period, due_date: c.due_date, bill_to: c.bill_to, ownership_id: c.ownership_id, kind: 'discount', amount_fen: -(offer.byCharge.get(c.id) ?? 0),
    basis: `提前缴清 ${offer.year} 年全年物业服务费优惠 ${formatPercentBp(offer.rateBp)}`, bill_run_id: null, reason: '合同约定的提前缴费优惠',
    adjusts_charge_id: c.id, source_payment_id: paymentId, created_by: by, created_at: createdAt,
  }))).execute();
}

/**
 * Undo bill-run deductions of a payer's prepaid money, newest charges first, up to an amount: a 'transfer' entry of 0
 * with negative allocations and the money back in the prepaid account. Money already refunded can not be taken back.
 */
async function takeBackDeductions(ctx: ServiceContext, trx: Transaction<DB>, p: { project_id: number; house_id: number; payer_kind: string; ownership_id: number | null }, amount: number, actor: Actor, createdAt: string) {
  let q = trx.selectFrom('allocation').innerJoin('payment', 'payment.id', 'allocation.payment_id').innerJoin('charge', 'charge.id', 'allocation.charge_id')
    .select(['allocation.charge_id', 'allocation.component', 'charge.due_date', (eb) => eb.fn.sum<number>('allocation.amount_fen').as('net')])
    .where('payment.house_id', '=', p.house_id).where('payment.kind', 'in', ['prepaid_deduction', 'transfer']);
  q = p.payer_kind === 'developer' ? q.where('payment.payer_kind', '=', 'developer') : q.where('payment.ownership_id', '=', p.ownership_id);
  const deducted = (await q.groupBy(['allocation.charge_id', 'allocation.component', 'charge.due_date']).execute())
    .map((d) => ({ ...d, net: Number(d.net) })).filter((d) => d.net > 0)
    .sort((a, b) => b.due_date.localeCompare(a.due_date) || b.charge_id - a.charge_id || (a.component === 'principal' ? -1 : 1));
  const back: Array<{ charge_id: number; component: string; amount_fen: number }> = [];
  let left = amount;
  for (const d of deducted) {
    if (left === 0) break;
    const take = Math.min(d.net, left);
    back.push({ charge_id: d.charge_id, component: d.component, amount_fen: -take });
    left -= take;
  }
  if (left > 0) throw fieldError('paymentId', 'VALIDATION_FAILED', `该收款存入的预存款已有 ${formatYuan(left)} 退还给缴费人，不能冲正`);
  const row = await trx.insertInto('payment').values({
    project_id: p.project_id, house_id: p.house_id, kind: 'transfer', payer_kind: p.payer_kind, ownership_id: p.ownership_id, payer_name: null, channel: '预存款',
    amount_fen: 0, received_at: ctx.clock.now().toISOString(), received_on: localDateOf(ctx.clock.now(), await projectZone(trx, p.project_id)), designated_json: null,
    reverses_payment_id: null, reason: '收款冲正：退回已抵扣的预存款', idempotency_key: null, note: null, recorded_by: actor.name, recorded_by_id: actor.userId, created_at: createdAt,
  }).returning('id').executeTakeFirstOrThrow();
  await trx.insertInto('allocation').values(back.map((b) => ({ ...b, payment_id: row.id, created_at: createdAt }))).execute();
  await trx.insertInto('prepaid_entry').values({ house_id: p.house_id, kind: 'transfer', amount_fen: amount, payment_id: row.id, created_at: createdAt }).execute();
}

async function projectZone(db: Q, projectId: number): Promise<string> {
  return (await db.selectFrom('project').select('time_zone').where('id', '=', projectId).executeTakeFirstOrThrow()).time_zone;
}

/** Write a payment's allocations and put what is left over in the prepaid account. */
export async function writeAllocations(trx: Transaction<DB>, paymentId: number, houseId: number, result: AllocationResult, createdAt: string, prepaidKind = 'overpayment') {
  if (result.allocations.length) {
    await trx.insertInto('allocation').values(result.allocations.map((a) => ({
      payment_id: paymentId, charge_id: Number(a.debtId), component: a.component, amount_fen: a.amountFen, created_at: createdAt,
    }))).execute();
  }
  if (result.leftoverFen !== 0) {
    await trx.insertInto('prepaid_entry').values({ house_id: houseId, kind: prepaidKind, amount_fen: result.leftoverFen, payment_id: paymentId, created_at: createdAt }).execute();
  }
}

/**
 * What recordPayment checks before it writes, outside any transaction: the house inside the actor's scope, the
 * amount, the channel, the idempotency key, the day the money was received.
 */
async function preparePayment(ctx: ServiceContext, actor: Actor, input: PaymentInput) {
  const house = await getHouseBase(ctx, actor, input.houseId);
  requireAccess(actor, 'payment.record', { projectId: house.projectId, buildingId: house.buildingId });
  const amountFen = parseYuan(input.amount);
  if (amountFen === null || amountFen <= 0) throw fieldError('amount', 'VALIDATION_FAILED', '金额应为正数，最多两位小数');
  const key = input.idempotencyKey?.trim() || null;
  const channel = input.channel === SANDBOX_CHANNEL && key?.startsWith('online:sandbox:') ? SANDBOX_CHANNEL : oneOf(input.channel, CHANNELS, 'channel');
  const project = await ctx.db.selectFrom('project').select('time_zone').where('id', '=', house.projectId).executeTakeFirstOrThrow();
  const now = ctx.clock.now();
  const today = localDateOf(now, project.time_zone);
  let receivedOn = today;
  if (input.receivedOn != null) {
    if (!isLocalDate(input.receivedOn)) throw fieldError('receivedOn', 'DATE_MALFORMED');
    if (input.receivedOn > today) throw fieldError('receivedOn', 'VALIDATION_FAILED', `不能晚于今天 ${today}`);
    receivedOn = input.receivedOn;
  }
  return { house, amountFen, channel, key, now, today, receivedOn, backdated: receivedOn !== today };
}

/**
 * Whose debts the payment pays and how it is allocated, read in the caller's transaction (or, for a check, without
 * one). Nothing is written here.
 */
async function planPayment(db: Q, projectId: number, input: PaymentInput, amountFen: number, receivedOn: string, backdated: boolean) {
  if (backdated) {
    // Allocation follows the order of days: a payment dated before one already recorded for the house would see
    // debts that the later payment has paid. Such money is recorded on today's date instead.
    const later = await db.selectFrom('payment').select('received_on').where('house_id', '=', input.houseId)
      .where('received_on', '>', receivedOn).orderBy('received_on', 'desc').executeTakeFirst();
    if (later) throw fieldError('receivedOn', 'VALIDATION_FAILED', `该房屋 ${later.received_on} 已有收款记录，到账日期不能早于它；可不填到账日期，按今天入账`);
  }
  let payer: Payer;
  if (input.payer?.kind === 'developer') payer = { kind: 'developer' };
  else if (input.payer?.ownershipId !== undefined) {
    const o = await db.selectFrom('ownership').select('id').where('id', '=', input.payer.ownershipId).where('house_id', '=', input.houseId).executeTakeFirst();
    if (!o) throw fieldError('payer.ownershipId', 'VALIDATION_FAILED', '该产权期间不属于此房屋');
    payer = { kind: 'owner', ownershipId: o.id };
  } else {
    const o = await currentOwnership(db, input.houseId, receivedOn);
    if (!o) throw fieldError('payer', 'VALIDATION_FAILED', '此房屋当前没有产权登记，请指明缴费的产权期间或开发商');
    payer = { kind: 'owner', ownershipId: o.id };
  }
  const debts = await openDebts(db, input.houseId, payer, receivedOn);
  const periods = input.periods?.length ? new Set(input.periods) : null;
  if (periods) {
    const unknown = [...periods].filter((p) => !debts.some((d) => d.period === p));
    if (unknown.length) throw fieldError('periods', 'VALIDATION_FAILED', `没有这些账期的应收：${unknown.join('、')}`);
  }
  const designated = periods ? debts.filter((d) => periods.has(d.period)).map((d) => d.chargeId) : undefined;
  const allocateWith = (off: ReadonlyMap<number, number>) => allocate({ amountFen, debts: toCoreDebts(debts, off), asOf: receivedOn, ...(designated ? { designated } : {}) });
  // An early-payment discount is taken only when this payment settles every charge it covers (the whole year).
  const offer = discountOffer(discountTermsOf(await termsOf(db, projectId), receivedOn), receivedOn, toDiscountDebts(debts));
  if (offer) {
    const withOffer = allocateWith(offer.byCharge);
    const paid = new Map<number, number>();
    for (const a of withOffer.allocations) if (a.component === 'principal') paid.set(Number(a.debtId), (paid.get(Number(a.debtId)) ?? 0) + a.amountFen);
    const settles = [...offer.byCharge].every(([id, off]) => {
      const d = debts.find((x) => x.chargeId === id)!;
      return (paid.get(id) ?? 0) === d.amountFen - d.principalPaidFen - off;
    });
    if (settles) return { payer, periods, result: withOffer, discount: offer };
  }
  return { payer, periods, result: allocateWith(new Map()), discount: null as DiscountOffer | null };
}

/**
 * Every check recordPayment makes, without writing anything (an import's preview): throws the same errors, and
 * answers what the payment would pay today against the debts as they stand.
 */
export async function checkPayment(ctx: ServiceContext, actor: Actor, input: PaymentInput) {
  const p = await preparePayment(ctx, actor, input);
  const plan = await planPayment(ctx.db, p.house.projectId, input, p.amountFen, p.receivedOn, p.backdated);
  return {
    houseId: p.house.id, projectId: p.house.projectId, buildingId: p.house.buildingId, amountFen: p.amountFen, channel: p.channel, receivedOn: p.receivedOn,
    allocatedFen: p.amountFen - plan.result.leftoverFen, prepaidFen: plan.result.leftoverFen,
  };
}

/**
 * Record a payment at the counter or from an import, and allocate it (R18, 民法典 560/561): to the periods the payer
 * designates, otherwise oldest due first; late fee before principal; what is left goes to the house's prepaid account.
 * Only the payer's own debts are touched: a new owner's money never pays a former owner's periods (R30).
 * A transfer recorded after the day it arrived carries that day (receivedOn): late fees and the fund report follow it.
 */
export async function recordPayment(ctx: ServiceContext, actor: Actor, input: PaymentInput) {
  return (await recordPaymentOnce(ctx, actor, input)).payment;
}

/** recordPayment, also telling whether the payment was created now or its idempotency key had already recorded it. */
export async function recordPaymentOnce(ctx: ServiceContext, actor: Actor, input: PaymentInput, opts: { replan?: boolean } = {}) {
  const { house, amountFen, channel, key, now, today, receivedOn, backdated } = await preparePayment(ctx, actor, input);
  const seenKey = async (db: Q) => key ? (await db.selectFrom('payment').select('id').where('idempotency_key', '=', key).executeTakeFirst())?.id : undefined;
  const before = await seenKey(ctx.db);
  if (before !== undefined) return { payment: await getPayment(ctx, actor, before), created: false };

  const done = await ctx.db.transaction().execute(async (trx) => {
    // Payments of one house are serialised: two at the same moment never allocate the same debt twice.
    await lockHouse(ctx, trx, input.houseId);
    // The same key recorded by another request while this one waited for the house: nothing more to do.
    const meanwhile = await seenKey(trx);
    if (meanwhile !== undefined) return { id: meanwhile, created: false };
    const { payer, periods, result, discount } = await planPayment(trx, house.projectId, input, amountFen, receivedOn, backdated);
    const createdAt = nowIso(ctx);
    const row = await trx.insertInto('payment').values({
      project_id: house.projectId, house_id: input.houseId, kind: 'payment', payer_kind: payer.kind, ownership_id: payer.kind === 'owner' ? payer.ownershipId : null,
      payer_name: input.payerName?.trim() || null, channel, amount_fen: amountFen, received_at: now.toISOString(), received_on: receivedOn,
      designated_json: periods ? JSON.stringify([...periods]) : null, reverses_payment_id: null, reason: null, idempotency_key: key,
      note: input.note?.trim() || null, recorded_by: actor.name, recorded_by_id: actor.userId, created_at: createdAt,
    }).returning('id').executeTakeFirstOrThrow();
    if (discount) await insertDiscountEntries(trx, discount, row.id, actor.name, createdAt);
    await writeAllocations(trx, row.id, input.houseId, result, createdAt);
    await issueReceipt(trx, house.projectId, row.id, createdAt);
    await audit(trx, ctx, actor, {
      action: 'payment.record', entity: 'payment', entityId: row.id, projectId: house.projectId,
      after: {
        houseId: input.houseId, amountFen, channel, payer, periods: periods ? [...periods] : null, allocated: amountFen - result.leftoverFen, prepaid: result.leftoverFen,
        discountFen: discount?.discountFen ?? 0,
        ...(backdated ? { receivedOn, recordedOn: today } : {}),
      },
    });
    return { id: row.id, created: true };
  });
  if (done.created && opts.replan !== false) await replanCollection(ctx, house.projectId, [input.houseId], today);
  return { payment: await getPayment(ctx, actor, done.id), created: done.created };
}

/**
 * Money moved: the houses' collection cases are planned again at once (a paid house gets no further reminder, a
 * reversed payment puts it back on the ladder). The money is already committed; should planning fail, the daily
 * sweep plans the cases again, and every contact re-checks the ledger before it is made.
 */
export async function replanCollection(ctx: ServiceContext, projectId: number, houseIds: readonly number[], today: string) {
  try {
    for (let i = 0; i < houseIds.length; i += 1000) await refreshHouses(ctx, projectId, houseIds.slice(i, i + 1000), today);
  } catch {
    // See above: never fail a recorded payment because of collection planning.
  }
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
  if (p.kind !== 'payment') throw fieldError('paymentId', 'VALIDATION_FAILED', p.kind === 'reversal' ? '冲正记录本身不能再冲正' : '只有收款可以冲正（退款、预存抵扣和转存不能冲正）');
  if (p.recorded_by_id !== null && p.recorded_by_id === actor.userId) throw new AppError('FORBIDDEN', '不能冲正自己录入的收款，请由另一位财务人员办理');
  const now = nowIso(ctx);
  const id = await ctx.db.transaction().execute(async (trx) => {
    await lockHouse(ctx, trx, p.house_id);
    const done = await trx.selectFrom('payment').select('id').where('reverses_payment_id', '=', paymentId).executeTakeFirst();
    if (done) throw fieldError('paymentId', 'VALIDATION_FAILED', '该收款已冲正');
    const balance = await prepaidBalance(trx, p.house_id, payerOf(p));
    const credited = await trx.selectFrom('prepaid_entry').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('payment_id', '=', paymentId).executeTakeFirstOrThrow();
    // Prepaid money this payment left that bill runs have since deducted is taken back from those charges first.
    const shortfall = Number(credited.s ?? 0) - balance;
    if (shortfall > 0) await takeBackDeductions(ctx, trx, p, shortfall, actor, now);
    const row = await trx.insertInto('payment').values({
      ...Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'id')) as Omit<typeof p, 'id'>,
      kind: 'reversal', amount_fen: -p.amount_fen, reverses_payment_id: paymentId, reason: reason.trim(), idempotency_key: null,
      received_at: ctx.clock.now().toISOString(), recorded_by: actor.name, recorded_by_id: actor.userId, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    // A discount the payment earned goes with it: the charges are owed in full again.
    const discounts = await trx.selectFrom('charge').selectAll().where('source_payment_id', '=', paymentId).where('kind', '=', 'discount').execute();
    if (discounts.length) {
      await trx.insertInto('charge').values(discounts.map(({ id: _id, ...d }) => ({
        ...d, amount_fen: -d.amount_fen, basis: `撤销优惠：${d.basis}`, reason: `收款冲正：${reason.trim()}`, source_payment_id: row.id, created_by: actor.name, created_at: now,
      }))).execute();
    }
    const allocs = await trx.selectFrom('allocation').select(['charge_id', 'component', 'amount_fen']).where('payment_id', '=', paymentId).execute();
    if (allocs.length) await trx.insertInto('allocation').values(allocs.map((a) => ({ ...a, payment_id: row.id, amount_fen: -a.amount_fen, created_at: now }))).execute();
    if (Number(credited.s ?? 0) !== 0) await trx.insertInto('prepaid_entry').values({ house_id: p.house_id, kind: 'reversal', amount_fen: -Number(credited.s), payment_id: row.id, created_at: now }).execute();
    await audit(trx, ctx, actor, { action: 'payment.reverse', entity: 'payment', entityId: row.id, projectId: p.project_id, after: { reverses: paymentId, amountFen: -p.amount_fen, reason: reason.trim() } });
    return row.id;
  });
  await replanCollection(ctx, house.projectId, [p.house_id], localDateOf(ctx.clock.now(), await projectZone(ctx.db, house.projectId)));
  return getPayment(ctx, actor, id);
}

export async function getPayment(ctx: ServiceContext, actor: Actor, id: number) {
  const p = await ctx.db.selectFrom('payment').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw new AppError('NOT_FOUND', '收款记录不存在');
  await getHouseBase(ctx, actor, p.house_id);
  return (await paymentViews(ctx.db, [p]))[0]!;
}

/** Payments with their allocations, prepaid part and receipt number: three queries for any number of payments. */
export async function paymentViews(db: Q, payments: ReadonlyArray<Selectable<DB['payment']>>) {
  const ids = payments.map((p) => p.id);
  if (ids.length === 0) return [];
  const [allocs, prepaid, receipts] = await Promise.all([
    db.selectFrom('allocation').innerJoin('charge', 'charge.id', 'allocation.charge_id').innerJoin('fee_item', 'fee_item.id', 'charge.fee_item_id')
      .select(['allocation.payment_id', 'allocation.charge_id', 'allocation.component', 'allocation.amount_fen', 'charge.period', 'fee_item.name'])
      .where('allocation.payment_id', 'in', ids).orderBy('allocation.id').execute(),
    db.selectFrom('prepaid_entry').select((eb) => ['payment_id', eb.fn.sum<number>('amount_fen').as('s')]).where('payment_id', 'in', ids).groupBy('payment_id').execute(),
    db.selectFrom('receipt').select(['payment_id', 'number']).where('payment_id', 'in', ids).execute(),
  ]);
  return payments.map((p) => ({
    receiptNumber: receipts.find((r) => r.payment_id === p.id)?.number ?? null,
    id: p.id, kind: p.kind, houseId: p.house_id, payerKind: p.payer_kind, ownershipId: p.ownership_id, payerName: p.payer_name, channel: p.channel,
    amountFen: p.amount_fen, amount: formatYuan(p.amount_fen), receivedAt: p.received_at, receivedOn: p.received_on,
    reversesPaymentId: p.reverses_payment_id, reason: p.reason, recordedBy: p.recorded_by,
    allocations: allocs.filter((a) => a.payment_id === p.id).map((a) => ({ chargeId: a.charge_id, period: a.period, item: a.name, component: a.component, amountFen: a.amount_fen })),
    prepaidFen: Number(prepaid.find((x) => x.payment_id === p.id)?.s ?? 0),
  }));
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
  // Prepaid money per payer (R30), and the early-payment discount the current owner could take today.
  const payerRows = await ctx.db.selectFrom('payment').select(['payer_kind', 'ownership_id']).distinct().where('house_id', '=', houseId).where('received_on', '<=', on).execute();
  const prepaidByPayer = (await Promise.all(payerRows.map(async (r) => ({ payerKind: r.payer_kind, ownershipId: r.ownership_id, balanceFen: await prepaidBalance(ctx.db, houseId, payerOf(r), on) }))))
    .filter((r) => r.balanceFen !== 0);
  const current = await currentOwnership(ctx.db, houseId, on);
  const mine = current ? perPayer.flat().filter((l) => l.billTo === 'owner' && l.ownershipId === current.id) : [];
  const offer = current ? discountOffer(discountTermsOf(await termsOf(ctx.db, house.projectId), on), on, toDiscountDebts(mine)) : null;
  return {
    houseId, asOf: on, lines,
    totals: { chargedFen: sum((l) => l.amountFen), principalOwedFen: sum((l) => l.principalOwedFen), lateFeeOwedFen: sum((l) => l.lateFeeOwedFen), prepaidFen: Number(prepaid.s ?? 0) },
    prepaidByPayer,
    discountOffer: offer && current ? {
      ownershipId: current.id, year: offer.year, rate: formatPercentBp(offer.rateBp), from: offer.from, to: offer.to, discountFen: offer.discountFen,
      // What the current owner pays today to settle everything they owe with the discount.
      settleFen: mine.reduce((s, l) => s + l.principalOwedFen + l.lateFeeOwedFen, 0) - offer.discountFen,
    } : null,
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
  const pending = await ctx.db.selectFrom('late_fee_waiver').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('charge_id', '=', charge.id).where('status', '=', PENDING).executeTakeFirstOrThrow();
  const open = d.lateFeeFen - d.lateFeePaidFen - d.lateFeeWaivedFen - Number(pending.s ?? 0);
  if (amountFen > open) throw fieldError('amount', 'VALIDATION_FAILED', `超过可减免的逾期违约金 ${formatYuan(Math.max(0, open))}`);
  return ctx.db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('late_fee_waiver').values({
      charge_id: charge.id, amount_fen: amountFen, reason: input.reason.trim(), status: PENDING, requested_by: actor.name, requested_by_id: actor.userId,
      requested_at: nowIso(ctx), decided_by: null, decided_at: null, decision_note: null,
    }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'waiver.request', entity: 'late_fee_waiver', entityId: id, projectId: house.projectId, after: { chargeId: charge.id, amountFen, reason: input.reason.trim() } });
    return { id, chargeId: charge.id, amountFen, status: PENDING };
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
  assertDecidable('late_fee_waiver', w, actor);
  const status = await ctx.db.transaction().execute(async (trx) => {
    const status = await markDecided(trx, 'late_fee_waiver', waiverId, approve, actor, note?.trim() || null, nowIso(ctx));
    await audit(trx, ctx, actor, { action: approve ? 'waiver.approve' : 'waiver.reject', entity: 'late_fee_waiver', entityId: waiverId, projectId: house.projectId, before: { status: PENDING }, after: { status, note: note?.trim() || null } });
    return status;
  });
  return { id: waiverId, status, amountFen: w.amount_fen };
}

/** Late-fee waiver requests of a project (newest first), for the approvals page. */
export async function listWaivers(ctx: ServiceContext, actor: Actor, projectId: number, status?: string) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, projectId);
  let q = ctx.db.selectFrom('late_fee_waiver').innerJoin('charge', 'charge.id', 'late_fee_waiver.charge_id').innerJoin('house', 'house.id', 'charge.house_id')
    .innerJoin('building', 'building.id', 'house.building_id').innerJoin('fee_item', 'fee_item.id', 'charge.fee_item_id')
    .selectAll('late_fee_waiver').select(['charge.house_id', 'charge.period', 'fee_item.name as item', 'house.number', 'building.name as building_name', 'house.building_id'])
    .where('charge.project_id', '=', projectId);
  if (status) q = q.where('late_fee_waiver.status', '=', status);
  const rows = await q.orderBy('late_fee_waiver.id', 'desc').limit(500).execute();
  return rows.filter((r) => inScope(actor.scope, { projectId, buildingId: r.building_id })).map((r) => ({
    id: r.id, chargeId: r.charge_id, houseId: r.house_id!, house: `${r.building_name} ${r.number}`, period: r.period, item: r.item, amountFen: r.amount_fen, reason: r.reason,
    status: r.status, requestedBy: r.requested_by, requestedAt: r.requested_at, decidedBy: r.decided_by, decidedAt: r.decided_at, decisionNote: r.decision_note,
  }));
}
