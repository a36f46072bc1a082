import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { OutboxChannel, TemplateKind } from '../../../core/notices/vocabulary.ts';

/**
 * Putting a message in the outbox: what the services that cause messages (the sweep, a promise, the print centre,
 * the console) call inside their own transaction. Kept apart from the worker so that they need none of its imports.
 */

type Db = Kysely<DB> | Transaction<DB>;

/** The policy's step templates → the template kinds. */
const STEP_TEMPLATES: Record<string, TemplateKind> = {
  pre_due_sms: 'sms_pre_due', last_reminder_sms: 'sms_last_reminder', payment_notice: 'payment_notice', demand_notice: 'demand_notice',
  second_demand_notice: 'second_demand', lawyer_letter: 'lawyer_letter', anonymous_public_notice: 'anonymous_notice',
};
export const templateForStep = (stepTemplate: string | undefined, channel: string): TemplateKind =>
  (stepTemplate && STEP_TEMPLATES[stepTemplate]) || (channel === 'sms' ? 'sms_last_reminder' : 'demand_notice');

export interface NewMessage {
  projectId: number; houseId: number; ownershipId: number | null; caseId?: number | null; actionId?: number | null; batchId?: number | null;
  channel: OutboxChannel; template: TemplateKind; dedupKey: string; periods: ReadonlyArray<{ period: string; dueDate: string; owedFen: number }>;
  notBefore: string; createdBy: string; at: string;
}

/** Store a message unless its dedup key exists (in the caller's transaction); the new id, or null when it existed. */
export async function enqueueMessage(db: Db, m: NewMessage): Promise<number | null> {
  const r = await db.insertInto('outbox_message').values({
    project_id: m.projectId, house_id: m.houseId, ownership_id: m.ownershipId, case_id: m.caseId ?? null, action_id: m.actionId ?? null, batch_id: m.batchId ?? null,
    channel: m.channel, template: m.template, dedup_key: m.dedupKey, status: 'pending', periods_json: JSON.stringify(m.periods), doc_json: null,
    owed_fen: m.periods.reduce((s, p) => s + p.owedFen, 0), not_before: m.notBefore, next_attempt_at: m.notBefore, created_by: m.createdBy, created_at: m.at, updated_at: m.at,
  }).onConflict((oc) => oc.column('dedup_key').doNothing()).returning('id').executeTakeFirst();
  return r ? Number(r.id) : null;
}

