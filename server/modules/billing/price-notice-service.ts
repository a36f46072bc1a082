import { fieldError } from '../../../core/errors.ts';
import { CYCLE_LABELS, type Cycle } from '../../../core/billing/periods.ts';
import { formatDailyRate } from '../../../core/billing/rates.ts';
import { isLocalDate } from '../../../core/dates.ts';
import { PROPERTY_TYPES } from '../../../core/registry/vocabulary.ts';
import * as repo from '../../db/repositories/billing-repository.ts';
import { renderPriceNotice } from '../../documents/price-notice-pdf.ts';
import { requireRole, type Actor, type ServiceContext } from '../context.ts';
import { getProjectOrThrow } from '../registry/registry-service.ts';
import { guideView, standardText } from './fee-service.ts';

/** The price-complaint hotline printed on notices (12358 was folded into 12315, R24 note). */
export const PRICE_HOTLINE = '12315';

/** What the notice says about 代收 items (R31): separate lines, the supplier's price, no handling fee. */
export const ON_BEHALF_STATEMENT = '代收费用（如公摊水电）单独列示，按供应单位的价格原价代收代缴，不向业主收取任何手续费（R31）。';

/** How a 代收 line shows its 价格管理形式: the price is the supplier's, not the property company's. */
const ON_BEHALF_PRICE_FORM = '代收代缴（执行供应单位价格）';

export type PriceNotice = Awaited<ReturnType<typeof priceNotice>>;

/**
 * 物业服务收费明码标价 (R24): generated from the same fee items, standards and contract terms that the bill run uses,
 * so the notice on the board and the bills can never disagree. Only standards in force on the date are listed. Each
 * line carries its 收费对象, 计费方式, 收费标准, 价格管理形式 and 收费依据; a 政府指导价 line also its 基准价 and
 * 浮动幅度 (the 收费标准 is the actual rate). `gaps` names what the configuration still lacks for a complete notice.
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
  const contractBasis = terms ? `《${terms.kind}》约定` : null;
  const lines = items.flatMap((i) => standards
    .filter((s) => s.fee_item_id === i.id && s.effective_from <= on && (s.effective_to === null || s.effective_to >= on))
    .sort((a, b) => typeOrder(a.property_type) - typeOrder(b.property_type))
    .map((s) => {
      const onBehalf = i.category === '代收';
      const guide = onBehalf ? null : guideView(i);
      return {
        item: i.name, category: i.category, object: s.property_type === '*' ? '全部物业类型' : s.property_type,
        method: i.pricing === 'per_area' ? '按建筑面积计收' : '按月定额计收',
        standard: standardText(s),
        effectiveFrom: s.effective_from, publishedOn: s.published_on,
        priceForm: onBehalf ? ON_BEHALF_PRICE_FORM : i.price_form,
        guideBase: guide?.base ?? null, guideFloat: guide?.floatRange ?? null,
        basis: i.fee_basis ?? contractBasis,
        note: onBehalf ? '代收费用，单独列示，不收取手续费（R31）' : null,
      };
    }));
  const forms = [...new Set(lines.filter((l) => l.category !== '代收').map((l) => l.priceForm))];
  const gaps = [
    ...(terms ? [] : ['尚未登记该日适用的合同条款（计费周期、缴费截止日）']),
    ...(terms && !terms.service_content ? ['合同条款未登记服务内容与服务等级'] : []),
    ...(lines.length ? [] : ['该日没有执行中的收费标准']),
    ...[...new Set(lines.filter((l) => !l.basis).map((l) => l.item))].map((item) => `收费项目“${item}”未登记收费依据`),
  ];
  return {
    title: '物业服务收费明码标价',
    company: company.name,
    project: project.name,
    address: project.address,
    date: on,
    priceForm: forms.length === 0 ? '—' : forms.length === 1 ? forms[0]! : `${forms.join('、')}（按收费项目分别标示）`,
    basis: terms ? `${terms.kind}（${terms.effective_from} 起执行）` : '（尚未登记合同条款）',
    serviceContent: terms?.service_content ?? null,
    billing: terms ? {
      cycle: CYCLE_LABELS[terms.cycle as Cycle], dueDay: terms.due_day,
      startsAt: '自房屋交付之日起计收（R28）',
      lateFee: terms.late_fee_daily_ppm === null ? '合同未约定逾期违约金，不计收' :
        `逾期违约金：按日 ${formatDailyRate(terms.late_fee_daily_ppm)} 计收，宽限 ${terms.late_fee_grace_days ?? 0} 天${terms.late_fee_cap_pct ? `，以欠费本金的 ${terms.late_fee_cap_pct}% 为上限` : ''}`,
    } : null,
    lines,
    onBehalf: ON_BEHALF_STATEMENT,
    gaps,
    hotline: PRICE_HOTLINE,
    footer: `如对收费有异议，可向物业服务中心咨询，或拨打价格举报电话 ${PRICE_HOTLINE}。`,
  };
}

/** The same notice as an A4 PDF for the notice board. */
export async function priceNoticePdf(ctx: ServiceContext, actor: Actor, projectId: number, on: string): Promise<{ pdf: Buffer; notice: PriceNotice }> {
  const notice = await priceNotice(ctx, actor, projectId, on);
  return { pdf: await renderPriceNotice(notice), notice };
}
