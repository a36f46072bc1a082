import { hasWholeProject } from '../../../core/access/roles.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import { formatYuan } from '../../../core/money.ts';
import { addDays } from '../../../core/billing/periods.ts';
import { isLocalDate, localDateOf } from '../../../core/dates.ts';
import { limitationOf, type InterruptionEvent, type InterruptionKind } from '../../../core/dunning/limitation.ts';
import { planCase, type CaseInput, type CasePlan, type PauseKind, type PeriodDebt } from '../../../core/dunning/planner.ts';
import { DEFAULT_POLICY, validatePolicy, type DunningPolicy } from '../../../core/dunning/policy.ts';
import type { Category } from '../../../core/dunning/categories.ts';
import { attemptOf, isHardCase, scheduler, type ContactFacts } from '../../../core/dunning/schedule.ts';
import { maskMobile } from '../../../core/registry/mask.ts';
import type { ContactKind } from '../../../core/registry/vocabulary.ts';
import { portalSenderName, ticketTopic } from '../../../core/portal/vocabulary.ts';
import { PostgresAdapter, sql, type Transaction } from 'kysely';
import * as repo from '../../db/repositories/dunning-repository.ts';
import type { DB } from '../../db/schema.ts';
import { audit } from '../audit/audit.ts';
import { inTransaction, nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { systemActor } from '../setup/bootstrap.ts';
import { enqueueMessage, templateForStep } from '../notices/outbox-queue.ts';

type Db = ServiceContext['db'] | Transaction<DB>;

/** Channels whose delivery is a 催告 that starts the R7 deadline and interrupts limitation (R13(a)). */
export const DEMAND_CHANNELS: ReadonlySet<string> = new Set(['demand_notice', 'second_demand', 'registered_letter', 'lawyer_letter']);
export const OPEN_STATUSES = ['open', 'awaiting_approval'] as const;

// ---- policy -------------------------------------------------------------------------------------------------------

export async function policyOf(db: Db, projectId: number): Promise<{ policy: DunningPolicy; version: number; createdBy: string | null; createdAt: string | null }> {
  const row = await repo.latestPolicy(db, projectId);
  if (!row) return { policy: DEFAULT_POLICY, version: 0, createdBy: null, createdAt: null };
  return { policy: JSON.parse(row.policy_json) as DunningPolicy, version: row.version, createdBy: row.created_by, createdAt: row.created_at };
}

export async function getPolicy(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  const p = await policyOf(ctx.db, projectId);
  return { ...p, isDefault: p.version === 0 };
}

/**
 * Save a new version of a project's ladder. Validation refuses prohibited measures (R1–R5, R49) and an unsigned
 * public notice (R46) with the legal reason per field; nothing is stored then.
 */
export async function savePolicy(ctx: ServiceContext, actor: Actor, projectId: number, input: unknown) {
  requireRole(actor, 'dunning.configure');
  await getProjectOrThrow(ctx, actor, projectId);
  const v = validatePolicy(input);
  if (!v.ok) {
    const prohibited = v.issues.find((i) => i.rule !== null && /^R[1-5]$|^R49$/.test(i.rule));
    const details = v.issues.map((i) => ({ field: i.field, code: (prohibited && i === prohibited ? 'PROHIBITED_ACTION' : 'VALIDATION_FAILED') as 'VALIDATION_FAILED', message: i.message }));
    throw new AppError(prohibited ? 'PROHIBITED_ACTION' : 'VALIDATION_FAILED', v.issues.map((i) => i.message).join('；'), details);
  }
  return ctx.db.transaction().execute(async (trx) => {
    const { version } = await policyOf(trx, projectId);
    const createdAt = nowIso(ctx);
    await trx.insertInto('dunning_policy').values({ project_id: projectId, version: version + 1, policy_json: JSON.stringify(v.policy), created_by: actor.name, created_at: createdAt }).execute();
    await audit(trx, ctx, actor, { action: 'dunning.policy', entity: 'project', entityId: projectId, projectId, after: { version: version + 1, steps: v.policy.steps.map((s) => s.key) } });
    return { policy: v.policy, version: version + 1, createdBy: actor.name, createdAt, isDefault: false };
  });
}

// ---- the facts a plan is made from ---------------------------------------------------------------------------------

type CaseRow = Awaited<ReturnType<typeof repo.caseFactsOfProject>>[number];
type ActionRow = Awaited<ReturnType<typeof repo.actionFactsOfCases>>[number];

export interface PayerFacts {
  houseId: number;
  ownershipId: number;
  row: CaseRow | null;
  /** The cycle the plan is for: the case's, or the next one when a resolved case owes again. */
  cycle: number;
  reopen: boolean;
  input: CaseInput;
  /** The case's actions (all statuses) as the plan reads them: key, status, kind, when done. */
  actions: ActionRow[];
  /** What the contact rules need to place the action in time: special care, hard case, phones, recent attempts. */
  contact: ContactFacts;
}

/** How far back the contact rules look: the current week's SMS and today's calls. */
const HISTORY_DAYS = 8;

const dayOf = (iso: string, tz: string) => localDateOf(new Date(iso), tz);

/**
 * Whether a period due on `dueDate` may be time-barred on `asOf`. Interruptions only ever move the expiry later, and
 * without them a period runs at least until the same day three years on (limitation.ts), so a later asOf is needed
 * before the events are worth reading. (For a 29 February the unclamped day is compared: no asOf equals it.)
 */
const mayBeBarred = (dueDate: string, asOf: string) => dueDate < asOf && asOf > `${Number(dueDate.slice(0, 4)) + 3}${dueDate.slice(4)}`;

/** The key of one payer's billing period: `house:ownership:period`. */
export const periodKey = (houseId: number | null, ownershipId: number | null, period: string) => `${houseId}:${ownershipId}:${period}`;

/**
 * What interrupted the limitation of each payer's period (R13): the recorded events (delivered demands, plans,
 * acknowledgements, filings, mediation) and the last day a principal payment reached it (partial performance).
 * limitationOf ignores events after its as-of date.
 */
export function interruptionsByPeriod(
  events: ReadonlyArray<{ house_id: number; ownership_id: number; period: string; kind: string; on_date: string }>,
  paid: ReadonlyArray<{ house_id: number | null; ownership_id: number | null; period: string; last_on: string }>,
): Map<string, InterruptionEvent[]> {
  const out = new Map<string, InterruptionEvent[]>();
  const add = (k: string, e: InterruptionEvent) => (out.get(k) ?? out.set(k, []).get(k)!).push(e);
  for (const e of events) add(periodKey(e.house_id, e.ownership_id, e.period), { on: e.on_date, kind: e.kind as InterruptionKind });
  for (const p of paid) if (p.ownership_id !== null) add(periodKey(p.house_id, p.ownership_id, p.period), { on: p.last_on, kind: 'partial_payment' });
  return out;
}

/**
 * Everything the planner needs for the payers of a project (or of some houses), read in one pass: what each payer owes
 * per period, the cases, and for the cases their actions, open pauses and open tickets. Limitation events and the days
 * payments reached a period are read only when some owed period is old enough to be time-barred.
 *
 * On PostgreSQL (outside a caller's transaction) the reads share one repeatable-read, read-only transaction, so the
 * ledger and the cases are seen at the same instant, with JIT compilation off: the owed query's per-charge subqueries
 * are priced far above jit_above_cost, and compiling them costs more than running them.
 */
export async function loadFacts(db: Db, projectId: number, timeZone: string, policy: DunningPolicy, asOf: string, now: Date, houseIds?: readonly number[]): Promise<PayerFacts[]> {
  if (db.isTransaction || !(db.getExecutor().adapter instanceof PostgresAdapter)) return readFacts(db, projectId, timeZone, policy, asOf, now, houseIds);
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    return readFacts(trx, projectId, timeZone, policy, asOf, now, houseIds);
  });
}

async function readFacts(db: Db, projectId: number, timeZone: string, policy: DunningPolicy, asOf: string, now: Date, houseIds?: readonly number[]): Promise<PayerFacts[]> {
  const lead = Math.max(0, ...policy.steps.filter((s) => s.enabled && s.anchor === 'due' && s.offsetDays < 0).map((s) => -s.offsetDays));
  const [owed, cases, gentle] = await Promise.all([
    repo.owedByPayerPeriod(db, projectId, asOf, addDays(asOf, lead), houseIds),
    repo.caseFactsOfProject(db, projectId, houseIds),
    repo.specialCareOwnerships(db, projectId, houseIds),
  ]);
  const specialCare = new Set(gentle.map((g) => g.ownership_id));
  const old = owed.some((o) => o.ownership_id !== null && o.house_id !== null && mayBeBarred(o.due_date, asOf));
  const [allEvents, paid] = !old ? [[], []] : await Promise.all([
    houseIds ? repo.limitationEventsOf(db, houseIds) : db.selectFrom('limitation_event').innerJoin('house', 'house.id', 'limitation_event.house_id')
      .select(['limitation_event.house_id', 'limitation_event.ownership_id', 'limitation_event.period', 'limitation_event.kind', 'limitation_event.on_date'])
      .where('house.project_id', '=', projectId).execute(),
    repo.paymentDaysByPeriod(db, projectId, asOf, houseIds),
  ]);
  const caseIds = cases.map((c) => c.id);
  const none = caseIds.length === 0;
  // The contact history from the earlier of the planning instant and the as-of day, so a preview of a past day sees it.
  const since = new Date(Math.min(now.getTime(), Date.parse(`${asOf}T00:00:00Z`)) - HISTORY_DAYS * 86_400_000).toISOString();
  const hard = cases.filter((c) => c.state !== 'resolved' && isHardCase(c.category as Category | null)).map((c) => c.ownership_id);
  const [actions, pauses, tickets, attempts, phones] = none ? [[], [], [], [], []] : await Promise.all(houseIds
    ? [repo.actionFactsOfCases(db, caseIds), repo.openPausesOfCases(db, caseIds), repo.openTicketsOfCases(db, caseIds), repo.attemptsOfCases(db, caseIds, since),
      repo.phonesOfOwnerships(db, hard)] as const
    : [repo.actionFactsOfProject(db, projectId), repo.openPausesOfProject(db, projectId), repo.openTicketsOfProject(db, projectId), repo.attemptsOfProject(db, projectId, since),
      repo.phonesOfOwnerships(db, hard)] as const);

  const key = (h: number, o: number) => `${h}:${o}`;
  const debtsOf = new Map<string, PeriodDebt[]>();
  const eventsOf = interruptionsByPeriod(allEvents, paid);
  for (const o of owed) {
    if (o.ownership_id === null || o.house_id === null) continue;
    const k = key(o.house_id, o.ownership_id);
    const barred = mayBeBarred(o.due_date, asOf) && limitationOf({ period: o.period, dueDate: o.due_date, events: eventsOf.get(periodKey(o.house_id, o.ownership_id, o.period)) ?? [], asOf }).state === 'expired';
    (debtsOf.get(k) ?? debtsOf.set(k, []).get(k)!).push({ period: o.period, dueDate: o.due_date, owedFen: Number(o.owed), timeBarred: barred });
  }
  const caseOf = new Map(cases.map((c) => [key(c.house_id, c.ownership_id), c]));
  const byCase = new Map<number, ActionRow[]>();
  for (const a of actions) (byCase.get(a.case_id) ?? byCase.set(a.case_id, []).get(a.case_id)!).push(a);
  const pauseOf = new Map(pauses.map((p) => [p.case_id, p]));
  const ticketOpen = new Set(tickets.map((t) => t.case_id));
  const historyOf = new Map<number, ContactFacts['history'][number][]>();
  for (const a of attempts) (historyOf.get(a.case_id) ?? historyOf.set(a.case_id, []).get(a.case_id)!).push(attemptOf(a));
  const phonesOf = new Map<number, { number: string; kind: ContactKind }[]>();
  for (const p of phones) (phonesOf.get(p.ownership_id) ?? phonesOf.set(p.ownership_id, []).get(p.ownership_id)!).push({ number: String(p.id), kind: p.kind as ContactKind });

  const facts: PayerFacts[] = [];
  for (const k of new Set([...debtsOf.keys(), ...caseOf.keys()])) {
    const row = caseOf.get(k) ?? null;
    const debts = debtsOf.get(k) ?? [];
    const [houseId, ownershipId] = k.split(':').map(Number) as [number, number];
    if (!row && debts.length === 0) continue;
    const reopen = row !== null && row.state === 'resolved' && debts.length > 0;
    const cycle = row ? row.cycle + (reopen ? 1 : 0) : 1;
    const mine = row ? byCase.get(row.id) ?? [] : [];
    const cycleKey = String(cycle);
    const doneHere = mine.filter((a) => a.status === 'done' && (a.cycle_key === cycleKey || a.cycle_key.startsWith(`${cycleKey}:`)));
    const done = doneHere.filter((a) => a.kind === 'step').map((a) => ({ key: a.step_key, on: a.delivered_on ?? dayOf(a.done_at!, timeZone) }))
      .sort((a, b) => a.on.localeCompare(b.on));
    const demandDays = doneHere.filter((a) => DEMAND_CHANNELS.has(a.channel) && a.delivered_on !== null).map((a) => a.delivered_on!).sort();
    const pause = row && !reopen ? pauseOf.get(row.id) : undefined;
    const category = reopen ? null : (row?.category as Category | null) ?? null;
    facts.push({
      houseId, ownershipId, row, cycle, reopen, actions: mine,
      contact: {
        specialCare: specialCare.has(ownershipId), hardCase: isHardCase(category),
        phones: isHardCase(category) ? phonesOf.get(ownershipId) ?? [] : [], history: row ? historyOf.get(row.id) ?? [] : [],
      },
      input: {
        caseId: row?.id ?? 0, cycle, debts, done,
        followUpsDone: doneHere.filter((a) => a.kind === 'follow_up').map((a) => `${a.step_key}@${a.cycle_key}`),
        pause: pause ? { kind: pause.kind as PauseKind, until: pause.until } : null,
        excluded: row?.excluded === 1, writtenOff: row?.written_off === 1,
        category,
        promisedOn: reopen ? null : row?.promised_on ?? null,
        openTicket: row !== null && !reopen && ticketOpen.has(row.id),
        demandDeliveredOn: demandDays.at(-1) ?? null,
        specialCare: specialCare.has(ownershipId),
      },
    });
  }
  return facts.sort((a, b) => a.houseId - b.houseId || a.ownershipId - b.ownershipId);
}

// ---- preview and commit ---------------------------------------------------------------------------------------------

export interface SweepLine {
  caseId: number | null; houseId: number; house: string; ownershipId: number; state: string; owedFen: number;
  action: CasePlan['action']; exists: boolean; nextActionAt: string | null; why: string; skipped: CasePlan['skipped'];
}
export interface SweepReport {
  projectId: number; asOf: string; dryRun: boolean; policyVersion: number; cases: number; actions: number; created: number; existing: number;
  resolved: number; superseded: number; lines: SweepLine[];
}

async function houseLabels(db: Db, houseIds: number[]) {
  const rows = await db.selectFrom('house').innerJoin('building', 'building.id', 'house.building_id')
    .select(['house.id', 'house.number', 'building.name']).where('house.id', 'in', houseIds.length ? houseIds : [-1]).execute();
  return new Map(rows.map((r) => [r.id, `${r.name} ${r.number}`]));
}

const keyOf = (a: { step_key: string; channel: string; cycle_key: string }) => `${a.step_key}|${a.channel}|${a.cycle_key}`;

/**
 * The daily sweep of a project, as of a day: every payer's case planned from the ledger and the case's history.
 * A dry run changes nothing and says what would happen and why; a run commits it. Each action is written at most once
 * (the unique key case × step × channel × cycle), so two sweeps, at once or one after the other, do it once.
 */
export async function sweep(ctx: ServiceContext, actor: Actor, projectId: number, asOf: string, opts: { dryRun: boolean; houseIds?: readonly number[] }): Promise<SweepReport> {
  requireRole(actor, opts.dryRun ? 'dunning.read' : 'dunning.run');
  if (!isLocalDate(asOf)) throw fieldError('asOf', 'DATE_MALFORMED');
  const project = await getProjectOrThrow(ctx, actor, projectId);
  if (!opts.houseIds && !hasWholeProject(actor.scope, projectId)) throw new AppError('OUT_OF_SCOPE', '催缴批处理按整个项目运行，须负责整个项目');
  const { policy, version } = await policyOf(ctx.db, projectId);
  // Payment plans first: a missed instalment ends the plan's pause before the cases are planned.
  if (!opts.dryRun && !opts.houseIds) await checkPlans(ctx.db, projectId, asOf, nowIso(ctx));
  const at = ctx.clock.now();
  const facts = await loadFacts(ctx.db, projectId, project.time_zone, policy, asOf, at, opts.houseIds);
  // The contact rules place each action in its day (domain §5 defaults; core/dunning/schedule.ts).
  const schedule = scheduler(at, project.time_zone);
  const labels = await houseLabels(ctx.db, [...new Set(facts.map((f) => f.houseId))]);
  const report: SweepReport = { projectId, asOf, dryRun: opts.dryRun, policyVersion: version, cases: facts.length, actions: 0, created: 0, existing: 0, resolved: 0, superseded: 0, lines: [] };
  const now = nowIso(ctx);

  const CHUNK = 500;
  for (let i = 0; i < facts.length; i += CHUNK) {
    const chunk = facts.slice(i, i + CHUNK);
    const work = async (db: Db) => {
      for (const f of chunk) {
        const plan = schedule(planCase(policy, f.input, asOf), f.contact);
        const wanted = plan.action ? keyOf({ step_key: plan.action.key, channel: plan.action.channel, cycle_key: plan.action.cycleKey }) : null;
        const exists = wanted !== null && f.actions.some((a) => keyOf(a) === wanted);
        if (plan.action) report.actions++;
        if (plan.state === 'resolved' && f.row && f.row.state !== 'resolved') report.resolved++;
        report.lines.push({
          caseId: f.row?.id ?? null, houseId: f.houseId, house: labels.get(f.houseId) ?? String(f.houseId), ownershipId: f.ownershipId, state: plan.state,
          owedFen: f.input.debts.reduce((s, d) => s + d.owedFen, 0), action: plan.action, exists, nextActionAt: plan.nextActionAt, why: plan.why, skipped: plan.skipped,
        });
        if (opts.dryRun) { if (exists) report.existing++; else if (plan.action) report.created++; continue; }
        const caseId = await commitPlan(db, projectId, f, plan, asOf, now);
        if (plan.action) {
          const created = await repo.insertActionOnce(db, {
            case_id: caseId, project_id: projectId, house_id: f.houseId, kind: plan.action.kind, step_key: plan.action.key, name: plan.action.name,
            channel: plan.action.channel, cycle_key: plan.action.cycleKey, due_on: plan.action.dueOn, actor: plan.action.actor, approval: plan.action.approval,
            status: plan.action.approval ? 'awaiting_approval' : 'open', late: plan.action.late ? 1 : 0, reason: plan.action.reason,
            periods_json: JSON.stringify(plan.action.periods), owed_fen: plan.action.owedFen, planned_at: now, not_before: plan.action.notBefore,
          });
          if (created !== undefined) {
            report.created++;
            // The system's own steps (the SMS reminders) are messages: stored with the action, sent by the outbox worker.
            if (plan.action.actor === 'system' && plan.action.channel === 'sms') {
              await enqueueMessage(db, {
                projectId, houseId: f.houseId, ownershipId: f.ownershipId, caseId, actionId: created, channel: 'sms',
                template: templateForStep(policy.steps.find((s) => s.key === plan.action!.key)?.template, 'sms'), dedupKey: `action:${created}`,
                periods: plan.action.periods.map((p) => ({ period: p.period, dueDate: p.dueDate, owedFen: p.owedFen })), notBefore: plan.action.notBefore ?? now, createdBy: actor.name, at: now,
              });
            }
          } else {
            report.existing++;
            // The same task, still pending or superseded earlier (a pause, an exclusion, a write-off undone): brought up
            // to date (what is owed, when the contact rules allow it) and reopened, never duplicated.
            await db.updateTable('dunning_action').set({
              status: sql<string>`case when status in ('open', 'awaiting_approval') then status when approval is not null and decided_by is null then 'awaiting_approval' else 'open' end`,
              closed_reason: null, periods_json: JSON.stringify(plan.action.periods), owed_fen: plan.action.owedFen, reason: plan.action.reason, not_before: plan.action.notBefore,
            }).where('case_id', '=', caseId).where('step_key', '=', plan.action.key).where('channel', '=', plan.action.channel)
              .where('cycle_key', '=', plan.action.cycleKey).where('status', 'in', ['superseded', 'cancelled', ...OPEN_STATUSES]).execute();
          }
        }
        // One pending action per case: whatever else is still open is superseded (or cancelled once all is paid).
        const keep = plan.action ? { step: plan.action.key, channel: plan.action.channel, cycle: plan.action.cycleKey } : null;
        let q = db.updateTable('dunning_action').set({ status: plan.state === 'resolved' ? 'cancelled' : 'superseded', closed_reason: plan.state === 'resolved' ? '已结清' : '已由新的催缴任务取代' })
          .where('case_id', '=', caseId).where('status', 'in', [...OPEN_STATUSES]);
        if (keep) q = q.where((eb) => eb.or([eb('step_key', '!=', keep.step), eb('channel', '!=', keep.channel), eb('cycle_key', '!=', keep.cycle)]));
        report.superseded += Number((await q.executeTakeFirst()).numUpdatedRows);
      }
    };
    if (opts.dryRun) await work(ctx.db);
    else await ctx.db.transaction().execute(work);
  }
  if (!opts.dryRun && !opts.houseIds) {
    await audit(ctx.db, ctx, actor, { action: 'dunning.run', entity: 'project', entityId: projectId, projectId, after: { asOf, cases: report.cases, created: report.created, existing: report.existing, resolved: report.resolved } });
  }
  if (!opts.dryRun && facts.some((f) => f.row === null)) {
    // A complaint sent before its ownership had a case becomes the new case's ticket; its houses are planned again with
    // it (R10). Only a sweep that opened a case can find one (a later complaint goes to the case at once).
    const attached = await attachWaitingTickets(ctx, projectId, opts.houseIds);
    if (attached.length > 0) await sweep(ctx, actor, projectId, asOf, { dryRun: false, houseIds: attached });
  }
  return report;
}

/**
 * Complaints and repair requests sent from the owner portal while the ownership had no collection case wait without a
 * service ticket. Once its case is open (new, or reopened by a new debt), each becomes an open ticket of that case, so
 * that it holds the case's escalation until staff answer it (R10). Returns the houses that got one.
 */
async function attachWaitingTickets(ctx: ServiceContext, projectId: number, houseIds: readonly number[] | undefined): Promise<number[]> {
  let q = ctx.db.selectFrom('portal_request')
    .innerJoin('collection_case', (j) => j.onRef('collection_case.house_id', '=', 'portal_request.house_id').onRef('collection_case.ownership_id', '=', 'portal_request.ownership_id'))
    .innerJoin('portal_account', 'portal_account.id', 'portal_request.account_id')
    .select(['portal_request.id', 'portal_request.kind', 'portal_request.topic', 'portal_request.detail', 'portal_request.house_id', 'portal_request.created_at', 'collection_case.id as case_id', 'portal_account.phone'])
    .where('portal_request.project_id', '=', projectId).where('portal_request.kind', 'in', ['complaint', 'repair'])
    .where('portal_request.status', '=', 'open').where('portal_request.ticket_id', 'is', null).where('collection_case.state', '!=', 'resolved');
  if (houseIds) q = q.where('portal_request.house_id', 'in', houseIds.length ? [...houseIds] : [-1]);
  const waiting = await q.orderBy('portal_request.id').execute();
  if (waiting.length === 0) return [];
  const now = nowIso(ctx);
  await inTransaction(ctx, async (trx) => {
    for (const r of waiting) {
      const ticket = await trx.insertInto('service_ticket').values({
        case_id: r.case_id, project_id: projectId, house_id: r.house_id, topic: ticketTopic(r.kind as 'complaint' | 'repair', r.topic), description: r.detail,
        status: 'open', opened_by: `${portalSenderName(maskMobile(r.phone))}，${r.created_at.slice(0, 10)} 提交`, opened_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      await trx.updateTable('portal_request').set({ case_id: r.case_id, ticket_id: ticket.id }).where('id', '=', r.id).execute();
    }
  });
  return [...new Set(waiting.map((r) => r.house_id))];
}

/** Create, reopen or update the case row from a plan; returns the case id. */
async function commitPlan(db: Db, projectId: number, f: PayerFacts, plan: CasePlan, asOf: string, now: string): Promise<number> {
  const debts = f.input.debts;
  const fields = {
    state: plan.state, step_index: plan.stepIndex, owed_fen: debts.reduce((s, d) => s + d.owedFen, 0), anchor_due: debts.map((d) => d.dueDate).sort()[0] ?? null,
    next_action_at: plan.nextActionAt, next_key: plan.nextKey, why: plan.why, updated_at: now,
  };
  if (!f.row) {
    await db.insertInto('collection_case').values({ project_id: projectId, house_id: f.houseId, ownership_id: f.ownershipId, opened_on: asOf, ...fields })
      .onConflict((oc) => oc.columns(['house_id', 'ownership_id']).doNothing()).execute();
    const row = await db.selectFrom('collection_case').select('id').where('house_id', '=', f.houseId).where('ownership_id', '=', f.ownershipId).executeTakeFirstOrThrow();
    return row.id;
  }
  const reopen = f.reopen ? { cycle: f.cycle, category: null, promised_on: null, opened_on: asOf, resolved_on: null } : {};
  const resolved = plan.state === 'resolved' && f.row.state !== 'resolved' ? { resolved_on: asOf } : {};
  await db.updateTable('collection_case').set({ ...fields, ...reopen, ...resolved }).where('id', '=', f.row.id).execute();
  return f.row.id;
}

/** Re-plan the cases of some houses today (after a payment, an adjustment, a pause or a contact). */
export async function refreshHouses(ctx: ServiceContext, projectId: number, houseIds: readonly number[], asOf: string): Promise<void> {
  const project = await ctx.db.selectFrom('project').select('company_id').where('id', '=', projectId).executeTakeFirstOrThrow();
  await sweep(ctx, systemActor(project.company_id), projectId, asOf, { dryRun: false, houseIds });
}

export async function projectToday(db: Db, projectId: number, now: Date): Promise<string> {
  const p = await db.selectFrom('project').select('time_zone').where('id', '=', projectId).executeTakeFirstOrThrow();
  return localDateOf(now, p.time_zone);
}

/**
 * Plans in force checked against the payments since they were signed: a missed instalment (what was due by yesterday
 * is not all paid) breaks the plan and ends its pause; a plan paid in full is completed.
 */
export async function checkPlans(db: ServiceContext['db'], projectId: number, asOf: string, at: string): Promise<void> {
  const plans = await db.selectFrom('payment_plan').innerJoin('collection_case', 'collection_case.id', 'payment_plan.case_id')
    .select(['payment_plan.id', 'payment_plan.case_id', 'payment_plan.signed_on', 'collection_case.house_id', 'collection_case.ownership_id'])
    .where('payment_plan.project_id', '=', projectId).where('payment_plan.status', '=', '执行中').execute();
  for (const p of plans) {
    const inst = await db.selectFrom('payment_plan_instalment').select(['due_on', 'amount_fen']).where('plan_id', '=', p.id).orderBy('seq').execute();
    const paid = await db.selectFrom('payment').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('house_id', '=', p.house_id)
      .where('ownership_id', '=', p.ownership_id).where('kind', 'in', ['payment', 'reversal']).where('received_on', '>=', p.signed_on!).where('received_on', '<=', asOf).executeTakeFirstOrThrow();
    const paidFen = Number(paid.s ?? 0);
    const dueFen = inst.filter((i) => i.due_on < asOf).reduce((s, i) => s + Number(i.amount_fen), 0);
    const totalFen = inst.reduce((s, i) => s + Number(i.amount_fen), 0);
    const status = paidFen >= totalFen ? '已完成' : paidFen < dueFen ? '已违约' : null;
    if (!status) continue;
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('payment_plan').set({ status }).where('id', '=', p.id).execute();
      await trx.updateTable('case_pause').set({ ended_at: at, ended_by: 'system', end_reason: status === '已违约' ? `分期未按期履行（应付 ${formatYuan(dueFen)}，已付 ${formatYuan(paidFen)}）` : '分期已履行完毕' })
        .where('case_id', '=', p.case_id).where('kind', '=', 'payment_plan').where('ended_at', 'is', null).execute();
    });
  }
}
