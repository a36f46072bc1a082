import { sql, type Kysely } from 'kysely';
import type { Scope } from '../../../core/access/roles.ts';
import type { DB } from '../schema.ts';
import { scopeWhere } from '../scope-filter.ts';
import { groupConcat } from './registry-repository.ts';

type Q = Kysely<DB>;

export type ArrearsLevel = 'project' | 'building' | 'house' | 'owner';

/**
 * Principal still owed per charge as of a date, derived from the ledger entries only: the charge amount minus the
 * principal allocated by payments received on or before that date. Every report reads arrears through this one
 * query, so they cannot disagree with each other.
 */
export function owedPerCharge(db: Q, asOf: string) {
  return db.selectFrom('charge')
    .innerJoin('house', 'house.id', 'charge.house_id')
    .leftJoin(
      (eb) => eb.selectFrom('allocation').innerJoin('payment', 'payment.id', 'allocation.payment_id')
        .select(['allocation.charge_id', (e) => e.fn.sum<number>('allocation.amount_fen').as('paid')])
        .where('allocation.component', '=', 'principal').where('payment.received_on', '<=', asOf)
        .groupBy('allocation.charge_id').as('a'),
      (join) => join.onRef('a.charge_id', '=', 'charge.id'),
    )
    // Adjustment and discount entries change what their charge is worth; payments are allocated to the charge itself.
    .leftJoin(
      (eb) => eb.selectFrom('charge as adj').select(['adj.adjusts_charge_id', (e) => e.fn.sum<number>('adj.amount_fen').as('delta')])
        .where('adj.adjusts_charge_id', 'is not', null).groupBy('adj.adjusts_charge_id').as('j'),
      (join) => join.onRef('j.adjusts_charge_id', '=', 'charge.id'),
    )
    .where('charge.adjusts_charge_id', 'is', null)
    .select(['charge.id', 'charge.project_id', 'house.building_id', 'charge.house_id', 'charge.ownership_id', 'charge.bill_to', 'charge.period', 'charge.due_date',
      sql<number>`charge.amount_fen + coalesce(j.delta, 0) - coalesce(a.paid, 0)`.as('owed')]);
}

/** Aging boundaries as dates, so the bucket is a plain comparison on due_date (the same text on both dialects). */
export function agingCase(boundaries: ReadonlyArray<{ key: string; since: string | null }>) {
  // boundaries: ordered newest first; `since` = the earliest due date that still falls in this bucket.
  const whens = boundaries.filter((b) => b.since !== null).map((b) => sql`when o.due_date >= ${b.since} then ${b.key}`);
  const last = boundaries[boundaries.length - 1]!.key;
  return sql<string>`case ${sql.join(whens, sql` `)} else ${last} end`;
}

export interface ArrearsQuery {
  level: ArrearsLevel;
  asOf: string;
  projectId?: number | undefined;
  buildingId?: number | undefined;
  boundaries: ReadonlyArray<{ key: string; since: string | null }>;
}

/** Owed principal grouped by level and aging bucket (charges due on or before asOf, owed > 0), within the scope. */
export function arrears(db: Q, scope: Scope, q: ArrearsQuery) {
  const key = { project: 'o.project_id', building: 'o.building_id', house: 'o.house_id', owner: 'o.ownership_id' }[q.level];
  let inner = owedPerCharge(db, q.asOf).where('charge.due_date', '<=', q.asOf)
    .where(() => scopeWhere(scope, { project: 'charge.project_id', building: 'house.building_id' }));
  if (q.projectId !== undefined) inner = inner.where('charge.project_id', '=', q.projectId);
  if (q.buildingId !== undefined) inner = inner.where('house.building_id', '=', q.buildingId);
  if (q.level === 'owner') inner = inner.where('charge.bill_to', '=', 'owner');
  // Bucket each charge in a subquery, then group by plain columns (PostgreSQL does not match a parameterised CASE in
  // GROUP BY to the same expression in SELECT).
  const bucketed = db.selectFrom(inner.as('o'))
    .select([sql<number>`${sql.ref(key)}`.as('key'), agingCase(q.boundaries).as('bucket'), 'o.owed'])
    .where('o.owed', '>', 0);
  return db.selectFrom(bucketed.as('b'))
    .select(['b.key', 'b.bucket', (eb) => eb.fn.sum<number>('b.owed').as('owed'), (eb) => eb.fn.countAll<number>().as('charges')])
    .groupBy(['b.key', 'b.bucket'])
    .execute();
}

/** Payments received in a date range, by channel. */
export function receivedByChannel(db: Q, projectId: number, from: string, to: string, recordedBy?: string) {
  // Money that moved in or out: not the book entries between a house's prepaid account and its charges.
  let q = db.selectFrom('payment').select(['channel', (eb) => eb.fn.sum<number>('amount_fen').as('amount'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('kind', 'in', ['payment', 'reversal', 'refund']).where('project_id', '=', projectId).where('received_on', '>=', from).where('received_on', '<=', to);
  if (recordedBy) q = q.where('recorded_by', '=', recordedBy);
  return q.groupBy('channel').orderBy('channel').execute();
}

/** Allocations of payments received in a range, by fee item and by whether the charge's month is before `currentFrom`. */
export function allocatedByItem(db: Q, projectId: number, from: string, to: string, currentFrom: string, recordedBy?: string) {
  let inner = db.selectFrom('allocation').innerJoin('payment', 'payment.id', 'allocation.payment_id')
    .innerJoin('charge', 'charge.id', 'allocation.charge_id').innerJoin('fee_item', 'fee_item.id', 'charge.fee_item_id')
    .select(['fee_item.name as item', 'allocation.component', 'allocation.amount_fen',
      sql<string>`case when charge.period < ${currentFrom} then 'arrears' else 'current' end`.as('kind')])
    .where('payment.project_id', '=', projectId).where('payment.received_on', '>=', from).where('payment.received_on', '<=', to);
  if (recordedBy) inner = inner.where('payment.recorded_by', '=', recordedBy);
  return db.selectFrom(inner.as('x'))
    .select(['x.item', 'x.component', 'x.kind', (eb) => eb.fn.sum<number>('x.amount_fen').as('amount')])
    .groupBy(['x.item', 'x.component', 'x.kind'])
    .execute();
}

export function prepaidIn(db: Q, projectId: number, from: string, to: string, recordedBy?: string) {
  let q = db.selectFrom('prepaid_entry').innerJoin('payment', 'payment.id', 'prepaid_entry.payment_id')
    .select((eb) => eb.fn.sum<number>('prepaid_entry.amount_fen').as('amount'))
    .where('payment.project_id', '=', projectId).where('payment.received_on', '>=', from).where('payment.received_on', '<=', to);
  if (recordedBy) q = q.where('payment.recorded_by', '=', recordedBy);
  return q.executeTakeFirstOrThrow();
}

/** Principal of a charge paid by a day (allocations of payments received by then). */
const paidByDay = (day: string) => sql<number>`(select coalesce(sum(al.amount_fen), 0) from allocation al join payment p on p.id = al.payment_id
  where al.charge_id = charge.id and al.component = 'principal' and p.received_on <= ${day})`;
/** Principal of a charge paid before a day, and in [from, to]. */
const paidBefore = (day: string) => sql<number>`(select coalesce(sum(al.amount_fen), 0) from allocation al join payment p on p.id = al.payment_id
  where al.charge_id = charge.id and al.component = 'principal' and p.received_on < ${day})`;
const paidWithin = (from: string, to: string) => sql<number>`(select coalesce(sum(al.amount_fen), 0) from allocation al join payment p on p.id = al.payment_id
  where al.charge_id = charge.id and al.component = 'principal' and p.received_on >= ${from} and p.received_on <= ${to})`;

/** Principal billed for charges due in [from, to] and collected on them by `paidBy` (the current-period rate). */
export function billedAndCollected(db: Q, projectId: number, from: string, to: string, paidBy: string) {
  return db.selectFrom('charge')
    .select([(eb) => eb.fn.sum<number>('charge.amount_fen').as('billed'), sql<number>`sum(${paidByDay(paidBy)})`.as('collected')])
    .where('charge.project_id', '=', projectId).where('charge.due_date', '>=', from).where('charge.due_date', '<=', to)
    .executeTakeFirstOrThrow();
}

/** Principal owed at the end of `before` on charges due before `dueBefore`, and recovered on them in [from, to]. */
export function arrearsRecovery(db: Q, projectId: number, dueBefore: string, from: string, to: string) {
  return db.selectFrom('charge')
    .select([sql<number>`sum(charge.amount_fen - ${paidBefore(from)})`.as('opening'), sql<number>`sum(${paidWithin(from, to)})`.as('recovered')])
    .where('charge.project_id', '=', projectId).where('charge.due_date', '<', dueBefore)
    .executeTakeFirstOrThrow();
}

/**
 * The same four amounts per house (for rates per collector or building, summed over their houses): billed and
 * collected for charges due in [from, to]; opening arrears and recovered for charges due before `from`.
 */
export function collectionByHouse(db: Q, projectId: number, from: string, to: string, paidBy: string) {
  const current = sql<number>`case when charge.due_date >= ${from} and charge.due_date <= ${to} then 1 else 0 end`;
  const earlier = sql<number>`case when charge.due_date < ${from} then 1 else 0 end`;
  return db.selectFrom('charge')
    .select(['charge.house_id',
      sql<number>`sum(${current} * charge.amount_fen)`.as('billed'), sql<number>`sum(${current} * ${paidByDay(paidBy)})`.as('collected'),
      sql<number>`sum(${earlier} * (charge.amount_fen - ${paidBefore(from)}))`.as('opening'), sql<number>`sum(${earlier} * ${paidWithin(from, paidBy)})`.as('recovered')])
    .where('charge.project_id', '=', projectId).where('charge.house_id', 'is not', null).where('charge.due_date', '<=', to)
    .groupBy('charge.house_id').execute();
}

/**
 * One chunk of per-house arrears for an export: the next `limit` houses after `afterHouseId` (keyset order) that owe
 * something, with their names and owed principal per aging bucket. Memory stays bounded however large the project.
 */
export async function arrearsHouseChunk(db: Q, scope: Scope, q: { asOf: string; projectId?: number | undefined; boundaries: ArrearsQuery['boundaries'] }, afterHouseId: number, limit: number) {
  let inner = owedPerCharge(db, q.asOf).where('charge.due_date', '<=', q.asOf).where('charge.house_id', '>', afterHouseId)
    .where(() => scopeWhere(scope, { project: 'charge.project_id', building: 'house.building_id' }));
  if (q.projectId !== undefined) inner = inner.where('charge.project_id', '=', q.projectId);
  const bucketed = db.selectFrom(inner.as('o')).select(['o.house_id', agingCase(q.boundaries).as('bucket'), 'o.owed']).where('o.owed', '>', 0);
  const grouped = await db.selectFrom(bucketed.as('b'))
    .select(['b.house_id', 'b.bucket', (eb) => eb.fn.sum<number>('b.owed').as('owed'), (eb) => eb.fn.countAll<number>().as('charges')])
    .where('b.house_id', 'in', (eb) => eb.selectFrom(bucketed.as('k')).select('k.house_id').distinct().orderBy('k.house_id').limit(limit))
    .groupBy(['b.house_id', 'b.bucket']).execute();
  const ids = [...new Set(grouped.map((g) => Number(g.house_id)))];
  const names = ids.length === 0 ? [] : await db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id').innerJoin('project', 'project.id', 'house.project_id')
    .select(['house.id', 'house.number', 'building.name as building_name', 'project.name as project_name'])
    .select((eb) => [sql<string | null>`(select ${sql.raw(groupConcat(db, 'o.name'))} from ownership s join ownership_owner so on so.ownership_id = s.id join owner o on o.id = so.owner_id where s.house_id = ${eb.ref('house.id')} and s.to_date is null)`.as('owner_names')])
    .where('house.id', 'in', ids).orderBy('house.id').execute();
  return names.map((n) => ({
    houseId: n.id, project: n.project_name, building: n.building_name, number: n.number, owners: n.owner_names ?? '',
    buckets: Object.fromEntries(grouped.filter((g) => Number(g.house_id) === n.id).map((g) => [g.bucket, Number(g.owed)])),
    charges: grouped.filter((g) => Number(g.house_id) === n.id).reduce((s, g) => s + Number(g.charges), 0),
  }));
}

/** Human labels for arrears keys: project and building names, "楼栋 房号" for houses, owner names and house for owners. */
export async function arrearsLabels(db: Q, level: ArrearsLevel, keys: number[]): Promise<Map<number, { label: string; houseId: number | null }>> {
  const out = new Map<number, { label: string; houseId: number | null }>();
  if (keys.length === 0) return out;
  if (level === 'project') {
    for (const r of await db.selectFrom('project').select(['id', 'name']).where('id', 'in', keys).execute()) out.set(r.id, { label: r.name, houseId: null });
  } else if (level === 'building') {
    for (const r of await db.selectFrom('building').innerJoin('project', 'project.id', 'building.project_id').select(['building.id', 'building.name', 'project.name as project']).where('building.id', 'in', keys).execute()) {
      out.set(r.id, { label: `${r.project} ${r.name}`, houseId: null });
    }
  } else if (level === 'house') {
    for (const r of await db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id').select(['house.id', 'house.number', 'building.name']).where('house.id', 'in', keys).execute()) {
      out.set(r.id, { label: `${r.name} ${r.number}`, houseId: r.id });
    }
  } else {
    const rows = await db.selectFrom('ownership').innerJoin('house', 'house.id', 'ownership.house_id').innerJoin('ownership_owner', 'ownership_owner.ownership_id', 'ownership.id')
      .innerJoin('owner', 'owner.id', 'ownership_owner.owner_id')
      .select(['ownership.id', 'house.id as house_id', 'house.number', 'owner.name', 'ownership.from_date', 'ownership.to_date'])
      .where('ownership.id', 'in', keys).orderBy('ownership_owner.is_primary', 'desc').execute();
    for (const r of rows) {
      const cur = out.get(r.id);
      const names = cur ? `${cur.label.split('（')[0]}、${r.name}` : r.name;
      out.set(r.id, { label: `${names}（${r.number}，${r.from_date} 至 ${r.to_date ?? '今'}）`, houseId: r.house_id });
    }
  }
  return out;
}
