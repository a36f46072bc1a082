/**
 * The notices vocabulary (issue 6), shared by the server and the console: the template kinds, the outbox's statuses
 * and channels, what the print centre prints, what each channel may carry, the outcomes of a delivery.
 */

export const TEMPLATE_KINDS = [
  'warm_tip', 'payment_notice', 'demand_notice', 'second_demand', 'lawyer_letter',
  'sms_pre_due', 'sms_last_reminder', 'sms_prepaid_used_up', 'sms_monthly', 'sms_promise', 'anonymous_notice',
] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const TEMPLATE_LABELS: Record<TemplateKind, string> = {
  warm_tip: '温馨提示（海报）', payment_notice: '《物业费缴款通知书》', demand_notice: '《催款通知书》', second_demand: '《二次催款通知书》',
  lawyer_letter: '律师函（草稿，供律师事务所）', sms_pre_due: '短信：到期前提醒', sms_last_reminder: '短信：滞纳金起算前一天',
  sms_prepaid_used_up: '短信：预存已用完', sms_monthly: '短信：按月缴费提醒', sms_promise: '短信：承诺缴费前提醒', anonymous_notice: '不记名公示（仅房号）',
};
export const templateLabel = (k: string): string => (TEMPLATE_LABELS as Record<string, string>)[k] ?? k;

export const MESSAGE_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'suppressed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const STATUS_LABELS: Record<MessageStatus, string> = { pending: '待发送', sending: '发送中', sent: '已发出', delivered: '已送达', failed: '失败', suppressed: '已拦截' };
export const statusLabel = (s: string): string => (STATUS_LABELS as Record<string, string>)[s] ?? s;

export const OUTBOX_CHANNELS = ['sms', 'email', 'wechat', 'letter', 'hand'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];
export const OUTBOX_CHANNEL_LABELS: Record<OutboxChannel, string> = { sms: '短信', email: '电子邮件', wechat: '微信', letter: '挂号信/EMS', hand: '当面送达' };
export const outboxChannelLabel = (c: string): string => (OUTBOX_CHANNEL_LABELS as Record<string, string>)[c] ?? c;
/** The channels a provider carries (the outbox worker sends them); letters and hand deliveries are printed and carried. */
export const PROVIDER_CHANNELS = ['sms', 'email', 'wechat'] as const;
export type ProviderChannel = (typeof PROVIDER_CHANNELS)[number];

/** What the print centre prints for a building, one page per house. */
export const PRINT_TEMPLATES = ['payment_notice', 'demand_notice', 'second_demand'] as const;
export type PrintTemplate = (typeof PRINT_TEMPLATES)[number];
/** What a house's notice can be drafted as (nothing recorded or sent): the printed ones and the lawyer's letter. */
export const DRAFT_TEMPLATES = [...PRINT_TEMPLATES, 'lawyer_letter'] as const;

/** What one notice sent from the console may be, per channel: SMS its own short texts; e-mail and WeChat the notices too. */
export const SENDABLE: Record<ProviderChannel, readonly TemplateKind[]> = {
  sms: ['sms_pre_due', 'sms_last_reminder', 'sms_prepaid_used_up', 'sms_monthly'],
  email: ['payment_notice', 'demand_notice', 'second_demand', 'sms_pre_due', 'sms_last_reminder'],
  wechat: ['payment_notice', 'demand_notice', 'sms_pre_due', 'sms_last_reminder'],
};

export const DELIVERY_OUTCOMES = { delivered: '已签收', refused: '拒收', returned: '退回' } as const;
export type DeliveryOutcome = keyof typeof DELIVERY_OUTCOMES;

/** Receipt files kept as evidence of a delivery: photos of the signed receipt, or a scan as PDF. */
export const RECEIPT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'] as const;
export const MAX_RECEIPT_BYTES = 5 * 1024 * 1024;

/** The kinds of evidence-chain rows, in words. */
export const EVIDENCE_KIND_LABELS: Record<string, string> = {
  'letter.printed': '打印信件', 'letter.tracking': '登记邮件号', 'letter.delivered': '签收', 'letter.refused': '拒收', 'letter.returned': '退回',
  'message.sent': '发出', 'message.delivered': '送达回执', 'message.failed': '发送失败', 'message.retry': '稍后重试', 'message.suppressed': '发送前拦截',
};
export const evidenceKindLabel = (k: string): string => EVIDENCE_KIND_LABELS[k] ?? k;

/** The itemised list of unpaid periods a demand carries (R14), each flagged when its limitation has run out (R15). */
export const PERIOD_LIST = '{{#periods}}\n  {{period}}（应缴日 {{dueDate}}）：{{amount}}{{#lateFee}}，滞纳金 {{lateFee}}{{/lateFee}}{{#timeBarred}}（已过诉讼时效）{{/timeBarred}}{{/periods}}';
/** R15: shown when some listed period is time-barred — no suit is threatened over it. */
export const TIME_BARRED_NOTE = '{{#hasTimeBarred}}\n标注“已过诉讼时效”的账期，我司仅提示缴纳，不就其提起诉讼。{{/hasTimeBarred}}';
