import type { AnyDb } from './helpers.ts';

/**
 * 明码标价 (R24): what the notice needs beyond the billing configuration so far. Per fee item its 价格管理形式
 * (政府指导价 or 市场调节价, existing items are 市场调节价), for 政府指导价 the 基准价 (in the item's own unit, like a
 * standard: price ×10000 for per-area items, fen for fixed ones) and the 浮动幅度 in basis points, and the 收费依据
 * (contract clause or government document). Per version of the contract terms the 服务内容/服务等级.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('fee_item').addColumn('price_form', 'text', (c) => c.notNull().defaultTo('市场调节价')).execute();
  await db.schema.alterTable('fee_item').addColumn('guide_price_x10000', 'bigint').execute();
  await db.schema.alterTable('fee_item').addColumn('guide_monthly_fen', 'bigint').execute();
  await db.schema.alterTable('fee_item').addColumn('guide_float_bp', 'integer').execute();
  await db.schema.alterTable('fee_item').addColumn('fee_basis', 'text').execute();
  await db.schema.alterTable('contract_terms').addColumn('service_content', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const c of ['fee_basis', 'guide_float_bp', 'guide_monthly_fen', 'guide_price_x10000', 'price_form']) {
    await db.schema.alterTable('fee_item').dropColumn(c).execute();
  }
  await db.schema.alterTable('contract_terms').dropColumn('service_content').execute();
}
