import { addDays } from '../../../core/billing/periods.ts';
import { isLocalDate, localDateOf, mondayOf } from '../../../core/dates.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import * as ledger from '../../db/repositories/ledger-repository.ts';
import { audit } from '../audit/audit.ts';
import { requireAccess, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { getSetting, setSetting } from '../setup/bootstrap.ts';

/**
 * Collection KPIs per collector and per building over a period (issue 5 point 7; docs/workbench.md):
 * - houses: assigned now (分户到人); for a building, its houses with charges;
 * - contacted twice a week: of (house, week) pairs — each assigned house in each Monday–Sunday week of the period up to
 *   today — the share with at least two contact attempts (domain §5: 每周催缴次数不得少于2次);
 * - promises made in the period, kept (the house paid between the promise and its day), broken (the day passed without),
 *   and the kept rate kept ÷ (kept + broken);
 * - recovered: money received in the period for those houses (payments less reversals and refunds, as the fund report);
 * - collection rates with the fund report's definitions (current-period, arrears-recovery, combined), over their houses;
 * - score = Σ weight × metric, with the company's weights (rates and shares in percentage points, money per ¥1,000).
 * Rates are basis points (9523 = 95.23%), null when there is nothing to divide by.
 */

export interface KpiWeights { combinedRate: number; contactedShare: number; keptPromise: number; brokenPromise: number; recoveredPerThousand: number }
export const DEFAULT_KPI_WEIGHTS: KpiWeights = { combinedRate: 1, contactedShare: 0.5, keptPromise: 2, brokenPromise: -2, recoveredPerThousand: 1 };
const WEIGHT_KEYS = Object.keys(DEFAULT_KPI_WEIGHTS) as (keyof KpiWeights)[];
const settingKey = (companyId: number) => `kpi_weights:${companyId}`;

const rateBp = (num: number, den: number) => (den > 0 ? Math.round((num * 10_000) / den) : null);

export async function kpiWeights(ctx: ServiceContext, actor: Actor): Promise<KpiWeights> {
  requireRole(actor, 'dunning.read');
  const raw = await getSetting(ctx, settingKey(actor.companyId));
  return raw ? { ...DEFAULT_KPI_WEIGHTS, ...(JSON.parse(raw) as Partial<KpiWeights>) } : DEFAULT_KPI_WEIGHTS;
}

/** The company's weights (project managers and above: the rewards and penalties are the company's policy). */
export async function saveKpiWeights(ctx: ServiceContext, actor: Actor, input: Record<string, unknown>): Promise<KpiWeights> {
  requireRole(actor, 'dunning.configure');
  const out = {} as KpiWeights;
  for (const k of WEIGHT_KEYS) {
    const v = input[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 100) throw fieldError(k, 'VALIDATION_FAILED', '权重须为 −100 到 100 之间的数');
    out[k] = v;
  }
  await setSetting(ctx, settingKey(actor.companyId), JSON.stringify(out));
  await audit(ctx.db, ctx, actor, { action: 'kpi.weights', entity: 'company', entityId: actor.companyId, projectId: null, after: out });
  return out;
}

export async function collectionKpis(ctx: ServiceContext, actor: Actor, projectId: number, q: { from: string; to: string }) {
  requireAccess(actor, 'assignment.manage', { projectId, buildingId: null });
  if (!isLocalDate(q.from)) throw fieldError('from', 'DATE_MALFORMED');
  if (!isLocalDate(q.to)) throw fieldError('to', 'DATE_MALFORMED');
  if (q.to < q.from) throw new AppError('DATE_RANGE_INVALID', undefined, [{ field: 'to', code: 'DATE_RANGE_INVALID', message: '结束日期不能早于开始日期' }]);
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const today = localDateOf(ctx.clock.now(), project.time_zone);
  const asOf = q.to < today ? q.to : today;
  const weights = await kpiWeights(ctx, actor);
  const [assigned, houses, byHouse, payments, attempts, paid] = await Promise.all([
    ctx.db.selectFrom('collector_assignment').innerJoin('app_user', 'app_user.id', 'collector_assignment.user_id')
      .select(['collector_assignment.house_id', 'app_user.id', 'app_user.display_name']).where('collector_assignment.project_id', '=', projectId).execute(),
    ctx.db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id').select(['house.id', 'building.name as building']).where('house.project_id', '=', projectId).execute(),
    ledger.collectionByHouse(ctx.db, projectId, q.from, q.to, asOf),
    ctx.db.selectFrom('payment').select(['house_id', (eb) => eb.fn.sum<number>('amount_fen').as('fen')]).where('project_id', '=', projectId)
      .where('kind', 'in', ['payment', 'reversal', 'refund']).where('received_on', '>=', q.from).where('received_on', '<=', asOf).groupBy('house_id').execute(),
    ctx.db.selectFrom('contact_attempt').select(['house_id', 'at', 'outcome', 'promised_on']).where('project_id', '=', projectId)
      // A day's margin either side of the UTC dates; the local day of each attempt decides below.
      .where('at', '>=', new Date(Date.parse(`${q.from}T00:00:00Z`) - 86_400_000).toISOString())
      .where('at', '<', new Date(Date.parse(`${asOf}T00:00:00Z`) + 2 * 86_400_000).toISOString()).execute(),
    ctx.db.selectFrom('payment').select(['house_id', 'received_on']).where('project_id', '=', projectId).where('kind', '=', 'payment').where('amount_fen', '>', 0)
      .where('received_on', '>=', q.from).execute(),
  ]);
  // Weeks (their Mondays) of the period up to as-of.
  const weeks: string[] = [];
  for (let w = mondayOf(q.from); w <= asOf; w = addDays(w, 7)) weeks.push(w);
  const local = attempts.map((a) => ({ ...a, day: localDateOf(new Date(a.at), project.time_zone) })).filter((a) => a.day >= q.from && a.day <= asOf);
  const perHouseWeek = new Map<string, number>();
  for (const a of local) perHouseWeek.set(`${a.house_id}|${mondayOf(a.day)}`, (perHouseWeek.get(`${a.house_id}|${mondayOf(a.day)}`) ?? 0) + 1);
  const paidDays = new Map<number, string[]>();
  for (const p of paid) (paidDays.get(p.house_id) ?? paidDays.set(p.house_id, []).get(p.house_id)!).push(p.received_on);
  const promiseOf = (a: (typeof local)[number]) => ((paidDays.get(a.house_id) ?? []).some((d) => d >= a.day && d <= a.promised_on!) ? 'kept' : a.promised_on! < today ? 'broken' : 'pending');
  const moneyOf = new Map(payments.map((p) => [p.house_id, Number(p.fen)]));
  const ledgerOf = new Map(byHouse.map((h) => [h.house_id!, h]));

  const measure = (houseIds: number[], withScore: boolean) => {
    const set = new Set(houseIds);
    const pairs = houseIds.length * weeks.length;
    const twice = houseIds.reduce((n, h) => n + weeks.filter((w) => (perHouseWeek.get(`${h}|${w}`) ?? 0) >= 2).length, 0);
    const promises = local.filter((a) => a.outcome === '承诺缴费' && a.promised_on && set.has(a.house_id)).map(promiseOf);
    const kept = promises.filter((p) => p === 'kept').length;
    const broken = promises.filter((p) => p === 'broken').length;
    const recoveredFen = houseIds.reduce((s, h) => s + (moneyOf.get(h) ?? 0), 0);
    const sums = houseIds.reduce((s, h) => {
      const l = ledgerOf.get(h);
      return l ? { billed: s.billed + Number(l.billed ?? 0), collected: s.collected + Number(l.collected ?? 0), opening: s.opening + Number(l.opening ?? 0), recovered: s.recovered + Number(l.recovered ?? 0) } : s;
    }, { billed: 0, collected: 0, opening: 0, recovered: 0 });
    const combinedBp = rateBp(sums.collected + sums.recovered, sums.billed + sums.opening);
    const contactedBp = rateBp(twice, pairs);
    const score = (combinedBp ?? 0) / 100 * weights.combinedRate + (contactedBp ?? 0) / 100 * weights.contactedShare + kept * weights.keptPromise
      + broken * weights.brokenPromise + (recoveredFen / 100_000) * weights.recoveredPerThousand;
    return {
      houses: houseIds.length, contactedTwiceWeeklyBp: contactedBp, promises: promises.length, kept, broken, keptRateBp: rateBp(kept, kept + broken),
      recoveredFen, recovered: formatYuan(recoveredFen),
      rates: { currentBp: rateBp(sums.collected, sums.billed), arrearsBp: rateBp(sums.recovered, sums.opening), combinedBp },
      ...(withScore ? { score: Math.round(score * 10) / 10 } : {}),
    };
  };
  const collectors = new Map<number, { name: string; houses: number[] }>();
  for (const a of assigned) (collectors.get(a.id) ?? collectors.set(a.id, { name: a.display_name, houses: [] }).get(a.id)!).houses.push(a.house_id);
  const buildings = new Map<string, number[]>();
  for (const h of houses) (buildings.get(h.building) ?? buildings.set(h.building, []).get(h.building)!).push(h.id);
  return {
    projectId, from: q.from, to: q.to, asOf, weeks: weeks.length, weights,
    collectors: [...collectors].map(([userId, c]) => ({ userId, name: c.name, ...measure(c.houses, true) })).sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.name.localeCompare(b.name)),
    buildings: [...buildings].map(([building, ids]) => ({ building, ...measure(ids, false) })).sort((a, b) => a.building.localeCompare(b.building, 'zh-CN', { numeric: true })),
  };
}
