import { fieldError } from '../../../core/errors.ts';
import { planBillRun, type PlanHouse } from '../../../core/billing/bill-run-plan.ts';
import { cycleMonths, firstDay, isPeriod, type Cycle } from '../../../core/billing/periods.ts';
import { localDateOf } from '../../../core/dates.ts';
import { requireText } from '../../../core/registry/validate.ts';
import * as repo from '../../db/repositories/billing-repository.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { planHouses, planItems } from './bill-run-service.ts';
import { termsInForce } from './fee-service.ts';
import { lockHouse, replanCollection } from './payment-service.ts';

const HOUSES_PER_BATCH = 2_000;

export interface AdjustmentLine {
  chargeId: number;
  houseId: number;
  houseNumber: string;
  feeItemId: number;
  period: string;
  billTo: string;
  beforeFen: number;
  afterFen: number;
  basis: string;
}

export interface AdjustmentReport {
  projectId: number;
  period: string;
  months: string[];
  dryRun: boolean;
  /** Charges whose worth changes, and by how much in total. */
  adjusted: number;
  increaseFen: number;
  decreaseFen: number;
  /** What had been paid beyond a lowered charge, moved to the payer's prepaid account. */
  transferredFen: number;
  /** Charges the current standards call for that were never billed: a bill run for the period creates them. */
  missing: number;
  /** The first lines (all are counted above). */
  lines: AdjustmentLine[];
}

/**
 * Apply the fee standards as they now stand to a billing period that was already billed (`wuye bill adjust`): every
 * charge of the period's months is priced again with the standard in force in its month (and the house as it is
 * registered now), and a difference becomes an adjustment entry pointing at the charge, never an edit. Where a lowered
 * charge had been paid beyond its new worth, the excess moves to the payer's prepaid account (a 'transfer' entry of 0).
 * Running it again finds nothing to do. A dry run reports the same and writes nothing.
 */
export async function adjustToStandards(ctx: ServiceContext, actor: Actor, projectId: number, period: string, opts: { reason?: string | undefined; dryRun?: boolean | undefined } = {}): Promise<AdjustmentReport> {
  const dryRun = opts.dryRun ?? false;
  requireRole(actor, dryRun ? 'billing.read' : 'billing.run');
  if (!isPeriod(period)) throw fieldError('period', 'VALIDATION_FAILED', '账期应为 YYYY-MM');
  const reason = dryRun ? (opts.reason?.trim() ?? '') : requireText(opts.reason ?? '', 'reason', 500);
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const terms = await termsInForce(ctx, projectId, firstDay(period));
  const months = cycleMonths(period, terms.cycle as Cycle, terms.anchor_month);
  if (months[0] !== period) throw fieldError('period', 'VALIDATION_FAILED', `${period} 不是计费月，本项目于 ${months[0]} 出账`);
  const itemsByMonth = new Map(await Promise.all(months.map(async (m) => [m, await planItems(ctx, projectId, firstDay(m))] as const)));
  const monthTerms = { cycle: 'month' as const, anchorMonth: 1, dueDay: terms.due_day };
  const touched = new Set<number>();
  const report: AdjustmentReport = { projectId, period, months, dryRun, adjusted: 0, increaseFen: 0, decreaseFen: 0, transferredFen: 0, missing: 0, lines: [] };
  const now = nowIso(ctx);
  const today = localDateOf(ctx.clock.now(), project.time_zone);

  const range = await repo.houseIdRange(ctx.db, projectId) ?? { first: 1, last: 0 };
  for (let after = range.first - 1; after < range.last;) {
    const batch = await repo.houseBatch(ctx.db, projectId, after, range.last, HOUSES_PER_BATCH);
    if (batch.length === 0) break;
    const firstId = batch[0]!.id;
    after = batch[batch.length - 1]!.id;
    const houses: PlanHouse[] = await planHouses(ctx, batch);
    const numbers = new Map(houses.map((h) => [h.id, h.number]));
    const planned = new Map<string, { amountFen: number; basis: string }>();
    for (const m of months) {
      for (const c of planBillRun({ period: m, terms: monthTerms, items: itemsByMonth.get(m)!, houses }).charges) {
        planned.set(`${c.houseId}|${c.feeItemId}|${c.period}|${c.billTo}`, { amountFen: c.amountFen, basis: c.basis });
      }
    }
    const existing = await repo.chargesWithWorth(ctx.db, firstId, after, months);
    const lines: Array<AdjustmentLine & { paidFen: number; root: (typeof existing)[number] }> = [];
    const seen = new Set<string>();
    for (const c of existing) {
      const key = `${c.house_id}|${c.fee_item_id}|${c.period}|${c.bill_to}`;
      seen.add(key);
      const p = planned.get(key);
      const afterFen = p?.amountFen ?? 0;
      const worth = Number(c.worth);
      if (afterFen === worth) continue;
      lines.push({
        chargeId: c.id, houseId: c.house_id!, houseNumber: numbers.get(c.house_id!) ?? '', feeItemId: c.fee_item_id, period: c.period, billTo: c.bill_to,
        beforeFen: worth, afterFen, basis: p ? `按现行标准调整：${p.basis}` : '现行标准不再收取此项', paidFen: Number(c.principal_paid), root: c,
      });
    }
    for (const key of planned.keys()) if (!seen.has(key)) report.missing += 1;
    for (const l of lines) {
      report.adjusted += 1;
      if (l.afterFen > l.beforeFen) report.increaseFen += l.afterFen - l.beforeFen; else report.decreaseFen += l.beforeFen - l.afterFen;
      report.transferredFen += Math.max(0, l.paidFen - l.afterFen);
      if (report.lines.length < 200) report.lines.push({ chargeId: l.chargeId, houseId: l.houseId, houseNumber: l.houseNumber, feeItemId: l.feeItemId, period: l.period, billTo: l.billTo, beforeFen: l.beforeFen, afterFen: l.afterFen, basis: l.basis });
    }
    if (dryRun || lines.length === 0) continue;
    for (const l of lines) touched.add(l.houseId);
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('charge').values(lines.map(({ root: r, ...l }) => ({
        project_id: r.project_id, house_id: r.house_id, parking_space_id: null, object_key: r.object_key, fee_item_id: r.fee_item_id, period: r.period,
        due_date: r.due_date, bill_to: r.bill_to, ownership_id: r.ownership_id, kind: 'adjustment', amount_fen: l.afterFen - l.beforeFen, basis: l.basis,
        bill_run_id: null, reason, adjusts_charge_id: r.id, source_payment_id: null, created_by: actor.name, created_at: now,
      }))).execute();
      // Overpaid principal on lowered charges moves to the payer's prepaid account, one transfer per house and payer.
      const overpaid = new Map<string, Array<{ chargeId: number; fen: number; houseId: number; ownershipId: number | null; billTo: string }>>();
      for (const l of lines) {
        const fen = l.paidFen - Math.max(0, l.afterFen);
        if (fen <= 0) continue;
        const k = `${l.houseId}|${l.root.ownership_id ?? 'developer'}`;
        overpaid.set(k, [...(overpaid.get(k) ?? []), { chargeId: l.chargeId, fen, houseId: l.houseId, ownershipId: l.root.ownership_id, billTo: l.billTo }]);
      }
      for (const group of overpaid.values()) {
        const g = group[0]!;
        await lockHouse(ctx, trx, g.houseId);
        const total = group.reduce((s, x) => s + x.fen, 0);
        const row = await trx.insertInto('payment').values({
          project_id: projectId, house_id: g.houseId, kind: 'transfer', payer_kind: g.billTo === 'developer' ? 'developer' : 'owner', ownership_id: g.billTo === 'developer' ? null : g.ownershipId,
          payer_name: null, channel: '预存款', amount_fen: 0, received_at: ctx.clock.now().toISOString(), received_on: today, designated_json: null, reverses_payment_id: null,
          reason: `收费标准调整，多缴部分转入预存款：${reason}`, idempotency_key: null, note: null, recorded_by: actor.name, recorded_by_id: actor.userId, created_at: now,
        }).returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('allocation').values(group.map((x) => ({ payment_id: row.id, charge_id: x.chargeId, component: 'principal', amount_fen: -x.fen, created_at: now }))).execute();
        await trx.insertInto('prepaid_entry').values({ house_id: g.houseId, kind: 'transfer', amount_fen: total, payment_id: row.id, created_at: now }).execute();
      }
    });
  }
  if (!dryRun) {
    await audit(ctx.db, ctx, actor, {
      action: 'bill_adjust.commit', entity: 'project', entityId: projectId, projectId,
      after: { period, reason, adjusted: report.adjusted, increaseFen: report.increaseFen, decreaseFen: report.decreaseFen, transferredFen: report.transferredFen },
    });
    // What is owed changed: the collection cases of those houses are planned again at once.
    await replanCollection(ctx, projectId, [...touched], today);
  }
  return report;
}
