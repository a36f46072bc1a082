import { useState } from 'react';
import { Alert, App as AntApp, Form, Modal, Typography } from 'antd';
import { api, type FeeItem } from '../api.ts';
import { applyServerErrors } from '../formErrors.ts';
import { PRICE_NOTICE_FIELDS, PriceNoticeFields, priceNoticeInitial, priceNoticeInput, type PriceNoticeForm } from './PriceNoticeFields.tsx';

/**
 * 明码标价信息 of an existing fee item: 价格管理形式, 基准价 and 浮动幅度, 收费依据 (R24). The server refuses a band that
 * its current standards do not lie in; errors land on the field they name.
 */
export function FeeItemPriceNoticeModal({ item, onClose, onSaved }: { item: FeeItem; onClose: () => void; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<PriceNoticeForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit() {
    let v: PriceNoticeForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      await api.setFeeItemPriceNotice(item.id, priceNoticeInput(v));
    } catch (e) {
      setError(applyServerErrors(form, e, PRICE_NOTICE_FIELDS));
      return;
    } finally {
      setBusy(false);
    }
    void message.success(`已更新“${item.name}”的明码标价信息`);
    onSaved();
  }

  return (
    <Modal
      open
      title={`明码标价信息：${item.name}`}
      onOk={() => void submit()}
      onCancel={onClose}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'price-notice-submit' }}
      width={560}
      mask={{ closable: false }}
    >
      <Typography.Paragraph type="secondary">类别：{item.category}；计费方式：{item.pricing === 'per_area' ? '按面积（元/m²/月）' : '固定金额（元/月）'}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="price-notice-form-error" />}
      <Form<PriceNoticeForm> form={form} name="fee-item-price-notice" layout="vertical" requiredMark={false} initialValues={priceNoticeInitial(item)} data-testid="price-notice-form">
        <PriceNoticeFields pricing={item.pricing} category={item.category} />
      </Form>
    </Modal>
  );
}
