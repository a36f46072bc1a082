import { Alert, Col, Form, Input, Radio, Row } from 'antd';
import type { FeeItem, FeeItemPriceNotice, PriceForm, Pricing } from '../api.ts';
import { PRICE_FORMS } from '../billing.ts';

/** The form values of the 明码标价 fields (the same names as the API's). */
export interface PriceNoticeForm {
  priceForm: PriceForm;
  guideBase?: string;
  guideFloatPct?: string;
  basis?: string;
}

/** Their form items (for mapping server field errors onto them). */
export const PRICE_NOTICE_FIELDS = ['priceForm', 'guideBase', 'guideFloatPct', 'basis'] as const;

/** Initial values from an existing item (or the defaults for a new one). */
export function priceNoticeInitial(item?: Pick<FeeItem, 'priceForm' | 'guide' | 'basis' | 'pricing'>): PriceNoticeForm {
  if (!item) return { priceForm: '市场调节价', guideBase: '', guideFloatPct: '', basis: '' };
  // The base comes printed ("2.00 元/m²/月", "¥300.00 /月"): keep the number only.
  const base = item.guide?.base.replace(/[¥,]/g, '').replace(/\s*元\/m²\/月$|\s*\/月$/, '') ?? '';
  return { priceForm: item.priceForm, guideBase: base, guideFloatPct: item.guide?.floatPct ?? '', basis: item.basis ?? '' };
}

/** The body for the API: base and range only for 政府指导价, blank texts as null. */
export function priceNoticeInput(v: PriceNoticeForm): FeeItemPriceNotice {
  const gov = v.priceForm === '政府指导价';
  return {
    priceForm: v.priceForm,
    guideBase: gov ? v.guideBase?.trim() || null : null,
    guideFloatPct: gov ? v.guideFloatPct?.trim() || null : null,
    basis: v.basis?.trim() || null,
  };
}

/**
 * 价格管理形式, for 政府指导价 its 基准价 and 浮动幅度 (the server refuses standards outside base × (1 ± range)), and the
 * 收费依据, as printed on the 明码标价 notice (R24). A 代收 item passes the supplier's price on: no 政府指导价 band (R31).
 */
export function PriceNoticeFields({ pricing, category }: { pricing: Pricing | undefined; category: string | undefined }) {
  const form = Form.useFormInstance<PriceNoticeForm>();
  const priceForm = Form.useWatch('priceForm', form);
  const gov = priceForm === '政府指导价';
  const onBehalf = category === '代收';
  return (
    <div data-testid="price-notice-fields">
      {onBehalf && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title="代收费用按供应单位的价格原价收取，单独列示，不得收取手续费或加价（R31）；请在收费依据中写明供应单位的价格文件。" />
      )}
      <Form.Item name="priceForm" label="价格管理形式（明码标价）" rules={[{ required: true }]} data-testid="fee-item-price-form-item">
        <Radio.Group options={PRICE_FORMS.map((f) => ({ value: f, label: f, disabled: onBehalf && f === '政府指导价' }))} data-testid="fee-item-price-form" />
      </Form.Item>
      {gov && (
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="guideBase"
              label={`基准价（${pricing === 'fixed' ? '元/月' : '元/m²/月'}）`}
              rules={[{ required: true, whitespace: true, message: '请填写价格主管部门公布的基准价' }]}
              data-testid="fee-item-guide-base-item"
            >
              <Input inputMode="decimal" autoComplete="off" placeholder={pricing === 'fixed' ? '如 300' : '如 2.00'} data-testid="fee-item-guide-base" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="guideFloatPct"
              label="浮动幅度（±%）"
              extra="实际收费标准须在 基准价 ×（1 ± 浮动幅度）之内"
              rules={[{ required: true, whitespace: true, message: '请填写浮动幅度' }]}
              data-testid="fee-item-guide-float-item"
            >
              <Input inputMode="decimal" autoComplete="off" placeholder="如 20" suffix="%" data-testid="fee-item-guide-float" />
            </Form.Item>
          </Col>
        </Row>
      )}
      <Form.Item
        name="basis"
        label="收费依据"
        extra={gov ? '政府指导价须写明价格主管部门文件的名称和文号' : '如《物业服务合同》第六条；不填时公示为合同约定'}
        rules={gov ? [{ required: true, whitespace: true, message: '请填写收费依据（文件名称和文号）' }] : []}
        data-testid="fee-item-basis-item"
      >
        <Input.TextArea rows={2} maxLength={500} showCount data-testid="fee-item-basis" />
      </Form.Item>
    </div>
  );
}
