import { sql, type RawBuilder } from 'kysely';
import { addMonths, periodOf } from '../../../core/billing/periods.ts';
import { localDateOf } from '../../../core/dates.ts';
import { runBillRun } from '../billing/bill-run-service.ts';
import { addStandard, createFeeItem, setContractTerms } from '../billing/fee-service.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { sweep } from '../dunning/sweep-service.ts';

/** 物业服务费 at 2.35 元/m² a month, due on the 15th, under a monthly service contract in force since 2020. */
export async function setUpMonthlyFee(ctx: ServiceContext, actor: Actor, projectId: number): Promise<void> {
  const item = await createFeeItem(ctx, actor, projectId, { name: '物业服务费', category: '物业服务费', pricing: 'per_area' });
  await addStandard(ctx, actor, item.id, { propertyType: '*', unitPrice: '2.35', publishedOn: '2019-11-01', effectiveFrom: '2020-01-01' });
  await setContractTerms(ctx, actor, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
}

/**
 * Money received for the charges `paid` selects, one payment per charge, as recordPayment writes it for money received
 * on the due date by bank transfer: payment (the charge's payer), one principal allocation of the whole amount, a
 * numbered receipt, the project's receipt counter moved on. Set-based (INSERT … SELECT), for demo data and benchmarks
 * at scale; payment ids are the charge id plus the largest payment id. Only for projects that have no receipts yet.
 */
export async function insertOnTimePayments(ctx: ServiceContext, paid: RawBuilder<boolean>, recordedBy: string): Promise<number> {
  const ts = sql`charge.due_date || 'T02:00:00.000Z'`;
  const receiptNo = ctx.dialect === 'postgres'
    ? sql`lpad(p.project_id::text, 3, '0') || '-' || lpad((row_number() over (partition by p.project_id order by p.id))::text, 8, '0')`
    : sql`printf('%03d-%08d', p.project_id, row_number() over (partition by p.project_id order by p.id))`;
  return ctx.db.transaction().execute(async (trx) => {
    const base = Number((await sql<{ m: number | null }>`select max(id) as m from payment`.execute(trx)).rows[0]?.m ?? 0);
    const from = sql`from charge where charge.kind = 'charge' and charge.adjusts_charge_id is null and charge.amount_fen > 0 and ${paid}`;
    const r = await sql`insert into payment (id, project_id, house_id, kind, payer_kind, ownership_id, payer_name, channel, amount_fen, received_at, received_on,
        designated_json, reverses_payment_id, reason, idempotency_key, note, recorded_by, recorded_by_id, created_at)
      select ${base} + charge.id, charge.project_id, charge.house_id, 'payment', charge.bill_to, charge.ownership_id, null, '银行转账', charge.amount_fen, ${ts}, charge.due_date,
        null, null, null, null, null, ${recordedBy}, null, ${ts} ${from}`.execute(trx);
    await sql`insert into allocation (payment_id, charge_id, component, amount_fen, created_at)
      select ${base} + charge.id, charge.id, 'principal', charge.amount_fen, ${ts} ${from}`.execute(trx);
    await sql`insert into receipt (project_id, payment_id, seq, number, issued_at)
      select p.project_id, p.id, row_number() over (partition by p.project_id order by p.id), ${receiptNo}, p.created_at from payment p where p.id > ${base}`.execute(trx);
    await sql`insert into receipt_counter (project_id, last_no) select project_id, max(seq) from receipt group by project_id
      on conflict (project_id) do update set last_no = excluded.last_no`.execute(trx);
    if (ctx.dialect === 'postgres') await sql`select setval(pg_get_serial_sequence('payment', 'id'), (select max(id) from payment))`.execute(trx);
    return Number(r.numAffectedRows ?? 0);
  });
}

/** Months of bills the first-start demo has: the six before the current one. */
export const DEMO_MONTHS = 6;

export interface DemoBillingSummary { projects: number; periods: string[]; charges: number; payments: number; housesInArrears: number; cases: number }

/**
 * The first-start demo's money, so that the console and the owner portal show a living company: every project bills
 * 物业服务费 monthly for the DEMO_MONTHS months before `today`'s; 85% of the houses paid each bill on its due date by
 * bank transfer; the others stopped paying after 0–5 of those months; then the collection sweep runs as of today, so
 * the cases, today's tasks and the reminders are there. Deterministic (by house id).
 */
export async function demoBilling(ctx: ServiceContext, actor: Actor, companyId: number): Promise<DemoBillingSummary> {
  const today = localDateOf(ctx.clock.now(), 'Asia/Shanghai');
  const periods = Array.from({ length: DEMO_MONTHS }, (_, i) => addMonths(periodOf(today), i - DEMO_MONTHS));
  const projects = await ctx.db.selectFrom('project').select('id').where('company_id', '=', companyId).orderBy('id').execute();
  let charges = 0;
  for (const p of projects) {
    await setUpMonthlyFee(ctx, actor, p.id);
    for (const period of periods) charges += (await runBillRun(ctx, actor, p.id, period)).created;
  }
  // A house (id mod 20 < 3) in arrears stopped after (id / 20 mod 6) months: it paid the periods before that one.
  const stop = sql.join(periods.map((period, i) => sql`when ${i} then ${period}`), sql` `);
  const paid = sql<boolean>`(charge.house_id % 20 >= 3 or charge.period < (case (charge.house_id / 20) % ${DEMO_MONTHS} ${stop} end))`;
  const payments = await insertOnTimePayments(ctx, paid, 'demo');
  let cases = 0;
  for (const p of projects) cases += (await sweep(ctx, actor, p.id, today, { dryRun: false })).cases;
  const arrears = await ctx.db.selectFrom('collection_case').innerJoin('project', 'project.id', 'collection_case.project_id')
    .select((eb) => eb.fn.count<number>('collection_case.house_id').distinct().as('n')).where('project.company_id', '=', companyId).where('collection_case.state', '!=', 'resolved')
    .executeTakeFirstOrThrow();
  return { projects: projects.length, periods, charges, payments, housesInArrears: Number(arrears.n), cases };
}
