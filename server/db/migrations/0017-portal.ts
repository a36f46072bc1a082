import { isPostgres, withId, type AnyDb } from './helpers.ts';

/**
 * The owner portal (issue 8):
 * - portal_account: one per mobile number that asked for a login code, with its lockout state.
 * - portal_code: login codes, stored as an HMAC only; their rows also count requests for the rate limits.
 * - portal_session: an owner's session; the id is the SHA-256 of the cookie's token.
 * - portal_binding: an owner's application to be bound to a house the contacts do not show; staff review it.
 * - portal_order: an online payment order at a gateway; a paid one points at its ledger payment.
 * - portal_request: what an owner sent in (promise, deferral/instalments, complaint, repair), linked to what it became
 *   (case pause, payment plan, service ticket); portal_file holds its attachment.
 * - contact_preference: the channels an owner accepts for reminders (R50).
 * - data_request: a request to see, copy, correct or delete one's personal data or have its processing explained (R41).
 * - portal_setting: per project, the cost composition of the fee (物业服务成本构成) shown to owners.
 */
export async function up(db: AnyDb): Promise<void> {
  const text = 'text' as const;
  const pg = isPostgres(db);
  await withId(db, db.schema.createTable('portal_account'))
    .addColumn('phone', text, (c) => c.notNull().unique())
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_since', text)
    .addColumn('locked_until', text)
    .addColumn('last_login_at', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('portal_code'))
    .addColumn('account_id', 'bigint', (c) => c.references('portal_account.id').notNull())
    .addColumn('code_hmac', text, (c) => c.notNull())
    .addColumn('ip_hash', text, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('expires_at', text, (c) => c.notNull())
    .addColumn('used_at', text)
    .execute();
  await db.schema.createIndex('portal_code_account').on('portal_code').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('portal_code_ip').on('portal_code').columns(['ip_hash', 'created_at']).execute();
  await db.schema.createTable('portal_session')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.references('portal_account.id').notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('expires_at', text, (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('portal_binding'))
    .addColumn('account_id', 'bigint', (c) => c.references('portal_account.id').notNull())
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('building', text, (c) => c.notNull())
    .addColumn('number', text, (c) => c.notNull())
    .addColumn('owner_name', text, (c) => c.notNull())
    .addColumn('note', text)
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('house_id', 'bigint', (c) => c.references('house.id'))
    .addColumn('ownership_id', 'bigint', (c) => c.references('ownership.id'))
    .addColumn('decided_by', text)
    .addColumn('decided_at', text)
    .addColumn('decision_note', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('portal_order'))
    .addColumn('out_trade_no', text, (c) => c.notNull().unique())
    .addColumn('provider', text, (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.references('portal_account.id').notNull())
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('house_id', 'bigint', (c) => c.references('house.id').notNull())
    .addColumn('ownership_id', 'bigint', (c) => c.references('ownership.id').notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('periods_json', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('pay_url', text)
    .addColumn('pay_mode', text)
    .addColumn('provider_trade_no', text)
    .addColumn('payment_id', 'bigint', (c) => c.references('payment.id'))
    .addColumn('create_answer', text)
    .addColumn('notify_raw', text)
    .addColumn('problem', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('expires_at', text, (c) => c.notNull())
    .addColumn('queried_at', text)
    .addColumn('paid_at', text)
    .execute();
  await db.schema.createIndex('portal_order_status').on('portal_order').columns(['status', 'created_at']).execute();
  await withId(db, db.schema.createTable('portal_request'))
    .addColumn('account_id', 'bigint', (c) => c.references('portal_account.id').notNull())
    .addColumn('project_id', 'bigint', (c) => c.references('project.id').notNull())
    .addColumn('house_id', 'bigint', (c) => c.references('house.id').notNull())
    .addColumn('ownership_id', 'bigint', (c) => c.references('ownership.id').notNull())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('topic', text, (c) => c.notNull())
    .addColumn('detail', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('case_id', 'bigint', (c) => c.references('collection_case.id'))
    .addColumn('ticket_id', 'bigint', (c) => c.references('service_ticket.id'))
    .addColumn('plan_id', 'bigint', (c) => c.references('payment_plan.id'))
    .addColumn('reply', text)
    .addColumn('replied_by', text)
    .addColumn('replied_at', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('portal_request_house').on('portal_request').columns(['house_id', 'created_at']).execute();
  await withId(db, db.schema.createTable('portal_file'))
    .addColumn('request_id', 'bigint', (c) => c.references('portal_request.id').notNull())
    .addColumn('filename', text, (c) => c.notNull())
    .addColumn('content_type', text, (c) => c.notNull())
    .addColumn('sha256', text, (c) => c.notNull())
    .addColumn('bytes', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await db.schema.createTable('contact_preference')
    .addColumn('owner_id', 'bigint', (c) => c.primaryKey().references('owner.id'))
    .addColumn('sms', 'integer', (c) => c.notNull())
    .addColumn('email', 'integer', (c) => c.notNull())
    .addColumn('wechat', 'integer', (c) => c.notNull())
    .addColumn('note', text)
    .addColumn('updated_by', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('data_request'))
    .addColumn('account_id', 'bigint', (c) => c.references('portal_account.id').notNull())
    .addColumn('company_id', 'bigint', (c) => c.notNull())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('detail', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('reply', text)
    .addColumn('copy_json', text)
    .addColumn('decided_by', text)
    .addColumn('decided_at', text)
    .addColumn('due_on', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await db.schema.createTable('portal_setting')
    .addColumn('project_id', 'bigint', (c) => c.primaryKey().references('project.id'))
    .addColumn('cost_json', text, (c) => c.notNull())
    .addColumn('updated_by', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .execute();
}
