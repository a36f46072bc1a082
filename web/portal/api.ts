/**
 * The owner portal's HTTP client and the shapes of docs/portal.md. JSON in and out, the `wuye_portal` session cookie
 * sent along (same origin); a failed call throws PortalError with the server's Chinese {code, message}. A 401 tells the
 * app (onUnauthenticated) so that it shows the login screen again.
 */

export class PortalError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'PortalError';
    this.code = code;
    this.status = status;
  }
}

export interface PortalHouse { houseId: number; projectId: number; projectName: string; label: string; ownerName: string; areaM2: string; via: 'contact' | 'application' }
export interface BindingApplication { id: number; projectName: string; building: string; number: string; status: 'pending' | 'approved' | 'rejected'; statusLabel: string; decisionNote: string | null; createdAt: string }
export interface Me { phoneMasked: string; houses: PortalHouse[]; applications: BindingApplication[] }
export interface CodeSent { sentTo: string; resendAfterSeconds: number; expiresInSeconds: number }

export interface BillLine {
  chargeId: number; item: string; amountFen: number; principalPaidFen: number; principalOwedFen: number;
  lateFeeFen: number; lateFeeOwedFen: number; lateFeeBasis: string | null;
}
export interface BillPeriod { period: string; dueDate: string; owedFen: number; overdue: boolean; lines: BillLine[] }
export interface Bills {
  houseId: number; label: string; asOf: string; owedFen: number; principalOwedFen: number; lateFeeOwedFen: number; prepaidFen: number;
  periods: BillPeriod[];
  discountOffer: null | { rate: string; from: string; to: string; discountFen: number; settleFen: number };
}

export interface PaymentRecord {
  id: number; receivedOn: string; amountFen: number; channel: string; receiptNumber: string | null;
  lines: Array<{ period: string; item: string; component: string; componentLabel: string; amountFen: number }>; prepaidFen: number;
}

export interface Standards {
  company: string; project: string;
  items: Array<{ name: string; unit: string; priceForm: string; basis: string; effectiveFrom: string; object?: string | null; method?: string | null; note?: string | null }>;
  /** pct as text ('12.50%'), pctBp in basis points (1250). */
  costComposition: Array<{ item: string; pct: string; pctBp: number; note: string | null }>;
  /** The price-complaint line (12315). */
  hotline: string | null;
  footer: string | null; serviceContent: string | null;
}
export interface NoticeItem { id: number; title: string; channel: string; sentAt: string; content: string }

export type Provider = 'wechatpay' | 'alipay' | 'sandbox';
export interface Gateway { provider: Provider; label: string }
export interface Order {
  outTradeNo: string; provider: Provider; amountFen: number; periods: string[]; status: 'pending' | 'paid' | 'closed' | 'failed' | 'mismatch'; statusLabel: string;
  payUrl: string | null; payMode: 'redirect' | 'qr' | null; paymentId: number | null; receiptNumber: string | null; createdAt: string; houseId: number;
}

export interface RequestItem { id: number; kind: string; kindLabel: string; summary: string; detail?: string; status: string; statusLabel: string; createdAt: string; reply: string | null }
export interface Privacy { version: string; sections: Array<{ title: string; body: string }> }
export interface Preferences { sms: boolean; email: boolean; wechat: boolean; note?: string | null }
export type DataRequestKind = 'copy' | 'correction' | 'deletion' | 'explanation';
export interface DataRequest { id: number; kind: DataRequestKind; kindLabel: string; detail: string; status: string; statusLabel: string; reply: string | null; createdAt: string; hasCopy: boolean; copyExpiresAt: string | null }

let onUnauth: (() => void) | null = null;
/** The app's handler for a 401 (the session ended or never began). */
export function onUnauthenticated(fn: () => void): void {
  onUnauth = fn;
}

async function request<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new PortalError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): reported below by status.
  }
  if (!res.ok) {
    const err = data as { code?: unknown; message?: unknown } | null;
    const code = typeof err?.code === 'string' ? err.code : `HTTP_${res.status}`;
    const message = typeof err?.message === 'string' ? err.message : `服务暂时不可用（${res.status}），请稍后重试`;
    if (res.status === 401 && path !== '/api/portal/auth/login') onUnauth?.();
    throw new PortalError(res.status, code, message);
  }
  return data as T;
}

const h = (id: number) => `/api/portal/houses/${id}`;

export const api = {
  sendCode: (phone: string) => request<CodeSent>('POST', '/api/portal/auth/code', { phone }),
  login: (phone: string, code: string) => request<Me>('POST', '/api/portal/auth/login', { phone, code }),
  logout: () => request<void>('POST', '/api/portal/auth/logout'),
  me: () => request<Me>('GET', '/api/portal/me'),
  projects: () => request<{ items: Array<{ id: number; name: string }> }>('GET', '/api/portal/projects'),
  bind: (b: { projectId: number; building: string; number: string; ownerName: string; note?: string }) => request<BindingApplication>('POST', '/api/portal/bindings', b),

  bills: (houseId: number) => request<Bills>('GET', `${h(houseId)}/bills`),
  payments: (houseId: number) => request<{ items: PaymentRecord[] }>('GET', `${h(houseId)}/payments`),
  standards: (houseId: number) => request<Standards>('GET', `${h(houseId)}/standards`),
  notices: (houseId: number) => request<{ items: NoticeItem[] }>('GET', `${h(houseId)}/notices`),

  gateways: () => request<{ items: Gateway[] }>('GET', '/api/portal/gateways'),
  createOrder: (houseId: number, b: { periods?: string[]; provider: Provider }) => request<Order>('POST', `${h(houseId)}/orders`, b),
  order: (outTradeNo: string) => request<Order>('GET', `/api/portal/orders/${encodeURIComponent(outTradeNo)}`),

  promise: (houseId: number, b: { date: string; note?: string }) => request<{ caseId: number; promisedOn: string }>('POST', `${h(houseId)}/promise`, b),
  plan: (houseId: number, b: { kind: 'instalment' | 'deferral'; reason: string; instalments: Array<{ dueOn: string; amount: string }>; attachment?: { filename: string; contentType: string; base64: string } }) =>
    request<{ id: number; status: string }>('POST', `${h(houseId)}/plans`, b),
  ticket: (houseId: number, b: { kind: 'complaint' | 'repair'; topic: string; description: string }) => request<{ id: number; status: string }>('POST', `${h(houseId)}/tickets`, b),
  requests: (houseId: number) => request<{ items: RequestItem[] }>('GET', `${h(houseId)}/requests`),

  privacy: () => request<Privacy>('GET', '/api/portal/privacy'),
  preferences: () => request<Preferences>('GET', '/api/portal/preferences'),
  savePreferences: (p: Preferences) => request<Preferences>('PUT', '/api/portal/preferences', p),
  dataRequests: () => request<{ items: DataRequest[] }>('GET', '/api/portal/data-requests'),
  createDataRequest: (b: { kind: DataRequestKind; detail: string }) => request<DataRequest>('POST', '/api/portal/data-requests', b),
};

export const receiptUrl = (houseId: number, paymentId: number) => `${h(houseId)}/payments/${paymentId}/receipt.pdf`;
export const dataCopyUrl = (id: number) => `/api/portal/data-requests/${id}/copy`;
