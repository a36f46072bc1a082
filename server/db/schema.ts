import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The one schema for both dialects. Portable types only: integers (BIGINT on PostgreSQL), text, calendar dates as
 * 'YYYY-MM-DD' text, instants as ISO-8601 UTC text, booleans as 0/1 integers (see docs/adr/0003-dialect-policy.md).
 */
type Id = Generated<number>;
type Instant = string;
type LocalDate = string;
type Flag = ColumnType<number, number | undefined, number>;

export interface CompanyTable { id: Id; name: string; created_at: Instant }
export interface ProjectTable {
  id: Id; company_id: number; name: string; address: string; time_zone: string; created_at: Instant;
}
export interface BuildingTable { id: Id; project_id: number; name: string; area_name: string | null; sort_order: number }
export interface EntranceTable { id: Id; building_id: number; name: string }
export interface HouseTable {
  id: Id; project_id: number; building_id: number; entrance_id: number | null; number: string; floor: number;
  property_type: string; area_x100: number; status: string; delivery_date: LocalDate | null;
  created_at: Instant; updated_at: Instant;
}
export interface ParkingSpaceTable {
  id: Id; project_id: number; number: string; zone: string | null; kind: string; area_x100: number | null;
  status: string; created_at: Instant;
}
export interface OwnerTable {
  id: Id; company_id: number; kind: string; name: string; temperament_note: string | null;
  created_at: Instant; updated_at: Instant;
}
export interface OwnerTagTable { owner_id: number; tag: string }
export interface OwnershipTable {
  id: Id; house_id: number | null; parking_space_id: number | null; from_date: LocalDate; to_date: LocalDate | null;
  note: string | null; created_at: Instant;
}
export interface OwnershipOwnerTable { ownership_id: number; owner_id: number; share_pct: number | null; is_primary: Flag }
export interface DesignatedPayerTable {
  id: Id; house_id: number; payer_owner_id: number; from_date: LocalDate; to_date: LocalDate | null;
  consent_note: string; consent_date: LocalDate; recorded_by: number; created_at: Instant;
}
export interface ContactTable {
  id: Id; owner_id: number; kind: string; value: string; phone_last4: string | null; status: string; source: string;
  last_verified: LocalDate | null; is_service_address: Flag; note: string | null; created_at: Instant; updated_at: Instant;
}
export interface AppUserTable {
  id: Id; company_id: number; username: string; display_name: string; role: string; password_hash: string;
  failed_logins: number; locked_until: Instant | null; active: Flag; created_at: Instant; updated_at: Instant;
}
export interface UserScopeTable { user_id: number; project_id: number; building_id: number | null }
export interface SessionTable {
  id: string; user_id: number; created_at: Instant; expires_at: Instant; last_seen_at: Instant;
}
export interface AuditLogTable {
  id: Id; company_id: number | null; at: Instant; actor_id: number | null; actor_name: string; action: string; entity: string;
  entity_id: string | null; project_id: number | null; before_json: string | null; after_json: string | null;
}
export interface AppSettingTable { key: string; value: string }

export interface FeeItemTable {
  id: Id; project_id: number; name: string; category: string; applies_to: string; pricing: string; rounding: string;
  prepaid_deduct: Flag; active: Flag; sort_order: number; created_at: Instant;
  /** 价格管理形式 (R24); for 政府指导价 the 基准价 in the item's unit (one of the two) and the 浮动幅度 in basis points. */
  price_form: Generated<string>; guide_price_x10000: number | null; guide_monthly_fen: number | null; guide_float_bp: number | null;
  /** 收费依据: the contract clause or the government document. */
  fee_basis: string | null;
}
export interface FeeStandardTable {
  id: Id; fee_item_id: number; property_type: string; price_x10000: number | null; monthly_fen: number | null;
  published_on: LocalDate; effective_from: LocalDate; effective_to: LocalDate | null; override_reason: string | null;
  vacant_rate_pct: number | null; vacant_basis: string | null;
  created_by: string; created_at: Instant;
}
export interface ContractTermsTable {
  id: Id; project_id: number; kind: string; cycle: string; anchor_month: number; due_day: number;
  late_fee_daily_ppm: number | null; late_fee_grace_days: number | null; late_fee_cap_pct: number | null;
  late_fee_clause_text: string | null; late_fee_clause_evidence: string | null; effective_from: LocalDate;
  discount_bp: number | null; discount_from: string | null; discount_to: string | null;
  created_by: string; created_at: Instant;
  /** 服务内容/服务等级 shown on the 明码标价 notice (R24). */
  service_content: string | null;
}
export interface BillRunTable {
  id: Id; project_id: number; period: string; created_by: string; created_at: Instant; charges_created: number;
  charges_existing: number; amount_fen: number; skipped: number; report_json: string;
}
export interface ChargeTable {
  id: Id; project_id: number; house_id: number | null; parking_space_id: number | null; object_key: string; fee_item_id: number; period: string; due_date: LocalDate; bill_to: string;
  ownership_id: number | null; kind: string; amount_fen: number; basis: string; bill_run_id: number | null; reason: string | null;
  adjusts_charge_id: number | null; source_payment_id: number | null; created_by: string; created_at: Instant;
}

export interface PaymentTable {
  id: Id; project_id: number; house_id: number; payer_kind: string; ownership_id: number | null; payer_name: string | null; channel: string;
  amount_fen: number; received_at: Instant; received_on: LocalDate; designated_json: string | null; reverses_payment_id: number | null;
  reason: string | null; idempotency_key: string | null; note: string | null; recorded_by: string; recorded_by_id: number | null; created_at: Instant;
  kind: string;
}
export interface AllocationTable { id: Id; payment_id: number; charge_id: number; component: string; amount_fen: number; created_at: Instant }
export interface PrepaidEntryTable { id: Id; house_id: number; kind: string; amount_fen: number; payment_id: number | null; created_at: Instant }

export interface ReceiptCounterTable { project_id: number; last_no: number }
export interface ReceiptTable { id: Id; project_id: number; payment_id: number; seq: number; number: string; issued_at: Instant }
export interface ReceiptPrintTable { id: Id; receipt_id: number; copy_no: number; printed_by: string; printed_at: Instant }
export interface InvoiceRequestTable {
  id: Id; payment_id: number; title: string; tax_id: string | null; email: string | null; status: string; requested_by: string; created_at: Instant;
}

export interface LateFeeWaiverTable {
  id: Id; charge_id: number; amount_fen: number; reason: string; status: string; requested_by: string; requested_by_id: number | null;
  requested_at: Instant; decided_by: string | null; decided_at: Instant | null; decision_note: string | null;
}

export interface RefundRequestTable {
  id: Id; project_id: number; house_id: number; payer_kind: string; ownership_id: number | null; amount_fen: number; channel: string; reason: string;
  status: string; requested_by: string; requested_by_id: number | null; requested_at: Instant; decided_by: string | null; decided_at: Instant | null;
  decision_note: string | null; payment_id: number | null;
}

export interface VacancyRegistrationTable {
  id: Id; project_id: number; house_id: number; from_month: string; to_month: string; evidence: string; status: string; requested_by: string;
  requested_by_id: number | null; requested_at: Instant; decided_by: string | null; decided_at: Instant | null; decision_note: string | null;
}

export interface DunningPolicyTable { id: Id; project_id: number; version: number; policy_json: string; created_by: string; created_at: Instant }
export interface CollectionCaseTable {
  id: Id; project_id: number; house_id: number; ownership_id: number; cycle: Generated<number>; state: string; step_index: Generated<number>;
  category: string | null; promised_on: LocalDate | null; excluded: Flag; excluded_reason: string | null; written_off: Flag; owed_fen: Generated<number>;
  anchor_due: LocalDate | null; next_action_at: LocalDate | null; next_key: string | null; why: string | null; opened_on: LocalDate;
  resolved_on: LocalDate | null; updated_at: Instant; guidance_note: string | null;
}
export interface CasePauseTable {
  id: Id; case_id: number; kind: string; until: LocalDate | null; reason: string; created_by: string; created_at: Instant;
  ended_at: Instant | null; ended_by: string | null; end_reason: string | null;
}
export interface DunningActionTable {
  id: Id; case_id: number; project_id: number; house_id: number; kind: string; step_key: string; name: string; channel: string; cycle_key: string;
  due_on: LocalDate; actor: string; approval: string | null; status: string; late: Flag; reason: string; periods_json: string; owed_fen: number;
  planned_at: Instant; decided_by: string | null; decided_at: Instant | null; decision_note: string | null; done_at: Instant | null; done_by: string | null;
  delivered_on: LocalDate | null; delivery_proof: string | null; closed_reason: string | null; not_before: Instant | null;
}
export interface ContactAttemptTable {
  id: Id; case_id: number; house_id: number; project_id: number; action_id: number | null; at: Instant; staff_id: number | null; staff_name: string;
  channel: string; contact_id: number | null; contact_masked: string | null; outcome: string; category: string | null; owner_said: string | null;
  next_step: string | null; promised_on: LocalDate | null; created_at: Instant;
}
export interface LimitationEventTable {
  id: Id; house_id: number; ownership_id: number; period: string; kind: string; on_date: LocalDate; source: string; note: string | null;
  created_by: string; created_at: Instant;
}
export interface ServiceTicketTable {
  id: Id; case_id: number; project_id: number; house_id: number; topic: string; description: string; status: string; opened_by: string;
  opened_at: Instant; resolved_by: string | null; resolved_at: Instant | null; resolution: string | null;
}
export interface PaymentPlanTable {
  id: Id; case_id: number; project_id: number; kind: string; status: string; reason: string; evidence: string | null; requested_by: string;
  requested_by_id: number | null; requested_at: Instant; decided_by: string | null; decided_at: Instant | null; decision_note: string | null; signed_on: LocalDate | null;
}
export interface CollectorAssignmentTable { id: Id; project_id: number; house_id: number; user_id: number; assigned_by: string; assigned_at: Instant }
export interface ScriptBookTable { id: Id; project_id: number; version: number; book_json: string; created_by: string; created_at: Instant }
export interface DailyReviewTable {
  id: Id; project_id: number; day: LocalDate; kind: string; subject_id: number; signed_by: string; signed_by_id: number | null; signed_at: Instant; comment: string | null;
}
export interface PaymentPlanInstalmentTable { id: Id; plan_id: number; seq: number; due_on: LocalDate; amount_fen: number }

export interface NoticeTemplateTable { id: Id; project_id: number; kind: string; version: number; title: string; body: string; enabled: Flag; created_by: string; created_at: Instant }
export interface PrintBatchTable { id: Id; project_id: number; building_id: number; template: string; channel: string; size: string; houses: number; created_by: string; created_at: Instant }
export interface OutboxMessageTable {
  id: Id; project_id: number; house_id: number; ownership_id: number | null; case_id: number | null; action_id: number | null; batch_id: number | null;
  channel: string; template: string; dedup_key: string; status: string; periods_json: string; doc_json: string | null; owed_fen: number; not_before: Instant; next_attempt_at: Instant;
  attempts: Generated<number>; contact_id: number | null; recipient: string | null; recipient_masked: string | null; recipient_source: string | null;
  subject: string | null; content: string | null; content_sha256: string | null; template_version: number | null; provider: string | null; provider_id: string | null;
  provider_response: string | null; last_error: string | null; suppressed_reason: string | null; tracking_no: string | null; sent_at: Instant | null;
  delivered_at: Instant | null; receipt_json: string | null; created_by: string; created_at: Instant; updated_at: Instant;
}
export interface EvidenceLogTable {
  id: Id; seq: number; at: Instant; project_id: number; house_id: number | null; message_id: number | null; kind: string; payload_json: string; prev_hash: string; hash: string;
}
export interface EvidenceHeadTable { id: number; seq: number; hash: string }
export interface EvidenceFileTable {
  id: Id; message_id: number; kind: string; filename: string; content_type: string; sha256: string; bytes: Uint8Array; created_by: string; created_at: Instant;
}

export interface ImportBatchTable {
  id: Id; company_id: number; project_id: number | null; kind: string; filename: string; file_sha256: string; mode: string; status: string;
  rows: Generated<number>; valid: Generated<number>; invalid: Generated<number>; written: Generated<number>; skipped: Generated<number>; progress: Generated<number>;
  message: string | null; created_by: string; created_at: Instant; finished_at: Instant | null;
}
export interface ImportErrorTable { id: Id; batch_id: number; sheet: string; row_no: number; column_name: string; value: string | null; reason: string }
export interface ImportKeyTable { source: string; row_key: string; batch_id: number }
export interface LegacyPaymentTable {
  id: Id; project_id: number; house_id: number; item: string; cycle: string | null; period_from: LocalDate | null; period_to: LocalDate | null; paid_on: LocalDate;
  due_fen: number | null; paid_fen: number; cashier: string | null; note: string | null; source: string; batch_id: number;
}
export interface BankTransferTable {
  id: Id; project_id: number; serial: string; received_on: LocalDate; amount_fen: number; payer_name: string | null; payer_account: string | null; memo: string | null;
  status: string; house_id: number | null; candidates_json: string; why: string; payment_id: number | null; decided_by: string | null; decided_at: Instant | null;
  batch_id: number; created_at: Instant;
}

export interface PortalAccountTable {
  id: Id; phone: string; failed_logins: Generated<number>; failed_since: Instant | null; locked_until: Instant | null; last_login_at: Instant | null; created_at: Instant;
}
export interface PortalCodeTable {
  id: Id; account_id: number; code_hmac: string; ip_hash: string; attempts: Generated<number>; created_at: Instant; expires_at: Instant; used_at: Instant | null;
}
export interface PortalSessionTable { id: string; account_id: number; created_at: Instant; expires_at: Instant }
export interface PortalBindingTable {
  id: Id; account_id: number; project_id: number; building: string; number: string; owner_name: string; note: string | null; status: string;
  house_id: number | null; ownership_id: number | null; decided_by: string | null; decided_at: Instant | null; decision_note: string | null; created_at: Instant;
}
export interface PortalOrderTable {
  id: Id; out_trade_no: string; provider: string; account_id: number; project_id: number; house_id: number; ownership_id: number; amount_fen: number;
  periods_json: string; status: string; pay_url: string | null; pay_mode: string | null; provider_trade_no: string | null; payment_id: number | null;
  create_answer: string | null; notify_raw: string | null; problem: string | null; created_at: Instant; expires_at: Instant; queried_at: Instant | null; paid_at: Instant | null;
}
export interface PortalRequestTable {
  id: Id; account_id: number; project_id: number; house_id: number; ownership_id: number; kind: string; topic: string; detail: string; status: string;
  case_id: number | null; ticket_id: number | null; plan_id: number | null; reply: string | null; replied_by: string | null; replied_at: Instant | null; created_at: Instant;
}
export interface PortalFileTable { id: Id; request_id: number; filename: string; content_type: string; sha256: string; bytes: Uint8Array; created_at: Instant }
export interface ContactPreferenceTable { owner_id: number; sms: number; email: number; wechat: number; note: string | null; updated_by: string; updated_at: Instant }
export interface DataRequestTable {
  id: Id; account_id: number; company_id: number; kind: string; detail: string; status: string; reply: string | null; copy_json: string | null;
  decided_by: string | null; decided_at: Instant | null; due_on: LocalDate; created_at: Instant;
}
export interface PortalSettingTable { project_id: number; cost_json: string; updated_by: string; updated_at: Instant }
export interface ExportRequestTable {
  id: Id; company_id: number; project_id: number; list: string; format: string; reason: string; status: string; requested_by: string; requested_by_id: number | null;
  requested_at: Instant; decided_by: string | null; decided_at: Instant | null; decision_note: string | null; downloads: Generated<number>;
}

export interface DB {
  company: CompanyTable;
  project: ProjectTable;
  building: BuildingTable;
  entrance: EntranceTable;
  house: HouseTable;
  parking_space: ParkingSpaceTable;
  owner: OwnerTable;
  owner_tag: OwnerTagTable;
  ownership: OwnershipTable;
  ownership_owner: OwnershipOwnerTable;
  designated_payer: DesignatedPayerTable;
  contact: ContactTable;
  app_user: AppUserTable;
  user_scope: UserScopeTable;
  collector_assignment: CollectorAssignmentTable;
  script_book: ScriptBookTable;
  notice_template: NoticeTemplateTable;
  print_batch: PrintBatchTable;
  outbox_message: OutboxMessageTable;
  evidence_log: EvidenceLogTable;
  evidence_head: EvidenceHeadTable;
  evidence_file: EvidenceFileTable;
  import_batch: ImportBatchTable;
  import_error: ImportErrorTable;
  import_key: ImportKeyTable;
  legacy_payment: LegacyPaymentTable;
  bank_transfer: BankTransferTable;
  portal_account: PortalAccountTable;
  portal_code: PortalCodeTable;
  portal_session: PortalSessionTable;
  portal_binding: PortalBindingTable;
  portal_order: PortalOrderTable;
  portal_request: PortalRequestTable;
  portal_file: PortalFileTable;
  contact_preference: ContactPreferenceTable;
  data_request: DataRequestTable;
  portal_setting: PortalSettingTable;
  export_request: ExportRequestTable;
  daily_review: DailyReviewTable;
  session: SessionTable;
  audit_log: AuditLogTable;
  app_setting: AppSettingTable;
  fee_item: FeeItemTable;
  fee_standard: FeeStandardTable;
  contract_terms: ContractTermsTable;
  bill_run: BillRunTable;
  charge: ChargeTable;
  payment: PaymentTable;
  allocation: AllocationTable;
  prepaid_entry: PrepaidEntryTable;
  receipt_counter: ReceiptCounterTable;
  receipt: ReceiptTable;
  receipt_print: ReceiptPrintTable;
  invoice_request: InvoiceRequestTable;
  late_fee_waiver: LateFeeWaiverTable;
  refund_request: RefundRequestTable;
  vacancy_registration: VacancyRegistrationTable;
  dunning_policy: DunningPolicyTable;
  collection_case: CollectionCaseTable;
  case_pause: CasePauseTable;
  dunning_action: DunningActionTable;
  contact_attempt: ContactAttemptTable;
  limitation_event: LimitationEventTable;
  service_ticket: ServiceTicketTable;
  payment_plan: PaymentPlanTable;
  payment_plan_instalment: PaymentPlanInstalmentTable;
}

export type House = Selectable<HouseTable>;
export type NewHouse = Insertable<HouseTable>;
export type HouseUpdate = Updateable<HouseTable>;
export type Owner = Selectable<OwnerTable>;
export type Contact = Selectable<ContactTable>;
export type AppUser = Selectable<AppUserTable>;
export type Project = Selectable<ProjectTable>;
