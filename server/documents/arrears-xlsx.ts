import type { Readable } from 'node:stream';
import { AGING_BUCKETS } from '../../core/billing/late-fee.ts';
import { streamXlsx, type ExportColumn } from './xlsx-export.ts';

export interface ArrearsXlsxRow {
  project: string; building: string; number: string; owners: string; charges: number; buckets: Record<string, number>;
}

const total = (r: ArrearsXlsxRow) => Object.values(r.buckets).reduce((a, b) => a + b, 0);

const COLUMNS: ExportColumn<ArrearsXlsxRow>[] = [
  { key: 'project', header: '项目', width: 16, value: (r) => r.project },
  { key: 'building', header: '楼栋', width: 12, value: (r) => r.building },
  { key: 'number', header: '房号', width: 14, value: (r) => r.number },
  { key: 'owners', header: '业主', width: 20, value: (r) => r.owners },
  { key: 'total', header: '欠费合计', width: 14, type: 'money', value: total },
  ...AGING_BUCKETS.map((b): ExportColumn<ArrearsXlsxRow> => ({ key: b.key, header: b.label, width: 12, type: 'money', value: (r) => r.buckets[b.key] || null })),
  { key: 'charges', header: '笔数', width: 8, type: 'int', value: (r) => r.charges },
];

/**
 * Streams an arrears list as .xlsx (sheet 欠费清单: the title, the header, one row per house): rows are written and
 * committed one at a time as `rows` yields them, so a list of any length goes out with bounded memory and no row cap.
 * Amounts are written as numbers of yuan with two decimals (display format ¥#,##0.00) computed from integer fen.
 */
export function streamArrearsXlsx(title: string, rows: AsyncIterable<ArrearsXlsxRow>): Readable {
  return streamXlsx({ sheet: '欠费清单', title, columns: COLUMNS, rows });
}
