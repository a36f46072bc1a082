import { useState } from 'react';
import { Alert, App as AntApp, DatePicker, Divider, Form, Input, InputNumber, Modal, Select, Switch } from 'antd';
import type { Dayjs } from 'dayjs';
import { ApiError, api, type FeeItem, type FeeStandard, type NewFeeStandard } from '../api.ts';
import { PRICING_LABELS, STANDARD_PROPERTY_TYPES, isPositiveYuan, isUnitPrice, propertyTypeLabel, takesEffectEarly } from '../billing.ts';
import { applyServerErrors } from '../formErrors.ts';

interface StandardForm {
  propertyType?: string;
  unitPrice?: string;
  monthlyAmount?: string;
  publishedOn?: Dayjs | null;
  effectiveFrom?: Dayjs | null;
  effectiveTo?: Dayjs | null;
  overrideReason?: string;
  hasVacancy: boolean;
  /** 空置房收费比例 (%) and its basis: the server's vacancy.ratePct / vacancy.basis land here. */
  ratePct?: number | null;
  basis?: string;
}

const FIELDS = ['propertyType', 'unitPrice', 'monthlyAmount', 'publishedOn', 'effectiveFrom', 'effectiveTo', 'overrideReason', 'ratePct', 'basis'] as const;
const DATE = 'YYYY-MM-DD';

/** Did the server refuse the standard for taking effect within a month of publication (R25)? */
function isR25(e: unknown): boolean {
  return e instanceof ApiError && (e.details ?? []).some((d) => d.field === 'effectiveFrom' && d.message.includes('R25'));
}

/**
 * 新增收费标准 for one fee item: a unit price (per-area items) or a monthly amount (fixed items) for one property type or
 * all ('*'), with its publication and effective dates. A standard that takes effect less than a month after it was
 * published needs a reason (R25): the page warns as soon as the dates say so, the server decides; its message goes on
 * 执行起 and the reason field is pointed out. Mounted only while open; nothing typed is lost on an error.
 */
export function FeeStandardFormModal({ feeItem, onClose, onSaved }: { feeItem: FeeItem; onClose: () => void; onSaved: (s: FeeStandard) => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<StandardForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const perArea = feeItem.pricing === 'per_area';
  const publishedOn = Form.useWatch('publishedOn', form);
  const effectiveFrom = Form.useWatch('effectiveFrom', form);
  const hasVacancy = Form.useWatch('hasVacancy', form);
  const early = publishedOn && effectiveFrom ? takesEffectEarly(publishedOn.format(DATE), effectiveFrom.format(DATE)) : false;

  async function submit() {
    let v: StandardForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const reason = v.overrideReason?.trim() ?? '';
    const input: NewFeeStandard = {
      propertyType: v.propertyType ?? '',
      ...(perArea ? { unitPrice: v.unitPrice?.trim() ?? '' } : { monthlyAmount: v.monthlyAmount?.trim() ?? '' }),
      publishedOn: v.publishedOn?.format(DATE) ?? '',
      effectiveFrom: v.effectiveFrom?.format(DATE) ?? '',
      effectiveTo: v.effectiveTo ? v.effectiveTo.format(DATE) : null,
      overrideReason: reason || null,
      vacancy: v.hasVacancy ? { ratePct: v.ratePct ?? 0, basis: v.basis?.trim() ?? '' } : null,
    };
    setError(undefined);
    setBusy(true);
    let saved: FeeStandard;
    try {
      saved = await api.addFeeStandard(feeItem.id, input);
    } catch (e) {
      setError(applyServerErrors(form, e, FIELDS));
      if (isR25(e) && !reason) form.setFields([{ name: 'overrideReason', errors: ['如确需提前执行，请填写原因（如业主大会决议、政府指导价调整）'] }]);
      return;
    } finally {
      setBusy(false);
    }
    void message.success(`已新增收费标准：${propertyTypeLabel(saved.propertyType)} ${saved.effectiveFrom} 起执行`);
    onSaved(saved);
  }

  return (
    <Modal
      open
      title={`新增收费标准 · ${feeItem.name}（${PRICING_LABELS[feeItem.pricing] ?? feeItem.pricing}）`}
      onOk={() => void submit()}
      onCancel={onClose}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'standard-submit' }}
      cancelButtonProps={{ 'data-testid': 'standard-cancel' }}
      width={600}
      mask={{ closable: false }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="standard-form-error" />}
      <Form<StandardForm>
        form={form}
        name="fee-standard"
        layout="vertical"
        requiredMark={false}
        initialValues={{ propertyType: '*', unitPrice: '', monthlyAmount: '', publishedOn: null, effectiveFrom: null, effectiveTo: null, overrideReason: '', hasVacancy: false, ratePct: null, basis: '' }}
        data-testid="standard-form"
      >
        <Form.Item name="propertyType" label="适用物业类型" rules={[{ required: true, message: '请选择物业类型' }]} data-testid="standard-property-type-item">
          <Select<string>
            options={STANDARD_PROPERTY_TYPES.map((t) => ({ value: t, label: t === '*' ? '全部类型（*）' : t }))}
            data-testid="standard-property-type-select"
          />
        </Form.Item>
        {perArea ? (
          <Form.Item
            name="unitPrice"
            label="单价（元/m²/月）"
            data-testid="standard-unit-price-item"
            rules={[
              { required: true, whitespace: true, message: '请输入单价' },
              { validator: (_, v: string | undefined) => (v?.trim() && !isUnitPrice(v) ? Promise.reject(new Error('应为非负数字，最多 4 位小数，如 2.35')) : Promise.resolve()) },
            ]}
          >
            <Input inputMode="decimal" autoComplete="off" placeholder="如 2.35" suffix="元/m²/月" data-testid="standard-unit-price" />
          </Form.Item>
        ) : (
          <Form.Item
            name="monthlyAmount"
            label="金额（元/月）"
            data-testid="standard-monthly-amount-item"
            rules={[
              { required: true, whitespace: true, message: '请输入金额' },
              { validator: (_, v: string | undefined) => (v?.trim() && !isPositiveYuan(v) ? Promise.reject(new Error('应为正数，最多两位小数，如 300.00')) : Promise.resolve()) },
            ]}
          >
            <Input inputMode="decimal" autoComplete="off" placeholder="如 300.00" prefix="¥" suffix="元/月" data-testid="standard-monthly-amount" />
          </Form.Item>
        )}
        <Form.Item name="publishedOn" label="公示日期" rules={[{ required: true, message: '请选择公示日期' }]} data-testid="standard-published-on-item">
          <DatePicker format={DATE} style={{ width: '100%' }} placeholder="在小区公示的日期" data-testid="standard-published-on" />
        </Form.Item>
        <Form.Item
          name="effectiveFrom"
          label="执行起"
          rules={[{ required: true, message: '请选择执行日期' }]}
          extra={early ? undefined : '新标准须在公示满一个月后执行（R25）'}
          data-testid="standard-effective-from-item"
        >
          <DatePicker format={DATE} style={{ width: '100%' }} data-testid="standard-effective-from" />
        </Form.Item>
        <Form.Item name="effectiveTo" label="执行止" extra="留空表示长期有效" data-testid="standard-effective-to-item">
          <DatePicker format={DATE} style={{ width: '100%' }} placeholder="长期" data-testid="standard-effective-to" />
        </Form.Item>
        {early && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title="公示未满一个月即执行：须填写提前执行的原因（R25）"
            data-testid="standard-early-warning"
          />
        )}
        <Form.Item name="overrideReason" label="提前执行原因" extra="仅在公示未满一个月即执行时填写，记入审计" data-testid="standard-override-reason-item">
          <Input.TextArea rows={2} maxLength={500} showCount placeholder="如：业主大会决议同意自 3 月 1 日起执行" data-testid="standard-override-reason" />
        </Form.Item>
        <Divider titlePlacement="start" plain>空置房收费（R29）</Divider>
        <Form.Item
          name="hasVacancy"
          valuePropName="checked"
          extra="仅当物业服务合同约定或当地规定给予空置房收费优惠时设置；否则房屋空置不是少交物业费的理由（民法典第 944 条），不要设置"
          data-testid="standard-vacancy-item"
        >
          <Switch checkedChildren="合同或当地规定给予空置优惠" unCheckedChildren="无空置优惠" data-testid="standard-vacancy-switch" />
        </Form.Item>
        {hasVacancy && (
          <div data-testid="standard-vacancy">
            <Form.Item
              name="ratePct"
              label="空置房按标准的比例收取"
              extra="如 70 表示登记空置的月份按本标准的 70% 计收"
              rules={[{ required: true, message: '请输入比例（1–99）' }]}
              data-testid="standard-vacancy-rate-item"
            >
              <InputNumber<number> min={1} max={99} precision={0} suffix="%" style={{ width: 160 }} data-testid="standard-vacancy-rate" />
            </Form.Item>
            <Form.Item
              name="basis"
              label="依据"
              rules={[{ required: true, whitespace: true, message: '请填写给予空置优惠的合同条款或当地规定' }]}
              data-testid="standard-vacancy-basis-item"
            >
              <Input.TextArea rows={2} maxLength={500} showCount placeholder="如：物业服务合同第 8 条：房屋空置 6 个月以上的，经书面登记按 70% 收取" data-testid="standard-vacancy-basis" />
            </Form.Item>
          </div>
        )}
      </Form>
    </Modal>
  );
}
