import { addDays } from '../../../core/billing/periods.ts';
import { formatDailyRate } from '../../../core/billing/rates.ts';
import { formatArea } from '../../../core/registry/validate.ts';
import { fieldError } from '../../../core/errors.ts';
import { formatYuan, toChineseUppercase } from '../../../core/money.ts';
import type { Kysely } from 'kysely';
import * as billingRepo from '../../db/repositories/billing-repository.ts';
import * as repo from '../../db/repositories/notice-repository.ts';
import type { DB } from '../../db/schema.ts';
import { limitationOf } from '../../../core/dunning/limitation.ts';
import * as dunningRepo from '../../db/repositories/dunning-repository.ts';
import { openDebts } from '../billing/payment-service.ts';
import { interruptionsByPeriod, periodKey } from '../dunning/sweep-service.ts';
import type { NoticeItem, NoticePage } from '../../documents/notice-pdf.ts';
import type { TemplateValues } from './templates.ts';

/**
 * What a notice says about one house on a day: the current owner's unpaid periods, item by item, with late fees and how
 * they were computed (R14: every unpaid period), and the project's notice settings (dispute phone, ways to pay,
 * portal address, deadline). One loader for the template preview, the outbox and the print centre, so they agree.
 */

export interface NoticeSettings {
  /** The phone owners call to dispute a figure (R51). */
  disputePhone: string;
  payWays: string;
  /** The owner portal's address; the notice's QR code points at it. */
  portalUrl: string;
  /** Days from the notice's date to the deadline it gives. */
  deadlineDays: number;
  /** The law firm named in a lawyer's letter draft. */
  lawFirm: string;
}

export const DEFAULT_NOTICE_SETTINGS: NoticeSettings = {
  disputePhone: '物业服务中心前台电话',
  payWays: '物业服务中心现金或刷卡；微信、支付宝扫码；银行转账（请在附言中注明房号）',
  portalUrl: 'http://localhost:3000/portal',
  deadlineDays: 15,
  lawFirm: '（律师事务所名称）',
};

type Db = Kysely<DB>;

export interface HouseNotice {
  houseId: number; projectId: number; buildingId: number; companyId: number; ownershipId: number | null; timeZone: string;
  /** The billing cycle of the contract terms in force ('month', 'quarter', …), null without terms. */
  cycle: string | null;
  house: string; owner: string | null; company: string; project: string;
  items: NoticeItem[];
  /** Per period: what is still owed (principal and late fee), the suppression check at send time compares these. */
  periods: Array<{ period: string; dueDate: string; owedFen: number; timeBarred: boolean }>;
  totalFen: number;
  values: TemplateValues;
}

/** The unit price part of a charge's basis ("2.50 元/m²/月 × 89.50 m²" → "2.50 元/m²/月"). */
const unitPriceOf = (basis: string) => basis.split(' × ')[0] ?? basis;

/** `dueBefore`: only periods due before that day (a demand claims what is overdue; a payment notice also what falls due). */
export async function houseNotice(db: Db, houseId: number, asOf: string, settings: NoticeSettings, opts: { dueBefore?: string } = {}): Promise<HouseNotice> {
  const h = await repo.houseHeading(db, houseId);
  if (!h) throw fieldError('houseId', 'HOUSE_NOT_FOUND', '房屋不存在');
  const own = await repo.currentOwnershipOf(db, houseId, asOf);
  const debts = own ? await openDebts(db, houseId, { kind: 'owner', ownershipId: own.id }, asOf) : [];
  const items: NoticeItem[] = [];
  for (const d of debts) {
    const principal = d.amountFen - d.principalPaidFen;
    const lateFee = Math.max(0, d.lateFeeFen - d.lateFeePaidFen - d.lateFeeWaivedFen);
    if ((principal <= 0 && lateFee <= 0) || (opts.dueBefore !== undefined && d.dueDate >= opts.dueBefore)) continue;
    const basis = d.basis;
    items.push({
      period: d.period, item: d.itemName, area: basis.includes('m²') ? formatArea(h.area_x100) : null, rate: basis ? unitPriceOf(basis) : null,
      amountFen: Math.max(0, principal), lateFeeFen: lateFee, lateFeeBasis: lateFee > 0 ? d.lateFeeBasis : null, dueDate: d.dueDate,
    });
  }
  const byPeriod = new Map<string, { period: string; dueDate: string; owedFen: number; lateFeeFen: number }>();
  for (const i of items) {
    const p = byPeriod.get(i.period) ?? { period: i.period, dueDate: i.dueDate, owedFen: 0, lateFeeFen: 0 };
    p.owedFen += i.amountFen + i.lateFeeFen;
    p.lateFeeFen += i.lateFeeFen;
    if (i.dueDate < p.dueDate) p.dueDate = i.dueDate;
    byPeriod.set(i.period, p);
  }
  // R15: a period whose limitation has run out is still listed (R14), flagged, and no template threatens suit over it.
  const interruptions = own
    ? interruptionsByPeriod(await dunningRepo.limitationEventsOf(db, [houseId]), await dunningRepo.paymentDaysByPeriod(db, h.project_id, asOf, [houseId]))
    : new Map<string, never[]>();
  const barred = (p: { period: string; dueDate: string }) => own !== undefined
    && limitationOf({ period: p.period, dueDate: p.dueDate, events: interruptions.get(periodKey(houseId, own.id, p.period)) ?? [], asOf }).state === 'expired';
  const periods = [...byPeriod.values()].sort((a, b) => a.period.localeCompare(b.period)).map((p) => ({ ...p, timeBarred: barred(p) }));
  const totalFen = periods.reduce((s, p) => s + p.owedFen, 0);
  const terms = (await billingRepo.termsOf(db, h.project_id)).find((t) => t.effective_from <= asOf);
  const lateFeeRule = terms?.late_fee_daily_ppm != null
    ? `按日${formatDailyRate(terms.late_fee_daily_ppm)}计收，自应缴日后第 ${(terms.late_fee_grace_days ?? 0) + 1} 日起计${terms.late_fee_cap_pct != null ? `，累计不超过欠费本金的 ${terms.late_fee_cap_pct}%` : ''}`
    : '合同未约定滞纳金，不计收';
  const house = `${h.building_name} ${h.number}`;
  return {
    houseId, projectId: h.project_id, buildingId: h.building_id, companyId: h.company_id, ownershipId: own?.id ?? null, timeZone: h.time_zone, cycle: terms?.cycle ?? null,
    house, owner: own?.owner_name ?? null, company: h.company_name, project: h.project_name, items, periods, totalFen,
    values: {
      company: h.company_name, project: h.project_name, house, owner: own?.owner_name ?? '', total: formatYuan(totalFen), totalUpper: toChineseUppercase(totalFen),
      deadline: addDays(asOf, settings.deadlineDays), payWays: settings.payWays, disputePhone: settings.disputePhone, portalUrl: settings.portalUrl, date: asOf,
      lateFeeRule, lawFirm: settings.lawFirm,
      periods: periods.map((p) => ({
        period: p.period, dueDate: p.dueDate, amount: formatYuan(p.owedFen - p.lateFeeFen), ...(p.lateFeeFen > 0 ? { lateFee: formatYuan(p.lateFeeFen) } : {}), ...(p.timeBarred ? { timeBarred: true } : {}),
      })),
      ...(periods.some((p) => p.timeBarred) ? { hasTimeBarred: true } : {}),
    },
  };
}

const SERIAL_PREFIX: Record<string, string> = { payment_notice: 'JK', demand_notice: 'CK', second_demand: 'CK2', lawyer_letter: 'LS' };

/** One house's page of a printed (or e-mailed) notice, numbered by its message. */
export function noticePage(n: HouseNotice, template: string, title: string, body: string, messageId: number, date: string): NoticePage {
  return {
    title, body, house: n.house, owner: n.owner, items: n.items, totalFen: n.totalFen, deadline: n.values.deadline ?? date, portalUrl: n.values.portalUrl ?? null,
    sender: n.company, date, trackingNo: null, serial: `${SERIAL_PREFIX[template] ?? 'TZ'}-${date.slice(0, 4)}-${String(messageId).padStart(6, '0')}`,
  };
}
