import { fieldError } from '../errors.ts';

/** The owner portal's words, shared by the server, the staff console and the portal itself. */

export const PORTAL_REQUEST_KINDS = ['promise', 'plan', 'complaint', 'repair'] as const;
export type PortalRequestKind = (typeof PORTAL_REQUEST_KINDS)[number];
export const PORTAL_REQUEST_LABELS: Record<PortalRequestKind, string> = { promise: '承诺缴费', plan: '缓缴/分期申请', complaint: '投诉', repair: '报修' };
/** How staff see an owner acting through the portal: 业主（对客端 144****0001）. */
export const portalSenderName = (phoneMasked: string) => `业主（对客端 ${phoneMasked}）`;
/** The service ticket a portal complaint or repair becomes: 投诉：楼道漏水. */
export const ticketTopic = (kind: 'complaint' | 'repair', topic: string) => `${PORTAL_REQUEST_LABELS[kind]}：${topic}`;

export const REQUEST_STATUS_LABELS: Record<string, string> = {
  recorded: '已登记', open: '处理中', resolved: '已办结', 待审批: '待审批', 执行中: '已批准', 已驳回: '未批准', 已完成: '已完成', 已违约: '已违约',
};

export const BINDING_STATUS_LABELS: Record<string, string> = { pending: '待审核', approved: '已通过', rejected: '未通过' };

export const ORDER_STATUS_LABELS: Record<string, string> = { pending: '待支付', paid: '支付成功', closed: '已关闭', failed: '下单失败', mismatch: '金额不符，待核对' };

export const GATEWAY_LABELS: Record<string, string> = { wechatpay: '微信支付', alipay: '支付宝', sandbox: '沙箱支付（开发用）' };

/** PIPL 44–50 (R41): see or copy, correct, delete, have the processing rules explained. */
export const DATA_REQUEST_KINDS = ['copy', 'correction', 'deletion', 'explanation'] as const;
export type DataRequestKind = (typeof DATA_REQUEST_KINDS)[number];
export const DATA_REQUEST_LABELS: Record<DataRequestKind, string> = { copy: '查阅、复制个人信息', correction: '更正、补充个人信息', deletion: '删除个人信息', explanation: '解释处理规则' };
export const DATA_REQUEST_STATUS_LABELS: Record<string, string> = { pending: '待处理', fulfilled: '已办理', refused: '不予办理' };
/** Days within which staff answer a data request (PIPL 50 asks for timeliness; 15 days is the common commitment). */
export const DATA_REQUEST_DAYS = 15;
/** Days a fulfilled copy request's copy is kept for the owner to download; then it is deleted (PIPL 19: no longer than needed). */
export const DATA_COPY_DAYS = 30;

/** 物业服务成本构成: the cost items of a property-service fee (物业服务收费管理办法, 物业服务定价成本监审办法). */
export const COST_ITEMS = [
  '管理服务人员工资、社会保险和福利', '共用部位、共用设施设备日常运行和维护', '绿化养护', '清洁卫生', '秩序维护', '办公费用',
  '固定资产折旧', '共用部位、共用设施设备及公众责任保险', '法定税费', '经营者合理利润',
] as const;

export interface CostLine { item: string; pctBp: number; note?: string | null | undefined }

/** A cost composition: named lines whose shares (basis points) add up to exactly 100 %. */
export function validCostComposition(lines: readonly CostLine[]): CostLine[] {
  if (!lines.length) throw fieldError('lines', 'VALIDATION_FAILED', '至少填写一项成本构成');
  const seen = new Set<string>();
  const out = lines.map((l, i) => {
    const item = (l.item ?? '').trim();
    if (!item || item.length > 40) throw fieldError(`lines.${i}.item`, 'VALIDATION_FAILED', '项目名称应为 1–40 个字');
    if (seen.has(item)) throw fieldError(`lines.${i}.item`, 'VALIDATION_FAILED', `“${item}”重复`);
    seen.add(item);
    if (!Number.isInteger(l.pctBp) || l.pctBp <= 0 || l.pctBp > 10000) throw fieldError(`lines.${i}.pctBp`, 'VALIDATION_FAILED', '占比应大于 0、不超过 100%');
    return { item, pctBp: l.pctBp, note: l.note?.trim() || null };
  });
  const total = out.reduce((s, l) => s + l.pctBp, 0);
  if (total !== 10000) throw fieldError('lines', 'VALIDATION_FAILED', `各项占比合计应为 100%（现为 ${(total / 100).toFixed(2)}%）`);
  return out;
}

/** The privacy notice of the portal (PIPL 17, R34): who processes, why, what, how long, and how to use one's rights. */
export function privacyNotice(p: { company: string; contactPhone: string | null }) {
  const contact = p.contactPhone ? `物业服务中心电话 ${p.contactPhone}，或在本页“我的 → 个人信息权利”中在线提交` : '物业服务中心前台，或在本页“我的 → 个人信息权利”中在线提交';
  return {
    version: '2026-11-26',
    sections: [
      { title: '个人信息处理者', body: `${p.company}（物业服务人）。联系方式：${contact}。` },
      { title: '处理目的与依据', body: '为履行物业服务合同所必需（《个人信息保护法》第十三条第一款第二项）：核算和收取物业服务费用、出具收据、发送缴费提醒与催告、受理投诉报修和分期缓缴申请。我们不将您的信息用于营销，也不向第三方提供用于其自身目的。' },
      { title: '处理的个人信息种类', body: '姓名、房屋及产权信息、手机号码与送达地址（及您提供的电子邮箱、微信）、应缴与缴费记录、沟通与催缴记录、您上传的申请材料。登录验证码只保存其不可逆的校验值。我们不收集人脸、银行账户、位置或您亲友、工作单位的联系方式。' },
      { title: '保存期限', body: '联系方式在物业服务合同存续期间及相关债权诉讼时效期间内保存，期满删除或匿名化；收费凭证、会计账簿按会计档案管理的法定期限保存并限制访问。' },
      { title: '委托处理与跨境', body: '短信、在线支付由依法取得资质的境内服务商受托处理，仅用于发送通知和完成支付；您的个人信息存储在中国境内，不向境外提供。' },
      { title: '您的权利', body: '您可以查阅、复制、更正、补充、删除您的个人信息，要求解释处理规则，并可选择接收提醒的渠道。我们将在 15 日内答复；不予办理的，会说明理由。挂号信和上门送达仍是正式催告方式。' },
    ],
  };
}
