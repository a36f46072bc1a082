import { hasWholeProject } from '../../../core/access/roles.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { transferStatusLabel } from '../../../core/imports/vocabulary.ts';
import { fenToYuanText, formatYuan } from '../../../core/money.ts';
import type { ScoredCandidate } from '../../../core/imports/bank-match.ts';
import { audit } from '../audit/audit.ts';
import { recordPaymentOnce } from '../billing/payment-service.ts';
import { nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';

const WHOLE_PROJECT = '对账按整个项目进行，须负责整个项目';

/** The bank statement's review queue: confirm a match (it becomes a payment), give an unmatched one its house, or set one aside. */


export async function listTransfers(ctx: ServiceContext, actor: Actor, projectId: number, f: { status?: string | undefined; page: number; pageSize: number }) {
  requireRole(actor, 'payment.record');
  await getProjectOrThrow(ctx, actor, projectId);
  // A statement's transfers are the project's (an unmatched one has no house): only whole-project staff see the queue.
  if (!hasWholeProject(actor.scope, projectId)) throw new AppError('OUT_OF_SCOPE', WHOLE_PROJECT);
  let q = ctx.db.selectFrom('bank_transfer').leftJoin('house', 'house.id', 'bank_transfer.house_id').leftJoin('building', 'building.id', 'house.building_id')
    .where('bank_transfer.project_id', '=', projectId);
  if (f.status) q = q.where('bank_transfer.status', '=', f.status);
  const [rows, total, counts] = await Promise.all([
    q.selectAll('bank_transfer').select(['house.number', 'building.name as building']).orderBy('bank_transfer.received_on', 'desc').orderBy('bank_transfer.id', 'desc')
      .limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ctx.db.selectFrom('bank_transfer').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('project_id', '=', projectId).groupBy('status').execute(),
  ]);
  return {
    total: Number(total.n), page: f.page, pageSize: f.pageSize, counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
    items: rows.map((r) => ({
      id: r.id, serial: r.serial, receivedOn: r.received_on, amountFen: Number(r.amount_fen), amount: formatYuan(Number(r.amount_fen)), payerName: r.payer_name, memo: r.memo,
      status: r.status, statusLabel: transferStatusLabel(r.status), houseId: r.house_id, house: r.number ? `${r.building ?? ''} ${r.number}` : null,
      candidates: JSON.parse(r.candidates_json) as ScoredCandidate[], why: r.why, paymentId: r.payment_id, decidedBy: r.decided_by, decidedAt: r.decided_at,
    })),
  };
}

async function transferOrThrow(ctx: ServiceContext, actor: Actor, id: number) {
  requireRole(actor, 'payment.record');
  const t = await ctx.db.selectFrom('bank_transfer').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) throw fieldError('id', 'NOT_FOUND', '流水不存在');
  await getProjectOrThrow(ctx, actor, t.project_id);
  if (!hasWholeProject(actor.scope, t.project_id)) throw new AppError('OUT_OF_SCOPE', WHOLE_PROJECT);
  return t;
}

/**
 * Confirm a transfer: it becomes a payment of its house (or of the house chosen here, for one the matcher could not
 * place), received on the statement's date, by 银行转账, allocated as any payment (R18). The serial is the idempotency
 * key: confirming twice, or importing the statement's payments elsewhere, records it once.
 */
export async function confirmTransfer(ctx: ServiceContext, actor: Actor, id: number, input: { houseId?: number | undefined } = {}) {
  const t = await transferOrThrow(ctx, actor, id);
  if (t.status === 'confirmed' || t.status === 'ignored') throw new AppError('VALIDATION_FAILED', `该流水${t.status === 'confirmed' ? '已入账' : '已排除'}`);
  const houseId = input.houseId ?? t.house_id;
  if (houseId === null) throw fieldError('houseId', 'VALIDATION_FAILED', '请选择这笔转账所缴的房屋');
  const house = await ctx.db.selectFrom('house').select(['id', 'project_id']).where('id', '=', houseId).executeTakeFirst();
  if (!house || house.project_id !== t.project_id) throw fieldError('houseId', 'VALIDATION_FAILED', '房屋不属于该项目');
  const { payment } = await recordPaymentOnce(ctx, actor, {
    houseId, amount: fenToYuanText(Number(t.amount_fen)), channel: '银行转账', payerName: t.payer_name, receivedOn: t.received_on,
    idempotencyKey: `bank:${t.project_id}:${t.serial}`, note: `银行流水 ${t.serial}${t.memo ? `：${t.memo}` : ''}`,
  });
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('bank_transfer').set({ status: 'confirmed', house_id: houseId, payment_id: payment.id, decided_by: actor.name, decided_at: nowIso(ctx) }).where('id', '=', id).execute();
    await audit(trx, ctx, actor, { action: 'bank.confirm', entity: 'bank_transfer', entityId: id, projectId: t.project_id, after: { houseId, paymentId: payment.id, amountFen: Number(t.amount_fen) } });
  });
  return { id, status: 'confirmed' as const, paymentId: payment.id };
}

/** Confirm every matched transfer of a project at once (each as confirmTransfer). */
export async function confirmMatched(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'payment.record');
  await getProjectOrThrow(ctx, actor, projectId);
  const ids = await ctx.db.selectFrom('bank_transfer').select('id').where('project_id', '=', projectId).where('status', '=', 'matched').orderBy('id').execute();
  for (const { id } of ids) await confirmTransfer(ctx, actor, id);
  return { confirmed: ids.length };
}

export async function ignoreTransfer(ctx: ServiceContext, actor: Actor, id: number, reason: string) {
  const t = await transferOrThrow(ctx, actor, id);
  if (t.status === 'confirmed') throw new AppError('VALIDATION_FAILED', '该流水已入账：请冲正收款');
  if (!reason.trim()) throw fieldError('reason', 'VALIDATION_FAILED', '请写明排除原因（如：非物业费）');
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('bank_transfer').set({ status: 'ignored', why: reason.trim(), decided_by: actor.name, decided_at: nowIso(ctx) }).where('id', '=', id).execute();
    await audit(trx, ctx, actor, { action: 'bank.ignore', entity: 'bank_transfer', entityId: id, projectId: t.project_id, after: { reason: reason.trim() } });
  });
  return { id, status: 'ignored' as const };
}
