import { sql, type Kysely, type Transaction } from 'kysely';
import { AppError, fieldError } from '../../../core/errors.ts';
import { normalizeEmail, requireText } from '../../../core/registry/validate.ts';
import type { DB } from '../../db/schema.ts';
import { renderReceipt } from '../../documents/receipt-pdf.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireAccess, type Actor, type ServiceContext } from '../context.ts';
import { getHouseBase } from '../registry/registry-service.ts';
import { getPayment } from './payment-service.ts';

/**
 * Take the project's next receipt number inside the payment's transaction: the counter row is locked by the UPDATE
 * until the payment commits, so numbers are consecutive and a rolled-back payment leaves no gap.
 */
export async function issueReceipt(trx: Kysely<DB> | Transaction<DB>, projectId: number, paymentId: number, issuedAt: string): Promise<string> {
  await trx.insertInto('receipt_counter').values({ project_id: projectId, last_no: 0 }).onConflict((oc) => oc.doNothing()).execute();
  const { last_no: seq } = await trx.updateTable('receipt_counter').set({ last_no: sql`last_no + 1` }).where('project_id', '=', projectId)
    .returning('last_no').executeTakeFirstOrThrow();
  const number = `${String(projectId).padStart(3, '0')}-${String(seq).padStart(8, '0')}`;
  await trx.insertInto('receipt').values({ project_id: projectId, payment_id: paymentId, seq, number, issued_at: issuedAt }).execute();
  return number;
}

/** What an allocation paid, as the receipt and the owner portal name it. */
export const COMPONENT_LABELS: Record<string, string> = { principal: '物业费', late_fee: '逾期违约金', cost: '实现债权费用' };

/** The receipt PDF of a payment; every print is recorded, and every print after the first is marked 补打. */
export async function printReceipt(ctx: ServiceContext, actor: Actor, paymentId: number) {
  const p = await getPayment(ctx, actor, paymentId);
  const house = await getHouseBase(ctx, actor, p.houseId);
  requireAccess(actor, 'billing.read', { projectId: house.projectId, buildingId: house.buildingId });
  const receipt = await ctx.db.selectFrom('receipt').select(['id', 'number']).where('payment_id', '=', paymentId).executeTakeFirst();
  if (!receipt) throw new AppError('NOT_FOUND', '该记录没有收款凭证（冲正记录不出凭证）');
  const company = await ctx.db.selectFrom('project').innerJoin('company', 'company.id', 'project.company_id').select('company.name').where('project.id', '=', house.projectId).executeTakeFirstOrThrow();
  const owners = p.ownershipId === null ? [] : await ctx.db.selectFrom('ownership_owner').innerJoin('owner', 'owner.id', 'ownership_owner.owner_id')
    .select('owner.name').where('ownership_owner.ownership_id', '=', p.ownershipId).orderBy('ownership_owner.is_primary', 'desc').execute();
  const reversed = await ctx.db.selectFrom('payment').select('id').where('reverses_payment_id', '=', paymentId).executeTakeFirst();
  const copyNo = await ctx.db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('receipt_print').select((eb) => eb.fn.max<number>('copy_no').as('n')).where('receipt_id', '=', receipt.id).executeTakeFirstOrThrow();
    const n = Number(last.n ?? 0) + 1;
    await trx.insertInto('receipt_print').values({ receipt_id: receipt.id, copy_no: n, printed_by: actor.name, printed_at: nowIso(ctx) }).execute();
    if (n > 1) await audit(trx, ctx, actor, { action: 'receipt.reprint', entity: 'receipt', entityId: receipt.id, projectId: house.projectId, after: { number: receipt.number, copyNo: n } });
    return n;
  });
  const pdf = await renderReceipt({
    number: receipt.number, copyNo, company: company.name, project: house.projectName,
    house: `${house.buildingName} ${house.number}`,
    payer: p.payerName ?? (p.payerKind === 'developer' ? '开发商' : owners.map((o) => o.name).join('、') || '—'),
    receivedOn: p.receivedOn, channel: p.channel,
    lines: p.allocations.map((a) => ({ period: a.period, item: a.item, kind: COMPONENT_LABELS[a.component] ?? a.component, amountFen: a.amountFen })),
    prepaidFen: p.prepaidFen, totalFen: p.amountFen, cashier: p.recordedBy, reversed: Boolean(reversed),
  });
  return { number: receipt.number, copyNo, pdf };
}

/** An owner's request for an invoice: a record for finance (no tax integration yet, R61). */
export async function requestInvoice(ctx: ServiceContext, actor: Actor, paymentId: number, input: { title: string; taxId?: string | null | undefined; email?: string | null | undefined }) {
  const p = await getPayment(ctx, actor, paymentId);
  const house = await getHouseBase(ctx, actor, p.houseId);
  requireAccess(actor, 'payment.record', { projectId: house.projectId, buildingId: house.buildingId });
  const title = requireText(input.title, 'title', 100);
  const taxId = input.taxId?.trim() || null;
  if (taxId && !/^[0-9A-Z]{15,20}$/.test(taxId)) throw fieldError('taxId', 'VALIDATION_FAILED', '纳税人识别号应为 15–20 位数字或大写字母');
  const email = input.email?.trim() ? normalizeEmail(input.email) : null;
  if (input.email?.trim() && !email) throw fieldError('email', 'EMAIL_MALFORMED');
  return ctx.db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('invoice_request').values({ payment_id: paymentId, title, tax_id: taxId, email, status: '待开票', requested_by: actor.name, created_at: nowIso(ctx) }).returning('id').executeTakeFirstOrThrow();
    await audit(trx, ctx, actor, { action: 'invoice.request', entity: 'invoice_request', entityId: id, projectId: house.projectId, after: { paymentId, title, taxId } });
    return { id, paymentId, title, taxId, email, status: '待开票' };
  });
}
