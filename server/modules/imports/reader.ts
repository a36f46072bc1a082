import { createReadStream, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { normHeader } from './columns.ts';
import { openXlsx, type Cell } from './xlsx-reader.ts';

/**
 * Reading an uploaded table as it streams: .xlsx through our streaming reader (xlsx-reader.ts; one sheet: the one asked
 * for by name, else the first), .csv through csv-parse (UTF-8, with or without BOM; GB18030 is not decoded: save as UTF-8).
 * Cells come out as trimmed text: dates as YYYY-MM-DD (an Excel date has no time zone: its UTC parts are the date),
 * numbers as written (no float noise). Progress is the share of the file (CSV) or of the sheet's XML (.xlsx) read so far.
 */

export interface TableRow { row: number; values: string[] }
export interface Table { sheet: string; headers: string[]; headerRow: number; rows: AsyncIterable<TableRow> }

function cellText(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
  if (typeof v === 'boolean') return v ? '是' : '否';
  return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
}

/** A byte counter between the file and the parser: `progress()` is how far into the file the parser has got. */
function counted(path: string) {
  let bytes = 0;
  const total = statSync(path).size;
  const stream = createReadStream(path).pipe(new Transform({ transform(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(null, chunk); } }));
  return { stream, progress: () => (total === 0 ? 1 : bytes / total) };
}

/**
 * Open a table. `headerNames`: the names of a column that must be in the header row (the first row that has one of
 * them is the header; rows above it, like a bank's title lines, are skipped); without them the first non-empty row.
 */
export async function openTable(path: string, format: 'xlsx' | 'csv', opts: { sheet?: string | undefined; headerNames?: readonly string[] | undefined } = {}): Promise<Table & { progress: () => number }> {
  let sheetName = 'CSV';
  let progress: () => number;
  const names = (opts.headerNames ?? []).map(normHeader);
  const isHeader = (cells: string[]) => cells.some((c) => c !== '') && (names.length === 0 || cells.some((c) => names.includes(normHeader(c))));
  let rowsOf: () => AsyncGenerator<TableRow>;
  if (format === 'csv') {
    const file = counted(path);
    progress = file.progress;
    const parser = file.stream.pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: false }));
    rowsOf = async function* () {
      let n = 0;
      for await (const rec of parser as AsyncIterable<string[]>) yield { row: ++n, values: rec.map((c) => c.trim()) };
    };
  } else {
    const sheet = await openXlsx(path, opts.sheet);
    sheetName = sheet.name;
    progress = sheet.progress;
    rowsOf = async function* () {
      for await (const r of sheet.rows) yield { row: r.row, values: r.values.map(cellText) };
    };
  }
  const it = rowsOf()[Symbol.asyncIterator]();
  // Find the header row; the rows after it are the data.
  let header: TableRow | undefined;
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    if (isHeader(r.value.values)) { header = r.value; break; }
  }
  if (!header) throw new Error(names.length ? `找不到表头（应含“${opts.headerNames![0]!}”）` : '文件是空的');
  const headers = header.values;
  return {
    sheet: sheetName, headers, headerRow: header.row, progress,
    rows: { [Symbol.asyncIterator]: () => it },
  };
}
