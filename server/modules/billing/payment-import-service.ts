import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { inProject, inScope } from '../../../core/access/roles.ts';
import { isPeriod } from '../../../core/billing/periods.ts';
import { isLocalDate, localDateOf } from '../../../core/dates.ts';
import { AppError, ERRORS, type ErrorCode } from '../../../core/errors.ts';
import { formatYuan, parseYuan } from '../../../core/money.ts';
import { findHouseWithBuilding, findProject } from '../../db/repositories/registry-repository.ts';
import { audit } from '../audit/audit.ts';
import { requireRole, type Actor, type ServiceContext } from '../context.ts';
import { CHANNELS, checkPayment, recordPaymentOnce, replanCollection, type PaymentInput } from './payment-service.ts';

/**
 * Payments from an import: the bank, WeChat or Alipay statement a cashier exports and tidies into an .xlsx (first
 * sheet, Chinese headers in row 1, one payment per row). A preview checks every row as recordPayment would and writes
 * nothing; the commit records each valid row through recordPaymentOnce, one transaction per row, with the statement's
 * serial number (流水号) as the idempotency key: the same file imported twice records nothing twice.
 */

/** The columns, by the header a cashier writes (full-width or ASCII brackets, spaces ignored). */
export const IMPORT_COLUMNS = {
  project: { header: '项目', required: true, aliases: [] },
  building: { header: '楼栋', required: true, aliases: [] },
  number: { header: '房号', required: true, aliases: [] },
  amount: { header: '金额（元）', required: true, aliases: ['金额'] },
  channel: { header: '渠道', required: true, aliases: ['收款方式'] },
  receivedOn: { header: '到账日期', required: false, aliases: ['缴费日期'] },
  periods: { header: '指定账期', required: false, aliases: [] },
  payerName: { header: '付款人', required: false, aliases: ['缴款人'] },
  serial: { header: '流水号', required: true, aliases: [] },
  note: { header: '备注', required: false, aliases: [] },
} as const satisfies Record<string, { header: string; required: boolean; aliases: readonly string[] }>;
type Column = keyof typeof IMPORT_COLUMNS;

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5000;
/** The idempotency key of an imported row: the statement's serial number under a prefix of its own. */
export const importKey = (serial: string) => `import:${serial}`;

export interface ImportIssue {
  /** The spreadsheet row (the header is row 1). */
  row: number;
  /** The column's header, or null for the row as a whole. */
  column: string | null;
  code: ErrorCode;
  /** 第 5 行【金额（元）】：金额应为正数，最多两位小数 */
  message: string;
}

export type ImportRowStatus = 'ok' | 'recorded' | 'already_imported' | 'rejected';

export interface ImportRow {
  row: number;
  /** ok: valid, not yet recorded (preview); recorded; already_imported: skipped; rejected: see errors. */
  status: ImportRowStatus;
  serial: string | null;
  projectName: string | null;
  building: string | null;
  number: string | null;
  houseId: number | null;
  amountFen: number | null;
  channel: string | null;
  /** The day the money arrived; null: the day it is recorded. */
  receivedOn: string | null;
  periods: string[];
  /** What the row would pay against debts (preview) or paid (commit), and what would go (went) to prepaid. */
  allocatedFen: number | null;
  prepaidFen: number | null;
  paymentId: number | null;
  receiptNumber: string | null;
  errors: ImportIssue[];
}

export interface ImportReport {
  dryRun: boolean;
  /** SHA-256 of the file, as recorded in the audit log. */
  fileSha256: string;
  rows: number;
  /** Rows that passed every check: to be recorded (preview); tried (commit: recorded, or rejected when recording failed). */
  ok: number;
  recorded: number;
  alreadyImported: number;
  rejected: number;
  /** Preview: the sum of the valid rows; commit: the sum recorded. */
  totalFen: number;
  total: string;
  items: ImportRow[];
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the sheet

type Cell = { kind: 'empty' } | { kind: 'text'; text: string } | { kind: 'number'; value: number } | { kind: 'date'; value: Date };

function cellOf(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return { kind: 'empty' };
  if (typeof value === 'string') return value.trim() ? { kind: 'text', text: value.trim() } : { kind: 'empty' };
  if (typeof value === 'number') return { kind: 'number', value };
  if (typeof value === 'boolean') return { kind: 'text', text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) return { kind: 'date', value };
  if ('richText' in value) return cellOf(value.richText.map((r) => r.text).join(''));
  if ('formula' in value || 'sharedFormula' in value) return cellOf((value as { result?: ExcelJS.CellValue }).result ?? null);
  if ('hyperlink' in value) return cellOf((value as { text?: string }).text ?? null);
  if ('error' in value) return { kind: 'text', text: String(value.error) };
  return { kind: 'empty' };
}

const normalizeHeader = (h: string) => h.replace(/\s/g, '').replace(/\(/g, '（').replace(/\)/g, '）');

/** Excel stores a date as a day number; exceljs hands it over as that day at 00:00 UTC. */
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

interface SheetRow { row: number; cells: Partial<Record<Column, Cell>> }

async function readSheet(file: Uint8Array): Promise<SheetRow[]> {
  if (file.byteLength === 0) throw new AppError('VALIDATION_FAILED', '文件为空');
  if (file.byteLength > MAX_IMPORT_BYTES) throw new AppError('VALIDATION_FAILED', `文件不能超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  const wb = new ExcelJS.Workbook();
  try {
    // exceljs's types predate Node 20's generic Buffer.
    await wb.xlsx.load(Buffer.from(file.buffer, file.byteOffset, file.byteLength) as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch {
    throw new AppError('VALIDATION_FAILED', '无法读取文件：请上传 Excel .xlsx 文件（不支持 .xls、.csv）');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new AppError('VALIDATION_FAILED', '文件中没有工作表');
  const where = new Map<Column, number>();
  ws.getRow(1).eachCell((cell, col) => {
    const c = cellOf(cell.value);
    if (c.kind !== 'text') return;
    const h = normalizeHeader(c.text);
    for (const [key, spec] of Object.entries(IMPORT_COLUMNS) as Array<[Column, (typeof IMPORT_COLUMNS)[Column]]>) {
      if (!where.has(key) && [spec.header, ...spec.aliases].map(normalizeHeader).includes(h)) where.set(key, col);
    }
  });
  const missing = (Object.entries(IMPORT_COLUMNS) as Array<[Column, (typeof IMPORT_COLUMNS)[Column]]>).filter(([k, s]) => s.required && !where.has(k));
  if (missing.length) {
    const details = missing.map(([k, s]) => ({ field: k, code: 'VALIDATION_FAILED' as const, message: `第 1 行缺少表头【${s.header}】` }));
    throw new AppError('VALIDATION_FAILED', `表头不完整：缺少${missing.map(([, s]) => `【${s.header}】`).join('')}（第一个工作表的第 1 行为表头）`, details);
  }
  const rows: SheetRow[] = [];
  let tooMany = false;
  ws.eachRow({ includeEmpty: false }, (r, n) => {
    if (n === 1) return;
    const cells: SheetRow['cells'] = {};
    let any = false;
    for (const [key, col] of where) {
      const c = cellOf(r.getCell(col).value);
      if (c.kind !== 'empty') { cells[key] = c; any = true; }
    }
    if (!any) return;
    if (rows.length >= MAX_IMPORT_ROWS) { tooMany = true; return; }
    rows.push({ row: n, cells });
  });
  if (tooMany) throw new AppError('VALIDATION_FAILED', `一次最多导入 ${MAX_IMPORT_ROWS} 行，请拆分文件`);
  if (rows.length === 0) throw new AppError('VALIDATION_FAILED', '文件中没有数据行（第 1 行为表头，数据从第 2 行开始）');
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Checking one row

class RowError extends Error {
  constructor(readonly column: Column | null, readonly code: ErrorCode, message: string) { super(message); }
}

function text(c: Cell | undefined, column: Column, max: number): string | null {
  if (!c || c.kind === 'empty') return null;
  let t: string;
  if (c.kind === 'text') t = c.text;
  else if (c.kind === 'number') t = String(c.value);
  else t = utcDay(c.value);
  if (t.length > max) throw new RowError(column, 'VALIDATION_FAILED', `不能超过 ${max} 个字符`);
  return t;
}

function required(c: Cell | undefined, column: Column, max: number, hint = ''): string {
  const t = text(c, column, max);
  if (t === null) throw new RowError(column, 'VALIDATION_FAILED', `不能为空${hint}`);
  return t;
}

/** Yuan from a text cell ("1,234.56", "¥12") or a number cell (its shortest decimal form, never rounded). */
function amountOf(c: Cell | undefined): number {
  const bad = new RowError('amount', 'VALIDATION_FAILED', '金额应为正数，最多两位小数');
  if (!c || c.kind === 'empty') throw new RowError('amount', 'VALIDATION_FAILED', '不能为空');
  if (c.kind === 'date') throw bad;
  const t = c.kind === 'number' ? (Number.isFinite(c.value) ? String(c.value) : '') : c.text;
  const fen = /e/i.test(t) ? null : parseYuan(t);
  if (fen === null || fen <= 0) throw bad;
  return fen;
}

function serialOf(c: Cell | undefined): string {
  if (c?.kind === 'number' && !Number.isSafeInteger(c.value)) {
    throw new RowError('serial', 'VALIDATION_FAILED', '流水号被 Excel 存成了数字，已丢失位数：请把该列设为“文本”格式后重新导出');
  }
  return required(c, 'serial', 64, '（流水号用于防止重复导入）');
}

function dateOf(c: Cell | undefined): string | null {
  if (!c || c.kind === 'empty') return null;
  if (c.kind === 'date') return utcDay(c.value);
  const m = c.kind === 'text' ? /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(c.text) : null;
  const d = m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : '';
  if (!isLocalDate(d)) throw new RowError('receivedOn', 'DATE_MALFORMED', ERRORS.DATE_MALFORMED.zh);
  return d;
}

function periodsOf(c: Cell | undefined): string[] {
  if (!c || c.kind === 'empty') return [];
  if (c.kind === 'date') return [utcDay(c.value).slice(0, 7)];
  const raw = c.kind === 'text' ? c.text : String(c.value);
  const out: string[] = [];
  for (const part of raw.split(/[,，、;；\s]+/).filter(Boolean)) {
    const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$/.exec(part);
    const p = m ? `${m[1]}-${m[2]!.padStart(2, '0')}` : '';
    if (!isPeriod(p)) throw new RowError('periods', 'VALIDATION_FAILED', `账期“${part}”格式不正确，应为 YYYY-MM，多个用逗号或顿号分隔`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** Where a service error about a payment field goes in the sheet. */
const FIELD_COLUMN: Record<string, Column> = {
  amount: 'amount', channel: 'channel', periods: 'periods', receivedOn: 'receivedOn', payer: 'number', 'payer.ownershipId': 'number',
  payerName: 'payerName', note: 'note',
};

function issueOf(row: number, e: unknown): ImportIssue {
  let column: Column | null = null;
  let code: ErrorCode = 'INTERNAL';
  let message: string = ERRORS.INTERNAL.zh;
  if (e instanceof RowError) ({ column, code, message } = e);
  else if (e instanceof AppError) {
    code = e.code;
    const d = e.details?.[0];
    column = d ? (FIELD_COLUMN[d.field] ?? null) : null;
    // The service's message names its field ("金额（amount）：输入有误（…）"); the sheet's column says it better.
    const inner = d ? /（([^（）]*)）$/.exec(d.message)?.[1] : undefined;
    message = inner ?? e.message;
  }
  const header = column ? IMPORT_COLUMNS[column].header : null;
  return { row, column: header, code, message: `第 ${row} 行${header ? `【${header}】` : ''}：${message}` };
}

interface Checked { item: ImportRow; input: PaymentInput | null; projectId: number | null }

// ---------------------------------------------------------------------------------------------------------------
// The import

/**
 * Preview (dryRun) or import the payments of a statement. Needs 'payment.record'; every row is also checked against
 * the actor's scope (a cashier of one project cannot import into another). The preview writes nothing, not even an
 * audit entry; the commit records the valid rows one transaction each and audits the import per project.
 */
export async function importPayments(ctx: ServiceContext, actor: Actor, file: Uint8Array, opts: { dryRun: boolean }): Promise<ImportReport> {
  requireRole(actor, 'payment.record');
  const sheet = await readSheet(file);
  const fileSha256 = createHash('sha256').update(file).digest('hex');
  const projects = new Map<string, { id: number; name: string } | null>();
  const firstRowOfSerial = new Map<string, number>();

  const checked: Checked[] = [];
  for (const { row, cells } of sheet) {
    const item: ImportRow = {
      row, status: 'rejected', serial: null, projectName: null, building: null, number: null, houseId: null, amountFen: null, channel: null,
      receivedOn: null, periods: [], allocatedFen: null, prepaidFen: null, paymentId: null, receiptNumber: null, errors: [],
    };
    const c: Checked = { item, input: null, projectId: null };
    checked.push(c);
    // Every column is checked, so a row shows all its problems at once.
    const attempt = <T>(f: () => T): T | undefined => {
      try { return f(); } catch (e) { item.errors.push(issueOf(row, e)); return undefined; }
    };
    const serial = attempt(() => serialOf(cells.serial));
    item.serial = serial ?? null;
    const projectText = attempt(() => required(cells.project, 'project', 100));
    item.building = attempt(() => required(cells.building, 'building', 50)) ?? null;
    item.number = attempt(() => required(cells.number, 'number', 32)) ?? null;
    const amountFen = attempt(() => amountOf(cells.amount));
    item.amountFen = amountFen ?? null;
    const channel = attempt(() => {
      const ch = required(cells.channel, 'channel', 20);
      if (!(CHANNELS as readonly string[]).includes(ch)) throw new RowError('channel', 'VALIDATION_FAILED', `渠道“${ch}”无效，可选：${CHANNELS.join('、')}`);
      return ch;
    });
    item.channel = channel ?? null;
    const receivedOn = attempt(() => dateOf(cells.receivedOn));
    item.receivedOn = receivedOn ?? null;
    const periods = attempt(() => periodsOf(cells.periods));
    item.periods = periods ?? [];
    const payerName = attempt(() => text(cells.payerName, 'payerName', 100));
    const note = attempt(() => text(cells.note, 'note', 200));

    if (serial !== undefined) {
      const first = firstRowOfSerial.get(serial);
      if (first !== undefined) item.errors.push(issueOf(row, new RowError('serial', 'VALIDATION_FAILED', `流水号 ${serial} 与第 ${first} 行重复`)));
      else firstRowOfSerial.set(serial, row);
    }

    // The house: project (id or name) → house number, unique in the project → its building must be the one named.
    if (projectText !== undefined) {
      if (!projects.has(projectText)) {
        const p = await findProject(ctx.db, actor.companyId, projectText);
        projects.set(projectText, p ? { id: p.id, name: p.name } : null);
      }
      const p = projects.get(projectText) ?? null;
      if (!p) item.errors.push(issueOf(row, new RowError('project', 'PROJECT_NOT_FOUND', `项目不存在：${projectText}`)));
      else if (!inProject(actor.scope, p.id)) item.errors.push(issueOf(row, new RowError('project', 'OUT_OF_SCOPE', `项目“${p.name}”不在您负责的范围内`)));
      else {
        item.projectName = p.name;
        c.projectId = p.id;
        if (item.number !== null && item.building !== null) {
          const h = await findHouseWithBuilding(ctx.db, p.id, item.number);
          if (!h) item.errors.push(issueOf(row, new RowError('number', 'HOUSE_NOT_FOUND', `房屋不存在：${p.name} ${item.building} ${item.number}`)));
          else if (h.building_name !== item.building) {
            item.errors.push(issueOf(row, new RowError('building', 'VALIDATION_FAILED', `房号 ${h.number} 属于“${h.building_name}”，不是“${item.building}”`)));
          } else if (!inScope(actor.scope, { projectId: h.project_id, buildingId: h.building_id })) {
            item.errors.push(issueOf(row, new RowError('number', 'OUT_OF_SCOPE', `${p.name} ${item.building} ${h.number} 不在您负责的楼栋范围内`)));
          } else item.houseId = h.id;
        }
      }
    }
    if (item.errors.length === 0 && item.houseId !== null && serial !== undefined && amountFen !== undefined && channel !== undefined) {
      c.input = {
        houseId: item.houseId, amount: formatYuan(amountFen, ''), channel, periods: item.periods, payerName: payerName ?? null, note: note ?? null,
        receivedOn: item.receivedOn, idempotencyKey: importKey(serial),
      };
    }
  }

  // Serials already imported: skipped when they are this row's payment, refused when the serial paid something else.
  const keyed = checked.filter((c) => c.input !== null);
  const seen = new Map<string, { id: number; house_id: number; amount_fen: number }>();
  for (let i = 0; i < keyed.length; i += 500) {
    const keys = keyed.slice(i, i + 500).map((c) => c.input!.idempotencyKey!);
    const rows = await ctx.db.selectFrom('payment').select(['id', 'house_id', 'amount_fen', 'idempotency_key']).where('idempotency_key', 'in', keys).execute();
    for (const r of rows) seen.set(r.idempotency_key!, r);
  }
  for (const c of keyed) {
    const prior = seen.get(c.input!.idempotencyKey!);
    if (!prior) continue;
    if (prior.house_id === c.input!.houseId && prior.amount_fen === c.item.amountFen) {
      c.item.status = 'already_imported';
      c.item.paymentId = prior.id;
    } else {
      c.item.errors.push(issueOf(c.item.row, new RowError('serial', 'VALIDATION_FAILED', `流水号 ${c.item.serial ?? ''} 已导入过（收款 #${prior.id}），但房屋或金额与本行不同`)));
    }
    c.input = null;
  }

  // Every check recordPayment makes (payer, designated periods, date), against the debts as they stand.
  for (const c of checked) {
    if (!c.input) continue;
    try {
      const plan = await checkPayment(ctx, actor, c.input);
      c.item.status = 'ok';
      c.item.allocatedFen = plan.allocatedFen;
      c.item.prepaidFen = plan.prepaidFen;
    } catch (e) {
      c.item.errors.push(issueOf(c.item.row, e));
      c.input = null;
    }
  }

  const valid = checked.filter((c) => c.input !== null).length;
  if (!opts.dryRun) {
    // In the order of the days the money arrived (then of the sheet): an earlier day is never recorded after a later one.
    const todo = checked.filter((c) => c.input !== null)
      .sort((a, b) => (a.input!.receivedOn ?? '9999-12-31').localeCompare(b.input!.receivedOn ?? '9999-12-31') || a.item.row - b.item.row);
    for (const c of todo) {
      try {
        // The houses' collection cases are planned again once, after the whole file (below), not once per row.
        const { payment: p, created } = await recordPaymentOnce(ctx, actor, c.input!, { replan: false });
        if (!created) {
          // Recorded meanwhile by another import of the same statement.
          c.item.status = 'already_imported';
          c.item.paymentId = p.id;
          continue;
        }
        c.item.status = 'recorded';
        c.item.paymentId = p.id;
        c.item.receiptNumber = p.receiptNumber;
        c.item.allocatedFen = p.amountFen - p.prepaidFen;
        c.item.prepaidFen = p.prepaidFen;
      } catch (e) {
        // The row's transaction rolled back: nothing of it is in the database.
        c.item.allocatedFen = null;
        c.item.prepaidFen = null;
        // The same serial recorded meanwhile by another import of the statement (the key is unique): skipped, not wrong.
        const raced = await ctx.db.selectFrom('payment').select(['id', 'house_id', 'amount_fen']).where('idempotency_key', '=', c.input!.idempotencyKey!).executeTakeFirst();
        if (raced && raced.house_id === c.input!.houseId && raced.amount_fen === c.item.amountFen) {
          c.item.status = 'already_imported';
          c.item.paymentId = raced.id;
        } else {
          c.item.status = 'rejected';
          c.item.errors.push(issueOf(c.item.row, e));
        }
      }
    }
    const paid = [...new Set(todo.filter((c) => c.item.status === 'recorded').map((c) => c.input!.houseId))];
    const houses = await ctx.db.selectFrom('house').innerJoin('project', 'project.id', 'house.project_id').select(['house.id', 'house.project_id', 'project.time_zone'])
      .where('house.id', 'in', paid.length ? paid : [-1]).execute();
    for (const projectId of new Set(houses.map((h) => h.project_id))) {
      const rows = houses.filter((h) => h.project_id === projectId);
      await replanCollection(ctx, projectId, rows.map((h) => h.id), localDateOf(ctx.clock.now(), rows[0]!.time_zone));
    }
  }
  for (const c of checked) if (c.item.errors.length) c.item.status = 'rejected';

  const items = checked.map((c) => c.item);
  const count = (s: ImportRowStatus) => items.filter((i) => i.status === s).length;
  const counted = items.filter((i) => i.status === (opts.dryRun ? 'ok' : 'recorded'));
  const totalFen = counted.reduce((s, i) => s + (i.amountFen ?? 0), 0);
  const report: ImportReport = {
    dryRun: opts.dryRun, fileSha256, rows: items.length, ok: valid, recorded: count('recorded'),
    alreadyImported: count('already_imported'), rejected: count('rejected'), totalFen, total: formatYuan(totalFen), items,
  };

  if (!opts.dryRun && report.recorded > 0) {
    // One entry per project the import recorded into (each payment has its own entry too): counts, amounts and
    // payment ids, the file's hash; never the payers' names or the file name.
    const byProject = new Map<number, Checked[]>();
    for (const c of checked) if (c.projectId !== null) byProject.set(c.projectId, [...(byProject.get(c.projectId) ?? []), c]);
    await ctx.db.transaction().execute(async (trx) => {
      for (const [projectId, cs] of byProject) {
        const recorded = cs.filter((c) => c.item.status === 'recorded');
        if (!recorded.length) continue;
        await audit(trx, ctx, actor, {
          action: 'payment.import', entity: 'payment_import', entityId: fileSha256.slice(0, 16), projectId,
          after: {
            fileSha256, rows: cs.length, recorded: recorded.length, alreadyImported: cs.filter((c) => c.item.status === 'already_imported').length,
            rejected: cs.filter((c) => c.item.status === 'rejected').length, totalFen: recorded.reduce((s, c) => s + (c.item.amountFen ?? 0), 0),
            paymentIds: recorded.map((c) => c.item.paymentId), fileRows: report.rows, fileRejected: report.rejected,
          },
        });
      }
    });
  }
  return report;
}
