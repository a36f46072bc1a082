import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../core/dates.ts';
import type { Role, Scope, Operation } from '../../core/access/roles.ts';
import { inScope, roleAllows } from '../../core/access/roles.ts';
import { AppError } from '../../core/errors.ts';
import type { DB } from '../db/schema.ts';
import type { Dialect } from '../db/connection.ts';

/** Who is acting: a logged-in staff user, or the CLI/system acting as an administrator. */
export interface Actor {
  userId: number | null;
  name: string;
  role: Role;
  companyId: number;
  scope: Scope;
}

export interface ServiceContext {
  db: Kysely<DB>;
  dialect: Dialect;
  clock: Clock;
}

export const systemClock: Clock = { now: () => new Date() };

export function nowIso(ctx: ServiceContext): string {
  return ctx.clock.now().toISOString();
}

export function requireRole(actor: Actor, op: Operation): void {
  if (!roleAllows(actor.role, op)) throw new AppError('FORBIDDEN');
}

/** Role check and data-scope check in one: the record must lie inside the actor's projects/buildings. */
export function requireAccess(actor: Actor, op: Operation, where: { projectId: number; buildingId: number | null }): void {
  requireRole(actor, op);
  if (!inScope(actor.scope, where)) throw new AppError('OUT_OF_SCOPE');
}

/** Run in a transaction: the caller's when the context already is one (an import writing many records), else a new one. */
export function inTransaction<T>(ctx: ServiceContext, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return ctx.db.isTransaction ? fn(ctx.db as Transaction<DB>) : ctx.db.transaction().execute(fn);
}
