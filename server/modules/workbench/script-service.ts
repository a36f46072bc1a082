import { AppError } from '../../../core/errors.ts';
import { DEFAULT_SCRIPT_BOOK, validateScriptBook, type ScriptBook } from '../../../core/workbench/scripts.ts';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';

/** A project's call scripts and answer book (话术、收费答客问): versioned; version 0 is the default from the seeds. */

type Db = ServiceContext['db'] | Transaction<DB>;

export async function scriptBookOf(db: Db, projectId: number): Promise<{ book: ScriptBook; version: number; createdBy: string | null; createdAt: string | null }> {
  const row = await db.selectFrom('script_book').select(['version', 'book_json', 'created_by', 'created_at']).where('project_id', '=', projectId)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!row) return { book: DEFAULT_SCRIPT_BOOK, version: 0, createdBy: null, createdAt: null };
  return { book: JSON.parse(row.book_json) as ScriptBook, version: row.version, createdBy: row.created_by, createdAt: row.created_at };
}

export async function getScriptBook(ctx: ServiceContext, actor: Actor, projectId: number) {
  requireRole(actor, 'dunning.read');
  await getProjectOrThrow(ctx, actor, projectId);
  const b = await scriptBookOf(ctx.db, projectId);
  return { ...b, isDefault: b.version === 0 };
}

/** Save a new version; threats, third parties, empty or duplicate entries are refused per field and nothing is stored. */
export async function saveScriptBook(ctx: ServiceContext, actor: Actor, projectId: number, input: unknown) {
  requireRole(actor, 'scripts.manage');
  await getProjectOrThrow(ctx, actor, projectId);
  const v = validateScriptBook(input);
  if (!v.ok) {
    throw new AppError('VALIDATION_FAILED', v.issues.map((i) => `${i.field}：${i.message}`).join('；'), v.issues.map((i) => ({ field: i.field, code: 'VALIDATION_FAILED' as const, message: i.message })));
  }
  return ctx.db.transaction().execute(async (trx) => {
    const { version } = await scriptBookOf(trx, projectId);
    const createdAt = nowIso(ctx);
    await trx.insertInto('script_book').values({ project_id: projectId, version: version + 1, book_json: JSON.stringify(v.book), created_by: actor.name, created_at: createdAt }).execute();
    await audit(trx, ctx, actor, { action: 'scripts.save', entity: 'project', entityId: projectId, projectId, after: { version: version + 1, scripts: v.book.scripts.length, answers: v.book.answers.length } });
    return { book: v.book, version: version + 1, createdBy: actor.name, createdAt, isDefault: false };
  });
}
