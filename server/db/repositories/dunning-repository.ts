import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB, DunningActionTable } from '../schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

/**
 * Principal still owed by owners per house, ownership and billing period, as of a day, for periods due on or before
 * `dueUntil` (later than asOf when pre-due reminders look ahead). The ledger's definition of what a charge still owes,
 * the same as owedPerCharge (ledger-repository.ts) that every report reads: the charge's amount plus its adjustment
 * and discount entries minus the principal allocated by payments received on or before asOf, for charges that are not
 * themselves adjustments. owedPerCharge aggregates the allocations of the whole ledger before it joins them (right for
 * one report over everything); here they are summed per charge of this one project through the charge indexes, so a
 * project's plan reads its own rows only, however large the ledger. (A join against the project's aggregated
 * allocations is no better on SQLite, and PostgreSQL answers it by scanning every project's allocations and payments.
 * PostgreSQL prices these per-charge subqueries so high that it would JIT-compile the query, ~0.5 s each time: the
 * caller reads with JIT off, see loadFacts.)
 */
export function owedByPayerPeriod(db: Q, projectId: number, asOf: string, dueUntil: string, houseIds?: readonly number[]) {
  let perCharge = db.selectFrom('charge')
    .select(['charge.house_id', 'charge.ownership_id', 'charge.period', 'charge.due_date',
      sql<number>`charge.amount_fen
        + coalesce((select sum(adj.amount_fen) from charge adj where adj.adjusts_charge_id = charge.id), 0)
        - coalesce((select sum(al.amount_fen) from allocation al join payment p on p.id = al.payment_id
            where al.charge_id = charge.id and al.component = 'principal' and p.received_on <= ${asOf}), 0)`.as('owed')])
    .where('charge.adjusts_charge_id', 'is', null).where('charge.house_id', 'is not', null)
    .where('charge.project_id', '=', projectId).where('charge.bill_to', '=', 'owner').where('charge.due_date', '<=', dueUntil);
  if (houseIds) perCharge = perCharge.where('charge.house_id', 'in', houseIds.length ? [...houseIds] : [-1]);
  // Materialised, so that each charge's subqueries run once: SQLite would otherwise copy the owed expression into both
  // the SELECT's and the HAVING's sum().
  return db.with((cte) => cte('o').materialized(), () => perCharge)
    .selectFrom('o')
    .select(['o.house_id', 'o.ownership_id', 'o.period', (eb) => eb.fn.min<string>('o.due_date').as('due_date'), (eb) => eb.fn.sum<number>('o.owed').as('owed')])
    .groupBy(['o.house_id', 'o.ownership_id', 'o.period'])
    .having((eb) => eb.fn.sum('o.owed'), '>', 0)
    .orderBy('o.house_id').orderBy('o.ownership_id').orderBy('o.period')
    .execute();
}

/** Days on which a principal payment reached each period (partial performance interrupts limitation, R13(b)). */
export function paymentDaysByPeriod(db: Q, projectId: number, asOf: string, houseIds?: readonly number[]) {
  let q = db.selectFrom('allocation').innerJoin('payment', 'payment.id', 'allocation.payment_id').innerJoin('charge', 'charge.id', 'allocation.charge_id')
    .select(['charge.house_id', 'charge.ownership_id', 'charge.period', (eb) => eb.fn.max<string>('payment.received_on').as('last_on')])
    .where('charge.project_id', '=', projectId).where('charge.bill_to', '=', 'owner').where('allocation.component', '=', 'principal')
    .where('allocation.amount_fen', '>', 0).where('payment.received_on', '<=', asOf).where('payment.kind', '=', 'payment');
  if (houseIds) q = q.where('charge.house_id', 'in', houseIds.length ? [...houseIds] : [-1]);
  return q.groupBy(['charge.house_id', 'charge.ownership_id', 'charge.period']).execute();
}

export const CASE_COLUMNS = ['id', 'project_id', 'house_id', 'ownership_id', 'cycle', 'state', 'step_index', 'category', 'promised_on', 'excluded', 'excluded_reason',
  'written_off', 'owed_fen', 'anchor_due', 'next_action_at', 'next_key', 'why', 'opened_on', 'resolved_on', 'updated_at'] as const;

/** What a plan reads of a case. */
export const CASE_FACT_COLUMNS = ['id', 'house_id', 'ownership_id', 'cycle', 'state', 'category', 'promised_on', 'excluded', 'written_off'] as const;

/** The plan's view of the cases of a project (or of some of its houses). */
export function caseFactsOfProject(db: Q, projectId: number, houseIds?: readonly number[]) {
  let q = db.selectFrom('collection_case').select(CASE_FACT_COLUMNS).where('project_id', '=', projectId);
  if (houseIds) q = q.where('house_id', 'in', houseIds.length ? [...houseIds] : [-1]);
  return q.orderBy('id').execute();
}

export function casesOfProject(db: Q, projectId: number, houseIds?: readonly number[]) {
  let q = db.selectFrom('collection_case').select(CASE_COLUMNS).where('project_id', '=', projectId);
  if (houseIds) q = q.where('house_id', 'in', houseIds.length ? [...houseIds] : [-1]);
  return q.orderBy('id').execute();
}

export function findCase(db: Q, id: number) {
  return db.selectFrom('collection_case').select(CASE_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export const ACTION_COLUMNS = ['id', 'case_id', 'project_id', 'house_id', 'kind', 'step_key', 'name', 'channel', 'cycle_key', 'due_on', 'actor', 'approval', 'status',
  'late', 'reason', 'periods_json', 'owed_fen', 'planned_at', 'decided_by', 'decided_at', 'decision_note', 'done_at', 'done_by', 'delivered_on', 'delivery_proof',
  'closed_reason', 'not_before'] as const;

/** Actions of the given cases (all statuses), oldest first. */
export function actionsOfCases(db: Q, caseIds: readonly number[]) {
  return db.selectFrom('dunning_action').select(ACTION_COLUMNS).where('case_id', 'in', caseIds.length ? [...caseIds] : [-1]).orderBy('id').execute();
}

/** What a plan reads of a case's actions (all statuses): the exactly-once key, status, kind and when it was done. */
export const ACTION_FACT_COLUMNS = ['id', 'case_id', 'kind', 'step_key', 'channel', 'cycle_key', 'status', 'done_at', 'delivered_on'] as const;

/** The plan's view of the actions of the given cases, oldest first. */
export function actionFactsOfCases(db: Q, caseIds: readonly number[]) {
  return db.selectFrom('dunning_action').select(ACTION_FACT_COLUMNS).where('case_id', 'in', caseIds.length ? [...caseIds] : [-1]).orderBy('id').execute();
}

/** The plan's view of the actions of every case of a project (an action's project is its case's), oldest first. */
export function actionFactsOfProject(db: Q, projectId: number) {
  return db.selectFrom('dunning_action').select(ACTION_FACT_COLUMNS).where('project_id', '=', projectId).orderBy('id').execute();
}

/** Open pauses of every case of a project. */
export function openPausesOfProject(db: Q, projectId: number) {
  return db.selectFrom('case_pause').innerJoin('collection_case', 'collection_case.id', 'case_pause.case_id').selectAll('case_pause')
    .where('collection_case.project_id', '=', projectId).where('case_pause.ended_at', 'is', null).orderBy('case_pause.id').execute();
}

/** Open service tickets of every case of a project. */
export function openTicketsOfProject(db: Q, projectId: number) {
  return db.selectFrom('service_ticket').select(['id', 'case_id']).where('project_id', '=', projectId).where('status', '=', 'open').execute();
}

export function findAction(db: Q, id: number) {
  return db.selectFrom('dunning_action').select(ACTION_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The pause of a case in force on a day (not ended, and not expired), if any. */
export function pauseInForce(db: Q, caseId: number, today: string) {
  return db.selectFrom('case_pause').select(['kind', 'reason']).where('case_id', '=', caseId).where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>=', today)])).executeTakeFirst();
}

export function openPausesOfCases(db: Q, caseIds: readonly number[]) {
  return db.selectFrom('case_pause').selectAll().where('case_id', 'in', caseIds.length ? [...caseIds] : [-1]).where('ended_at', 'is', null).orderBy('id').execute();
}

export function openTicketsOfCases(db: Q, caseIds: readonly number[]) {
  return db.selectFrom('service_ticket').select(['id', 'case_id']).where('case_id', 'in', caseIds.length ? [...caseIds] : [-1]).where('status', '=', 'open').execute();
}

export function limitationEventsOf(db: Q, houseIds: readonly number[]) {
  return db.selectFrom('limitation_event').select(['house_id', 'ownership_id', 'period', 'kind', 'on_date'])
    .where('house_id', 'in', houseIds.length ? [...houseIds] : [-1]).orderBy('on_date').execute();
}

export function latestPolicy(db: Q, projectId: number) {
  return db.selectFrom('dunning_policy').select(['version', 'policy_json', 'created_by', 'created_at']).where('project_id', '=', projectId)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** Insert an action unless its exactly-once key exists; its id when this call created it. */
export async function insertActionOnce(db: Q, row: Insertable<DunningActionTable>): Promise<number | undefined> {
  const r = await db.insertInto('dunning_action').values(row)
    .onConflict((oc) => oc.columns(['case_id', 'step_key', 'channel', 'cycle_key']).doNothing()).returning('id').executeTakeFirst();
  return r === undefined ? undefined : Number(r.id);
}

export function attemptsOfCases(db: Q, caseIds: readonly number[], since?: string) {
  let q = db.selectFrom('contact_attempt').selectAll().where('case_id', 'in', caseIds.length ? [...caseIds] : [-1]);
  if (since) q = q.where('at', '>=', since);
  return q.orderBy('at').orderBy('id').execute();
}

/** A house's contact attempts since an instant (the caps count every contact with its owner, whatever the case). */
export function attemptsOfHouse(db: Q, houseId: number, since: string) {
  return db.selectFrom('contact_attempt').select(['at', 'channel', 'contact_id', 'outcome']).where('house_id', '=', houseId).where('at', '>=', since)
    .orderBy('at').orderBy('id').execute();
}

/** A project's contact attempts since an instant (the contact rules' history for planning). */
export function attemptsOfProject(db: Q, projectId: number, since: string) {
  return db.selectFrom('contact_attempt').select(['case_id', 'at', 'channel', 'contact_id', 'outcome']).where('project_id', '=', projectId).where('at', '>=', since)
    .orderBy('at').orderBy('id').execute();
}

/** The usable phones of the owners of some ownerships (a hard case's call windows depend on mobile or landline). */
export async function phonesOfOwnerships(db: Q, ownershipIds: readonly number[]) {
  const out: { ownership_id: number; id: number; kind: string }[] = [];
  for (let i = 0; i < ownershipIds.length; i += 1000) {
    out.push(...await db.selectFrom('ownership_owner').innerJoin('contact', 'contact.owner_id', 'ownership_owner.owner_id')
      .select(['ownership_owner.ownership_id', 'contact.id', 'contact.kind']).where('ownership_owner.ownership_id', 'in', ownershipIds.slice(i, i + 1000))
      .where('contact.kind', 'in', ['手机', '固话']).where('contact.status', 'in', ['有效', '未核实']).orderBy('contact.id').execute());
  }
  return out;
}

/** Ownerships of a project (or of some houses) with an owner tagged 特殊关怀 (the gentle path). */
export function specialCareOwnerships(db: Q, projectId: number, houseIds?: readonly number[]) {
  let q = db.selectFrom('owner_tag').innerJoin('ownership_owner', 'ownership_owner.owner_id', 'owner_tag.owner_id')
    .innerJoin('ownership', 'ownership.id', 'ownership_owner.ownership_id').innerJoin('house', 'house.id', 'ownership.house_id')
    .select('ownership_owner.ownership_id').distinct().where('owner_tag.tag', '=', '特殊关怀').where('house.project_id', '=', projectId);
  if (houseIds) q = q.where('house.id', 'in', houseIds.length ? [...houseIds] : [-1]);
  return q.execute();
}
