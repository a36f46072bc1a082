import { approvesOwnExports } from '../../../core/access/roles.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { AGING_BUCKETS, type AgingBucket } from '../../../core/billing/late-fee.ts';
import { addDays } from '../../../core/billing/periods.ts';
import { divide } from '../../../core/billing/rounding.ts';
import { isLocalDate } from '../../../core/dates.ts';
import * as ledger from '../../db/repositories/ledger-repository.ts';
import { requireRole, type Actor, type ServiceContext } from '../context.ts';
import { audit } from '../audit/audit.ts';
import { streamArrearsXlsx } from '../../documents/arrears-xlsx.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';

function assertDay(d: string, field: string): void {
  if (!isLocalDate(d)) throw fieldError(field, 'DATE_MALFORMED');
}

/** The aging buckets as due-date boundaries for an as-of date (newest first). */
function boundaries(asOf: string) {
  return AGING_BUCKETS.map((b, i) => ({
    key: b.key,
    // Bucket i holds due dates with overdue days in (previous max, this max]: due_date >= asOf − maxDays.
    since: i === 0 ? asOf : Number.isFinite(b.maxDays) ? addDays(asOf, -b.maxDays) : null,
  }));
}

export interface ArrearsRow { key: number | null; totalFen: number; charges: number; buckets: Partial<Record<AgingBucket, number>> }

/**
 * Principal in arrears as of a date (charges due on or before it, minus principal paid by then), grouped per project,
 * building, house or owner (the owners of each period, R30), with aging by due date. Derived from the ledger by SQL.
 */
export async function arrearsReport(ctx: ServiceContext, actor: Actor, q: { level: ledger.ArrearsLevel; asOf: string; projectId?: number | undefined; buildingId?: number | undefined }) {
  requireRole(actor, 'billing.read');
  assertDay(q.asOf, 'asOf');
  if (q.projectId !== undefined) await getProjectOrThrow(ctx, actor, q.projectId);
  const rows = await ledger.arrears(ctx.db, actor.scope, { ...q, boundaries: boundaries(q.asOf) });
  const byKey = new Map<number | null, ArrearsRow>();
  for (const r of rows) {
    const key = r.key === null ? null : Number(r.key);
    const row = byKey.get(key) ?? { key, totalFen: 0, charges: 0, buckets: {} };
    const owed = Number(r.owed);
    row.totalFen += owed;
    row.charges += Number(r.charges);
    row.buckets[r.bucket as AgingBucket] = (row.buckets[r.bucket as AgingBucket] ?? 0) + owed;
    byKey.set(key, row);
  }
  const items = [...byKey.values()].sort((a, b) => b.totalFen - a.totalFen || (a.key ?? 0) - (b.key ?? 0));
  const labels = await ledger.arrearsLabels(ctx.db, q.level, items.map((i) => i.key).filter((k): k is number => k !== null));
  return {
    level: q.level, asOf: q.asOf, totalFen: items.reduce((s, r) => s + r.totalFen, 0),
    items: items.map((i) => ({ ...i, label: i.key === null ? '' : labels.get(i.key)?.label ?? `#${i.key}`, houseId: i.key === null ? null : labels.get(i.key)?.houseId ?? null })),
  };
}

/** A rate in basis points, or null when there is nothing to collect (never "100%" of nothing). */
function rateBp(part: number, whole: number): number | null {
  return whole <= 0 ? null : Number(divide(BigInt(part) * 10000n, BigInt(whole)));
}

/**
 * 项目资金日报表: money received in [from, to] (one day by default), per channel and per fee item, split into the
 * current period (charges of the report month or later), arrears recovered (earlier months), late fees, and prepaid.
 * The channel total always equals allocations + prepaid: every fen received is accounted for once.
 */
export async function fundReport(ctx: ServiceContext, actor: Actor, q: { projectId: number; from: string; to?: string | undefined; cashier?: string | undefined }) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, q.projectId);
  assertDay(q.from, 'from');
  const to = q.to ?? q.from;
  assertDay(to, 'to');
  const currentFrom = q.from.slice(0, 7);
  const [channels, items, prepaid] = await Promise.all([
    ledger.receivedByChannel(ctx.db, q.projectId, q.from, to, q.cashier),
    ledger.allocatedByItem(ctx.db, q.projectId, q.from, to, currentFrom, q.cashier),
    ledger.prepaidIn(ctx.db, q.projectId, q.from, to, q.cashier),
  ]);
  const perItem = new Map<string, { item: string; currentFen: number; arrearsFen: number; lateFeeFen: number }>();
  for (const r of items) {
    const row = perItem.get(r.item) ?? { item: r.item, currentFen: 0, arrearsFen: 0, lateFeeFen: 0 };
    const v = Number(r.amount);
    if (r.component === 'late_fee') row.lateFeeFen += v;
    else if (r.kind === 'current') row.currentFen += v;
    else row.arrearsFen += v;
    perItem.set(r.item, row);
  }
  const byItem = [...perItem.values()].sort((a, b) => a.item.localeCompare(b.item));
  const receivedFen = channels.reduce((s, c) => s + Number(c.amount), 0);
  const totals = {
    receivedFen,
    currentFen: byItem.reduce((s, r) => s + r.currentFen, 0),
    arrearsFen: byItem.reduce((s, r) => s + r.arrearsFen, 0),
    lateFeeFen: byItem.reduce((s, r) => s + r.lateFeeFen, 0),
    prepaidFen: Number(prepaid.amount ?? 0),
  };
  return {
    projectId: q.projectId, from: q.from, to, cashier: q.cashier ?? null,
    byChannel: channels.map((c) => ({ channel: c.channel, amountFen: Number(c.amount), payments: Number(c.n) })),
    byItem, totals,
    balanced: totals.currentFen + totals.arrearsFen + totals.lateFeeFen + totals.prepaidFen === receivedFen,
  };
}

/**
 * 收缴率 (docs/collection-rates.md):
 * - current-period rate = principal received, by `asOf`, for charges due in [from, to] ÷ principal billed for them;
 * - arrears-recovery rate = principal recovered in [from, to] on charges due before `from` ÷ what was owed on them at
 *   the start of `from`;
 * - combined rate = (current received + arrears recovered) ÷ (current billed + opening arrears).
 * Rates are in basis points (9523 = 95.23%), null when the denominator is zero.
 */
export async function collectionRates(ctx: ServiceContext, actor: Actor, q: { projectId: number; from: string; to: string; asOf?: string | undefined }) {
  requireRole(actor, 'billing.read');
  await getProjectOrThrow(ctx, actor, q.projectId);
  assertDay(q.from, 'from');
  assertDay(q.to, 'to');
  const asOf = q.asOf ?? q.to;
  assertDay(asOf, 'asOf');
  const [cur, arr] = await Promise.all([
    ledger.billedAndCollected(ctx.db, q.projectId, q.from, q.to, asOf),
    ledger.arrearsRecovery(ctx.db, q.projectId, q.from, q.from, asOf),
  ]);
  const billed = Number(cur.billed ?? 0);
  const collected = Number(cur.collected ?? 0);
  const opening = Number(arr.opening ?? 0);
  const recovered = Number(arr.recovered ?? 0);
  return {
    projectId: q.projectId, from: q.from, to: q.to, asOf,
    current: { billedFen: billed, collectedFen: collected, rateBp: rateBp(collected, billed) },
    arrears: { openingFen: opening, recoveredFen: recovered, rateBp: rateBp(recovered, opening) },
    combined: { dueFen: billed + opening, collectedFen: collected + recovered, rateBp: rateBp(collected + recovered, billed + opening) },
  };
}

/**
 * The arrears list per house as a streamed .xlsx, with no row cap: houses are read in keyset chunks and written as
 * they come. Contacts are never included; the export itself is written to the audit log (R37). Bulk export needs
 * approval (R37): this one, across projects, only for general managers and admins, who approve exports; everyone else
 * asks for the cases list's export (export-service).
 */
export async function exportArrearsXlsx(ctx: ServiceContext, actor: Actor, q: { asOf: string; projectId?: number | undefined }) {
  requireRole(actor, 'billing.read');
  if (actor.userId !== null && !approvesOwnExports(actor.role)) throw new AppError('FORBIDDEN', '欠费清单的批量导出限总经理、管理员；其他人请申请导出催缴案件（R37）');
  assertDay(q.asOf, 'asOf');
  const project = q.projectId !== undefined ? await getProjectOrThrow(ctx, actor, q.projectId) : null;
  await audit(ctx.db, ctx, actor, { action: 'arrears.export', entity: 'report', entityId: null, projectId: project?.id ?? null, after: { asOf: q.asOf, projectId: project?.id ?? null } });
  const bounds = boundaries(q.asOf);
  async function* rows() {
    for (let after = 0; ;) {
      const chunk = await ledger.arrearsHouseChunk(ctx.db, actor.scope, { asOf: q.asOf, projectId: q.projectId, boundaries: bounds }, after, 2000);
      if (chunk.length === 0) return;
      yield* chunk;
      after = chunk[chunk.length - 1]!.houseId;
    }
  }
  const title = `欠费清单（截至 ${q.asOf}${project ? `，${project.name}` : ''}；金额为本金，单位：元）`;
  return { filename: `arrears-${q.asOf}${project ? `-${project.id}` : ''}.xlsx`, stream: streamArrearsXlsx(title, rows()) };
}
