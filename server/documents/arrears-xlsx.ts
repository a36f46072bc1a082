import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AGING_BUCKETS } from '../../core/billing/late-fee.ts';

export interface ArrearsXlsxRow {
  project: string; building: string; number: string; owners: string; charges: number; buckets: Record<string, number>;
}

/**
 * Streams an arrears list as .xlsx: rows are written and committed one at a time as `rows` yields them, so a list of
 * any length goes out with bounded memory and no row cap. Amounts are written as numbers of yuan with two decimals
 * (display format ¥#,##0.00) computed from integer fen.
 */
export function streamArrearsXlsx(title: string, rows: AsyncIterable<ArrearsXlsxRow>): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('欠费清单', { views: [{ state: 'frozen', ySplit: 2 }] });
  const money = '¥#,##0.00';
  ws.columns = [
    { key: 'project', width: 16 }, { key: 'building', width: 12 }, { key: 'number', width: 14 }, { key: 'owners', width: 20 },
    { key: 'total', width: 14, style: { numFmt: money } },
    ...AGING_BUCKETS.map((b) => ({ key: b.key, width: 12, style: { numFmt: money } })),
    { key: 'charges', width: 8 },
  ];
  ws.addRow([title]).commit();
  ws.addRow(['项目', '楼栋', '房号', '业主', '欠费合计', ...AGING_BUCKETS.map((b) => b.label), '笔数']).commit();
  const yuan = (fen: number) => fen / 100; // display only: the sum of whole fen over 100 is exact to two decimals in a double
  void (async () => {
    try {
      for await (const r of rows) {
        const total = Object.values(r.buckets).reduce((a, b) => a + b, 0);
        ws.addRow([r.project, r.building, r.number, r.owners, yuan(total), ...AGING_BUCKETS.map((b) => (r.buckets[b.key] ? yuan(r.buckets[b.key]!) : null)), r.charges]).commit();
      }
      ws.commit();
      await wb.commit();
    } catch (e) {
      out.destroy(e as Error);
    }
  })();
  return out;
}
