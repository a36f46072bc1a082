import { withId, type AnyDb } from './helpers.ts';

/**
 * The supervisor's daily review (issue 5): a sign-off per day of each collector's 《物业费催缴记录表》 (subject_id: the
 * collector) and of the 资金日报 (subject_id 0), with who, when and a comment; append-only. collection_case.guidance_note:
 * the supervisor's guidance on a hard case.
 */
export async function up(db: AnyDb): Promise<void> {
  await withId(db, db.schema.createTable('daily_review'))
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'bigint', (c) => c.notNull())
    .addColumn('signed_by', 'text', (c) => c.notNull())
    .addColumn('signed_by_id', 'bigint')
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addUniqueConstraint('daily_review_once_uq', ['project_id', 'day', 'kind', 'subject_id'])
    .execute();
  await db.schema.alterTable('collection_case').addColumn('guidance_note', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('collection_case').dropColumn('guidance_note').execute();
  await db.schema.dropTable('daily_review').execute();
}
