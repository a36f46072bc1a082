import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { nowIso, requireRole } from '../context.ts';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId: number | string | null;
  projectId?: number | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Append one audit entry in the caller's transaction. Snapshots must already be masked: the audit log records what
 * changed, never a phone number or address in plain text.
 */
export async function audit(trx: Kysely<DB> | Transaction<DB>, ctx: ServiceContext, actor: Actor, e: AuditEntry): Promise<void> {
  await trx.insertInto('audit_log').values({
    company_id: actor.companyId,
    at: nowIso(ctx),
    actor_id: actor.userId,
    actor_name: actor.name,
    action: e.action,
    entity: e.entity,
    entity_id: e.entityId === null ? null : String(e.entityId),
    project_id: e.projectId ?? null,
    before_json: e.before === undefined ? null : JSON.stringify(e.before),
    after_json: e.after === undefined ? null : JSON.stringify(e.after),
  }).execute();
}

export interface AuditFilter { entity?: string | undefined; entityId?: string | undefined; action?: string | undefined; page: number; pageSize: number }

/** Audit entries of the actor's company, newest first. Company-wide roles see all; others their projects' entries. */
export async function listAudit(ctx: ServiceContext, actor: Actor, f: AuditFilter) {
  requireRole(actor, 'audit.read');
  let q = ctx.db.selectFrom('audit_log').where('company_id', '=', actor.companyId);
  if (actor.scope.kind === 'projects') q = q.where('project_id', 'in', [...actor.scope.projects.keys(), -1]);
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.action) q = q.where('action', '=', f.action);
  const [rows, total] = await Promise.all([
    q.select(['id', 'at', 'actor_id', 'actor_name', 'action', 'entity', 'entity_id', 'project_id', 'before_json', 'after_json'])
      .orderBy('id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(total.n), page: f.page, pageSize: f.pageSize,
    items: rows.map((r) => ({
      id: r.id, at: r.at, actorId: r.actor_id, actorName: r.actor_name, action: r.action, entity: r.entity, entityId: r.entity_id,
      projectId: r.project_id, before: r.before_json ? (JSON.parse(r.before_json) as unknown) : null, after: r.after_json ? (JSON.parse(r.after_json) as unknown) : null,
    })),
  };
}
