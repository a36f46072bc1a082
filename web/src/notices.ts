/**
 * The notices vocabulary as the console shows it (issue 6): the lists themselves are core's (core/notices/vocabulary.ts,
 * shared with the server); here they become select options and tag colours.
 */
import {
  DELIVERY_OUTCOMES as OUTCOMES, DRAFT_TEMPLATES as DRAFTS, PRINT_TEMPLATES as PRINTED, SENDABLE as SENDABLE_KINDS, TEMPLATE_LABELS, type MessageStatus, type ProviderChannel,
} from '../../core/notices/vocabulary.ts';

export {
  MAX_RECEIPT_BYTES, MESSAGE_STATUSES, OUTBOX_CHANNEL_LABELS, OUTBOX_CHANNELS, PROVIDER_CHANNELS, RECEIPT_TYPES, STATUS_LABELS, evidenceKindLabel as chainKindLabel,
  outboxChannelLabel, statusLabel,
} from '../../core/notices/vocabulary.ts';

export const STATUS_COLORS: Record<MessageStatus, string> = { pending: 'blue', sending: 'processing', sent: 'cyan', delivered: 'green', failed: 'red', suppressed: 'default' };
export const statusColor = (s: string) => (STATUS_COLORS as Record<string, string>)[s] ?? 'default';

const option = (k: keyof typeof TEMPLATE_LABELS) => ({ value: k, label: TEMPLATE_LABELS[k] });
/** The documents the print centre prints for a building. */
export const PRINT_TEMPLATES = PRINTED.map(option);
/** A house's notice drafted without recording or sending anything (the lawyer's letter for the law firm). */
export const DRAFT_TEMPLATES = DRAFTS.map(option);
/** What one notice sent from a house may be, per channel (the server checks again). */
export const SENDABLE = Object.fromEntries(Object.entries(SENDABLE_KINDS).map(([c, kinds]) => [c, kinds.map(option)])) as Record<ProviderChannel, Array<ReturnType<typeof option>>>;
export const DELIVERY_OUTCOMES = Object.entries(OUTCOMES).map(([value, label]) => ({ value, label }));
export const PRINT_CHANNELS = [{ value: 'letter', label: '挂号信/EMS' }, { value: 'hand', label: '当面送达/张贴' }];
export const PRINT_SIZES = [{ value: 'A4', label: 'A4' }, { value: 'door', label: '门贴（A5）' }];
