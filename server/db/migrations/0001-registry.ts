import { sql, type ColumnDefinitionBuilder } from 'kysely';
import { isPostgres, withId, type AnyDb } from './helpers.ts';

export async function up(db: AnyDb): Promise<void> {
  const pgsql = isPostgres(db);
  const ref = (table: string) => (c: ColumnDefinitionBuilder) => c.references(`${table}.id`).notNull();

  await withId(db, db.schema.createTable('company'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('project'))
    .addColumn('company_id', 'bigint', ref('company'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Asia/Shanghai'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('project_company_name_uq', ['company_id', 'name'])
    .execute();

  await withId(db, db.schema.createTable('building'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('area_name', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('building_project_name_uq', ['project_id', 'name'])
    .execute();

  await withId(db, db.schema.createTable('entrance'))
    .addColumn('building_id', 'bigint', ref('building'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('entrance_building_name_uq', ['building_id', 'name'])
    .execute();

  await withId(db, db.schema.createTable('house'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('building_id', 'bigint', ref('building'))
    .addColumn('entrance_id', 'bigint', (c) => c.references('entrance.id'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('floor', 'integer', (c) => c.notNull())
    .addColumn('property_type', 'text', (c) => c.notNull())
    .addColumn('area_x100', 'bigint', (c) => c.notNull().check(sql`area_x100 > 0`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('delivery_date', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('house_project_number_uq', ['project_id', 'number'])
    .execute();
  await db.schema.createIndex('house_building_idx').on('house').columns(['building_id', 'floor', 'number']).execute();
  // Paging a whole project in list order walks this index instead of sorting the project's houses.
  await db.schema.createIndex('house_project_order_idx').on('house').columns(['project_id', 'building_id', 'floor', 'number']).execute();
  // House-number prefix search across projects (owner search).
  if (pgsql) await sql`create index house_number_idx on house (number text_pattern_ops)`.execute(db);
  else await db.schema.createIndex('house_number_idx').on('house').column('number').execute();

  await withId(db, db.schema.createTable('parking_space'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('zone', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('area_x100', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('parking_project_number_uq', ['project_id', 'number'])
    .execute();

  await withId(db, db.schema.createTable('owner'))
    .addColumn('company_id', 'bigint', ref('company'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('temperament_note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Prefix search by name: PostgreSQL needs text_pattern_ops for LIKE 'x%' under a non-C collation.
  if (pgsql) await sql`create index owner_name_idx on owner (company_id, name text_pattern_ops)`.execute(db);
  else await db.schema.createIndex('owner_name_idx').on('owner').columns(['company_id', 'name']).execute();

  await db.schema.createTable('owner_tag')
    .addColumn('owner_id', 'bigint', ref('owner'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('owner_tag_pk', ['owner_id', 'tag'])
    .execute();

  await withId(db, db.schema.createTable('ownership'))
    .addColumn('house_id', 'bigint', (c) => c.references('house.id'))
    .addColumn('parking_space_id', 'bigint', (c) => c.references('parking_space.id'))
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('ownership_one_object', sql`(house_id is null) <> (parking_space_id is null)`)
    .execute();
  await db.schema.createIndex('ownership_house_idx').on('ownership').columns(['house_id', 'from_date']).execute();
  await db.schema.createIndex('ownership_parking_idx').on('ownership').columns(['parking_space_id', 'from_date']).execute();

  await db.schema.createTable('ownership_owner')
    .addColumn('ownership_id', 'bigint', ref('ownership'))
    .addColumn('owner_id', 'bigint', ref('owner'))
    .addColumn('share_pct', 'integer')
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('ownership_owner_pk', ['ownership_id', 'owner_id'])
    .execute();
  await db.schema.createIndex('ownership_owner_owner_idx').on('ownership_owner').column('owner_id').execute();

  await withId(db, db.schema.createTable('designated_payer'))
    .addColumn('house_id', 'bigint', ref('house'))
    .addColumn('payer_owner_id', 'bigint', ref('owner'))
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text')
    .addColumn('consent_note', 'text', (c) => c.notNull())
    .addColumn('consent_date', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('designated_payer_house_idx').on('designated_payer').column('house_id').execute();

  await withId(db, db.schema.createTable('contact'))
    .addColumn('owner_id', 'bigint', ref('owner'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('phone_last4', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('last_verified', 'text')
    .addColumn('is_service_address', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_owner_idx').on('contact').column('owner_id').execute();
  await db.schema.createIndex('contact_last4_idx').on('contact').column('phone_last4').execute();

  await withId(db, db.schema.createTable('app_user'))
    .addColumn('company_id', 'bigint', ref('company'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('user_scope')
    .addColumn('user_id', 'bigint', ref('app_user'))
    .addColumn('project_id', 'bigint', ref('project'))
    .addColumn('building_id', 'bigint', (c) => c.references('building.id'))
    .execute();
  await db.schema.createIndex('user_scope_user_idx').on('user_scope').column('user_id').execute();

  await db.schema.createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', ref('app_user'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_user_idx').on('session').column('user_id').execute();

  await withId(db, db.schema.createTable('audit_log'))
    .addColumn('company_id', 'bigint')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'bigint')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('project_id', 'bigint')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .execute();
  await db.schema.createIndex('audit_entity_idx').on('audit_log').columns(['entity', 'entity_id']).execute();
  await db.schema.createIndex('audit_at_idx').on('audit_log').columns(['company_id', 'at']).execute();

  // The audit log is append-only at the database level too.
  if (pgsql) {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }

  await db.schema.createTable('app_setting')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['app_setting', 'audit_log', 'session', 'user_scope', 'app_user', 'contact', 'designated_payer',
    'ownership_owner', 'ownership', 'owner_tag', 'owner', 'parking_space', 'house', 'entrance', 'building', 'project', 'company']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  if (isPostgres(db)) await sql`drop function if exists audit_log_append_only()`.execute(db);
}
