import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenToYuanText } from '../../core/money.ts';
import { sheetNameOf, streamCsv, streamXlsx, type ExportColumn } from './xlsx-export.ts';

interface Item { name: string; amountFen: number | null; count: number; due: string | null; paidAt: string | null }

const COLUMNS: ExportColumn<Item>[] = [
  { key: 'name', header: '业主', value: (r) => r.name },
  { key: 'amount', header: '金额（元）', type: 'money', value: (r) => r.amountFen },
  { key: 'count', header: '笔数', type: 'int', value: (r) => r.count },
  { key: 'due', header: '到期日', type: 'date', value: (r) => r.due },
  { key: 'paidAt', header: '缴费时间', type: 'datetime', value: (r) => r.paidAt },
];

const TRICKY = '张三, "老张"\n2号楼';
const ITEMS: Item[] = [
  { name: TRICKY, amountFen: 123456, count: 3, due: '2026-03-31', paidAt: '2026-03-31T16:30:00.000Z' },
  { name: '李四', amountFen: -5, count: 0, due: null, paidAt: null },
  { name: '=SUM(A1:A9)', amountFen: 100000000001, count: 12345, due: '2024-02-29', paidAt: '2026-01-05T01:02:59Z' },
];

/** Rows from a generator, handed out as a database cursor hands them: one promise per row; closing it closes the generator. */
function cursor<T>(gen: Generator<T, void, undefined>): AsyncIterableIterator<T> {
  return {
    next: () => Promise.resolve().then(() => gen.next()),
    return: () => Promise.resolve(gen.return()),
    [Symbol.asyncIterator]() { return this; },
  };
}

const lazily = <T>(items: Iterable<T>) => cursor((function* (): Generator<T, void, undefined> { yield* items; })());

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function workbookOf(stream: Readable): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await bytesOf(stream)) as unknown as ArrayBuffer);
  return wb;
}

const values = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);

describe('streamXlsx', () => {
  it('writes the title, a bold frozen header and typed cells: Chinese text, yuan from fen, ints, dates, Shanghai date-times', async () => {
    const wb = await workbookOf(streamXlsx({ sheet: '缴费明细', title: '缴费明细（2026 年 3 月）', columns: COLUMNS, rows: lazily(ITEMS) }));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['缴费明细']);
    const ws = wb.getWorksheet('缴费明细')!;
    expect(ws.rowCount).toBe(5);
    expect(values(ws, 1)).toEqual(['缴费明细（2026 年 3 月）']);
    expect(values(ws, 2)).toEqual(['业主', '金额（元）', '笔数', '到期日', '缴费时间']);
    for (let c = 1; c <= 5; c++) expect(ws.getRow(2).getCell(c).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });

    // 2026-03-31T16:30Z is 00:30 on 1 April in Shanghai; an Excel date carries no zone: exceljs reads it as UTC fields.
    expect(values(ws, 3)).toEqual([TRICKY, 1234.56, 3, new Date(Date.UTC(2026, 2, 31)), new Date(Date.UTC(2026, 3, 1, 0, 30))]);
    expect(values(ws, 4)).toEqual(['李四', -0.05, 0]);
    expect(values(ws, 5)).toEqual(['=SUM(A1:A9)', 1000000000.01, 12345, new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(2026, 0, 5, 9, 2, 59))]);
    expect(ws.getCell('A5').type).toBe(ExcelJS.ValueType.String); // text, never a formula
    const fmt = (addr: string) => ws.getCell(addr).numFmt;
    expect([fmt('B3'), fmt('B4'), fmt('D3'), fmt('E3')]).toEqual(['¥#,##0.00', '¥#,##0.00', 'yyyy-mm-dd', 'yyyy-mm-dd hh:mm']);
    expect(fmt('C3') ?? 'General').toBe('General');
    expect(ws.getColumn(1).width).toBe(16);
    expect(ws.getColumn(5).width).toBe(17);
  });

  it('without a title the header is row 1 and the pane is frozen under it; an empty list is just the header', async () => {
    const wb = await workbookOf(streamXlsx({ sheet: '清单', columns: COLUMNS, rows: lazily([]) }));
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(1);
    expect(values(ws, 1)).toEqual(['业主', '金额（元）', '笔数', '到期日', '缴费时间']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('takes money and counts as integer text (as pg returns sums) and fails the export on a value that does not fit its column', async () => {
    const cols: ExportColumn<{ v: string | number }>[] = [{ key: 'v', header: '金额', type: 'money', value: (r) => r.v }];
    const ws = (await workbookOf(streamXlsx({ sheet: 's', columns: cols, rows: lazily([{ v: '250' }, { v: 7 }]) }))).worksheets[0]!;
    expect([ws.getCell('A2').value, ws.getCell('A3').value]).toEqual([2.5, 0.07]);
    await expect(bytesOf(streamXlsx({ sheet: 's', columns: cols, rows: lazily([{ v: 1 }, { v: 1.5 }]) }))).rejects.toThrow('第 2 条记录的【金额】应为整数分');
    const dates: ExportColumn<{ v: string }>[] = [{ key: 'v', header: '到期日', type: 'date', value: (r) => r.v }];
    await expect(bytesOf(streamXlsx({ sheet: 's', columns: dates, rows: lazily([{ v: '2026-02-30' }]) }))).rejects.toThrow('应为 YYYY-MM-DD 日期');
  });

  it('continues on 清单（2）, 清单（3）… with the title and header repeated when a sheet is full, every row once and in order', async () => {
    const cols: ExportColumn<number>[] = [
      { key: 'no', header: '序号', type: 'int', value: (i) => i },
      { key: 'name', header: '房号', value: (i) => `1-${i}` },
    ];
    function* rows() {
      for (let i = 1; i <= 2500; i++) yield i;
    }
    const wb = await workbookOf(streamXlsx({ sheet: '清单', title: '房屋清单', columns: cols, rows: cursor(rows()), maxRowsPerSheet: 1000 }));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['清单', '清单（2）', '清单（3）']);
    const seen: number[] = [];
    for (const ws of wb.worksheets) {
      expect(values(ws, 1)).toEqual(['房屋清单']);
      expect(values(ws, 2)).toEqual(['序号', '房号']);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      expect(ws.rowCount).toBeLessThanOrEqual(1000);
      ws.eachRow((row, n) => {
        if (n <= 2) return;
        const [no, name] = (row.values as unknown[]).slice(1);
        expect(name).toBe(`1-${String(no)}`);
        seen.push(no as number);
      });
    }
    expect(wb.worksheets.map((w) => w.rowCount)).toEqual([1000, 1000, 2 + 2500 - 2 * 998]);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('names continuation sheets within Excel’s 31 characters and without the characters Excel forbids', () => {
    expect(sheetNameOf('欠费清单', 1)).toBe('欠费清单');
    expect(sheetNameOf('欠费清单', 12)).toBe('欠费清单（12）');
    expect(sheetNameOf('a/b:c', 2)).toBe('a_b_c（2）');
    expect([...sheetNameOf('长'.repeat(40), 3)]).toHaveLength(31);
    expect(sheetNameOf('长'.repeat(40), 3).endsWith('（3）')).toBe(true);
  });

  it('destroys the stream with the error the rows threw, after the rows before it', async () => {
    const boom = new Error('数据库连接中断');
    function* rows() {
      for (let i = 0; i < 50_000; i++) {
        if (i === 30_000) throw boom;
        yield ITEMS[i % 3]!;
      }
    }
    const stream = streamXlsx({ sheet: '清单', columns: COLUMNS, rows: cursor(rows()) });
    let received = 0;
    await expect((async () => {
      for await (const c of stream) received += (c as Buffer).length;
    })()).rejects.toBe(boom);
    expect(received).toBeGreaterThan(0); // some of the file went out before the error, and the error still arrived
    expect(stream.destroyed).toBe(true);
  });

  it('reads rows only as fast as the file is read, and stops reading (closing the rows) when the reader goes away', async () => {
    let pulled = 0;
    let closed = false;
    function* rows() {
      try {
        for (let i = 0; i < 1_000_000; i++) {
          pulled += 1;
          yield ITEMS[i % 3]!;
        }
      } finally {
        closed = true;
      }
    }
    const stream = streamXlsx({ sheet: '清单', columns: COLUMNS, rows: cursor(rows()) });
    // Nobody reads: the writer must stall once a few MB wait (about 25,000 of these rows), not run through the million.
    let before = -1;
    for (let i = 0; i < 50 && pulled !== before; i++) {
      before = pulled;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(pulled).toBe(before);
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(100_000);
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(100_000);
  });
});

describe('streamCsv', () => {
  it('writes UTF-8 with a BOM, CRLF, RFC 4180 quoting, yuan with two decimals, dates and Shanghai date-times', async () => {
    const bytes = await bytesOf(streamCsv(COLUMNS, lazily(ITEMS)));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.slice(1, text.indexOf('\r\n'))).toBe('业主,金额（元）,笔数,到期日,缴费时间');
    expect(text.startsWith('\uFEFF业主,金额（元）,笔数,到期日,缴费时间\r\n"张三, ""老张""\n2号楼",1234.56,3,2026-03-31,2026-04-01 00:30\r\n')).toBe(true);
    const records: string[][] = parse(bytes, { bom: true });
    expect(records).toEqual([
      ['业主', '金额（元）', '笔数', '到期日', '缴费时间'],
      [TRICKY, '1234.56', '3', '2026-03-31', '2026-04-01 00:30'],
      ['李四', '-0.05', '0', '', ''],
      ["'=SUM(A1:A9)", '1000000000.01', '12345', '2024-02-29', '2026-01-05 09:02'], // a formula-looking text is defused
    ]);
  });

  it('formats fen as yuan text exactly', () => {
    expect([0, 1, 10, 99, 100, 123456, -1, -100, -123456, 900719925474099].map(fenToYuanText))
      .toEqual(['0.00', '0.01', '0.10', '0.99', '1.00', '1234.56', '-0.01', '-1.00', '-1234.56', '9007199254740.99']);
  });

  it('destroys the stream with the error the rows threw', async () => {
    const boom = new Error('数据库连接中断');
    function* rows() {
      for (let i = 0; i < 100_000; i++) {
        if (i === 50_000) throw boom;
        yield ITEMS[i % 3]!;
      }
    }
    await expect(bytesOf(streamCsv(COLUMNS, cursor(rows())))).rejects.toBe(boom);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A million rows with bounded memory

const MILLION = 1_000_000;
const MB = 1024 * 1024;
/**
 * Peak RSS growth allowed while a million rows stream. Measured: about +10 to +50 MB with back-pressure; about +340 MB
 * when the writer ignores it (the whole sheet XML queues in memory), so 200 MB is generous and still tells them apart.
 */
const MEMORY_BOUND = 200 * MB;

describe('a million rows', () => {
  let dir = '';
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'wuye-export-')); });
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  const item = (i: number): Item => ({
    name: `和园${(i % 30) + 1}栋-${i}号 业主${i}`,
    amountFen: i * 7 + 1,
    count: i,
    due: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    paidAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  });
  function* million(): Generator<Item, void, undefined> {
    for (let i = 1; i <= MILLION; i++) yield item(i);
  }

  /** Runs `work` while sampling the RSS every 50 ms; the peak growth over the start, in bytes. */
  async function peakRssGrowth(work: () => Promise<void>): Promise<{ growth: number; ms: number }> {
    const start = process.memoryUsage().rss;
    let peak = start;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    const t0 = performance.now();
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    return { growth: peak - start, ms: performance.now() - t0 };
  }

  it('streams 1,000,000 rows of .xlsx to a file with bounded memory, and all of them read back', async () => {
    const path = join(dir, 'million.xlsx');
    const { growth, ms } = await peakRssGrowth(() => pipeline(streamXlsx({ sheet: '明细', columns: COLUMNS, rows: cursor(million()) }), createWriteStream(path)));
    const size = (await stat(path)).size;
    console.log(`xlsx, ${MILLION.toLocaleString('en')} rows: ${(ms / 1000).toFixed(1)} s, peak RSS +${(growth / MB).toFixed(0)} MB, file ${(size / MB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(MEMORY_BOUND);

    const t0 = performance.now();
    let rows = 0;
    let first: unknown[] = [];
    let last: unknown[] = [];
    let sheets = 0;
    for await (const ws of new ExcelJS.stream.xlsx.WorkbookReader(path, {})) {
      sheets += 1;
      for await (const row of ws) {
        rows += 1;
        if (rows === 1) expect((row.values as unknown[]).slice(1)).toEqual(COLUMNS.map((c) => c.header));
        if (rows === 2) first = (row.values as unknown[]).slice(1);
        last = row.values as unknown[];
      }
    }
    console.log(`xlsx read back with exceljs' streaming reader: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(sheets).toBe(1);
    expect(rows).toBe(1 + MILLION);
    const expected = (i: number) => [item(i).name, (i * 7 + 1) / 100, i];
    expect(first.slice(0, 3)).toEqual(expected(1));
    expect(last.slice(1, 4)).toEqual(expected(MILLION));
    // The streaming reader ignores styles, so dates come back as their Excel serial numbers.
    expect(first[3]).toBe(Date.UTC(2026, 1, 2) / 86_400_000 + 25_569);
  }, 600_000);

  it('streams 1,000,000 rows of CSV with bounded memory', async () => {
    const path = join(dir, 'million.csv');
    const { growth, ms } = await peakRssGrowth(() => pipeline(streamCsv(COLUMNS, cursor(million())), createWriteStream(path)));
    const size = (await stat(path)).size;
    console.log(`csv, ${MILLION.toLocaleString('en')} rows: ${(ms / 1000).toFixed(1)} s, peak RSS +${(growth / MB).toFixed(0)} MB, file ${(size / MB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  }, 600_000);
});
