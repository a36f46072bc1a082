import { useState } from 'react';
import { Alert, App as AntApp, Form, Input, Modal, Radio, Select, Switch } from 'antd';
import { api, type FeeItem, type NewFeeItem, type Pricing, type Rounding } from '../api.ts';
import { FEE_CATEGORIES, PRICING_LABELS, ROUNDING_LABELS, handlingFeeProblem } from '../billing.ts';
import { applyServerErrors } from '../formErrors.ts';
import { PRICE_NOTICE_FIELDS, PriceNoticeFields, priceNoticeInitial, priceNoticeInput, type PriceNoticeForm } from './PriceNoticeFields.tsx';

interface FeeItemForm extends PriceNoticeForm {
  name: string;
  category?: string;
  pricing: Pricing;
  rounding: Rounding;
  prepaidDeduct: boolean;
}

const FIELDS = ['name', 'category', 'pricing', 'rounding', 'prepaidDeduct', ...PRICE_NOTICE_FIELDS] as const;

/** 新增收费项目. Mounted only while open; server errors go on the item they name (or an alert), nothing typed is lost. */
export function FeeItemFormModal({ projectId, onClose, onSaved }: { projectId: number; onClose: () => void; onSaved: (item: Omit<FeeItem, 'standards'>) => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FeeItemForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const pricing = Form.useWatch('pricing', form);
  const category = Form.useWatch('category', form);

  async function submit() {
    let v: FeeItemForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const input: NewFeeItem = { name: v.name.trim(), category: v.category ?? '', pricing: v.pricing, rounding: v.rounding, prepaidDeduct: v.prepaidDeduct, ...priceNoticeInput(v) };
    setError(undefined);
    setBusy(true);
    let saved: Omit<FeeItem, 'standards'>;
    try {
      saved = await api.createFeeItem(projectId, input);
    } catch (e) {
      setError(applyServerErrors(form, e, FIELDS));
      return;
    } finally {
      setBusy(false);
    }
    void message.success(`已新增收费项目“${saved.name}”，请为其添加收费标准`);
    onSaved(saved);
  }

  return (
    <Modal
      open
      title="新增收费项目"
      onOk={() => void submit()}
      onCancel={onClose}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'fee-item-submit' }}
      cancelButtonProps={{ 'data-testid': 'fee-item-cancel' }}
      width={560}
      mask={{ closable: false }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="fee-item-form-error" />}
      <Form<FeeItemForm>
        form={form}
        name="fee-item"
        layout="vertical"
        requiredMark={false}
        initialValues={{ name: '', category: undefined, pricing: 'per_area', rounding: 'half_up', prepaidDeduct: true, ...priceNoticeInitial() }}
        data-testid="fee-item-form"
      >
        <Form.Item
          name="name"
          label="名称"
          dependencies={['category']}
          rules={[
            { required: true, whitespace: true, message: '请输入名称' },
            { max: 50, message: '最多 50 字' },
            // R31, the same rule the server applies: no handling fee, no markup on 代收.
            ({ getFieldValue }) => ({
              validator: (_, v: string | undefined) => {
                const p = v ? handlingFeeProblem({ name: v, category: String(getFieldValue('category') ?? '') }) : null;
                return p?.field === 'name' ? Promise.reject(new Error(p.reason)) : Promise.resolve();
              },
            }),
          ]}
          data-testid="fee-item-name-item"
        >
          <Input maxLength={50} placeholder="如：物业服务费" autoComplete="off" data-testid="fee-item-name-input" />
        </Form.Item>
        <Form.Item name="category" label="类别" rules={[{ required: true, message: '请选择类别' }]} data-testid="fee-item-category-item">
          <Select<string> placeholder="请选择" options={FEE_CATEGORIES.map((c) => ({ value: c, label: c }))} data-testid="fee-item-category" />
        </Form.Item>
        <Form.Item name="pricing" label="计费方式" rules={[{ required: true }]} data-testid="fee-item-pricing-item">
          <Radio.Group
            options={[
              { value: 'per_area', label: `${PRICING_LABELS.per_area}（元/m²/月 × 计费面积）` },
              { value: 'fixed', label: `${PRICING_LABELS.fixed}（元/月）` },
            ]}
            data-testid="fee-item-pricing"
          />
        </Form.Item>
        <Form.Item name="rounding" label="金额取整" rules={[{ required: true }]} data-testid="fee-item-rounding-item">
          <Select<Rounding> options={(Object.keys(ROUNDING_LABELS) as Rounding[]).map((r) => ({ value: r, label: ROUNDING_LABELS[r] }))} data-testid="fee-item-rounding" />
        </Form.Item>
        <Form.Item name="prepaidDeduct" label="预收款可自动抵扣" valuePropName="checked" data-testid="fee-item-prepaid-item">
          <Switch checkedChildren="是" unCheckedChildren="否" data-testid="fee-item-prepaid" />
        </Form.Item>
        <PriceNoticeFields pricing={pricing} category={category} />
      </Form>
    </Modal>
  );
}
