import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { requireRole, type Actor, type ServiceContext } from '../context.ts';

/**
 * The evidence log (R54, R58): append-only at the database level (triggers refuse UPDATE and DELETE) and hash-chained,
 * so that even an edit made with the triggers dropped is found: each row's hash covers the previous row's hash and
 * every field of the row. `verifyEvidence` walks the chain. A trusted third-party timestamp (RFC 3161) is not taken:
 * no timestamp authority is reachable from here; the chain head can be notarised by hand (R58 optional).
 */

const GENESIS = '0'.repeat(64);
export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export interface EvidenceEntry {
  at: string;
  projectId: number;
  houseId: number | null;
  messageId: number | null;
  kind: string;
  payload: Record<string, unknown>;
}

/** What a row's hash covers, one field per line, so no two different rows give the same text. */
function linkText(prev: string, r: { seq: number; at: string; project_id: number; house_id: number | null; message_id: number | null; kind: string; payload_json: string }): string {
  return [prev, r.seq, r.at, r.project_id, r.house_id ?? '', r.message_id ?? '', r.kind, r.payload_json].join('\n');
}

/** Append entries in the caller's transaction; the head row (locked on PostgreSQL) serialises concurrent appends. */
export async function appendEvidence(trx: Transaction<DB>, dialect: ServiceContext['dialect'], entries: readonly EvidenceEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const head = dialect === 'postgres'
    ? (await sql<{ seq: string | number; hash: string }>`select seq, hash from evidence_head where id = 1 for update`.execute(trx)).rows[0]!
    : await trx.selectFrom('evidence_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  let seq = Number(head.seq);
  let prev = head.hash;
  for (const e of entries) {
    seq += 1;
    const row = { seq, at: e.at, project_id: e.projectId, house_id: e.houseId, message_id: e.messageId, kind: e.kind, payload_json: JSON.stringify(e.payload) };
    const hash = sha256(linkText(prev, row));
    await trx.insertInto('evidence_log').values({ ...row, prev_hash: prev, hash }).execute();
    prev = hash;
  }
  await trx.updateTable('evidence_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
}

export interface ChainReport { ok: boolean; rows: number; head: string; broken: { seq: number; reason: string } | null }

/** Walk the whole chain in order: recompute every hash, check each link and that no row is missing. */
export async function verifyEvidence(db: ServiceContext['db']): Promise<ChainReport> {
  let prev = GENESIS;
  let expected = 1;
  let rows = 0;
  const fail = (seq: number, reason: string): ChainReport => ({ ok: false, rows, head: prev, broken: { seq, reason } });
  for (;;) {
    const batch = await db.selectFrom('evidence_log').selectAll().where('seq', '>=', expected).orderBy('seq').limit(2000).execute();
    for (const r of batch) {
      const seq = Number(r.seq);
      if (seq !== expected) return fail(expected, `第 ${expected} 条记录缺失（被删除）`);
      if (r.prev_hash !== prev) return fail(seq, `第 ${seq} 条记录的前序哈希与上一条不符`);
      if (!rowIntact(r)) return fail(seq, `第 ${seq} 条记录的内容与其哈希不符（被修改）`);
      prev = r.hash;
      expected += 1;
      rows += 1;
    }
    if (batch.length < 2000) break;
  }
  const head = await db.selectFrom('evidence_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  if (Number(head.seq) !== rows || head.hash !== prev) return fail(Number(head.seq), `链尾记录（第 ${Number(head.seq)} 条）与日志不符：其后的记录被删除`);
  return { ok: true, rows, head: prev, broken: null };
}

/** The whole chain checked for a person (project managers and above: it reads every house's evidence). */
export async function checkEvidenceChain(ctx: ServiceContext, actor: Actor): Promise<ChainReport> {
  requireRole(actor, 'evidence.export');
  return verifyEvidence(ctx.db);
}

/** One row's own hash recomputed from its fields and its recorded predecessor (the whole chain: verifyEvidence). */
export function rowIntact(r: { seq: number | string; at: string; project_id: number | string; house_id: number | string | null; message_id: number | string | null; kind: string; payload_json: string; prev_hash: string; hash: string }): boolean {
  const row = { seq: Number(r.seq), at: r.at, project_id: Number(r.project_id), house_id: r.house_id === null ? null : Number(r.house_id), message_id: r.message_id === null ? null : Number(r.message_id), kind: r.kind, payload_json: r.payload_json };
  return sha256(linkText(r.prev_hash, row)) === r.hash;
}
