import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';
import type { ControlledTransaction } from 'kysely';
import { hasWholeProject, type Operation } from '../../../core/access/roles.ts';
import { localDateOf } from '../../../core/dates.ts';
import { AppError, fieldError } from '../../../core/errors.ts';
import type { DB } from '../../db/schema.ts';
import { audit } from '../audit/audit.ts';
import { nowIso, requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { mapHeaders, namesOf, readRow, type CellError } from './columns.ts';
import { BulkWriter, erased, IdAllocator, insertMany, type AnyImportKind, type ChunkRow, type ImportContext, type RowFailure } from './kind.ts';
import { hcAssetsKind, housesKind } from './kinds/houses.ts';
import { bankStatementKind } from './kinds/bank.ts';
import { standardsKind } from './kinds/standards.ts';
import { hcPaymentHistoryKind, openingBalancesKind, paymentHistoryKind } from './kinds/ledger.ts';
import { openTable } from './reader.ts';
import { streamXlsx } from '../../documents/xlsx-export.ts';
import { sqliteWriter, type SqliteWorkerWriter } from '../../db/sqlite-writer.ts';

/**
 * Importing a table (issue 7): read it as it streams, check every row (cells by the column definitions, then against
 * the database chunk by chunk), and write in ONE transaction: all or nothing by default, so a file with an error, or
 * a process killed half-way, leaves the database as it was; or "valid rows only" when asked. A dry run checks the
 * same way and writes nothing. Each imported row leaves its key (source + natural key): importing it again skips it.
 * Every error is kept (sheet, row, column, value, reason) for the report and the error workbook.
 *
 * On SQLite the import writes on a connection of its own in a worker thread (server/db/sqlite-writer.ts), so the file is
 * read while the rows are written and the app's connection keeps serving reads; the app's writes wait for the import
 * (busy timeout).
 */

type AnyKind = AnyImportKind;
export const IMPORT_KINDS: Record<string, { kind: AnyKind; op: Operation }> = {
  houses: { kind: erased(housesKind), op: 'house.write' },
  hc_assets: { kind: erased(hcAssetsKind), op: 'house.write' },
  opening_balances: { kind: erased(openingBalancesKind), op: 'billing.configure' },
  payment_history: { kind: erased(paymentHistoryKind), op: 'billing.configure' },
  hc_payment_history: { kind: erased(hcPaymentHistoryKind), op: 'billing.configure' },
  fee_standards: { kind: erased(standardsKind), op: 'billing.configure' },
  bank_statement: { kind: erased(bankStatementKind), op: 'payment.record' },
};

const CHUNK = 5000;
/** Writes (up to 5,000 rows of one table each) that may wait their turn while the next chunks are read. */
const OUTSTANDING_WRITES = 24;
/** Errors kept per import (the first ones): a file wrong on every row is reported by its first 100,000 errors. */
const MAX_ERRORS = 100_000;

export interface ImportRequest {
  kind: string; projectId: number; path: string; filename: string; dryRun: boolean; mode?: 'all' | 'valid' | undefined;
  onProgress?: ((p: { rows: number; progress: number }) => void) | undefined;
  /** Called once the batch is recorded (the console then polls it while the import runs). */
  onBatch?: ((batchId: number) => void) | undefined;
}
export interface ImportReport {
  batchId: number; kind: string; label: string; dryRun: boolean; mode: 'all' | 'valid'; status: 'checked' | 'committed' | 'rolled_back';
  sheet: string; rows: number; valid: number; invalid: number; written: number; skipped: number; notices: number;
  errors: Array<{ sheet: string; row: number; column: string; value: string; reason: string }>; errorsTruncated: boolean; message: string;
}

/** Imports running in this process, per database (batch ids are the database's), for the console's progress bar (the
 * batch row is written when it ends). */
type Progress = Map<number, { rows: number; progress: number }>;
const RUNNING_BY_DB = new WeakMap<object, Progress>();
function running(ctx: ServiceContext): Progress {
  let m = RUNNING_BY_DB.get(ctx.db);
  if (!m) RUNNING_BY_DB.set(ctx.db, (m = new Map() as Progress));
  return m;
}

function kindOf(name: string) {
  const k = IMPORT_KINDS[name];
  if (!k) throw fieldError('kind', 'VALIDATION_FAILED', `可导入：${Object.entries(IMPORT_KINDS).map(([key, v]) => `${key}（${v.kind.label}）`).join('、')}`);
  return k;
}

export async function runImport(ctx: ServiceContext, actor: Actor, req: ImportRequest): Promise<ImportReport> {
  const { kind, op } = kindOf(req.kind);
  requireRole(actor, op);
  const project = await getProjectOrThrow(ctx, actor, req.projectId);
  if (!hasWholeProject(actor.scope, project.id)) throw new AppError('OUT_OF_SCOPE', '导入按整个项目进行，须负责整个项目');
  const format = /\.csv$/i.test(req.filename) ? 'csv' : /\.xlsx$/i.test(req.filename) ? 'xlsx' : null;
  if (!format) throw fieldError('file', 'VALIDATION_FAILED', '请上传 .xlsx 或 .csv 文件');
  const mode = req.mode ?? 'all';
  const at = nowIso(ctx);
  // The file's hash as it streams (an upload may be large: it is never held in memory whole).
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(req.path)) hash.update(chunk as Buffer);
  const sha = hash.digest('hex');
  const batch = await ctx.db.insertInto('import_batch').values({
    company_id: actor.companyId, project_id: project.id, kind: kind.kind, filename: req.filename.slice(0, 200), file_sha256: sha, mode: req.dryRun ? 'dry_run' : mode,
    status: 'running', created_by: actor.name, created_at: at,
  }).returning('id').executeTakeFirstOrThrow();
  const batchId = Number(batch.id);
  const RUNNING = running(ctx);
  RUNNING.set(batchId, { rows: 0, progress: 0 });
  req.onBatch?.(batchId);
  const errors: ImportReport['errors'] = [];
  let invalid = 0;
  const fail = (sheet: string, row: number, e: CellError | RowFailure) => {
    if (errors.length < MAX_ERRORS) errors.push({ sheet, row, column: e.column, value: e.value, reason: e.reason });
  };
  const counts = { rows: 0, valid: 0, written: 0, skipped: 0, notices: 0 };
  let trx: ControlledTransaction<DB> | null = null;
  let writer: SqliteWorkerWriter | null = null;
  let bulk: BulkWriter | null = null;
  let sheet = kind.sheet ?? '';
  try {
    const table = await openTable(req.path, format, { sheet: kind.sheet ?? undefined, headerNames: namesOf(Object.values(kind.columns)[0]!) });
    sheet = table.sheet;
    const { index, missing } = mapHeaders(kind.columns, table.headers);
    if (missing.length) throw fieldError('file', 'VALIDATION_FAILED', `缺少列：${missing.join('、')}（表头在第 ${table.headerRow} 行）`);
    if (!req.dryRun) {
      // SQLite: the import writes on a connection of its own, so the app's connection keeps serving reads meanwhile.
      if (ctx.dialect === 'sqlite') writer = await sqliteWriter(ctx.db);
      trx = await (writer?.db ?? ctx.db).startTransaction().execute();
    }
    const db = trx ?? ctx.db;
    // What earlier imports wrote is read on the app's connection, so that the check does not wait for the rows queued on
    // the import's (this import's own keys never repeat: \`seen\` refuses a repeated row). SQLite in memory: one connection.
    const committed = ctx.dialect === 'postgres' || writer ? ctx.db : db;
    bulk = new BulkWriter(db, writer ?? undefined);
    const ic: ImportContext = {
      ctx, db, write: !req.dryRun, projectId: project.id, actor, batchId, at, today: localDateOf(ctx.clock.now(), project.time_zone), cache: new Map(), ids: new IdAllocator(ctx.dialect === 'postgres' ? ctx.db : db, ctx.dialect),
      bulk,
    };
    const seen = new Map<string, number>();
    let chunk: ChunkRow<unknown>[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const rows = chunk;
      chunk = [];
      // The chunks sent before are written while this one is checked; a few may wait their turn (bounded memory).
      await ic.bulk.drain(OUTSTANDING_WRITES);
      const keys = rows.map((r) => r.key);
      const done = new Set((await committed.selectFrom('import_key').select('row_key').where('source', '=', kind.source).where('row_key', 'in', keys).execute()).map((k) => k.row_key));
      const fresh = rows.filter((r) => !done.has(r.key));
      counts.skipped += rows.length - fresh.length;
      // All or nothing: after the first error the rest is only checked (the transaction will be rolled back).
      ic.write = !req.dryRun && (mode === 'valid' || invalid === 0);
      const failures = fresh.length ? await kind.apply(ic, fresh) : [];
      const failed = new Set(failures.map((f) => f.row));
      for (const f of failures) fail(sheet, f.row, f);
      invalid += failed.size;
      const ok = fresh.filter((r) => !failed.has(r.row));
      counts.valid += ok.length;
      if (ic.write) {
        await ic.bulk.insert('import_key', ok.map((r) => ({ source: kind.source, row_key: r.key, batch_id: batchId })));
        counts.written += ok.length;
      }
      RUNNING.set(batchId, { rows: counts.rows, progress: table.progress() });
      req.onProgress?.({ rows: counts.rows, progress: table.progress() });
    };
    for await (const { row, values } of table.rows) {
      if (values.every((v) => v === '')) continue;
      counts.rows++;
      const r = readRow(kind.columns, index, values);
      if (!r.ok) { invalid++; for (const e of r.errors) fail(sheet, row, e); continue; }
      if (kind.skip?.(r.value)) { counts.notices++; continue; }
      const natural = kind.key(r.value);
      const first = seen.get(natural);
      if (first !== undefined) { invalid++; fail(sheet, row, { column: '（整行）', value: natural, reason: `与第 ${first} 行重复` }); continue; }
      const key = `${project.id}|${natural}`;
      seen.set(natural, row);
      chunk.push({ row, key, value: r.value });
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
    await bulk.settle();
    const commit = trx !== null && (mode === 'valid' || invalid === 0);
    if (trx) {
      if (commit) await trx.commit().execute();
      else { await trx.rollback().execute(); counts.written = 0; }
      trx = null;
    }
    await writer?.close();
    writer = null;
    const status: ImportReport['status'] = req.dryRun ? 'checked' : commit ? 'committed' : 'rolled_back';
    const message = req.dryRun
      ? `检查完成：${counts.rows} 行，可导入 ${counts.valid} 行，有误 ${invalid} 行，已导入过 ${counts.skipped} 行${counts.notices ? `，不导入 ${counts.notices} 行（非业主成员）` : ''}（未写入）`
      : commit ? `已导入 ${counts.written} 行${invalid ? `，跳过有误的 ${invalid} 行` : ''}${counts.skipped ? `，已导入过 ${counts.skipped} 行` : ''}`
        : `有 ${invalid} 行有误，全部未导入（整体导入：修正后重新导入，或选择“只导入正确的行”）`;
    return await finish(ctx, actor, batchId, project.id, kind, { status, counts, invalid, errors, message, sheet, dryRun: req.dryRun, mode });
  } catch (caught) {
    // A COPY sent earlier that failed makes every later query fail: its own error is the one to report.
    const e = bulk?.firstError ?? caught;
    if (trx) await trx.rollback().execute().catch(() => undefined);
    await writer?.close().catch(() => undefined);
    const message = e instanceof AppError ? e.message : `导入失败：${e instanceof Error ? e.message : String(e)}`;
    await ctx.db.updateTable('import_batch').set({ status: 'failed', message, finished_at: nowIso(ctx) }).where('id', '=', batchId).execute();
    RUNNING.delete(batchId);
    if (e instanceof AppError) throw e;
    throw new AppError('VALIDATION_FAILED', message);
  }
}

async function finish(ctx: ServiceContext, actor: Actor, batchId: number, projectId: number, kind: AnyKind, r: {
  status: ImportReport['status']; counts: { rows: number; valid: number; written: number; skipped: number; notices: number }; invalid: number;
  errors: ImportReport['errors']; message: string; sheet: string; dryRun: boolean; mode: 'all' | 'valid';
}): Promise<ImportReport> {
  r.errors.sort((a, b) => a.row - b.row);
  await ctx.db.transaction().execute(async (trx) => {
    await insertMany(trx, 'import_error', r.errors.map((e) => ({ batch_id: batchId, sheet: e.sheet, row_no: e.row, column_name: e.column, value: e.value.slice(0, 500), reason: e.reason })));
    await trx.updateTable('import_batch').set({
      status: r.status, rows: r.counts.rows, valid: r.counts.valid, invalid: r.invalid, written: r.counts.written, skipped: r.counts.skipped, progress: 100, message: r.message, finished_at: nowIso(ctx),
    }).where('id', '=', batchId).execute();
    if (!r.dryRun) await audit(trx, ctx, actor, { action: 'import.run', entity: 'import_batch', entityId: batchId, projectId, after: { kind: kind.kind, status: r.status, rows: r.counts.rows, written: r.counts.written, invalid: r.invalid } });
  });
  running(ctx).delete(batchId);
  return {
    batchId, kind: kind.kind, label: kind.label, dryRun: r.dryRun, mode: r.mode, status: r.status, sheet: r.sheet, rows: r.counts.rows, valid: r.counts.valid, invalid: r.invalid,
    written: r.counts.written, skipped: r.counts.skipped, notices: r.counts.notices, errors: r.errors.slice(0, 200), errorsTruncated: r.errors.length > 200, message: r.message,
  };
}

/** The template of an import: the sheet with the headers and an example row, and 填写说明 with what each column takes. */
export async function importTemplate(kindName: string): Promise<{ xlsx: Buffer; filename: string }> {
  const { kind } = kindOf(kindName);
  const wb = new ExcelJS.Workbook();
  const columns = Object.values(kind.columns);
  const ws = wb.addWorksheet(kind.sheet ?? kind.label, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.required ? `${c.header}*` : c.header, key: c.key, width: Math.max(10, c.header.length * 2 + 4) }));
  ws.getRow(1).font = { bold: true };
  columns.forEach((c, i) => { ws.getCell(1, i + 1).note = c.note; });
  ws.addRow(Object.fromEntries(columns.map((c) => [c.key, c.example])));
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ header: '列', key: 'h', width: 16 }, { header: '必填', key: 'r', width: 6 }, { header: '说明', key: 'n', width: 60 }, { header: '示例', key: 'e', width: 30 }];
  help.getRow(1).font = { bold: true };
  for (const c of columns) help.addRow({ h: c.header, r: c.required ? '是' : '', n: c.note, e: c.example });
  help.addRow({});
  help.addRow({ h: '说明', n: '表头须在第一行（标“*”的列必填）；每行一条；同一文件重复导入不会重复写入。默认整体导入：有一行有误则全部不导入。' });
  return { xlsx: Buffer.from(await wb.xlsx.writeBuffer()), filename: `导入模板-${kind.label}.xlsx` };
}

async function batchOrThrow(ctx: ServiceContext, actor: Actor, batchId: number) {
  const b = await ctx.db.selectFrom('import_batch').selectAll().where('id', '=', batchId).executeTakeFirst();
  if (!b || b.company_id !== actor.companyId) throw fieldError('id', 'NOT_FOUND', '导入记录不存在');
  if (b.project_id !== null) await getProjectOrThrow(ctx, actor, b.project_id);
  return b;
}

const BATCH_STATUS: Record<string, string> = { running: '进行中', checked: '已检查（未写入）', committed: '已导入', rolled_back: '未导入（有误）', failed: '失败', interrupted: '已中断' };

function batchView(ctx: ServiceContext, b: Awaited<ReturnType<typeof batchOrThrow>>) {
  const live = running(ctx).get(b.id);
  // A batch left "running" by a process that is gone was interrupted: its transaction never committed, nothing was written.
  const status = b.status === 'running' && !live ? 'interrupted' : b.status;
  return {
    id: b.id, projectId: b.project_id, kind: b.kind, label: IMPORT_KINDS[b.kind]?.kind.label ?? b.kind, filename: b.filename, mode: b.mode, status, statusLabel: BATCH_STATUS[status] ?? status,
    rows: live?.rows ?? b.rows, progress: live ? Math.round(live.progress * 100) : b.status === 'running' ? 0 : 100, valid: b.valid, invalid: b.invalid, written: b.written, skipped: b.skipped,
    message: b.message, createdBy: b.created_by, createdAt: b.created_at, finishedAt: b.finished_at,
  };
}

export async function importStatus(ctx: ServiceContext, actor: Actor, batchId: number) {
  const b = await batchOrThrow(ctx, actor, batchId);
  const errors = await ctx.db.selectFrom('import_error').select(['sheet', 'row_no', 'column_name', 'value', 'reason']).where('batch_id', '=', batchId).orderBy('id').limit(200).execute();
  return { ...batchView(ctx, b), errors: errors.map((e) => ({ sheet: e.sheet, row: e.row_no, column: e.column_name, value: e.value ?? '', reason: e.reason })) };
}

export async function listImports(ctx: ServiceContext, actor: Actor, projectId: number) {
  await getProjectOrThrow(ctx, actor, projectId);
  const rows = await ctx.db.selectFrom('import_batch').selectAll().where('project_id', '=', projectId).orderBy('id', 'desc').limit(100).execute();
  return rows.map((b) => batchView(ctx, b));
}

/** Every error of an import as a workbook (sheet, row, column, value, reason), to fix the file by. */
export async function importErrorsXlsx(ctx: ServiceContext, actor: Actor, batchId: number) {
  const b = await batchOrThrow(ctx, actor, batchId);
  async function* rows() {
    for (let after = 0; ;) {
      const page = await ctx.db.selectFrom('import_error').select(['id', 'sheet', 'row_no', 'column_name', 'value', 'reason']).where('batch_id', '=', batchId).where('id', '>', after).orderBy('id').limit(5000).execute();
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.id;
    }
  }
  const stream = streamXlsx({
    sheet: '错误明细', title: `${b.filename} 的错误（${IMPORT_KINDS[b.kind]?.kind.label ?? b.kind}）`, rows: rows(),
    columns: [
      { key: 'sheet', header: '工作表', width: 14, value: (r) => r.sheet }, { key: 'row', header: '行号', width: 8, type: 'int', value: (r) => r.row_no },
      { key: 'column', header: '列', width: 14, value: (r) => r.column_name }, { key: 'value', header: '填写的值', width: 24, value: (r) => r.value },
      { key: 'reason', header: '原因', width: 50, value: (r) => r.reason },
    ],
  });
  return { stream, filename: `导入错误-${b.id}.xlsx` };
}
