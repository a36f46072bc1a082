import type { ColumnDefinitionBuilder } from 'kysely';
import { appendOnly, withId, type AnyDb } from './helpers.ts';

/**
 * Collection (催缴), part 1.
 * - dunning_policy: each project's ladder as versioned JSON (a new version per edit; the latest is in force).
 * - collection_case: one per house and payer (the ownership whose periods are owed), with its state, step, category,
 *   exclusion and the stored, indexed next_action_at the daily sweep reads.
 * - case_pause: pauses with kind, until-date, who and why, ended rather than deleted (their history stays).
 * - dunning_action: every planned task, exactly once per (case, step, channel, cycle) by a unique key.
 * - contact_attempt: the rows of the 《物业费催缴记录表》, append-only.
 * - limitation_event: interruption events of the limitation period per billing period (R13), append-only.
 * - service_ticket: the complaint behind a refusal; escalation waits while it is open (R10).
 * - payment_plan, payment_plan_instalment: deferrals and instalments (R13 acknowledgement).
 */
export async function up(db: AnyDb): Promise<void> {
  const ref = (table: string) => (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).notNull();
  const text = (c: ColumnDefinitionBuilder) => c.notNull();

  await withId(db, db.schema.createTable('dunning_policy'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('version', 'integer', text)
    .addColumn('policy_json', 'text', text)
    .addColumn('created_by', 'text', text)
    .addColumn('created_at', 'text', text)
    .addUniqueConstraint('dunning_policy_version_uq', ['project_id', 'version'])
    .execute();

  await withId(db, db.schema.createTable('collection_case'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('ownership_id', 'bigint', ref('ownership'))
    .addColumn('cycle', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('state', 'text', text)
    .addColumn('step_index', 'integer', (c) => c.notNull().defaultTo(-1))
    .addColumn('category', 'text')
    .addColumn('promised_on', 'text')
    .addColumn('excluded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('excluded_reason', 'text')
    .addColumn('written_off', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owed_fen', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('anchor_due', 'text')
    .addColumn('next_action_at', 'text')
    .addColumn('next_key', 'text')
    .addColumn('why', 'text')
    .addColumn('opened_on', 'text', text)
    .addColumn('resolved_on', 'text')
    .addColumn('updated_at', 'text', text)
    .addUniqueConstraint('collection_case_payer_uq', ['house_id', 'ownership_id'])
    .execute();
  await db.schema.createIndex('collection_case_next_idx').on('collection_case').columns(['project_id', 'next_action_at']).execute();
  await db.schema.createIndex('collection_case_state_idx').on('collection_case').columns(['project_id', 'state', 'step_index']).execute();

  await withId(db, db.schema.createTable('case_pause'))
    .addColumn('case_id', 'bigint', ref('collection_case'))
    .addColumn('kind', 'text', text)
    .addColumn('until', 'text')
    .addColumn('reason', 'text', text)
    .addColumn('created_by', 'text', text)
    .addColumn('created_at', 'text', text)
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('case_pause_case_idx').on('case_pause').column('case_id').execute();

  await withId(db, db.schema.createTable('dunning_action'))
    .addColumn('case_id', 'bigint', ref('collection_case'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('kind', 'text', text)
    .addColumn('step_key', 'text', text)
    .addColumn('name', 'text', text)
    .addColumn('channel', 'text', text)
    .addColumn('cycle_key', 'text', text)
    .addColumn('due_on', 'text', text)
    .addColumn('actor', 'text', text)
    .addColumn('approval', 'text')
    .addColumn('status', 'text', text)
    .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text', text)
    .addColumn('periods_json', 'text', text)
    .addColumn('owed_fen', 'bigint', text)
    .addColumn('planned_at', 'text', text)
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text')
    .addColumn('delivered_on', 'text')
    .addColumn('delivery_proof', 'text')
    .addColumn('closed_reason', 'text')
    .addUniqueConstraint('dunning_action_once_uq', ['case_id', 'step_key', 'channel', 'cycle_key'])
    .execute();
  await db.schema.createIndex('dunning_action_status_idx').on('dunning_action').columns(['project_id', 'status', 'due_on']).execute();

  await withId(db, db.schema.createTable('contact_attempt'))
    .addColumn('case_id', 'bigint', ref('collection_case'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('action_id', 'bigint', (c) => c.references('dunning_action.id'))
    .addColumn('at', 'text', text)
    .addColumn('staff_id', 'bigint')
    .addColumn('staff_name', 'text', text)
    .addColumn('channel', 'text', text)
    .addColumn('contact_id', 'bigint', (c) => c.references('contact.id'))
    .addColumn('contact_masked', 'text')
    .addColumn('outcome', 'text', text)
    .addColumn('category', 'text')
    .addColumn('owner_said', 'text')
    .addColumn('next_step', 'text')
    .addColumn('promised_on', 'text')
    .addColumn('created_at', 'text', text)
    .execute();
  await db.schema.createIndex('contact_attempt_case_idx').on('contact_attempt').columns(['case_id', 'at']).execute();
  await appendOnly(db, 'contact_attempt');

  await withId(db, db.schema.createTable('limitation_event'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('ownership_id', 'bigint', ref('ownership'))
    .addColumn('period', 'text', text)
    .addColumn('kind', 'text', text)
    .addColumn('on_date', 'text', text)
    .addColumn('source', 'text', text)
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', text)
    .addColumn('created_at', 'text', text)
    .execute();
  await db.schema.createIndex('limitation_event_idx').on('limitation_event').columns(['house_id', 'ownership_id', 'period']).execute();
  await appendOnly(db, 'limitation_event');

  await withId(db, db.schema.createTable('service_ticket'))
    .addColumn('case_id', 'bigint', ref('collection_case'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('topic', 'text', text)
    .addColumn('description', 'text', text)
    .addColumn('status', 'text', text)
    .addColumn('opened_by', 'text', text)
    .addColumn('opened_at', 'text', text)
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text')
    .execute();
  await db.schema.createIndex('service_ticket_case_idx').on('service_ticket').columns(['case_id', 'status']).execute();

  await withId(db, db.schema.createTable('payment_plan'))
    .addColumn('case_id', 'bigint', ref('collection_case'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('kind', 'text', text)
    .addColumn('status', 'text', text)
    .addColumn('reason', 'text', text)
    .addColumn('evidence', 'text')
    .addColumn('requested_by', 'text', text)
    .addColumn('requested_by_id', 'bigint')
    .addColumn('requested_at', 'text', text)
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('signed_on', 'text')
    .execute();
  await db.schema.createIndex('payment_plan_case_idx').on('payment_plan').columns(['case_id', 'status']).execute();
  await withId(db, db.schema.createTable('payment_plan_instalment'))
    .addColumn('plan_id', 'bigint', ref('payment_plan'))
    .addColumn('seq', 'integer', text)
    .addColumn('due_on', 'text', text)
    .addColumn('amount_fen', 'bigint', text)
    .addUniqueConstraint('payment_plan_instalment_uq', ['plan_id', 'seq'])
    .execute();
}
