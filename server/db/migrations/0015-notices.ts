import { sql } from 'kysely';
import { appendOnly, isPostgres, withId, type AnyDb } from './helpers.ts';

/**
 * Notices, the outbox and the evidence chain (issue 6):
 * - notice_template: a project's templates, one row per saved version (the newest in force; none → the default).
 * - print_batch: a batch printed in the print centre (one building, one template, one PDF).
 * - outbox_message: every message to an owner (SMS, email, WeChat, printed letter, hand delivery), stored in the same
 *   transaction as what causes it, unique by dedup_key; a worker sends it. The content is rendered at send time, so
 *   what was sent is what the evidence keeps.
 * - evidence_log: append-only and hash-chained (each row's hash covers the previous row's hash), so an edit or a
 *   deletion breaks the chain at that row; evidence_head holds the newest link and serialises appends.
 * - evidence_file: originals kept as evidence (a photo or signature of a hand delivery's receipt), append-only.
 */
export async function up(db: AnyDb): Promise<void> {
  const pg = isPostgres(db);
  await withId(db, db.schema.createTable('notice_template'))
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('notice_template_version_uq', ['project_id', 'kind', 'version'])
    .execute();

  await withId(db, db.schema.createTable('print_batch'))
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('building_id', 'bigint', (c) => c.references('building.id').notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('houses', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('outbox_message'))
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('house_id', 'bigint', (c) => c.references('house.id').notNull())
    .addColumn('ownership_id', 'bigint')
    .addColumn('case_id', 'bigint')
    .addColumn('action_id', 'bigint')
    .addColumn('batch_id', 'bigint')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('periods_json', 'text', (c) => c.notNull())
    .addColumn('doc_json', 'text')
    .addColumn('owed_fen', 'bigint', (c) => c.notNull())
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('contact_id', 'bigint')
    .addColumn('recipient', 'text')
    .addColumn('recipient_masked', 'text')
    .addColumn('recipient_source', 'text')
    .addColumn('subject', 'text')
    .addColumn('content', 'text')
    .addColumn('content_sha256', 'text')
    .addColumn('template_version', 'integer')
    .addColumn('provider', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('provider_response', 'text')
    .addColumn('last_error', 'text')
    .addColumn('suppressed_reason', 'text')
    .addColumn('tracking_no', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('receipt_json', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox_message').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_provider_idx').on('outbox_message').columns(['provider', 'provider_id']).execute();
  await db.schema.createIndex('outbox_house_idx').on('outbox_message').columns(['house_id', 'created_at']).execute();
  await db.schema.createIndex('outbox_project_idx').on('outbox_message').columns(['project_id', 'status', 'created_at']).execute();

  await withId(db, db.schema.createTable('evidence_log'))
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('project_id', 'bigint', (c) => c.notNull())
    .addColumn('house_id', 'bigint')
    .addColumn('message_id', 'bigint')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_house_idx').on('evidence_log').columns(['house_id', 'seq']).execute();
  await appendOnly(db, 'evidence_log');
  await db.schema.createTable('evidence_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into evidence_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);

  await withId(db, db.schema.createTable('evidence_file'))
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_file_msg_idx').on('evidence_file').column('message_id').execute();
  await appendOnly(db, 'evidence_file');
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['evidence_file', 'evidence_head', 'evidence_log', 'outbox_message', 'print_batch', 'notice_template']) await db.schema.dropTable(t).execute();
}
