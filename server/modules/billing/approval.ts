import type { Transaction } from 'kysely';
import { AppError, fieldError } from '../../../core/errors.ts';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../context.ts';

/**
 * The one way every request of the ledger (a late-fee waiver, a refund, a vacancy registration) and every bulk export
 * (R37) is decided: once, by someone other than the person who asked. The row's status moves from 待审批 exactly once
 * (the update is conditional, so two approvers at the same moment can not both decide it); the audit log keeps both
 * steps.
 */
export type ApprovalTable = 'late_fee_waiver' | 'refund_request' | 'vacancy_registration' | 'export_request';

const WORDING: Record<ApprovalTable, { field: string; noun: string; own: string }> = {
  late_fee_waiver: { field: 'waiverId', noun: '申请', own: '不能审批自己提出的减免申请' },
  refund_request: { field: 'refundId', noun: '申请', own: '不能审批自己提出的退款申请' },
  vacancy_registration: { field: 'vacancyId', noun: '登记', own: '不能审批自己提交的空置登记' },
  export_request: { field: 'exportId', noun: '导出申请', own: '不能审批自己的导出申请' },
};

export const PENDING = '待审批';
export const APPROVED = '已批准';

export function assertDecidable(table: ApprovalTable, row: { status: string; requested_by: string; requested_by_id: number | null }, actor: Actor): void {
  const w = WORDING[table];
  if (row.status !== PENDING) throw fieldError(w.field, 'VALIDATION_FAILED', `该${w.noun}${row.status}，不能再次审批`);
  if ((row.requested_by_id !== null && row.requested_by_id === actor.userId) || row.requested_by === actor.name) throw new AppError('FORBIDDEN', w.own);
}

/** Record the decision, only if the row is still pending; returns the new status. */
export async function markDecided(trx: Transaction<DB>, table: ApprovalTable, id: number, approve: boolean, actor: Actor, note: string | null, now: string, extra: { payment_id?: number | null } = {}): Promise<string> {
  const status = approve ? APPROVED : '已驳回';
  const done = await trx.updateTable(table as 'refund_request').set({ status, decided_by: actor.name, decided_at: now, decision_note: note, ...extra })
    .where('id', '=', id).where('status', '=', PENDING).executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) throw fieldError(WORDING[table].field, 'VALIDATION_FAILED', `该${WORDING[table].noun}已被处理`);
  return status;
}
