import type { ColumnDefinitionBuilder } from 'kysely';
import { withId, type AnyDb } from './helpers.ts';

/**
 * 分户到人 (issue 5): which collector works which house. One row per house (unique); a change replaces the row and is
 * audited (who, when, from whom to whom).
 */
export async function up(db: AnyDb): Promise<void> {
  const ref = (table: string) => (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).notNull();
  await withId(db, db.schema.createTable('collector_assignment'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('user_id', 'bigint', ref('app_user'))
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('collector_assignment_house_uq', ['house_id'])
    .execute();
  await db.schema.createIndex('collector_assignment_user_idx').on('collector_assignment').columns(['project_id', 'user_id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('collector_assignment').execute();
}
