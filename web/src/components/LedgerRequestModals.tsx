import { useState } from 'react';
import { Alert, App as AntApp, DatePicker, Form, Input, Modal, Radio, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { formatYuan, parseYuan } from '../../../core/money.ts';
import { api, type AccountLine, type NewRefund, type PaymentChannel } from '../api.ts';
import { PAYMENT_CHANNELS, fenToYuanText, isPositiveYuan } from '../billing.ts';
import { applyServerErrors } from '../formErrors.ts';
import { todayLocalDate } from '../format.ts';

/**
 * The requests the counter files for someone else to approve (审批 page): a refund of prepaid money (R32), a vacancy
 * registration (R29) and a late-fee waiver. Each modal is mounted only while open, keeps what was typed on an error and
 * shows the server's Chinese message (on the field it names, or above the form).
 */

const amountRules = (maxFen: number, what: string) => [
  { required: true, whitespace: true, message: '请输入金额' },
  {
    validator: (_: unknown, v: string | undefined) => {
      if (!v?.trim()) return Promise.resolve();
      if (!isPositiveYuan(v)) return Promise.reject(new Error('金额应为正数，最多两位小数'));
      const fen = parseYuan(v);
      return fen !== null && fen > maxFen ? Promise.reject(new Error(`不能超过${what} ${formatYuan(maxFen)}`)) : Promise.resolve();
    },
  },
];

interface RefundForm {
  amount: string;
  channel: PaymentChannel;
  reason: string;
}

/** 申请退款: part or all of one payer's prepaid balance, by a channel, with the reason; approved by someone else. */
export function RefundRequestModal({ houseId, payer, payerLabel, balanceFen, onClose, onSaved }: {
  houseId: number;
  payer: NonNullable<NewRefund['payer']>;
  payerLabel: string;
  balanceFen: number;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<RefundForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit() {
    let v: RefundForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.requestRefund({ houseId, payer, amount: v.amount.trim(), channel: v.channel, reason: v.reason.trim() });
      void message.success(`退款申请已提交（${formatYuan(r.amountFen)}），待审批`);
    } catch (e) {
      setError(applyServerErrors(form, e, ['amount', 'channel', 'reason']));
      return;
    } finally {
      setBusy(false);
    }
    onSaved();
  }

  return (
    <Modal
      open
      title="申请退还预存款"
      onOk={() => void submit()}
      onCancel={onClose}
      okText="提交申请"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'refund-submit' }}
      mask={{ closable: false }}
    >
      <Typography.Paragraph type="secondary">
        退款须写明原因，由另一位有审批权限的人（项目经理、分公司总经理或管理员）批准后才从预存款中退出（R32）。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="refund-error" />}
      <Form<RefundForm>
        form={form}
        name="refund"
        layout="vertical"
        requiredMark={false}
        initialValues={{ amount: fenToYuanText(balanceFen), channel: '现金', reason: '' }}
        data-testid="refund-form"
      >
        <Form.Item label="缴费人">
          <span data-testid="refund-payer">{payerLabel}（预存余额 {formatYuan(balanceFen)}）</span>
        </Form.Item>
        <Form.Item name="amount" label="退款金额（元）" rules={amountRules(balanceFen, '预存余额')} data-testid="refund-amount-item">
          <Input prefix="¥" inputMode="decimal" autoComplete="off" style={{ maxWidth: 220 }} data-testid="refund-amount" />
        </Form.Item>
        <Form.Item name="channel" label="退款方式" rules={[{ required: true, message: '请选择退款方式' }]} data-testid="refund-channel-item">
          <Radio.Group optionType="button" options={PAYMENT_CHANNELS.map((c) => ({ value: c, label: c }))} data-testid="refund-channel" />
        </Form.Item>
        <Form.Item name="reason" label="原因" rules={[{ required: true, whitespace: true, message: '请写明退款原因' }]} data-testid="refund-reason-item">
          <Input.TextArea rows={2} maxLength={500} showCount placeholder="如：房屋已出售，业主申请退还多缴的物业费" data-testid="refund-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface VacancyForm {
  fromMonth: Dayjs | null;
  toMonth: Dayjs | null;
  evidence: string;
}

const MONTH = 'YYYY-MM';

/**
 * 空置登记: months from the current one on (never back-dated, R29) with the written evidence. Only where the contract
 * or a local rule grants a vacancy rate: otherwise the server refuses, and its explanation is shown.
 */
export function VacancyRequestModal({ houseId, onClose, onSaved }: { houseId: number; onClose: () => void; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<VacancyForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const thisMonth = dayjs(`${todayLocalDate().slice(0, 7)}-01`);

  async function submit() {
    let v: VacancyForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.requestVacancy({ houseId, fromMonth: v.fromMonth?.format(MONTH) ?? '', toMonth: v.toMonth?.format(MONTH) ?? '', evidence: v.evidence.trim() });
      void message.success('空置登记已提交，待审批');
    } catch (e) {
      setError(applyServerErrors(form, e, ['fromMonth', 'toMonth', 'evidence']));
      return;
    } finally {
      setBusy(false);
    }
    onSaved();
  }

  return (
    <Modal
      open
      title="空置登记"
      onOk={() => void submit()}
      onCancel={onClose}
      okText="提交登记"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'vacancy-submit' }}
      mask={{ closable: false }}
    >
      <Typography.Paragraph type="secondary">
        仅当物业服务合同或当地规定给予空置房收费优惠时登记（R29）：须业主书面申请，自登记当月起计，不追溯；经项目经理或分公司总经理批准后，出账按空置比例计费。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="vacancy-error" />}
      <Form<VacancyForm>
        form={form}
        name="vacancy"
        layout="vertical"
        requiredMark={false}
        initialValues={{ fromMonth: thisMonth, toMonth: thisMonth.add(5, 'month'), evidence: '' }}
        data-testid="vacancy-form"
      >
        <Form.Item name="fromMonth" label="起始月份" rules={[{ required: true, message: '请选择起始月份' }]} data-testid="vacancy-from-item">
          <DatePicker picker="month" format={MONTH} style={{ width: 200 }} data-testid="vacancy-from" />
        </Form.Item>
        <Form.Item name="toMonth" label="截止月份" rules={[{ required: true, message: '请选择截止月份' }]} data-testid="vacancy-to-item">
          <DatePicker picker="month" format={MONTH} style={{ width: 200 }} data-testid="vacancy-to" />
        </Form.Item>
        <Form.Item
          name="evidence"
          label="空置证据"
          rules={[{ required: true, whitespace: true, message: '请填写空置证据' }]}
          data-testid="vacancy-evidence-item"
        >
          <Input.TextArea rows={3} maxLength={1000} showCount placeholder="如：业主书面申请（编号）、水电表读数、钥匙交接记录" data-testid="vacancy-evidence" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface WaiverForm {
  amount: string;
  reason: string;
}

/** 申请减免逾期违约金 on one charge: up to what is owed, with the reason; approved by someone else. */
export function WaiverRequestModal({ line, onClose, onSaved }: { line: AccountLine; onClose: () => void; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<WaiverForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit() {
    let v: WaiverForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.requestWaiver({ chargeId: line.chargeId, amount: v.amount.trim(), reason: v.reason.trim() });
      void message.success('减免申请已提交，待审批');
    } catch (e) {
      setError(applyServerErrors(form, e, ['amount', 'reason']));
      return;
    } finally {
      setBusy(false);
    }
    onSaved();
  }

  return (
    <Modal
      open
      title={`申请减免逾期违约金 · ${line.period} ${line.itemName}`}
      onOk={() => void submit()}
      onCancel={onClose}
      okText="提交申请"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'waiver-submit' }}
      mask={{ closable: false }}
    >
      <Typography.Paragraph type="secondary">减免须写明原因，由项目经理及以上审批（不得审批本人申请）。</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="waiver-error" />}
      <Form<WaiverForm>
        form={form}
        name="waiver"
        layout="vertical"
        requiredMark={false}
        initialValues={{ amount: fenToYuanText(line.lateFeeOwedFen), reason: '' }}
        data-testid="waiver-form"
      >
        <Form.Item label="逾期违约金">
          {formatYuan(line.lateFeeOwedFen)}<Typography.Text type="secondary">（{line.lateFeeBasis}）</Typography.Text>
        </Form.Item>
        <Form.Item name="amount" label="减免金额（元）" rules={amountRules(line.lateFeeOwedFen, '未缴的逾期违约金')} data-testid="waiver-amount-item">
          <Input prefix="¥" inputMode="decimal" autoComplete="off" style={{ maxWidth: 220 }} data-testid="waiver-amount" />
        </Form.Item>
        <Form.Item name="reason" label="原因" rules={[{ required: true, whitespace: true, message: '请写明减免原因' }]} data-testid="waiver-reason-item">
          <Input.TextArea rows={2} maxLength={500} showCount placeholder="如：业主因住院未能按期缴费，提供了证明" data-testid="waiver-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
