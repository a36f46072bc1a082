/**
 * The notices vocabulary of the console (issue 6): outbox statuses and channels, what the print centre prints, what a
 * channel may carry, the kinds of evidence-chain rows. They exist only in the server's services (not in core), so they
 * are mirrored here, in one place.
 */
import type { MessageStatus, OutboxChannel } from './api.ts';

export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'sending', 'sent', 'delivered', 'failed', 'suppressed'];
export const STATUS_LABELS: Record<MessageStatus, string> = { pending: '待发送', sending: '发送中', sent: '已发出', delivered: '已送达', failed: '失败', suppressed: '已拦截' };
export const STATUS_COLORS: Record<MessageStatus, string> = { pending: 'blue', sending: 'processing', sent: 'cyan', delivered: 'green', failed: 'red', suppressed: 'default' };
export const statusLabel = (s: string) => (STATUS_LABELS as Record<string, string>)[s] ?? s;
export const statusColor = (s: string) => (STATUS_COLORS as Record<string, string>)[s] ?? 'default';

export const OUTBOX_CHANNELS: readonly OutboxChannel[] = ['sms', 'email', 'wechat', 'letter', 'hand'];
export const OUTBOX_CHANNEL_LABELS: Record<OutboxChannel, string> = { sms: '短信', email: '电子邮件', wechat: '微信', letter: '挂号信/EMS', hand: '当面送达' };
export const outboxChannelLabel = (c: string) => (OUTBOX_CHANNEL_LABELS as Record<string, string>)[c] ?? c;
/** The channels a provider sends (the worker); letters and hand deliveries are printed and carried. */
export const PROVIDER_CHANNELS: readonly OutboxChannel[] = ['sms', 'email', 'wechat'];

/** The documents the print centre prints for a building. */
export const PRINT_TEMPLATES = [
  { value: 'payment_notice', label: '《物业费缴款通知书》' },
  { value: 'demand_notice', label: '《催款通知书》' },
  { value: 'second_demand', label: '《二次催款通知书》' },
] as const;
export const PRINT_CHANNELS = [
  { value: 'letter', label: '挂号信/EMS' },
  { value: 'hand', label: '当面送达/张贴' },
] as const;
export const PRINT_SIZES = [
  { value: 'A4', label: 'A4' },
  { value: 'door', label: '门贴（A5）' },
] as const;

/** The drafts a house's notice can be printed as without recording or sending anything (the lawyer's letter for the law firm). */
export const DRAFT_TEMPLATES = [...PRINT_TEMPLATES, { value: 'lawyer_letter', label: '律师函（草稿，供律师事务所）' }] as const;

/** What one notice sent from a house may be, per channel (the server's list; it checks again). */
export const SENDABLE: Record<'sms' | 'email' | 'wechat', ReadonlyArray<{ value: string; label: string }>> = {
  sms: [
    { value: 'sms_pre_due', label: '短信：到期前提醒' }, { value: 'sms_last_reminder', label: '短信：滞纳金起算前一天' },
    { value: 'sms_prepaid_used_up', label: '短信：预存已用完' }, { value: 'sms_monthly', label: '短信：按月缴费提醒' },
  ],
  email: [
    { value: 'payment_notice', label: '《物业费缴款通知书》' }, { value: 'demand_notice', label: '《催款通知书》' }, { value: 'second_demand', label: '《二次催款通知书》' },
    { value: 'sms_pre_due', label: '短信：到期前提醒' }, { value: 'sms_last_reminder', label: '短信：滞纳金起算前一天' },
  ],
  wechat: [
    { value: 'payment_notice', label: '《物业费缴款通知书》' }, { value: 'demand_notice', label: '《催款通知书》' },
    { value: 'sms_pre_due', label: '短信：到期前提醒' }, { value: 'sms_last_reminder', label: '短信：滞纳金起算前一天' },
  ],
};

export const DELIVERY_OUTCOMES = [
  { value: 'delivered', label: '已签收' },
  { value: 'refused', label: '拒收' },
  { value: 'returned', label: '退回' },
] as const;

const CHAIN_KIND_LABELS: Record<string, string> = {
  'letter.printed': '打印信件', 'letter.tracking': '登记邮件号', 'letter.delivered': '签收', 'letter.refused': '拒收', 'letter.returned': '退回',
  'message.sent': '发出', 'message.delivered': '送达回执', 'message.failed': '发送失败', 'message.suppressed': '发送前拦截',
};
export const chainKindLabel = (k: string) => CHAIN_KIND_LABELS[k] ?? k;

/** Receipt files the server keeps as evidence: photos of the signed receipt, or a PDF. */
export const RECEIPT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'] as const;
export const MAX_RECEIPT_BYTES = 5 * 1024 * 1024;
