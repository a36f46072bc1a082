import { fieldError } from '../../../core/errors.ts';
import { CYCLE_LABELS, type Cycle } from '../../../core/billing/periods.ts';
import { formatDailyRate } from '../../../core/billing/rates.ts';
import { isLocalDate } from '../../../core/dates.ts';
import { PROPERTY_TYPES } from '../../../core/registry/vocabulary.ts';
import * as repo from '../../db/repositories/billing-repository.ts';
import { requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { standardView } from './fee-service.ts';

/** The price-complaint hotline printed on notices (12358 was folded into 12315, R24 note). */
export const PRICE_HOTLINE = '12315';

/**
 * 物业服务收费明码标价 (R24): generated from the same fee items, standards and contract terms that the bill run uses,
 * so the notice on the board and the bills can never disagree. Only standards in force on the date are listed.
 */
export async function priceNotice(ctx: ServiceContext, actor: Actor, projectId: number, on: string) {
  requireRole(actor, 'billing.read');
  if (!isLocalDate(on)) throw fieldError('on', 'DATE_MALFORMED');
  const project = await getProjectOrThrow(ctx, actor, projectId);
  const company = await ctx.db.selectFrom('company').select('name').where('id', '=', project.company_id).executeTakeFirstOrThrow();
  const terms = (await repo.termsOf(ctx.db, projectId)).find((t) => t.effective_from <= on) ?? null;
  const items = (await repo.listFeeItems(ctx.db, projectId)).filter((i) => i.active === 1);
  const standards = await repo.standardsOf(ctx.db, items.map((i) => i.id));
  const typeOrder = (t: string) => (t === '*' ? -1 : (PROPERTY_TYPES as readonly string[]).indexOf(t));
  const lines = items.flatMap((i) => standards
    .filter((s) => s.fee_item_id === i.id && s.effective_from <= on && (s.effective_to === null || s.effective_to >= on))
    .sort((a, b) => typeOrder(a.property_type) - typeOrder(b.property_type))
    .map((s) => {
      const v = standardView(s);
      return {
        item: i.name, category: i.category, object: s.property_type === '*' ? '全部物业类型' : s.property_type,
        method: i.pricing === 'per_area' ? '按建筑面积计收' : '按月定额计收',
        standard: v.unitPrice !== null ? `${v.unitPrice} 元/m²/月` : `${v.monthlyAmount ?? ''}/月`,
        effectiveFrom: s.effective_from, publishedOn: s.published_on,
        note: i.category === '代收' ? '代收费用，单独列示，不收取手续费（R31）' : null,
      };
    }));
  return {
    title: '物业服务收费明码标价',
    company: company.name,
    project: project.name,
    address: project.address,
    date: on,
    priceForm: '市场调节价',
    basis: terms ? `${terms.kind}（${terms.effective_from} 起执行）` : '（尚未登记合同条款）',
    billing: terms ? {
      cycle: CYCLE_LABELS[terms.cycle as Cycle], dueDay: terms.due_day,
      startsAt: '自房屋交付之日起计收（R28）',
      lateFee: terms.late_fee_daily_ppm === null ? '合同未约定逾期违约金，不计收' :
        `逾期违约金：按日 ${formatDailyRate(terms.late_fee_daily_ppm)} 计收，宽限 ${terms.late_fee_grace_days ?? 0} 天${terms.late_fee_cap_pct ? `，以欠费本金的 ${terms.late_fee_cap_pct}% 为上限` : ''}`,
    } : null,
    lines,
    hotline: PRICE_HOTLINE,
    footer: `如对收费有异议，可向物业服务中心咨询，或拨打价格举报电话 ${PRICE_HOTLINE}。`,
  };
}
