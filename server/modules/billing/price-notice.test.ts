import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.ts';
import { createTestDatabase, testDialects, type TestDatabase } from '../../../test/db.ts';
import { contextOf, fixedClock } from '../../../test/fixtures.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { createProject } from '../registry/registry-service.ts';
import { ensureCompany, systemActor } from '../setup/bootstrap.ts';
import { addStandard, createFeeItem, listContractTerms, listFeeItemsWithStandards, setContractTerms, setFeeItemPriceNotice } from './fee-service.ts';
import { priceNotice, priceNoticePdf } from './price-notice-service.ts';

const DIALECTS = await testDialects();

/** "CODE field: message" of a refused call, so that a test can check the code, the field and the Chinese text at once. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { return e instanceof AppError ? `${e.code} ${e.details?.[0]?.field ?? '-'}: ${e.message}` : String(e); }
  return 'did not fail';
}

const GUIDE_BASIS = '临江市发展和改革委员会《关于住宅物业服务收费标准的通知》（临发改价〔2024〕12号）';
const SERVICE = '二级服务标准：秩序维护 24 小时值守，公共区域每日清洁两次，电梯、消防设施按规定维保；详见《物业服务合同》附件二。';

describe.each(DIALECTS)('明码标价 notice and 代收 rules on %s', (dialect) => {
  let t: TestDatabase;
  let ctx: ServiceContext;
  let admin: Actor;
  let cashier: Actor;
  let projectId = 0;
  const items: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    // 2026-02-20 10:00 in Shanghai.
    ctx = contextOf(t, fixedClock('2026-02-20T02:00:00.000Z'));
    const companyId = await ensureCompany(ctx);
    admin = systemActor(companyId, 'test');
    cashier = { userId: 9001, name: 'cashier', role: 'cashier', companyId, scope: { kind: 'all' } };
    projectId = (await createProject(ctx, admin, { name: '和园', address: '江南省临江市学府路1号' })).id;
  });
  afterAll(async () => { await t.destroy(); });

  it('stores a 政府指导价 item with its 基准价, 浮动幅度 and 收费依据, and audits them (R24)', async () => {
    const item = await createFeeItem(ctx, admin, projectId, {
      name: '物业服务费', category: '物业服务费', pricing: 'per_area', priceForm: '政府指导价', guideBase: '2.00', guideFloatPct: '20', basis: GUIDE_BASIS,
    });
    expect(item).toMatchObject({ priceForm: '政府指导价', basis: GUIDE_BASIS, guide: { base: '2.00 元/m²/月', floatRange: '±20%', floatPct: '20', band: '1.60 元/m²/月 至 2.40 元/m²/月' } });
    items.fee = item.id;
    const row = await t.db.selectFrom('fee_item').select(['price_form', 'guide_price_x10000', 'guide_monthly_fen', 'guide_float_bp', 'fee_basis']).where('id', '=', item.id).executeTakeFirstOrThrow();
    expect({ ...row, guide_price_x10000: Number(row.guide_price_x10000) }).toEqual({ price_form: '政府指导价', guide_price_x10000: 20000, guide_monthly_fen: null, guide_float_bp: 2000, fee_basis: GUIDE_BASIS });
    const entry = await t.db.selectFrom('audit_log').select(['after_json']).where('action', '=', 'fee_item.create').where('entity_id', '=', String(item.id)).executeTakeFirstOrThrow();
    expect(JSON.parse(entry.after_json!)).toMatchObject({ price_form: '政府指导价', guide_float_bp: 2000, fee_basis: GUIDE_BASIS });
  });

  it('defaults to 市场调节价, and refuses a base or range on it; 政府指导价 needs base, range and 收费依据', async () => {
    const plain = await createFeeItem(ctx, admin, projectId, { name: '车位管理费', category: '车位管理费', pricing: 'fixed' });
    expect(plain).toMatchObject({ priceForm: '市场调节价', guide: null, basis: null });
    items.parking = plain.id;
    const gov = { name: '商铺物业服务费', category: '物业服务费', pricing: 'per_area', priceForm: '政府指导价' };
    expect(await refusal(createFeeItem(ctx, admin, projectId, { name: '其他费', category: '其他', pricing: 'fixed', guideBase: '100' }))).toMatch(/^VALIDATION_FAILED guideBase: 基准价（guideBase）：输入有误（市场调节价不设基准价/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...gov, guideFloatPct: '20', basis: GUIDE_BASIS }))).toMatch(/^VALIDATION_FAILED guideBase: .*须填写价格主管部门公布的基准价/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...gov, guideBase: '3', basis: GUIDE_BASIS }))).toMatch(/^VALIDATION_FAILED guideFloatPct: 浮动幅度/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...gov, guideBase: '3', guideFloatPct: '20' }))).toMatch(/^VALIDATION_FAILED basis: 收费依据（basis）.*文件的名称和文号/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...gov, guideBase: '3', guideFloatPct: '100', basis: GUIDE_BASIS }))).toMatch(/小于 100%/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...gov, priceForm: '政府定价' }))).toMatch(/^VALIDATION_FAILED priceForm: 价格管理形式/);
    expect(await t.db.selectFrom('fee_item').select('id').where('name', '=', '商铺物业服务费').execute()).toHaveLength(0);
  });

  it('refuses a standard outside 基准价 × (1 ± 浮动幅度) with a Chinese field error, and accepts the bounds (R24)', async () => {
    const std = { propertyType: '高层', publishedOn: '2025-11-01', effectiveFrom: '2026-01-01' };
    expect(await refusal(addStandard(ctx, admin, items.fee!, { ...std, unitPrice: '2.41' })))
      .toMatch(/^VALIDATION_FAILED unitPrice: 单价（unitPrice）：输入有误（该项目执行政府指导价：基准价 2.00 元\/m²\/月，浮动幅度 ±20%，实际收费标准应在 1.60 元\/m²\/月 至 2.40 元\/m²\/月 之间（R24），2.41 元\/m²\/月 超出范围）$/);
    expect(await refusal(addStandard(ctx, admin, items.fee!, { ...std, unitPrice: '1.5999' }))).toMatch(/R24/);
    expect(await t.db.selectFrom('fee_standard').select('id').execute()).toHaveLength(0);
    await addStandard(ctx, admin, items.fee!, { ...std, unitPrice: '2.40' });
    await addStandard(ctx, admin, items.fee!, { ...std, propertyType: '多层', unitPrice: '1.60' });
    await addStandard(ctx, admin, items.parking!, { propertyType: '*', monthlyAmount: '150', publishedOn: '2025-11-01', effectiveFrom: '2026-01-01' });
  });

  it('refuses handling fees and markups on 代收 items, citing R31; a plain 代收 item is accepted', async () => {
    const onBehalf = { category: '代收', pricing: 'per_area' };
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...onBehalf, name: '水电代收手续费' }))).toMatch(/^VALIDATION_FAILED name: .*不得设立手续费类收费项目.*（R31）.*手续费/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { name: '代收服务费', category: '其他', pricing: 'fixed' }))).toMatch(/^VALIDATION_FAILED name: .*R31.*代收服务费/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...onBehalf, name: '公摊电费（加收10%）' }))).toMatch(/^VALIDATION_FAILED name: .*不得加价（R31）/);
    expect(await refusal(createFeeItem(ctx, admin, projectId, { ...onBehalf, name: '公摊电费', priceForm: '政府指导价', guideBase: '0.5', guideFloatPct: '10', basis: '供电局电价' })))
      .toMatch(/^VALIDATION_FAILED priceForm: .*代收费用按供应单位的价格原价收取（R31）/);
    const ok = await createFeeItem(ctx, admin, projectId, { ...onBehalf, name: '公摊水电', basis: '按供水、供电单位价格据实分摊（临江市水务集团水价文件）' });
    expect(ok).toMatchObject({ category: '代收', priceForm: '市场调节价' });
    items.onBehalf = ok.id;
    await addStandard(ctx, admin, ok.id, { propertyType: '*', unitPrice: '0.35', publishedOn: '2025-11-01', effectiveFrom: '2026-01-01' });
    expect((await t.db.selectFrom('audit_log').select('id').where('action', '=', 'fee_item.create').execute())).toHaveLength(3);
  });

  it('lists what the notice still lacks, then stores 服务内容/服务等级 with the contract terms', async () => {
    // Without contract terms the 车位管理费 has no 收费依据 either (it would fall back on the contract).
    expect((await priceNotice(ctx, admin, projectId, '2026-03-01')).gaps).toEqual(['尚未登记该日适用的合同条款（计费周期、缴费截止日）', '收费项目“车位管理费”未登记收费依据']);
    await setContractTerms(ctx, admin, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2020-01-01' });
    expect((await priceNotice(ctx, admin, projectId, '2026-03-01')).gaps).toEqual(['合同条款未登记服务内容与服务等级']);
    expect(await refusal(setContractTerms(ctx, admin, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2026-01-01', serviceContent: 'x'.repeat(2001) }))).toMatch(/^VALIDATION_FAILED serviceContent: 服务内容与服务等级/);
    const terms = await setContractTerms(ctx, admin, projectId, { kind: '物业服务合同', cycle: 'month', dueDay: 15, effectiveFrom: '2026-01-01', serviceContent: ` ${SERVICE} ` });
    expect(terms.serviceContent).toBe(SERVICE);
    expect((await listContractTerms(ctx, admin, projectId))[0]).toMatchObject({ serviceContent: SERVICE });
  });

  it('shows every R24 field, the 政府指导价 base, range and actual rate, and the 代收 statement (R24, R31)', async () => {
    const n = await priceNotice(ctx, admin, projectId, '2026-03-01');
    expect(n).toMatchObject({
      company: '示例物业服务有限公司', project: '和园', serviceContent: SERVICE, hotline: '12315', gaps: [],
      priceForm: '政府指导价、市场调节价（按收费项目分别标示）',
      billing: { cycle: '按月', dueDay: 15, startsAt: expect.stringContaining('交付') as string },
    });
    expect(n.onBehalf).toContain('不向业主收取任何手续费（R31）');
    expect(n.lines).toEqual([
      expect.objectContaining({ item: '物业服务费', object: '多层', method: '按建筑面积计收', standard: '1.60 元/m²/月', priceForm: '政府指导价', guideBase: '2.00 元/m²/月', guideFloat: '±20%', basis: GUIDE_BASIS }),
      expect.objectContaining({ item: '物业服务费', object: '高层', standard: '2.40 元/m²/月', priceForm: '政府指导价', guideBase: '2.00 元/m²/月', guideFloat: '±20%' }),
      // No 收费依据 of its own: the contract in force is the basis.
      expect.objectContaining({ item: '车位管理费', object: '全部物业类型', method: '按月定额计收', standard: '¥150.00/月', priceForm: '市场调节价', guideBase: null, guideFloat: null, basis: '《物业服务合同》约定' }),
      expect.objectContaining({ item: '公摊水电', category: '代收', priceForm: '代收代缴（执行供应单位价格）', guideBase: null, note: expect.stringContaining('不收取手续费（R31）') as string }),
    ]);
  });

  it('changes an existing item to 政府指导价 only when its current standards lie in the band; audited before and after', async () => {
    const gov = { priceForm: '政府指导价', guideBase: '100', guideFloatPct: '10', basis: '临发改价〔2024〕13号' };
    expect(await refusal(setFeeItemPriceNotice(ctx, admin, items.parking!, gov)))
      .toMatch(/^VALIDATION_FAILED guideBase: .*全部物业类型 2026-01-01 起执行的收费标准 ¥150.00 \/月 不在政府指导价 ¥90.00 \/月 至 ¥110.00 \/月 的范围内（R24）/);
    expect(await refusal(setFeeItemPriceNotice(ctx, cashier, items.parking!, gov))).toMatch(/^FORBIDDEN/);
    expect(await refusal(setFeeItemPriceNotice(ctx, admin, items.onBehalf!, { ...gov, guideBase: '0.35' }))).toMatch(/R31/);
    const v = await setFeeItemPriceNotice(ctx, admin, items.parking!, { ...gov, guideBase: '140' });
    expect(v).toMatchObject({ priceForm: '政府指导价', guide: { base: '¥140.00 /月', floatRange: '±10%' }, basis: '临发改价〔2024〕13号' });
    const entry = await t.db.selectFrom('audit_log').select(['before_json', 'after_json']).where('action', '=', 'fee_item.price_notice').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.before_json!)).toMatchObject({ price_form: '市场调节价', guide_monthly_fen: null, fee_basis: null });
    expect(JSON.parse(entry.after_json!)).toMatchObject({ price_form: '政府指导价', guide_monthly_fen: 14000, guide_float_bp: 1000 });
    expect((await listFeeItemsWithStandards(ctx, admin, projectId)).find((i) => i.id === items.parking)).toMatchObject({ priceForm: '政府指导价', standards: [expect.objectContaining({ monthlyAmount: '¥150.00' })] });
    // Back to 市场调节价 drops the base and the range.
    expect(await setFeeItemPriceNotice(ctx, admin, items.parking!, { priceForm: '市场调节价', basis: null })).toMatchObject({ priceForm: '市场调节价', guide: null, basis: null });
  });

  it('prints the notice as an A4 PDF whose text carries the Chinese fields (R24, R31)', async () => {
    const { pdf } = await priceNoticePdf(ctx, admin, projectId, '2026-03-01');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'wuye-notice-'));
    try {
      writeFileSync(join(dir, 'notice.pdf'), pdf);
      const info = execFileSync('pdfinfo', [join(dir, 'notice.pdf')], { encoding: 'utf8' });
      expect(info).toMatch(/Page size:\s+595\.\d* x 841\.\d* pts \(A4\)/);
      const text = execFileSync('pdftotext', ['-raw', join(dir, 'notice.pdf'), '-'], { encoding: 'utf8' });
      // Content-stream order keeps each table cell's text together; cells wrap, so compare without white space.
      const flat = text.replace(/\s+/g, '');
      for (const s of ['示例物业服务有限公司', '物业服务收费明码标价', '和园', '服务内容与服务标准', SERVICE, '收费项目', '收费对象', '计费方式', '收费标准',
        '价格管理形式', '收费依据', '政府指导价', '市场调节价', '基准价2.00元/m²/月', '浮动幅度±20%', '2.40元/m²/月', '1.60元/m²/月', '高层', '多层', '全部物业类型',
        '按建筑面积计收', '临发改价〔2024〕12号', '公摊水电（代收）', '计费起始时间：自房屋交付之日起计收', '不向业主收取任何手续费（R31）', '价格举报电话：12315']) {
        expect(flat, s).toContain(s.replace(/\s+/g, ''));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
