import { withId, type AnyDb } from './helpers.ts';

/** A project's call scripts and answer book (话术与收费答客问, issue 5): versions, the newest in force. */
export async function up(db: AnyDb): Promise<void> {
  await withId(db, db.schema.createTable('script_book'))
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('book_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('script_book_version_uq', ['project_id', 'version'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('script_book').execute();
}
