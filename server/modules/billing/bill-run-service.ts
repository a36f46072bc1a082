import { fieldError } from '../../../core/errors.ts';
import { planBillRun, type PlanHouse, type PlanItem, type PlanSkip } from '../../../core/billing/bill-run-plan.ts';
import { CYCLE_LABELS, cycleMonths, firstDay, isPeriod, type Cycle } from '../../../core/billing/periods.ts';
import type { Rounding } from '../../../core/billing/rounding.ts';
import * as repo from '../../db/repositories/billing-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { localDateOf } from '../../../core/dates.ts';
import { termsInForce } from './fee-service.ts';
import { deductPrepaid, type DeductionReport } from './prepaid-service.ts';

/** Houses read, planned and written per batch: one transaction each, short enough not to hold up other writers. */
const HOUSES_PER_BATCH = 5_000;

export interface BillRunReport {
  projectId: number;
  period: string;
  dryRun: boolean;
  billingMonth: boolean;
  months: string[];
  dueDate: string | null;
  /** Charges this run created (or, in a dry run, would create). */
  created: number;
  createdFen: number;
  /** Charges that already existed from an earlier run: a rerun creates nothing. */
  existing: number;
  byItem: Array<{ feeItemId: number; name: string; charges: number; amountFen: number; developerCharges: number; developerFen: number }>;
  skipped: number;
  /** The first skips with their reasons (all are counted in `skipped`). */
  skips: PlanSkip[];
  billRunId: number | null;
  /** Prepaid balances deducted from open charges after the run (items that allow it); null in a dry run. */
  prepaidDeducted: DeductionReport | null;
}

/** The house items with the standards in force on a day (the bill run: the first day of the billing month). */
export async function planItems(ctx: ServiceContext, projectId: number, day: string): Promise<PlanItem[]> {
  const items = (await repo.listFeeItems(ctx.db, projectId)).filter((i) => i.active === 1 && i.applies_to === 'house');
  const standards = await repo.standardsOf(ctx.db, items.map((i) => i.id));
  return items.map((i) => ({
    id: i.id, name: i.name, rounding: i.rounding as Rounding,
    standards: standards
      .filter((s) => s.fee_item_id === i.id && s.effective_from <= day && (s.effective_to === null || s.effective_to >= day))
      .map((s) => ({
        propertyType: s.property_type, vacantRatePct: s.vacant_rate_pct,
        pricing: s.price_x10000 !== null ? { kind: 'per_area' as const, priceX10000: s.price_x10000 } : { kind: 'fixed' as const, monthlyFen: s.monthly_fen ?? 0 },
      })),
  }));
}

/** A batch of houses (in id order) with their ownership periods, as the planner takes them. */
export async function planHouses(ctx: ServiceContext, batch: Awaited<ReturnType<typeof repo.houseBatch>>): Promise<PlanHouse[]> {
  if (batch.length === 0) return [];
  // Ownerships grouped by house once (a Map), rather than filtering the whole batch's list for every house.
  const first = batch[0]!.id;
  const last = batch[batch.length - 1]!.id;
  const ownerships = new Map<number, PlanHouse['ownerships'][number][]>();
  for (const o of await repo.ownershipsOfHouseRange(ctx.db, first, last)) {
    const list = ownerships.get(o.house_id!) ?? [];
    list.push({ id: o.id, from: o.from_date, to: o.to_date });
    ownerships.set(o.house_id!, list);
  }
  const vacancies = new Map<number, Array<{ from: string; to: string }>>();
  for (const v of await repo.approvedVacanciesOfHouseRange(ctx.db, first, last)) vacancies.set(v.house_id, [...(vacancies.get(v.house_id) ?? []), { from: v.from_month, to: v.to_month }]);
  return batch.map((h) => ({
    id: h.id, number: h.number, propertyType: h.property_type, areaX100: h.area_x100, deliveryDate: h.delivery_date,
    ownerships: ownerships.get(h.id) ?? [], vacancies: vacancies.get(h.id),
  }));
}

/**
 * `wuye bill run --project <p> --period YYYY-MM [--dry-run]`: one charge per house × item × month (× payer), idempotent.
 * Houses are read in keyset batches and charges written in multi-row inserts that skip existing natural keys, so a
 * rerun, or a run resumed after a crash, creates nothing twice. A dry run computes the same report and writes nothing.
 */
export async function runBillRun(ctx: ServiceContext, actor: Actor, projectId: number, period: string, opts: { dryRun?: boolean } = {}): Promise<BillRunReport> {
  requireRole(actor, opts.dryRun ? 'billing.read' : 'billing.run');
  if (!isPeriod(period)) throw fieldError('period', 'VALIDATION_FAILED', '账期应为 YYYY-MM');
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const terms = await termsInForce(ctx, projectId, firstDay(period));
  const items = await planItems(ctx, projectId, firstDay(period));
  if (items.length === 0) throw fieldError('projectId', 'VALIDATION_FAILED', '项目没有启用的房屋收费项目，无法出账');
  const planTerms = { cycle: terms.cycle as Cycle, anchorMonth: terms.anchor_month, dueDay: terms.due_day };
  const months = cycleMonths(period, planTerms.cycle, planTerms.anchorMonth);
  const names = new Map(items.map((i) => [i.id, i.name]));
  const byItem = new Map<number, BillRunReport['byItem'][number]>();
  const report: BillRunReport = {
    projectId, period, dryRun: opts.dryRun ?? false, billingMonth: months[0] === period, months, dueDate: null,
    created: 0, createdFen: 0, existing: 0, byItem: [], skipped: 0, skips: [], billRunId: null, prepaidDeducted: null,
  };
  if (!report.billingMonth) {
    return { ...report, skipped: 1, skips: [{ houseId: null, houseNumber: null, feeItemId: null, reason: `${period} 不是计费月：本项目${CYCLE_LABELS[planTerms.cycle]}计费，于 ${months[0]} 出账` }] };
  }
  const now = nowIso(ctx);
  let billRunId: number | null = null;
  if (!report.dryRun) {
    const row = await ctx.db.insertInto('bill_run').values({
      project_id: projectId, period, created_by: actor.name, created_at: now, charges_created: 0, charges_existing: 0, amount_fen: 0, skipped: 0, report_json: '{}',
    }).returning('id').executeTakeFirstOrThrow();
    billRunId = row.id;
  }

  const count = (c: repo.BillRunCharge) => {
    report.created += 1;
    report.createdFen += c.amountFen;
    const s = byItem.get(c.feeItemId) ?? { feeItemId: c.feeItemId, name: names.get(c.feeItemId) ?? '', charges: 0, amountFen: 0, developerCharges: 0, developerFen: 0 };
    if (c.billTo === 'developer') { s.developerCharges += 1; s.developerFen += c.amountFen; } else { s.charges += 1; s.amountFen += c.amountFen; }
    byItem.set(c.feeItemId, s);
  };

  // One writer for the whole run (SQLite: a prepared statement; PostgreSQL: COPY), one transaction per batch.
  const writer = billRunId === null ? null : await repo.openChargeWriter(ctx.db, ctx.dialect === 'postgres', { projectId, billRunId, createdBy: actor.name, createdAt: now });
  try {
    // Pages run between the project's first and last house id, so that no batch scans other projects' houses.
    const range = await repo.houseIdRange(ctx.db, projectId) ?? { first: 1, last: 0 };
    for (let after = range.first - 1; after < range.last;) {
      const batch = await repo.houseBatch(ctx.db, projectId, after, range.last, HOUSES_PER_BATCH);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      const houses = await planHouses(ctx, batch);
      const plan = planBillRun({ period, terms: planTerms, items, houses });
      report.skipped += plan.skips.length;
      for (const s of plan.skips) if (report.skips.length < 100) report.skips.push(s);
      report.dueDate = plan.charges[0]?.dueDate ?? report.dueDate;
      // Keys that already exist (a rerun, a run resumed after a crash) are left out before inserting: one cheap range
      // look-up per batch, which spares a rerun from sending every charge to the database only to have it skipped.
      const existing = new Set((await repo.existingHouseChargeKeys(ctx.db, batch[0]!.id, after, months)).map((c) => `${c.object_key}|${c.fee_item_id}|${c.period}|${c.bill_to}`));
      const fresh = existing.size === 0 ? plan.charges : plan.charges.filter((c) => !existing.has(`h${c.houseId}|${c.feeItemId}|${c.period}|${c.billTo}`));
      report.existing += plan.charges.length - fresh.length;
      if (writer === null) {
        for (const c of fresh) count(c);
      } else if (fresh.length > 0) {
        // Keys a concurrent run wrote meanwhile are skipped too; only what was really inserted is counted.
        const inserted = await writer.write(fresh);
        for (const c of inserted) count(c);
        report.existing += fresh.length - inserted.length;
      }
    }
  } finally {
    writer?.close();
  }
  report.byItem = [...byItem.values()].sort((a, b) => a.feeItemId - b.feeItemId);
  report.billRunId = billRunId;
  if (billRunId !== null) {
    report.prepaidDeducted = await deductPrepaid(ctx, actor, projectId, localDateOf(ctx.clock.now(), project.time_zone));
    await ctx.db.transaction().execute(async (trx) => {
      // The run row is the one record of a run that is completed after the fact (its counts); charges never change.
      await trx.updateTable('bill_run').set({
        charges_created: report.created, charges_existing: report.existing, amount_fen: report.createdFen, skipped: report.skipped,
        report_json: JSON.stringify({ byItem: report.byItem, skips: report.skips, dueDate: report.dueDate, months, prepaidDeducted: report.prepaidDeducted }),
      }).where('id', '=', billRunId).execute();
      await audit(trx, ctx, actor, { action: 'bill_run.commit', entity: 'bill_run', entityId: billRunId, projectId, after: { period, created: report.created, createdFen: report.createdFen, existing: report.existing, skipped: report.skipped } });
    });
  }
  return report;
}

export async function listBillRuns(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, projectId);
  return (await repo.listBillRuns(ctx.db, projectId)).map((r) => ({
    id: r.id, period: r.period, createdBy: r.created_by, createdAt: r.created_at, chargesCreated: r.charges_created,
    chargesExisting: r.charges_existing, amountFen: r.amount_fen, skipped: r.skipped,
  }));
}
