/**
 * The one HTTP client of the staff console. Every page talks to the server through `api` below: JSON in and out, the
 * session cookie sent along (same origin), and errors thrown as ApiError carrying the server's {code, message}.
 */

import type { DunningPolicy } from '../../core/dunning/policy.ts';
import type { PeriodDebt, PlannedAction } from '../../core/dunning/planner.ts';
import type { ScriptBook } from '../../core/workbench/scripts.ts';

export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: FieldIssue[] | undefined;

  constructor(status: number, code: string, message: string, details?: FieldIssue[]) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Listeners told when the server answers 401 (the session ended): the app then shows the login page. */
const unauthenticatedListeners = new Set<() => void>();
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

function isErrorBody(v: unknown): v is { code: string; message: string; details?: FieldIssue[] } {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string'
    && typeof (v as { message?: unknown }).message === 'string';
}

async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, query?: Query): Promise<T> {
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
  }
  return answer<T>(res);
}

/** A file sent as it is (the request body is the file's bytes: no base64, no size limit of a JSON body). */
async function upload<T>(path: string, file: Blob, query?: Query): Promise<T> {
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试');
  }
  return answer<T>(res);
}

/** The server's answer: its JSON, or an ApiError with its {code, message, details}. */
async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = isErrorBody(data)
      ? new ApiError(res.status, data.code, data.message, data.details)
      : new ApiError(res.status, `HTTP_${res.status}`, `请求失败（HTTP ${res.status}）`);
    // A failed login is also a 401, but it is not "the session ended".
    if (res.status === 401 && err.code === 'UNAUTHENTICATED') unauthenticatedListeners.forEach((l) => l());
    throw err;
  }
  return data as T;
}

/** The message to show for any error thrown by `api` (or anything else). */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.details?.length ? e.details.map((d) => d.message).join('；') : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

// ---- Shapes of the API (see the server's OpenAPI document) ----

export type Role = 'admin' | 'general_manager' | 'project_manager' | 'supervisor' | 'collector' | 'cashier';

export interface LoginResult {
  user: { id: number; username: string; displayName: string; role: Role };
  expiresAt: string;
}

export type MeScope =
  | { kind: 'all' }
  | { kind: 'projects'; projects: Array<{ projectId: number; buildingIds: number[] | null }> };

export interface Me {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  roleLabel: string;
  permissions: string[];
  scope: MeScope;
}

export interface Project {
  id: number;
  name: string;
  address: string | null;
  timeZone: string;
  buildingCount?: number;
}

export interface Building {
  id: number;
  projectId: number;
  name: string;
  areaName: string | null;
  sortOrder: number;
  houseCount: number;
}

export interface Entrance {
  id: number;
  buildingId: number;
  name: string;
}

export interface HouseRow {
  id: number;
  projectId: number;
  buildingId: number;
  entranceId: number | null;
  number: string;
  floor: number;
  propertyType: string;
  /** Billable area as decimal text, e.g. "89.50". */
  area: string;
  status: string;
  deliveryDate: string | null;
  buildingName: string;
  entranceName: string | null;
  /** Current owners' names (the server joins them; an array is accepted too). */
  /** Current owners' names joined with 、 (empty when none). */
  ownerNames: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Contact {
  id: number;
  ownerId: number;
  kind: string;
  masked: string;
  status: string;
  source: string | null;
  lastVerified: string | null;
  isServiceAddress: boolean;
  note: string | null;
}

export interface HouseOwner {
  id: number;
  name: string;
  kind: string;
  sharePct: number | null;
  primary: boolean;
  tags: string[];
  contacts: Contact[];
}

export interface Ownership {
  id: number;
  from: string;
  to: string | null;
  note: string | null;
  current: boolean;
  owners: HouseOwner[];
}

export interface Payer {
  id: number;
  ownerId: number;
  name: string;
  from: string | null;
  to: string | null;
  consentNote: string | null;
  consentDate: string | null;
}

export interface HouseDetail extends Omit<HouseRow, 'ownerNames'> {
  projectName: string;
  ownerships: Ownership[];
  payers: Payer[];
}

export interface OwnerHit {
  ownerId: number;
  name: string;
  kind: string;
  houseId: number | null;
  houseNumber: string | null;
  buildingName: string | null;
  projectId: number | null;
  projectName: string | null;
  current: boolean;
  matchedBy: 'name' | 'house' | 'phone';
}

export interface OwnerDetail {
  id: number;
  kind: string;
  name: string;
  temperamentNote: string | null;
  tags: string[];
  contacts: Contact[];
  holdings: Array<{ ownershipId: number; houseId: number | null; houseNumber: string | null; parkingSpaceId: number | null; parkingNumber: string | null; from: string; to: string | null }>;
}

/** Body of POST /api/owners/:id/contacts (kind, status and source are the server's Chinese vocabulary). */
export interface ContactInput {
  kind: string;
  value: string;
  status?: string;
  source: string;
  /** YYYY-MM-DD, or null for "never verified". */
  lastVerified?: string | null;
  isServiceAddress?: boolean;
  note?: string | null;
}

/** Body of PATCH /api/contacts/:id: only the fields that change (the value may be left out). */
export type ContactPatch = Partial<ContactInput>;

/** Body of PATCH /api/owners/:id. */
export interface OwnerPatch {
  name?: string;
  tags?: string[];
  temperamentNote?: string | null;
}

export interface OwnerUpdated {
  id: number;
  name: string;
  tags: string[];
  temperamentNote: string | null;
}

export interface RevealedContact {
  id: number;
  kind: string;
  value: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | number | null;
  before: unknown;
  after: unknown;
}

export interface UserScope {
  projectId: number;
  buildingId: number | null;
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  roleLabel?: string;
  active: boolean;
  locked: boolean;
  scopes: UserScope[];
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  scopes: Array<{ projectId: number; buildingId?: number | null }>;
}

export interface HouseQuery {
  projectId?: number | undefined;
  buildingId?: number | undefined;
  q?: string | undefined;
  status?: string | undefined;
  page: number;
  pageSize: number;
}

export interface AuditQuery {
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  page: number;
  pageSize: number;
}

// ---- Billing: fee items and standards, contract terms, bill runs ----

export type Pricing = 'per_area' | 'fixed';
export type Rounding = 'half_up' | 'down' | 'up';

export interface FeeStandard {
  id: number;
  feeItemId: number;
  /** One of the property types, or '*' for all. */
  propertyType: string;
  /** 元/m²/月 as exact decimal text ("2.35"), for per-area items. */
  unitPrice: string | null;
  /** 元/月 formatted by the server ("¥300.00"), for fixed items. */
  monthlyAmount: string | null;
  publishedOn: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  /** Why the standard takes effect less than one month after publication (R25). */
  overrideReason: string | null;
  /** 空置房收费比例 and the clause or local rule that grants it (R29); null: a vacant house pays in full. */
  vacancy: VacancyRate | null;
}

/** A vacancy rate: per cent of the standard charged for a registered vacant house, with its basis (R29). */
export interface VacancyRate {
  /** 1–99 */
  ratePct: number;
  basis: string;
}

export interface FeeItem {
  id: number;
  projectId: number;
  name: string;
  category: string;
  appliesTo: string;
  pricing: Pricing;
  rounding: Rounding;
  prepaidDeduct: boolean;
  active: boolean;
  /** 价格管理形式 (R24). */
  priceForm: PriceForm;
  /** 政府指导价 only: 基准价 and 浮动幅度 as printed ("2.00 元/m²/月", "±20%", floatPct "20") and the permitted band. */
  guide: { base: string; floatRange: string; floatPct: string; band: string } | null;
  /** 收费依据: contract clause or price authority document; null falls back on the contract on the notice. */
  basis: string | null;
  standards: FeeStandard[];
}

export type PriceForm = '市场调节价' | '政府指导价';

/** The 明码标价 fields of a fee item (R24): body of PUT /api/fee-items/:id/price-notice, and part of a new item. */
export interface FeeItemPriceNotice {
  priceForm?: PriceForm;
  /** 政府指导价: 基准价 in 元/m²/月 (per-area items) or 元/月 (fixed ones), and 浮动幅度 in percent ("20" = ±20%). */
  guideBase?: string | null;
  guideFloatPct?: string | null;
  basis?: string | null;
}

/** Body of POST /api/projects/:id/fee-items. */
export interface NewFeeItem extends FeeItemPriceNotice {
  name: string;
  category: string;
  pricing: Pricing;
  rounding?: Rounding;
  prepaidDeduct?: boolean;
}

/** Body of POST /api/fee-items/:id/standards: unitPrice for per-area items, monthlyAmount (yuan text) for fixed ones. */
export interface NewFeeStandard {
  propertyType: string;
  unitPrice?: string;
  monthlyAmount?: string;
  publishedOn: string;
  effectiveFrom: string;
  effectiveTo?: string | null;
  overrideReason?: string | null;
  /** Only where the contract or a local rule grants a vacancy rate (R29). */
  vacancy?: VacancyRate | null;
}

/** 逾期违约金 clause of the contract: without one no late fee is charged (R19). */
export interface LateFeeClause {
  /** Daily rate as decimal text, e.g. "0.0003" (万分之三); 1% a day or more is refused (R21). */
  dailyRate: string;
  graceDays: number;
  /** Cap as a percentage of the principal (1–100), or null for none. */
  capPctOfPrincipal: number | null;
  clauseText: string;
  /** How the clause was pointed out to the owner (R22). */
  clauseEvidence: string;
}

export type ContractKind = '前期物业服务协议' | '物业服务合同';
export type BillingCycle = 'month' | 'quarter' | 'half_year' | 'year';

/** Body of POST /api/projects/:id/contract-terms. */
export interface ContractTermsInput {
  kind: ContractKind;
  cycle: BillingCycle;
  anchorMonth: number;
  dueDay: number;
  effectiveFrom: string;
  /** 服务内容/服务等级, printed on the 明码标价 notice (R24). */
  serviceContent?: string | null;
  lateFee: LateFeeClause | null;
  /** 提前缴费优惠: the whole year paid inside the window of that year, at a discount. */
  earlyDiscount?: EarlyDiscount | null;
}

/** 提前缴费优惠: rate in per cent ("5"; the server answers "5%"), window as MM-DD, inclusive. */
export interface EarlyDiscount {
  rate: string;
  from: string;
  to: string;
}

/** A stored version of a project's contract terms (GET /api/projects/:id/contract-terms, newest first). */
export interface ContractTerms {
  id: number;
  projectId: number;
  kind: string;
  cycle: BillingCycle;
  anchorMonth: number;
  dueDay: number;
  effectiveFrom: string;
  serviceContent: string | null;
  lateFee: LateFeeClause | null;
  earlyDiscount: EarlyDiscount | null;
  createdBy: string;
}

/** GET /api/projects/:id/price-notice: the 明码标价 notice generated from the billing configuration (R24). */
export interface PriceNotice {
  title: string;
  company: string;
  project: string;
  address: string;
  date: string;
  /** 价格管理形式 of the notice as a whole (each line has its own). */
  priceForm: string;
  /** The contract in force. */
  basis: string;
  serviceContent: string | null;
  billing: { cycle: string; dueDay: number; startsAt: string; lateFee: string } | null;
  lines: Array<{
    item: string; category: string; object: string; method: string;
    /** The actual rate. */
    standard: string;
    effectiveFrom: string; publishedOn: string; priceForm: string;
    guideBase: string | null; guideFloat: string | null; basis: string | null; note: string | null;
  }>;
  /** 代收 items carry no handling fee (R31). */
  onBehalf: string;
  /** What the configuration still lacks for a complete notice. */
  gaps: string[];
  hotline: string;
  footer: string;
}

/** What a bill run created (or, in a dry run, would create). Amounts are integer fen. */
export interface BillRunReport {
  projectId: number;
  period: string;
  dryRun: boolean;
  /** false when the period is not the first month of a billing cycle (skips[0] says why). */
  billingMonth: boolean;
  months: string[];
  dueDate: string | null;
  created: number;
  createdFen: number;
  /** Charges that already existed from an earlier run (never billed twice). */
  existing: number;
  byItem: Array<{ feeItemId: number; name: string; charges: number; amountFen: number; developerCharges: number; developerFen: number }>;
  skipped: number;
  /** The first skips (at most 100) with their reasons; `skipped` counts them all. */
  skips: Array<{ houseId: number | null; houseNumber: string | null; feeItemId: number | null; reason: string }>;
  billRunId: number | null;
  /** Prepaid money deducted right after the run (per fee item setting); null in a preview. */
  prepaidDeducted: { houses: number; amountFen: number } | null;
}

/** One charge an adjustment run prices again with the standards now in force. */
export interface AdjustmentLine {
  chargeId: number;
  houseId: number;
  houseNumber: string;
  feeItemId: number;
  period: string;
  billTo: string;
  beforeFen: number;
  afterFen: number;
  basis: string;
}

/** POST /api/projects/:id/bill-adjustments: a billed period priced again (preview when dryRun). */
export interface AdjustmentReport {
  projectId: number;
  period: string;
  months: string[];
  dryRun: boolean;
  adjusted: number;
  increaseFen: number;
  decreaseFen: number;
  /** Overpaid principal of lowered charges, moved to the payers' prepaid accounts. */
  transferredFen: number;
  /** Charges the standards now ask for that were never billed (a bill run adds them). */
  missing: number;
  /** The first lines (at most 200); `adjusted` counts them all. */
  lines: AdjustmentLine[];
}

export interface BillRun {
  id: number;
  period: string;
  createdBy: string;
  createdAt: string;
  chargesCreated: number;
  chargesExisting: number;
  amountFen: number;
  skipped: number;
}

// ---- Payments, house statement and ledger reports (amounts are integer fen) ----

/** Aging bucket of a line still owing principal, by days past its due date (core/billing/late-fee.ts). */
export type AgingKey = 'not_due' | 'd1_30' | 'd31_90' | 'd91_180' | 'd181_365' | 'y1_2' | 'y2_3' | 'y3_plus';

export interface AccountLine {
  chargeId: number;
  /** YYYY-MM */
  period: string;
  dueDate: string;
  itemName: string;
  amountFen: number;
  principalPaidFen: number;
  /** 逾期违约金 accrued as of the statement date (0 without a contract clause, R19). */
  lateFeeFen: number;
  lateFeePaidFen: number;
  /** How the late fee was worked out, in Chinese. */
  lateFeeBasis: string;
  /** The late fee exceeds LPR-based interest by more than 30%: a court may reduce it (民法典 585). */
  courtReductionRisk: boolean;
  billTo: 'owner' | 'developer';
  ownershipId: number | null;
  principalOwedFen: number;
  lateFeeOwedFen: number;
  /** null when the principal is paid. */
  aging: AgingKey | null;
}

export interface HouseAccount {
  houseId: number;
  asOf: string;
  lines: AccountLine[];
  totals: { chargedFen: number; principalOwedFen: number; lateFeeOwedFen: number; prepaidFen: number };
  /** Prepaid balance of each payer (R30): only non-zero ones. */
  prepaidByPayer: Array<{ payerKind: 'owner' | 'developer'; ownershipId: number | null; balanceFen: number }>;
  /** 提前缴费优惠 the current owners can take today (inside the window, the whole year billed); null otherwise. */
  discountOffer: {
    ownershipId: number;
    year: string;
    /** "5%" */
    rate: string;
    /** MM-DD */
    from: string;
    to: string;
    discountFen: number;
    /** What settles everything the current owners owe today, the discount taken. */
    settleFen: number;
  } | null;
}

export type PaymentChannel = '现金' | 'POS刷卡' | '银行转账' | '微信' | '支付宝';

/** Body of POST /api/payments. */
export interface NewPayment {
  houseId: number;
  /** 元 as the cashier typed it ("300", "300.50"): the server parses it exactly. */
  amount: string;
  channel: PaymentChannel;
  /** Whose money (default: the current owners). */
  payer?: { kind: 'owner'; ownershipId?: number } | { kind: 'developer' };
  /** Periods (YYYY-MM) the payer designates (R18): the payment goes to those only, the rest to prepaid. */
  periods?: string[];
  payerName?: string | null;
  /** One per submission: the same key twice records one payment. */
  idempotencyKey?: string | null;
  note?: string | null;
}

export interface Allocation {
  chargeId: number;
  period: string;
  item: string;
  component: 'late_fee' | 'principal' | 'cost';
  amountFen: number;
}

export type PaymentKind = 'payment' | 'reversal' | 'refund' | 'prepaid_deduction' | 'transfer';

export interface Payment {
  id: number;
  /** 收款, 冲正, 退款, 预存抵扣 or 转存. */
  kind: PaymentKind;
  /** 收款凭证编号 (numbered per project without gaps); null for entries that issue no receipt. */
  receiptNumber: string | null;
  houseId: number;
  payerKind: string;
  ownershipId: number | null;
  payerName: string | null;
  channel: string;
  /** Negative for a reversal. */
  amountFen: number;
  /** Formatted by the server ("¥100.00"). */
  amount: string;
  receivedAt: string;
  /** The calendar day the money was received (the project's time zone). */
  receivedOn: string;
  reversesPaymentId: number | null;
  reason: string | null;
  recordedBy: string;
  allocations: Allocation[];
  /** What went to the house's prepaid account. */
  prepaidFen: number;
}

/** One problem of an imported row: row number (header = row 1), column header, and the message to show. */
export interface ImportIssue {
  row: number;
  column: string | null;
  code: string;
  /** 第 5 行【金额（元）】：金额应为正数，最多两位小数 */
  message: string;
}

export interface PaymentImportRow {
  row: number;
  status: 'ok' | 'recorded' | 'already_imported' | 'rejected';
  serial: string | null;
  projectName: string | null;
  building: string | null;
  number: string | null;
  houseId: number | null;
  amountFen: number | null;
  channel: string | null;
  /** null: recorded on the day of the import. */
  receivedOn: string | null;
  periods: string[];
  allocatedFen: number | null;
  prepaidFen: number | null;
  paymentId: number | null;
  receiptNumber: string | null;
  errors: ImportIssue[];
}

/** Answer of POST /api/payments/import (preview when dryRun). */
export interface PaymentImportReport {
  dryRun: boolean;
  fileSha256: string;
  rows: number;
  ok: number;
  recorded: number;
  alreadyImported: number;
  rejected: number;
  /** Preview: the valid rows; import: what was recorded. */
  totalFen: number;
  total: string;
  items: PaymentImportRow[];
}

export interface FundReport {
  projectId: number;
  from: string;
  to: string;
  cashier: string | null;
  byChannel: Array<{ channel: string; amountFen: number; payments: number }>;
  /** current: charges of the report month or later; arrears: earlier months. */
  byItem: Array<{ item: string; currentFen: number; arrearsFen: number; lateFeeFen: number }>;
  totals: { receivedFen: number; currentFen: number; arrearsFen: number; lateFeeFen: number; prepaidFen: number };
  /** current + arrears + late fees + prepaid = received. */
  balanced: boolean;
}

export interface FundReportQuery {
  from: string;
  to?: string | undefined;
  /** The user name that recorded the payments. */
  cashier?: string | undefined;
}

/** Basis points (9523 = 95.23%); null when the denominator is zero. */
export interface CollectionRates {
  projectId: number;
  from: string;
  to: string;
  asOf: string;
  current: { billedFen: number; collectedFen: number; rateBp: number | null };
  arrears: { openingFen: number; recoveredFen: number; rateBp: number | null };
  combined: { dueFen: number; collectedFen: number; rateBp: number | null };
}

export type ArrearsLevel = 'project' | 'building' | 'house' | 'owner';

export interface ArrearsQuery {
  level: ArrearsLevel;
  asOf: string;
  projectId?: number | undefined;
  buildingId?: number | undefined;
}

export interface ArrearsReport {
  level: ArrearsLevel;
  asOf: string;
  totalFen: number;
  /** Largest first. key: the id of the project, building, house or ownership period. */
  /** label: the building, "楼栋 房号", or the owners with their house and period; houseId links house and owner rows. */
  items: Array<{ key: number | null; label: string; houseId: number | null; totalFen: number; charges: number; buckets: Partial<Record<AgingKey, number>> }>;
}

// ---- Requests approved by someone else: late-fee waivers, refunds of prepaid money, vacancy registrations ----

export type ApprovalStatus = '待审批' | '已批准' | '已驳回';

interface Decided {
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

export interface WaiverRequest extends Decided {
  id: number;
  chargeId: number;
  houseId: number;
  /** "楼栋 房号" */
  house: string;
  period: string;
  item: string;
  amountFen: number;
  reason: string;
  status: ApprovalStatus;
  requestedBy: string;
  requestedAt: string;
}

export interface RefundRequest extends Decided {
  id: number;
  houseId: number;
  /** Absent in the answer of a request or decision. */
  house?: string;
  payerKind: 'owner' | 'developer';
  ownershipId: number | null;
  amountFen: number;
  channel: string;
  reason: string;
  status: ApprovalStatus;
  requestedBy: string;
  requestedAt: string;
  /** The refund entry (a payment of kind 'refund') once approved. */
  paymentId: number | null;
}

export interface VacancyRegistration extends Decided {
  id: number;
  houseId: number;
  house?: string;
  /** YYYY-MM */
  fromMonth: string;
  toMonth: string;
  evidence: string;
  status: ApprovalStatus;
  requestedBy: string;
  requestedAt: string;
}

/** Body of POST /api/refunds. */
export interface NewRefund {
  houseId: number;
  /** Whose prepaid money; the server picks the only payer with a balance when left out. */
  payer?: { kind: 'owner'; ownershipId: number } | { kind: 'developer' };
  /** 元 as typed */
  amount: string;
  channel: PaymentChannel;
  reason: string;
}

/** Body of POST /api/vacancies. */
export interface NewVacancy {
  houseId: number;
  fromMonth: string;
  toMonth: string;
  evidence: string;
}

/** Body of POST /api/waivers. */
export interface NewWaiver {
  chargeId: number;
  /** 元 as typed */
  amount: string;
  reason: string;
}

// ---- Collection (催缴): policy, sweep, cases, contact records, approvals, payment plans, timeline ----

/** The policy object is the server's pure domain type (core/dunning/policy.ts). */
export type { DunningPolicy, PolicyStep } from '../../core/dunning/policy.ts';

export interface DunningPolicyView {
  policy: DunningPolicy;
  /** 0 = the default ladder (nothing saved yet). */
  version: number;
  isDefault: boolean;
  createdBy: string | null;
  createdAt: string | null;
}

export type { PeriodDebt, PlannedAction } from '../../core/dunning/planner.ts';

export interface SweepLine {
  caseId: number | null;
  houseId: number;
  house: string;
  ownershipId: number;
  state: string;
  owedFen: number;
  action: PlannedAction | null;
  /** The action already exists (an earlier run created it). */
  exists: boolean;
  nextActionAt: string | null;
  why: string;
  skipped: Array<{ key: string; name: string; reason: string }>;
}

export interface SweepReport {
  projectId: number;
  asOf: string;
  dryRun: boolean;
  policyVersion: number;
  cases: number;
  actions: number;
  created: number;
  existing: number;
  resolved: number;
  superseded: number;
  lines: SweepLine[];
}

export interface CaseItem {
  id: number;
  houseId: number;
  house: string;
  state: string;
  stateLabel: string;
  category: string | null;
  categoryLabel: string | null;
  stepIndex: number;
  owedFen: number;
  owed: string;
  anchorDue: string | null;
  nextActionAt: string | null;
  /** The pending action's first allowed instant under the contact rules (ISO); null: none, or not time-bound. */
  notBefore: string | null;
  nextKey: string | null;
  why: string | null;
  promisedOn: string | null;
  excluded: boolean;
}

export interface CaseQuery {
  state?: string | undefined;
  category?: string | undefined;
  stepKey?: string | undefined;
  /** Cases whose next action is due on or before this day (the day's task list). */
  dueBy?: string | undefined;
  page: number;
  pageSize: number;
}

/** One task of a collector's day (GET /api/projects/:id/worklist). */
export interface WorklistItem {
  actionId: number;
  caseId: number;
  houseId: number;
  house: string;
  key: string;
  name: string;
  channel: string;
  reason: string;
  late: boolean;
  /** When the contact rules allow it (ISO); availableNow: that time has come. */
  notBefore: string | null;
  availableNow: boolean;
  priority: number;
  category: string | null;
  categoryLabel: string | null;
  promisedOn: string | null;
  owed: string;
  periods: Array<{ period: string; dueDate: string; owed: string; timeBarred: boolean }>;
  contacts: Array<{ id: number; kind: string; masked: string; status: string; owner: string }>;
  lastAttempts: Array<{ at: string; staff: string; channel: string; contact: string | null; outcome: string; ownerSaid: string | null }>;
  script: { key: string; title: string; text: string } | null;
  answers: Array<{ key: string; topic: string; answer: string }>;
}
export interface Worklist { day: string; total: number; availableNow: number; items: WorklistItem[] }

export type { ScriptBook } from '../../core/workbench/scripts.ts';
export interface ScriptBookView { book: ScriptBook; version: number; createdBy: string | null; createdAt: string | null; isDefault: boolean }

export interface WeeklyReport {
  projectId: number; project: string; company: string; from: string; to: string; meeting: string;
  collected: { totalFen: number; total: string; byCollector: Array<{ name: string; fen: number; amount: string }>; byBuilding: Array<{ building: string; fen: number; amount: string }> };
  promises: { due: number; kept: number; broken: number; pending: number; byCollector: Array<{ name: string; due: number; kept: number; broken: number; pending: number }> };
  hardCases: Array<{ house: string; owed: string; reason: string | null; ticket: string | null; note: string | null }>;
  notes: { text: string; by: string; at: string } | null;
}

export interface KpiWeights { combinedRate: number; contactedShare: number; keptPromise: number; brokenPromise: number; recoveredPerThousand: number }
export interface KpiRow {
  houses: number; contactedTwiceWeeklyBp: number | null; promises: number; kept: number; broken: number; keptRateBp: number | null; recoveredFen: number; recovered: string;
  rates: { currentBp: number | null; arrearsBp: number | null; combinedBp: number | null };
}
export interface Kpis {
  from: string; to: string; asOf: string; weeks: number; weights: KpiWeights;
  collectors: Array<KpiRow & { userId: number; name: string; score: number }>;
  buildings: Array<KpiRow & { building: string }>;
}

export type Signature = { by: string; at: string; comment: string | null } | null;
/** The supervisor's review of a day (GET /api/projects/:id/review). */
export interface DailyReview {
  projectId: number;
  day: string;
  collectors: Array<{
    userId: number; name: string; houses: number; attempts: number; outcomes: Record<string, number>; promises: number; refusals: number;
    rows: Array<{ id: number; at: string; house: string; channel: string; contact: string | null; outcome: string; ownerSaid: string | null; promisedOn: string | null; nextStep: string | null }>;
    signed: Signature;
  }>;
  fund: { receivedFen: number; received: string; signed: Signature };
  unsigned: Array<{ day: string; kind: string; userId: number | null; name: string | null }>;
}
export interface HardCase {
  caseId: number; houseId: number; house: string; owed: string; reason: string | null;
  ticket: { topic: string; status: string; openedAt: string } | null;
  guidance: Array<{ key: string; topic: string; answer: string }>;
  note: string | null;
}

/** 分户到人: a proposed split of the houses in arrears among collectors (nothing saved yet). */
export interface AssignmentProposal {
  projectId: number;
  asOf: string;
  /** Most minus least difficulty between collectors, and what the split promises at most. */
  spread: number;
  tolerance: number;
  /** Houses whose collector would change. */
  moved: number;
  collectors: Array<{ userId: number; name: string; houses: number; difficulty: number; owedFen: number; owed: string; buildings: string[] }>;
  candidates: Array<{ userId: number; name: string }>;
  buildingScoped: Array<{ userId: number; name: string }>;
  houses: Array<{
    houseId: number; house: string; building: string; area: string | null; floor: number; owedFen: number; owed: string;
    category: string | null; difficulty: number; userId: number; currentUserId: number | null;
  }>;
}

/** A dunning action awaiting approval (律师函, 起诉建议, 催款通知书 …). */
export interface DunningApproval {
  id: number;
  caseId: number;
  houseId: number;
  house: string;
  name: string;
  channel: string;
  /** The lowest role that may approve (supervisor, project_manager, general_manager). */
  approval: string | null;
  reason: string;
  /** Formatted ("¥300.00"). */
  owed: string;
  dueOn: string;
  periods: PeriodDebt[];
}

/** Body of POST /api/cases/:id/contacts (a row of the 《物业费催缴记录表》). */
export interface ContactRecordInput {
  actionId?: number | null;
  channel?: string;
  contactId?: number | null;
  outcome: string;
  category?: string | null;
  ownerSaid?: string | null;
  nextStep?: string | null;
  promisedOn?: string | null;
  deliveredOn?: string | null;
  proof?: string | null;
  visitStaffCount?: number;
  consentOutsideQuietHours?: boolean;
  ticket?: { topic: string; description: string };
}

export interface ContactRecordResult {
  /** 'recorded', or 'cancelled_paid': the periods were paid meanwhile; nobody was contacted. */
  status: string;
  attemptId?: number;
  /** Nobody answered: the task stays open and comes back after the retry interval. */
  retry?: boolean;
  message?: string;
}

export interface NewPaymentPlan {
  kind: 'instalment' | 'deferral';
  reason: string;
  evidence?: string | null;
  /** amount: 元 as typed. */
  instalments: Array<{ dueOn: string; amount: string }>;
}

export interface CaseAction {
  id: number;
  kind: string;
  key: string;
  name: string;
  channel: string;
  cycleKey: string;
  dueOn: string;
  notBefore: string | null;
  status: string;
  approval: string | null;
  reason: string;
  owed: string;
  late: boolean;
  doneAt: string | null;
  doneBy: string | null;
  deliveredOn: string | null;
  closedReason: string | null;
  decidedBy: string | null;
  decisionNote: string | null;
}

export interface ContactAttempt {
  id: number;
  at: string;
  staff: string;
  channel: string;
  /** Masked by the server. */
  contact: string | null;
  outcome: string;
  category: string | null;
  ownerSaid: string | null;
  nextStep: string | null;
  promisedOn: string | null;
  actionId: number | null;
}

export interface CasePause {
  id: number;
  kind: string;
  label: string;
  until: string | null;
  reason: string;
  by: string;
  at: string;
  endedAt: string | null;
  endReason: string | null;
}

export interface LimitationRow {
  period: string;
  owed: string;
  expiresOn: string;
  /** running, alert or expired. */
  state: string;
  alertLevel: number | null;
  explanation: string;
}

export interface CollectionCase {
  id: number;
  ownershipId: number;
  cycle: number;
  state: string;
  stateLabel: string;
  category: string | null;
  categoryLabel: string | null;
  promisedOn: string | null;
  excluded: boolean;
  owed: string;
  nextActionAt: string | null;
  nextKey: string | null;
  why: string | null;
  limitation: LimitationRow[];
  actions: CaseAction[];
  attempts: ContactAttempt[];
  pauses: CasePause[];
  tickets: Array<{ id: number; topic: string; status: string; openedAt: string; resolution: string | null }>;
  plans: Array<{ id: number; kind: string; status: string; signedOn: string | null; reason: string }>;
}

export interface HouseCollection {
  house: { id: number; label: string; projectId: number };
  cases: CollectionCase[];
}

/** GET /api/projects/:id/payment-plans */
export interface PaymentPlanItem {
  id: number;
  caseId: number;
  houseId: number;
  house: string;
  ownershipId: number;
  kind: string;
  kindLabel: string;
  status: string;
  reason: string;
  evidence: string | null;
  instalments: Array<{ seq: number; dueOn: string; amountFen: number }>;
  totalFen: number;
  total: string;
  caseOwedFen: number;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  signedOn: string | null;
}

// ---- Notices, the outbox, the print centre and the evidence (issue 6) ----

export interface NoticeTemplate {
  kind: string;
  label: string;
  title: string;
  /** Mustache: {{house}}, and the list section {{#periods}}…{{/periods}}. */
  body: string;
  enabled: boolean;
  /** 0 for the default (never saved). */
  version: number;
  createdBy: string | null;
  createdAt: string | null;
  isDefault: boolean;
}

export interface NoticeTemplates { variables: string[]; templates: NoticeTemplate[] }

export interface TemplateVersion { version: number; title: string; body: string; enabled: boolean; createdBy: string | null; createdAt: string | null }

/** A template draft rendered with a house's figures (or sample figures) and what is wrong with it; nothing is saved. */
export interface TemplatePreview {
  ok: boolean;
  issues: Array<{ field: string; message: string; rule: string | null }>;
  title: string;
  text: string;
  house: string | null;
  sample: boolean;
}

export interface NoticeSettings { disputePhone: string; payWays: string; portalUrl: string; deadlineDays: number; lawFirm: string }

export type { MessageStatus, OutboxChannel } from '../../core/notices/vocabulary.ts';
import type { MessageStatus, OutboxChannel } from '../../core/notices/vocabulary.ts';

export interface OutboxItem {
  id: number;
  houseId: number;
  house: string;
  channel: OutboxChannel;
  template: string;
  templateLabel: string;
  status: MessageStatus;
  /** Masked. */
  recipient: string | null;
  owedFen: number;
  owed: string;
  attempts: number;
  nextAttemptAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  error: string | null;
  suppressedReason: string | null;
  provider: string | null;
  trackingNo: string | null;
  createdAt: string;
  contentSha256: string | null;
}

export interface OutboxPage extends Page<OutboxItem> {
  counts: Record<MessageStatus, number>;
  /** The channels with a provider configured (sms, email, wechat). */
  configured: string[];
}

export interface OutboxQuery {
  status?: string | undefined;
  channel?: string | undefined;
  houseId?: number | undefined;
  page: number;
  pageSize: number;
}

export interface PrintBatch {
  id: number;
  building: string;
  buildingId: number;
  template: string;
  templateLabel: string;
  channel: 'letter' | 'hand';
  size: 'A4' | 'door';
  houses: number;
  createdBy: string;
  createdAt: string;
}

export interface NewPrintBatch { buildingId: number; template: string; channel: string; size: string }
export interface PrintBatchResult { batchId: number; houses: number; skipped: Array<{ house: string; reason: string }> }

export interface PrintLetter {
  id: number;
  houseId: number;
  house: string;
  status: MessageStatus;
  recipient: string | null;
  recipientSource: string | null;
  owedFen: number;
  trackingNo: string | null;
  deliveredAt: string | null;
  error: string | null;
  contentSha256: string | null;
}

export interface BatchLetters {
  batch: Omit<PrintBatch, 'buildingId' | 'houses' | 'createdBy'>;
  letters: PrintLetter[];
}

/** Body of POST /api/outbox/:id/delivery: a hand delivery needs the receipt file; a letter its tracking number first. */
export interface DeliveryInput {
  outcome: 'delivered' | 'refused' | 'returned';
  /** YYYY-MM-DD */
  on: string;
  receivedBy?: string;
  note?: string;
  file?: { filename: string; contentType: string; base64: string };
}

export interface EvidenceFile { id: number; kind: string; filename: string; contentType: string; sha256: string; by: string; at: string }

export interface EvidenceReceipt { providerId?: string; status?: string; at?: string; detail?: string }

export interface EvidenceMessage {
  id: number;
  channel: string;
  channelLabel: string;
  template: string;
  templateLabel: string;
  templateVersion: number | null;
  status: MessageStatus;
  statusLabel: string;
  recipient: string | null;
  recipientSource: string | null;
  subject: string | null;
  content: string | null;
  contentSha256: string | null;
  /** null: nothing sent yet (no content). */
  hashOk: boolean | null;
  owed: string;
  periods: string[];
  provider: string | null;
  providerId: string | null;
  trackingNo: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  receipt: EvidenceReceipt | null;
  error: string | null;
  suppressedReason: string | null;
  printable: boolean;
  files: EvidenceFile[];
}

export interface EvidenceChainRow { seq: number; at: string; kind: string; messageId: number | null; hash: string; prevHash: string; intact: boolean; payload: unknown }

export interface HouseEvidence {
  house: { id: number; label: string; projectId: number };
  messages: EvidenceMessage[];
  chain: EvidenceChainRow[];
}

export interface EvidenceCheck { ok: boolean; rows: number; head: string; broken: { seq: number; reason: string } | null }

// ---- Imports, exports and the bank statement's review (issue 7) ----

export interface ImportColumn { header: string; required: boolean; note: string }
export interface ImportKindInfo { kind: string; label: string; sheet: string | null; permission: string; columns: ImportColumn[] }

export type ImportStatus = 'running' | 'checked' | 'committed' | 'rolled_back' | 'failed' | 'interrupted';
/** How a batch was run: a check only (dry_run), all or nothing (all), or the valid rows only (valid). */
export type ImportMode = 'dry_run' | 'all' | 'valid';
export interface ImportError { sheet: string; row: number; column: string; value: string; reason: string }

export interface ImportBatch {
  id: number;
  projectId: number | null;
  kind: string;
  label: string;
  filename: string;
  mode: ImportMode;
  status: ImportStatus;
  statusLabel: string;
  rows: number;
  /** 0–100. */
  progress: number;
  valid: number;
  invalid: number;
  written: number;
  skipped: number;
  message: string | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}

/** A batch with its first 200 errors (all of them in the error workbook). */
export interface ImportBatchDetail extends ImportBatch { errors: ImportError[] }

export type ExportFormat = 'xlsx' | 'csv';
/** A request to export a list (R37: bulk export only with approval). */
export interface ExportRequest {
  id: number; projectId: number; list: string; label: string; format: ExportFormat; reason: string; status: string;
  requestedBy: string; requestedById: number | null; requestedAt: string; decidedBy: string | null; decidedAt: string | null; decisionNote: string | null;
  validUntil: string | null; downloadable: boolean; downloads: number;
}

export type { TransferStatus } from '../../core/imports/vocabulary.ts';
import type { TransferStatus } from '../../core/imports/vocabulary.ts';
export interface TransferCandidate { houseId: number; label: string; score: number; reasons: string[] }
export interface BankTransfer {
  id: number;
  serial: string;
  receivedOn: string;
  amountFen: number;
  amount: string;
  payerName: string | null;
  memo: string | null;
  status: TransferStatus;
  statusLabel: string;
  houseId: number | null;
  /** "楼栋 房号" of the matched or chosen house. */
  house: string | null;
  candidates: TransferCandidate[];
  /** Why matched, why a person has to look, or why it was set aside. */
  why: string | null;
  paymentId: number | null;
  decidedBy: string | null;
  decidedAt: string | null;
}
export interface BankTransferPage extends Page<BankTransfer> { counts: Partial<Record<TransferStatus, number>> }

// ---- The staff side of the owner portal (对客端事项) ----

export type BindingStatus = 'pending' | 'approved' | 'rejected';
/** An owner's application to bind a house, with the building, number and name as the owner typed them. */
export interface BindingApplication {
  id: number;
  building: string;
  number: string;
  ownerName: string;
  note: string | null;
  phoneMasked: string;
  status: BindingStatus;
  statusLabel: string;
  decisionNote: string | null;
  decidedBy: string | null;
  createdAt: string;
  /** The number of the house staff chose (approved applications). */
  houseNumber: string | null;
}

export type PortalRequestKind = 'promise' | 'plan' | 'complaint' | 'repair';
/** What an owner sent in through the portal; status is the ticket's or the plan's when it became one. */
export interface PortalRequest {
  id: number;
  kind: PortalRequestKind;
  kindLabel: string;
  topic: string;
  detail: string;
  status: string;
  statusLabel: string;
  reply: string | null;
  createdAt: string;
  houseId: number;
  house: string;
  caseId: number | null;
  ticketId: number | null;
  planId: number | null;
  files: Array<{ id: number; filename: string }>;
}

/** An online payment order of the owner portal; `problem` says why a mismatched or unposted one needs a look. */
export interface PortalOrder {
  outTradeNo: string; provider: string; providerLabel: string; amountFen: number; periods: string[]; status: string; statusLabel: string;
  problem: string | null; providerTradeNo: string | null; paymentId: number | null; createdAt: string; paidAt: string | null; house: string;
}

export type DataRequestStatus = 'pending' | 'fulfilled' | 'refused';
/** A personal-data request (R41): copy, correction, deletion or explanation, answered by dueOn. */
export interface DataRequest {
  id: number;
  kind: 'copy' | 'correction' | 'deletion' | 'explanation';
  kindLabel: string;
  detail: string;
  status: DataRequestStatus;
  statusLabel: string;
  reply: string | null;
  dueOn: string;
  createdAt: string;
  decidedBy: string | null;
  phoneMasked: string;
}

/** One line of the cost composition shown to owners; pctBp in basis points (100 % = 10000). */
export interface CostLine { item: string; pctBp: number; note: string | null }

const id = (n: number | string) => encodeURIComponent(String(n));

export const api = {
  login: (username: string, password: string) => request<LoginResult>('POST', '/api/auth/login', { username, password }),
  logout: () => request<undefined>('POST', '/api/auth/logout', {}),
  me: () => request<Me>('GET', '/api/auth/me'),
  changePassword: (current: string, next: string) => request<undefined>('POST', '/api/auth/password', { current, next }),

  projects: () => request<{ items: Project[] }>('GET', '/api/projects'),
  project: (projectId: number) => request<Project>('GET', `/api/projects/${id(projectId)}`),
  buildings: (projectId: number) => request<{ items: Building[] }>('GET', `/api/projects/${id(projectId)}/buildings`),
  entrances: (buildingId: number) => request<{ items: Entrance[] }>('GET', `/api/buildings/${id(buildingId)}/entrances`),

  houses: (q: HouseQuery) => request<Page<HouseRow>>('GET', '/api/houses', undefined, { ...q }),
  house: (houseId: number) => request<HouseDetail>('GET', `/api/houses/${id(houseId)}`),

  searchOwners: (q: string, projectId?: number) => request<{ items: OwnerHit[] }>('GET', '/api/owners/search', undefined, { q, projectId }),
  owner: (ownerId: number) => request<OwnerDetail>('GET', `/api/owners/${id(ownerId)}`),
  updateOwner: (ownerId: number, patch: OwnerPatch) => request<OwnerUpdated>('PATCH', `/api/owners/${id(ownerId)}`, patch),
  addContact: (ownerId: number, c: ContactInput) => request<Contact>('POST', `/api/owners/${id(ownerId)}/contacts`, c),
  updateContact: (contactId: number, patch: ContactPatch) => request<Contact>('PATCH', `/api/contacts/${id(contactId)}`, patch),
  revealContact: (contactId: number, reason?: string) =>
    request<RevealedContact>('POST', `/api/contacts/${id(contactId)}/reveal`, reason?.trim() ? { reason: reason.trim() } : {}),

  audit: (q: AuditQuery) => request<Page<AuditEntry>>('GET', '/api/audit', undefined, { ...q }),

  users: () => request<{ items: User[] }>('GET', '/api/users'),
  createUser: (u: NewUser) => request<User>('POST', '/api/users', u),

  feeItems: (projectId: number) => request<{ items: FeeItem[] }>('GET', `/api/projects/${id(projectId)}/fee-items`),
  createFeeItem: (projectId: number, item: NewFeeItem) => request<Omit<FeeItem, 'standards'>>('POST', `/api/projects/${id(projectId)}/fee-items`, item),
  setFeeItemPriceNotice: (feeItemId: number, p: FeeItemPriceNotice) => request<Omit<FeeItem, 'standards'>>('PUT', `/api/fee-items/${id(feeItemId)}/price-notice`, p),
  priceNotice: (projectId: number, on: string) => request<PriceNotice>('GET', `/api/projects/${id(projectId)}/price-notice`, undefined, { on }),
  /** The address of the notice as an A4 PDF (a download link: the browser sends the session cookie itself). */
  priceNoticePdfUrl: (projectId: number, on: string) => withQuery(`/api/projects/${id(projectId)}/price-notice.pdf`, { on }),
  addFeeStandard: (feeItemId: number, s: NewFeeStandard) => request<FeeStandard>('POST', `/api/fee-items/${id(feeItemId)}/standards`, s),
  /** The last day a standard is in force (a price change: then the new standard from the next day). */
  endFeeStandard: (standardId: number, effectiveTo: string) => request<FeeStandard>('POST', `/api/fee-standards/${id(standardId)}/end`, { effectiveTo }),
  /** The server answers with the stored row (its own field names); only the id is relied on. */
  setContractTerms: (projectId: number, terms: ContractTermsInput) => request<ContractTerms>('POST', `/api/projects/${id(projectId)}/contract-terms`, terms),
  contractTerms: (projectId: number) => request<{ items: ContractTerms[] }>('GET', `/api/projects/${id(projectId)}/contract-terms`),
  billRun: (projectId: number, period: string, dryRun: boolean) => request<BillRunReport>('POST', `/api/projects/${id(projectId)}/bill-runs`, { period, dryRun }),
  billRuns: (projectId: number) => request<{ items: BillRun[] }>('GET', `/api/projects/${id(projectId)}/bill-runs`),
  /** Price a billed period again with the standards now in force; a commit (dryRun false) needs a reason. */
  billAdjust: (projectId: number, period: string, dryRun: boolean, reason?: string) =>
    request<AdjustmentReport>('POST', `/api/projects/${id(projectId)}/bill-adjustments`, { period, dryRun, ...(reason?.trim() ? { reason: reason.trim() } : {}) }),

  houseAccount: (houseId: number, asOf?: string) => request<HouseAccount>('GET', `/api/houses/${id(houseId)}/account`, undefined, { asOf }),
  recordPayment: (p: NewPayment) => request<Payment>('POST', '/api/payments', p),
  payment: (paymentId: number) => request<Payment>('GET', `/api/payments/${id(paymentId)}`),
  /** fileBase64: the .xlsx file's bytes in base64 (at most 5 MB). dryRun: check only, write nothing. */
  importPayments: (fileBase64: string, dryRun: boolean) => request<PaymentImportReport>('POST', '/api/payments/import', { fileBase64, dryRun }),
  reversePayment: (paymentId: number, reason: string) => request<Payment>('POST', `/api/payments/${id(paymentId)}/reverse`, { reason }),
  fundReport: (projectId: number, q: FundReportQuery) => request<FundReport>('GET', `/api/projects/${id(projectId)}/fund-report`, undefined, { ...q }),
  collectionRates: (projectId: number, q: { from: string; to: string; asOf?: string | undefined }) =>
    request<CollectionRates>('GET', `/api/projects/${id(projectId)}/collection-rates`, undefined, { ...q }),
  arrearsReport: (q: ArrearsQuery) => request<ArrearsReport>('GET', '/api/reports/arrears', undefined, { ...q }),

  requestWaiver: (w: NewWaiver) => request<{ id: number; status: string; amountFen: number; chargeId: number }>('POST', '/api/waivers', w),
  decideWaiver: (waiverId: number, approve: boolean, note?: string) =>
    request<{ id: number; status: string; amountFen: number }>('POST', `/api/waivers/${id(waiverId)}/decision`, { approve, ...(note?.trim() ? { note: note.trim() } : {}) }),
  waivers: (projectId: number, status?: ApprovalStatus) => request<{ items: WaiverRequest[] }>('GET', `/api/projects/${id(projectId)}/waivers`, undefined, { status }),
  requestRefund: (r: NewRefund) => request<RefundRequest>('POST', '/api/refunds', r),
  decideRefund: (refundId: number, approve: boolean, note?: string) =>
    request<RefundRequest>('POST', `/api/refunds/${id(refundId)}/decision`, { approve, ...(note?.trim() ? { note: note.trim() } : {}) }),
  refunds: (projectId: number, status?: ApprovalStatus) => request<{ items: RefundRequest[] }>('GET', `/api/projects/${id(projectId)}/refunds`, undefined, { status }),
  requestVacancy: (v: NewVacancy) => request<VacancyRegistration>('POST', '/api/vacancies', v),
  decideVacancy: (vacancyId: number, approve: boolean, note?: string) =>
    request<VacancyRegistration>('POST', `/api/vacancies/${id(vacancyId)}/decision`, { approve, ...(note?.trim() ? { note: note.trim() } : {}) }),
  vacancies: (projectId: number, status?: ApprovalStatus) => request<{ items: VacancyRegistration[] }>('GET', `/api/projects/${id(projectId)}/vacancies`, undefined, { status }),
  scriptBook: (projectId: number) => request<ScriptBookView>('GET', `/api/projects/${id(projectId)}/scripts`),
  saveScriptBook: (projectId: number, book: ScriptBook) => request<ScriptBookView>('PUT', `/api/projects/${id(projectId)}/scripts`, book),
  dunningPolicy: (projectId: number) => request<DunningPolicyView>('GET', `/api/projects/${id(projectId)}/dunning-policy`),
  saveDunningPolicy: (projectId: number, policy: DunningPolicy) => request<DunningPolicyView>('PUT', `/api/projects/${id(projectId)}/dunning-policy`, policy),
  weeklyReport: (projectId: number, day: string) => request<WeeklyReport>('GET', `/api/projects/${id(projectId)}/weekly-report`, undefined, { day }),
  weeklyReportPdfUrl: (projectId: number, day: string) => `/api/projects/${id(projectId)}/weekly-report.pdf?day=${encodeURIComponent(day)}`,
  saveWeeklyNotes: (projectId: number, day: string, notes: string) => request<{ week: string }>('PUT', `/api/projects/${id(projectId)}/weekly-notes`, { day, notes }),
  kpis: (projectId: number, from: string, to: string) => request<Kpis>('GET', `/api/projects/${id(projectId)}/kpis`, undefined, { from, to }),
  saveKpiWeights: (w: KpiWeights) => request<KpiWeights>('PUT', '/api/kpi-weights', w),
  dailyReview: (projectId: number, day: string) => request<DailyReview>('GET', `/api/projects/${id(projectId)}/review`, undefined, { day }),
  signReview: (projectId: number, body: { day: string; kind: 'collector_records' | 'fund_report'; userId?: number; comment?: string }) =>
    request<{ by: string; at: string }>('POST', `/api/projects/${id(projectId)}/review/sign`, body),
  hardCases: (projectId: number) => request<HardCase[]>('GET', `/api/projects/${id(projectId)}/hard-cases`),
  setGuidance: (caseId: number, note: string | null) => request<{ caseId: number; note: string | null }>('PUT', `/api/cases/${id(caseId)}/guidance`, { note }),
  worklist: (projectId: number, userId?: number) => request<Worklist>('GET', `/api/projects/${id(projectId)}/worklist`, undefined, userId ? { userId: String(userId) } : undefined),
  assignmentProposal: (projectId: number, collectorIds?: number[]) =>
    request<AssignmentProposal>('GET', `/api/projects/${id(projectId)}/assignment/proposal`, undefined, collectorIds ? { collectorIds: collectorIds.join(',') } : undefined),
  saveAssignment: (projectId: number, assignments: Array<{ houseId: number; userId: number }>) =>
    request<{ saved: number; changed: number }>('PUT', `/api/projects/${id(projectId)}/assignment`, { assignments }),
  dunningPlan: (projectId: number, asOf: string) => request<SweepReport>('GET', `/api/projects/${id(projectId)}/dunning/plan`, undefined, { asOf }),
  dunningRun: (projectId: number, asOf: string) => request<SweepReport>('POST', `/api/projects/${id(projectId)}/dunning/run`, { asOf }),
  cases: (projectId: number, q: CaseQuery) => request<Page<CaseItem>>('GET', `/api/projects/${id(projectId)}/cases`, undefined, { ...q }),
  dunningApprovals: (projectId: number) => request<{ items: DunningApproval[] }>('GET', `/api/projects/${id(projectId)}/dunning/approvals`),
  decideDunningAction: (actionId: number, approve: boolean, note?: string) =>
    request<{ id: number; status: string }>('POST', `/api/dunning-actions/${id(actionId)}/decision`, { approve, ...(note?.trim() ? { note: note.trim() } : {}) }),
  recordContact: (caseId: number, c: ContactRecordInput) => request<ContactRecordResult>('POST', `/api/cases/${id(caseId)}/contacts`, c),
  pauseCase: (caseId: number, p: { kind: string; until?: string | null; reason: string }) => request<{ id: number }>('POST', `/api/cases/${id(caseId)}/pauses`, p),
  resumeCase: (caseId: number, reason: string) => request<{ ok: true }>('POST', `/api/cases/${id(caseId)}/resume`, { reason }),
  setCaseExcluded: (caseId: number, excluded: boolean, reason: string) => request<{ ok: true }>('POST', `/api/cases/${id(caseId)}/exclusion`, { excluded, reason }),
  recordInterruption: (caseId: number, i: { kind: string; on: string; periods: string[]; note: string }) => request<{ ok: true }>('POST', `/api/cases/${id(caseId)}/interruptions`, i),
  requestPaymentPlan: (caseId: number, p: NewPaymentPlan) => request<{ id: number; status: string }>('POST', `/api/cases/${id(caseId)}/payment-plans`, p),
  decidePaymentPlan: (planId: number, approve: boolean, note?: string, signedOn?: string) =>
    request<{ id: number; status: string }>('POST', `/api/payment-plans/${id(planId)}/decision`, { approve, ...(note?.trim() ? { note: note.trim() } : {}), ...(signedOn ? { signedOn } : {}) }),
  paymentPlans: (projectId: number, status?: string) => request<{ items: PaymentPlanItem[] }>('GET', `/api/projects/${id(projectId)}/payment-plans`, undefined, { status }),
  resolveTicket: (ticketId: number, resolution: string) => request<{ ok: true }>('POST', `/api/service-tickets/${id(ticketId)}/resolve`, { resolution }),
  houseCollection: (houseId: number) => request<HouseCollection>('GET', `/api/houses/${id(houseId)}/collection`),

  noticeTemplates: (projectId: number) => request<NoticeTemplates>('GET', `/api/projects/${id(projectId)}/notice-templates`),
  templateHistory: (projectId: number, kind: string) => request<TemplateVersion[]>('GET', `/api/projects/${id(projectId)}/notice-templates/${id(kind)}/history`),
  saveTemplate: (projectId: number, kind: string, t: { title: string; body: string; enabled?: boolean }) =>
    request<NoticeTemplate>('PUT', `/api/projects/${id(projectId)}/notice-templates/${id(kind)}`, t),
  previewTemplate: (projectId: number, kind: string, t: { title: string; body: string; houseId?: number }) =>
    request<TemplatePreview>('POST', `/api/projects/${id(projectId)}/notice-templates/${id(kind)}/preview`, t),
  noticeSettings: (projectId: number) => request<NoticeSettings>('GET', `/api/projects/${id(projectId)}/notice-settings`),
  saveNoticeSettings: (projectId: number, s: NoticeSettings) => request<NoticeSettings>('PUT', `/api/projects/${id(projectId)}/notice-settings`, s),
  outbox: (projectId: number, q: OutboxQuery) => request<OutboxPage>('GET', `/api/projects/${id(projectId)}/outbox`, undefined, { ...q }),
  retryMessage: (messageId: number) => request<{ id: number; status: string }>('POST', `/api/outbox/${id(messageId)}/retry`, {}),
  sendNotice: (houseId: number, template: string, channel: string) => request<{ id: number; status: string }>('POST', `/api/houses/${id(houseId)}/notices`, { template, channel }),
  printBatches: (projectId: number) => request<PrintBatch[]>('GET', `/api/projects/${id(projectId)}/print-batches`),
  createPrintBatch: (projectId: number, b: NewPrintBatch) => request<PrintBatchResult>('POST', `/api/projects/${id(projectId)}/print-batches`, b),
  batchLetters: (batchId: number) => request<BatchLetters>('GET', `/api/print-batches/${id(batchId)}`),
  batchPdfUrl: (batchId: number) => `/api/print-batches/${id(batchId)}/pdf`,
  letterPdfUrl: (messageId: number) => `/api/outbox/${id(messageId)}/pdf`,
  recordTracking: (messageId: number, trackingNo: string) => request<{ id: number; trackingNo: string }>('PUT', `/api/outbox/${id(messageId)}/tracking`, { trackingNo }),
  recordDelivery: (messageId: number, d: DeliveryInput) => request<{ id: number; status: string }>('POST', `/api/outbox/${id(messageId)}/delivery`, d),
  noticeDraftUrl: (houseId: number, kind: string) => `/api/houses/${id(houseId)}/notice-draft?kind=${encodeURIComponent(kind)}`,
  houseEvidence: (houseId: number) => request<HouseEvidence>('GET', `/api/houses/${id(houseId)}/evidence`),
  evidenceFileUrl: (fileId: number) => `/api/evidence-files/${id(fileId)}`,
  litigationBundleUrl: (houseId: number, format: 'pdf' | 'zip') => `/api/houses/${id(houseId)}/litigation-bundle?format=${format}`,
  verifyEvidence: () => request<EvidenceCheck>('GET', '/api/evidence/verify'),

  importKinds: () => request<ImportKindInfo[]>('GET', '/api/imports/kinds'),
  importTemplateUrl: (kind: string) => `/api/imports/templates/${id(kind)}`,
  /** Start an import of the file (the body is the file itself); the batch runs in the background: poll importBatch. */
  startImport: (projectId: number, kind: string, file: File, o: { dryRun: boolean; mode: 'all' | 'valid' }) =>
    upload<{ batchId: number }>(`/api/projects/${id(projectId)}/imports/${id(kind)}`, file, { filename: file.name, dryRun: o.dryRun, mode: o.mode }),
  importBatch: (batchId: number) => request<ImportBatchDetail>('GET', `/api/imports/${id(batchId)}`),
  importErrorsUrl: (batchId: number) => `/api/imports/${id(batchId)}/errors.xlsx`,
  imports: (projectId: number) => request<ImportBatch[]>('GET', `/api/projects/${id(projectId)}/imports`),
  /** An approved export of a whole list of the project (a download link: the browser sends the session cookie itself). */
  exportUrl: (r: { projectId: number; list: string; format: ExportFormat; id: number }) => withQuery(`/api/projects/${id(r.projectId)}/exports/${id(r.list)}`, { format: r.format, request: r.id }),
  requestExport: (projectId: number, list: string, format: ExportFormat, reason: string) =>
    request<ExportRequest>('POST', `/api/projects/${id(projectId)}/export-requests`, { list, format, reason }),
  exportRequests: (projectId: number) => request<{ items: ExportRequest[] }>('GET', `/api/projects/${id(projectId)}/export-requests`),
  decideExport: (requestId: number, approve: boolean, note?: string) => request<ExportRequest>('POST', `/api/export-requests/${id(requestId)}/decision`, { approve, note }),

  bankTransfers: (projectId: number, q: { status?: TransferStatus | undefined; page: number; pageSize: number }) =>
    request<BankTransferPage>('GET', `/api/projects/${id(projectId)}/bank-transfers`, undefined, { ...q }),
  confirmTransfer: (transferId: number, houseId?: number) =>
    request<{ id: number; status: string; paymentId: number }>('POST', `/api/bank-transfers/${id(transferId)}/confirm`, houseId === undefined ? {} : { houseId }),
  confirmMatched: (projectId: number) => request<{ confirmed: number }>('POST', `/api/projects/${id(projectId)}/bank-transfers/confirm-matched`, {}),
  ignoreTransfer: (transferId: number, reason: string) => request<{ id: number; status: string }>('POST', `/api/bank-transfers/${id(transferId)}/ignore`, { reason }),

  bindingApplications: (projectId: number, status: BindingStatus) =>
    request<{ items: BindingApplication[] }>('GET', `/api/projects/${id(projectId)}/portal/bindings`, undefined, { status }),
  /** Approve naming the house (its current owners' period becomes the number's), or reject with the reason. */
  decideBinding: (bindingId: number, d: { approve: true; houseId: number; note?: string | null } | { approve: false; note: string }) =>
    request<{ id: number; status: string }>('POST', `/api/portal/bindings/${id(bindingId)}/decision`, d),
  portalRequests: (projectId: number, status?: string) => request<{ items: PortalRequest[] }>('GET', `/api/projects/${id(projectId)}/portal/requests`, undefined, { status }),
  portalOrders: (projectId: number, status?: string) => request<{ items: PortalOrder[] }>('GET', `/api/projects/${id(projectId)}/portal/orders`, undefined, { status }),
  /** Answer a complaint or repair request: its ticket is resolved with the answer, and the owner sees it. */
  replyToPortalRequest: (requestId: number, reply: string) => request<{ id: number; status: string }>('POST', `/api/portal/requests/${id(requestId)}/reply`, { reply }),
  portalFileUrl: (fileId: number) => `/api/portal/files/${id(fileId)}`,
  dataRequests: (status?: DataRequestStatus) => request<{ items: DataRequest[] }>('GET', '/api/privacy/requests', undefined, { status }),
  decideDataRequest: (requestId: number, fulfil: boolean, reply: string) =>
    request<{ id: number; status: string }>('POST', `/api/privacy/requests/${id(requestId)}/decision`, { fulfil, reply }),
  costComposition: (projectId: number) => request<{ lines: CostLine[] }>('GET', `/api/projects/${id(projectId)}/cost-composition`),
  saveCostComposition: (projectId: number, lines: CostLine[]) => request<{ lines: CostLine[] }>('PUT', `/api/projects/${id(projectId)}/cost-composition`, { lines }),
};
