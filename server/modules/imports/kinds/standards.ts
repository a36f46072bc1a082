import { AppError } from '../../../../core/errors.ts';
import { PROPERTY_TYPES } from '../../../../core/registry/vocabulary.ts';
import { addStandard, createFeeItem, FEE_CATEGORIES } from '../../billing/fee-service.ts';
import { date, oneOfWords, reasonText, text, type Column } from '../columns.ts';
import type { ImportKind, RowFailure } from '../kind.ts';

/**
 * Fee standards (收费标准): each row a standard of a fee item for a property type, with its publication and effective
 * dates. The rows go through the same service as the console (createFeeItem, addStandard) inside the import's
 * transaction, so the same rules hold: one month between publication and effect unless a reason is given (R25),
 * 政府指导价 within its range (R24), no overlapping standards. A fee item named for the first time is created with the
 * row's 类别 and 计费方式. A dry run checks what can be checked without writing.
 */

const PRICING_WORDS = { 按面积: 'per_area', 按建筑面积: 'per_area', 固定金额: 'fixed', 按户: 'fixed', 定额: 'fixed' } as const;

export const STANDARD_COLUMNS = {
  item: { key: 'item', header: '收费项目', required: true, note: '如 物业服务费；系统中没有的会新建', example: '物业服务费', parse: text(50) },
  category: { key: 'category', header: '类别', required: false, note: `新建收费项目时必填：${FEE_CATEGORIES.join('、')}`, example: '物业服务费', parse: oneOfWords(FEE_CATEGORIES) },
  pricing: { key: 'pricing', header: '计费方式', required: false, note: '新建收费项目时必填：按面积 或 固定金额', example: '按面积',
    parse: (t: string) => oneOfWords(Object.keys(PRICING_WORDS) as Array<keyof typeof PRICING_WORDS>)(t) },
  propertyType: { key: 'propertyType', header: '物业类型', required: true, note: `${PROPERTY_TYPES.join('、')}，或 全部`, example: '高层', parse: oneOfWords([...PROPERTY_TYPES, '全部'] as const) },
  unitPrice: { key: 'unitPrice', header: '单价', aliases: ['单价(元/m²/月)', '单价（元/平方米/月）'], required: false, note: '按面积计费：元/m²/月，最多四位小数', example: '2.35', parse: text(12) },
  monthly: { key: 'monthly', header: '月金额', aliases: ['月金额(元)'], required: false, note: '固定金额计费：元/月', example: '', parse: text(12) },
  publishedOn: { key: 'publishedOn', header: '公示日期', required: true, note: 'YYYY-MM-DD', example: '2019-11-01', parse: date },
  effectiveFrom: { key: 'effectiveFrom', header: '执行日期', required: true, note: '公示满一个月后（R25）', example: '2020-01-01', parse: date },
  effectiveTo: { key: 'effectiveTo', header: '截止日期', required: false, note: '留空为长期', example: '', parse: date },
  override: { key: 'override', header: '提前执行原因', required: false, note: '公示不满一个月即执行时必填（R25）', example: '', parse: text(200) },
} satisfies Record<string, Column<unknown>>;

const FIELD_COLUMN: Record<string, string> = {
  name: '收费项目', category: '类别', pricing: '计费方式', propertyType: '物业类型', unitPrice: '单价', monthlyAmount: '月金额', publishedOn: '公示日期',
  effectiveFrom: '执行日期', effectiveTo: '截止日期', priceForm: '收费项目', guideBase: '收费项目', guideFloatPct: '收费项目', basis: '收费项目',
};

export const standardsKind: ImportKind<typeof STANDARD_COLUMNS> = {
  kind: 'fee_standards', label: '收费标准', source: 'template:standards', sheet: null, columns: STANDARD_COLUMNS,
  key: (v) => `${v.item ?? ''}|${v.propertyType ?? ''}|${v.effectiveFrom ?? ''}`,
  async apply(ic, rows) {
    const failures: RowFailure[] = [];
    const items = new Map((await ic.db.selectFrom('fee_item').select(['id', 'name', 'pricing']).where('project_id', '=', ic.projectId).execute()).map((i) => [i.name, i]));
    const ctx = { ...ic.ctx, db: ic.db };
    for (const r of rows) {
      const v = r.value;
      try {
        let item = items.get(v.item!);
        if (!item && (!v.category || !v.pricing)) {
          failures.push({ row: r.row, column: '类别', value: v.category ?? '', reason: `系统中没有收费项目“${v.item!}”：新建须填写类别和计费方式` });
          continue;
        }
        const pricing = item?.pricing ?? PRICING_WORDS[v.pricing!];
        if (pricing === 'per_area' && !v.unitPrice) { failures.push({ row: r.row, column: '单价', value: '', reason: '按面积计费须填写单价（元/m²/月）' }); continue; }
        if (pricing === 'fixed' && !v.monthly) { failures.push({ row: r.row, column: '月金额', value: '', reason: '固定金额计费须填写月金额' }); continue; }
        if (!item) {
          // A dry run notes the item it would create, so the rows after it that name it check out too.
          const id = ic.write ? (await createFeeItem(ctx, ic.actor, ic.projectId, { name: v.item!, category: v.category!, pricing })).id : -1;
          item = { id, name: v.item!, pricing };
          items.set(item.name, item);
        }
        if (!ic.write) continue;
        await addStandard(ctx, ic.actor, item.id, {
          propertyType: v.propertyType === '全部' ? '*' : v.propertyType!, unitPrice: v.unitPrice ?? undefined, monthlyAmount: v.monthly ?? undefined,
          publishedOn: v.publishedOn!, effectiveFrom: v.effectiveFrom!, effectiveTo: v.effectiveTo, overrideReason: v.override,
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        failures.push({ row: r.row, column: FIELD_COLUMN[e.details?.[0]?.field ?? ''] ?? '（整行）', value: '', reason: reasonText(e) });
      }
    }
    return failures;
  },
};
