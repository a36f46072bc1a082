import { withId, type AnyDb } from './helpers.ts';

/**
 * Bulk exports need approval (R37): export_request is a request to export one list of one project in one format, with
 * its reason, and the decision on it. An approved request is downloaded by its requester within a day; each download
 * counts and is in the audit log, and the file carries who exported it, who approved it and when.
 */
export async function up(db: AnyDb): Promise<void> {
  await withId(db, db.schema.createTable('export_request'))
    .addColumn('company_id', 'bigint', (c) => c.references('company.id').notNull())
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('list', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_id', 'bigint')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('export_request_project_idx').on('export_request').columns(['project_id', 'status']).execute();
}
