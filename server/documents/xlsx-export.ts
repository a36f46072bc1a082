import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { isLocalDate } from '../../core/dates.ts';
import { fenToYuanText } from '../../core/money.ts';

/**
 * Lists as spreadsheets: one streaming .xlsx writer (and a CSV twin) for any list of rows. Rows are pulled from an
 * async iterable and written one at a time, so an export of any length goes out with bounded memory and no row cap.
 *
 * Values by column type:
 * - text: a string cell (never a formula);
 * - money: integer fen in, a number of yuan out (fen / 100, display only) shown as ¥#,##0.00;
 * - int: a number;
 * - date: a 'YYYY-MM-DD' calendar date in, a real Excel date out, shown as yyyy-mm-dd. An Excel date is a day number
 *   with no time zone; it is built from the calendar text through Date.UTC, so no zone can shift it, and unlike a text
 *   cell it sorts, filters by year and month and takes date arithmetic (days overdue). The payment import reads it
 *   back as the same day;
 * - datetime: an ISO instant in, its wall-clock time in Asia/Shanghai out as a real Excel date-time (seconds kept),
 *   shown as yyyy-mm-dd hh:mm.
 * `value` returns null for an empty cell. Money and int also accept an integer as text (pg returns sums and counts as
 * strings); anything else that does not fit its type fails the export rather than writing a wrong figure.
 */
export type ExportColumnType = 'text' | 'money' | 'int' | 'date' | 'datetime';

export type ExportColumn<R> = {
  key: string;
  header: string;
  width?: number;
  type?: ExportColumnType;
  value: (row: R) => string | number | null;
};

export interface StreamXlsxOptions<R> {
  /** The sheet's name; continuation sheets are named `${sheet}（2）`, `${sheet}（3）`… */
  sheet: string;
  /** A title above the header, e.g. 欠费清单（截至 2026-03-31）. Repeated on every continuation sheet. */
  title?: string;
  columns: ExportColumn<R>[];
  rows: AsyncIterable<R>;
  /** Rows per sheet, title and header included. Default (and maximum): Excel's 1,048,576. */
  maxRowsPerSheet?: number;
  /** Printed at the top of every page (who exported it, when: R37). */
  watermark?: string;
}

/** The most rows an Excel worksheet holds. */
const XLSX_MAX_ROWS = 1_048_576;
/** The most characters an Excel cell holds. */
const XLSX_MAX_CELL_CHARS = 32_767;
/** The most characters in an Excel sheet name. */
const SHEET_NAME_MAX = 31;

const MONEY_FORMAT = '¥#,##0.00';
const DATE_FORMAT = 'yyyy-mm-dd';
const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm';
const EXPORT_TIME_ZONE = 'Asia/Shanghai';

const DEFAULT_WIDTH: Record<ExportColumnType, number> = { text: 16, money: 14, int: 10, date: 12, datetime: 17 };
const NUM_FMT: Partial<Record<ExportColumnType, string>> = { money: MONEY_FORMAT, date: DATE_FORMAT, datetime: DATETIME_FORMAT };

// ---------------------------------------------------------------------------------------------------------------
// Values

class ExportValueError extends TypeError {
  constructor(header: string, row: number, detail: string) {
    super(`导出失败：第 ${row} 条记录的【${header}】${detail}`);
    this.name = 'ExportValueError';
  }
}

/** An integer from a number or an integer written as text; undefined when it is neither. */
function integerOf(v: string | number): number | undefined {
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

const shanghaiParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: EXPORT_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

const HOUR_MS = 3_600_000;

/** Asia/Shanghai's UTC offset at an instant (ms), from the time-zone database. */
function offsetAt(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of shanghaiParts.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The offset per UTC hour, asked of Intl once per hour rather than once per cell (formatToParts is the slowest step of
 * a date-time column). An hour whose two ends have different offsets (a zone change inside it) is marked NaN and
 * every instant in it is asked for separately.
 */
const offsetByHour = new Map<number, number>();
function shanghaiOffset(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const start = offsetAt(hour * HOUR_MS);
    offset = start === offsetAt((hour + 1) * HOUR_MS - 1000) ? start : Number.NaN;
    if (offsetByHour.size >= 10_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return Number.isNaN(offset) ? offsetAt(ms) : offset;
}

/** The wall-clock time of an ISO instant in Asia/Shanghai, as [y, m, d, hh, mm, ss] (numbers) or undefined. */
function shanghaiWallClock(v: string | number): number[] | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return undefined;
  const wall = new Date(ms + shanghaiOffset(ms));
  return [wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes(), wall.getUTCSeconds()];
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A value checked against its column's type: text; fen; an integer; [y, m, d]; [y, m, d, hh, mm, ss]. */
type Checked = { kind: 'empty' } | { kind: 'text'; text: string } | { kind: 'money' | 'int'; n: number } | { kind: 'date' | 'datetime'; parts: number[] };

function check<R>(column: ExportColumn<R>, row: R, index: number): Checked {
  const v = column.value(row);
  if (v === null || v === undefined) return { kind: 'empty' };
  const fail = (detail: string) => new ExportValueError(column.header, index, `${detail}：${JSON.stringify(v)}`);
  switch (column.type ?? 'text') {
    case 'text':
      return { kind: 'text', text: String(v) };
    case 'money': {
      const n = integerOf(v);
      if (n === undefined) throw fail('应为整数分');
      return { kind: 'money', n };
    }
    case 'int': {
      const n = integerOf(v);
      if (n === undefined) throw fail('应为整数');
      return { kind: 'int', n };
    }
    case 'date': {
      if (typeof v !== 'string' || !isLocalDate(v)) throw fail('应为 YYYY-MM-DD 日期');
      return { kind: 'date', parts: v.split('-').map(Number) };
    }
    case 'datetime': {
      const parts = shanghaiWallClock(v);
      if (!parts) throw fail('应为 ISO 时间');
      return { kind: 'datetime', parts };
    }
  }
}

function xlsxValue(c: Checked): string | number | Date | null {
  switch (c.kind) {
    case 'empty': return null;
    case 'text': return c.text.length > XLSX_MAX_CELL_CHARS ? c.text.slice(0, XLSX_MAX_CELL_CHARS) : c.text;
    case 'money': return c.n / 100; // display only: whole fen over 100 is the double nearest the two-decimal amount
    case 'int': return c.n;
    case 'date':
    case 'datetime': {
      const [y = 1970, m = 1, d = 1, hh = 0, mm = 0, ss = 0] = c.parts;
      // exceljs turns a Date into an Excel serial from its UTC fields: these are the calendar day or the Shanghai
      // wall clock, so the cell shows exactly that day and time whatever the zone of the server or the reader.
      return new Date(Date.UTC(y, m - 1, d, hh, mm, ss));
    }
  }
}

/** Text that a spreadsheet would run as a formula when it opens a CSV (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvText(c: Checked): string {
  switch (c.kind) {
    case 'empty': return '';
    case 'text': return FORMULA_START.test(c.text) ? `'${c.text}` : c.text;
    case 'money': return fenToYuanText(c.n);
    case 'int': return String(c.n);
    case 'date': {
      const [y = 0, m = 0, d = 0] = c.parts;
      return `${y}-${pad2(m)}-${pad2(d)}`;
    }
    case 'datetime': {
      const [y = 0, m = 0, d = 0, hh = 0, mm = 0] = c.parts;
      return `${y}-${pad2(m)}-${pad2(d)} ${pad2(hh)}:${pad2(mm)}`;
    }
  }
}

/** RFC 4180: a field with a comma, a quote or a line break goes in quotes, with its quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// ---------------------------------------------------------------------------------------------------------------
// .xlsx

/** Characters Excel does not allow in a sheet name. */
const SHEET_NAME_FORBIDDEN = /[\\/?*:[\]]/g;

/** The n-th sheet's name: 欠费清单, 欠费清单（2）, … cut so that it stays within Excel's 31 characters. */
export function sheetNameOf(base: string, n: number): string {
  const suffix = n === 1 ? '' : `（${n}）`;
  const clean = base.replace(SHEET_NAME_FORBIDDEN, '_').trim() || 'Sheet';
  return [...clean].slice(0, SHEET_NAME_MAX - suffix.length).join('') + suffix;
}

/** Display width of a header: a CJK character takes two columns. */
const displayWidth = (s: string) => [...s].reduce((w, ch) => w + ((ch.codePointAt(0) ?? 0) > 0x2e80 ? 2 : 1), 0);

/**
 * How much uncompressed sheet XML is waiting for the zip. exceljs writes each committed row into a buffer of its own
 * (StreamBuf) which ignores back-pressure and hands full 64 KB blocks to archiver's PassThrough; everything behind
 * that (deflate, archiver, our output) honours back-pressure, so a slow reader or a slow deflate shows up here as a
 * growing backlog. These are exceljs 4 / archiver 5 internals, read defensively: should they change, this reads 0 and
 * the writer still yields to the event loop every YIELD_EVERY rows, and xlsx-export.test.ts fails (the writer no
 * longer stalls for a reader that does not read, and a million rows take some 340 MB instead of some 50).
 */
function zipBacklog(ws: ExcelJS.Worksheet): { bytes: number; drainable?: NodeJS.EventEmitter } {
  type State = { length?: number } | undefined;
  type Pipe = NodeJS.EventEmitter & { _writableState?: State; _readableState?: State };
  const buf = (ws as unknown as { _stream?: { buffers?: unknown; pipes?: unknown } })._stream;
  if (!buf) return { bytes: 0 };
  let bytes = 0;
  if (Array.isArray(buf.buffers)) for (const b of buf.buffers as Array<{ length?: unknown }>) bytes += typeof b.length === 'number' ? b.length : 0;
  const pipe = Array.isArray(buf.pipes) ? (buf.pipes[0] as Pipe | undefined) : undefined;
  if (pipe && typeof pipe.on === 'function') {
    bytes += (pipe._writableState?.length ?? 0) + (pipe._readableState?.length ?? 0);
    return { bytes, drainable: pipe };
  }
  return { bytes };
}

const ZIP_HIGH_WATER_MARK = 64 * 1024;
/** Pause the rows when this much sheet XML waits for the zip… */
const BACKLOG_HIGH = 1 << 20;
/** …and let the event loop run at least this often in any case. */
const YIELD_EVERY = 2000;

/** Until `emitter` emits 'drain', `out` closes, or `ms` pass (a safety net: the caller checks again). */
function drained(emitter: NodeJS.EventEmitter | undefined, out: PassThrough, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      emitter?.off('drain', done);
      out.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    emitter?.on('drain', done);
    out.on('close', done);
  });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Streams `rows` as an .xlsx: an optional title row, the header (bold, frozen with the title), then one row per item,
 * committed as it comes. A sheet that reaches `maxRowsPerSheet` (Excel's 1,048,576) continues on `${sheet}（2）` with
 * the title and header repeated. An error from `rows` (or from a value that does not fit its column) destroys the
 * stream with that error, so an HTTP download is aborted rather than cut short silently; a reader that goes away
 * (the stream is destroyed) stops the iteration, which closes `rows`.
 */
export function streamXlsx<R>(opts: StreamXlsxOptions<R>): Readable {
  const { columns, title } = opts;
  const maxRows = opts.maxRowsPerSheet ?? XLSX_MAX_ROWS;
  const headRows = title === undefined ? 1 : 2;
  if (!Number.isSafeInteger(maxRows) || maxRows <= headRows || maxRows > XLSX_MAX_ROWS) {
    throw new RangeError(`maxRowsPerSheet must be an integer in ${headRows + 1}..${XLSX_MAX_ROWS}: ${maxRows}`);
  }
  if (columns.length === 0) throw new RangeError('streamXlsx needs at least one column');

  const out = new PassThrough();
  // archiver buffers up to its highWaterMark (1 MB by default, each way) of compressed output; 64 KB is plenty.
  const zipOptions = { highWaterMark: ZIP_HIGH_WATER_MARK } as Partial<ExcelJS.stream.xlsx.ArchiverZipOptions>;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false, zip: zipOptions });
  const zip = (wb as unknown as { zip?: NodeJS.EventEmitter }).zip;
  zip?.on('error', (e: Error) => out.destroy(e));
  const bold = { bold: true };
  const sheetColumns = columns.map((c) => {
    const type = c.type ?? 'text';
    const numFmt = NUM_FMT[type];
    return { key: c.key, width: c.width ?? Math.max(DEFAULT_WIDTH[type], displayWidth(c.header) + 2), ...(numFmt ? { style: { numFmt } } : {}) };
  });

  let sheets = 0;
  const openSheet = () => {
    sheets += 1;
    const ws = wb.addWorksheet(sheetNameOf(opts.sheet, sheets), {
      views: [{ state: 'frozen', ySplit: headRows }],
      // &C: centred; a header/footer field takes at most 255 characters.
      ...(opts.watermark ? { headerFooter: { oddHeader: `&C${opts.watermark.replace(/&/g, '&&').slice(0, 240)}`, oddFooter: '&C第 &P 页，共 &N 页' } } : {}),
    });
    ws.columns = sheetColumns;
    if (title !== undefined) ws.addRow([title]).commit();
    const header = ws.addRow(columns.map((c) => c.header));
    header.eachCell((cell) => { cell.style = { font: bold }; });
    header.commit();
    return ws;
  };

  void (async () => {
    try {
      let ws = openSheet();
      let inSheet = headRows;
      let n = 0;
      for await (const row of opts.rows) {
        if (out.destroyed) break; // the reader went away: stop reading rows (for-await closes the iterator)
        n += 1;
        const values = columns.map((c) => xlsxValue(check(c, row, n)));
        if (inSheet >= maxRows) {
          ws.commit();
          ws = openSheet();
          inSheet = headRows;
        }
        ws.addRow(values).commit();
        inSheet += 1;
        let backlog = zipBacklog(ws);
        if (backlog.bytes > BACKLOG_HIGH) {
          do {
            await drained(backlog.drainable, out, 50);
            backlog = zipBacklog(ws);
          } while (backlog.bytes > BACKLOG_HIGH && !out.destroyed);
          if (out.destroyed) break;
        } else if (n % YIELD_EVERY === 0) {
          await nextTurn();
        }
      }
      if (out.destroyed) return;
      ws.commit();
      await wb.commit();
    } catch (e) {
      out.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

const BOM = '\uFEFF';
/** Lines are gathered into chunks of about this many characters. */
const CSV_CHUNK = 64 * 1024;

/**
 * Streams `rows` as CSV for Excel: UTF-8 with a BOM (so Excel reads the Chinese right), CRLF line ends, RFC 4180
 * quoting, a header line (after the watermark line, when there is one), money as yuan with two decimals (1234.56, no separators), dates as YYYY-MM-DD and date-times
 * as YYYY-MM-DD HH:mm in Asia/Shanghai. Text that starts like a formula (= + - @) gets a leading apostrophe so a
 * spreadsheet shows it instead of running it. The stream pulls rows only as fast as it is read; an error from `rows`
 * destroys it with that error.
 */
export function streamCsv<R>(columns: ExportColumn<R>[], rows: AsyncIterable<R>, watermark?: string): Readable {
  if (columns.length === 0) throw new RangeError('streamCsv needs at least one column');
  async function* lines(): AsyncGenerator<Buffer> {
    let chunk = BOM + (watermark ? `${csvField(watermark)}\r\n` : '') + columns.map((c) => csvField(c.header)).join(',') + '\r\n';
    let n = 0;
    for await (const row of rows) {
      n += 1;
      chunk += columns.map((c) => csvField(csvText(check(c, row, n)))).join(',') + '\r\n';
      if (chunk.length >= CSV_CHUNK) {
        yield Buffer.from(chunk, 'utf8');
        chunk = '';
      }
    }
    if (chunk) yield Buffer.from(chunk, 'utf8');
  }
  return Readable.from(lines(), { objectMode: false });
}
