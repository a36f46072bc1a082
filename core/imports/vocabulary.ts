/** The bank statement review's states (issue 7), shared by the server and the console. */
export const TRANSFER_STATUSES = ['matched', 'review', 'confirmed', 'ignored'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
export const TRANSFER_STATUS_LABELS: Record<TransferStatus, string> = { matched: '已匹配待确认', review: '待人工核对', confirmed: '已入账', ignored: '已排除' };
export const transferStatusLabel = (s: string): string => (TRANSFER_STATUS_LABELS as Record<string, string>)[s] ?? s;
