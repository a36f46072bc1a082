/** The console's words for imports, exports and the bank statement's review (issue 7); the server has the same. */

import type { ExportFormat, ImportMode, ImportStatus, TransferStatus } from './api.ts';

/** Any of these opens the import page. */
export const IMPORT_PERMISSIONS = ['house.write', 'billing.configure', 'payment.record'];

export const IMPORT_STATUS_COLORS: Record<ImportStatus, string> = {
  running: 'processing', checked: 'blue', committed: 'green', rolled_back: 'orange', failed: 'red', interrupted: 'default',
};

export const IMPORT_MODE_LABELS: Record<ImportMode, string> = { dry_run: '检查（不写入）', all: '整体导入', valid: '只导入正确的行' };

/** The lists that can be exported, with the permission the server asks for each. */
export const EXPORT_LISTS = [
  { list: 'cases', label: '催缴案件', permission: 'dunning.read' },
  { list: 'contact_attempts', label: '联系记录', permission: 'dunning.read' },
  { list: 'payments', label: '收款记录', permission: 'billing.read' },
  { list: 'houses', label: '房屋档案', permission: 'house.read' },
  { list: 'outbox', label: '通知发送记录', permission: 'dunning.read' },
  { list: 'bank_transfers', label: '银行流水对账', permission: 'payment.record' },
] as const;
export type ExportList = (typeof EXPORT_LISTS)[number]['list'];

export const EXPORT_FORMATS: ReadonlyArray<{ format: ExportFormat; label: string }> = [
  { format: 'xlsx', label: 'Excel（.xlsx）' },
  { format: 'csv', label: 'CSV（.csv）' },
];

export { TRANSFER_STATUS_LABELS, TRANSFER_STATUSES } from '../../core/imports/vocabulary.ts';
export const TRANSFER_STATUS_COLORS: Record<TransferStatus, string> = { matched: 'blue', review: 'orange', confirmed: 'green', ignored: 'default' };
