import { useState, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space, Typography, type FormInstance } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { CONTACT_CHANNEL_OF } from '../../../core/dunning/schedule.ts';
import { ApiError, api, type CaseAction, type CollectionCase, type ContactRecordInput } from '../api.ts';
import { applyServerErrors } from '../formErrors.ts';
import {
  CATEGORIES, CATEGORY_LABELS, CONTACT_CHANNELS, CONTACT_CHANNEL_LABELS, DEMAND_CHANNELS, MANUAL_INTERRUPTIONS, OUTCOMES, PAUSE_KINDS, PAUSE_LABELS,
  channelLabel, interruptionLabel,
} from '../dunning.ts';
import { useApi } from '../hooks.ts';

const DAY = 'YYYY-MM-DD';
const day = (d: Dayjs | null | undefined) => (d ? d.format(DAY) : undefined);

/**
 * A modal form that submits to the server: field errors go on their form items (what was typed stays), anything else
 * into an alert in the dialog. `onSubmit` returns normally on success; the dialog then closes.
 */
function FormModal<V extends object>({ title, form, fields, testId, okText, onSubmit, onClose, children, width, extraError }: {
  title: ReactNode; form: FormInstance<V>; fields: readonly string[]; testId: string; okText: string; width?: number;
  onSubmit: (values: V) => Promise<void>; onClose: () => void; children: ReactNode;
  /** A special error display (e.g. a contact refused by the contact rules): return true when handled. */
  extraError?: (e: unknown) => boolean;
}) {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  async function submit() {
    let values: V;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(values);
      onClose();
    } catch (e) {
      if (!extraError?.(e)) setError(applyServerErrors(form, e, fields));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open title={title} width={width ?? 560} okText={okText} cancelText="取消" onOk={() => void submit()} onCancel={onClose} confirmLoading={busy}
      mask={{ closable: false }} okButtonProps={{ 'data-testid': `${testId}-submit` }} destroyOnHidden
    >
      <div data-testid={testId}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid={`${testId}-error`} />}
        <Form form={form} layout="vertical">{children}</Form>
      </div>
    </Modal>
  );
}

// ---- 《物业费催缴记录表》: one contact ----------------------------------------------------------------------------------

interface ContactValues {
  channel: string;
  contactId?: number;
  outcome: string;
  category?: string;
  ownerSaid?: string;
  nextStep?: string;
  promisedOn?: Dayjs;
  deliveredOn?: Dayjs;
  proof?: string;
  visitStaffCount?: number;
  consentOutsideQuietHours?: boolean;
  ticketTopic?: string;
  ticketDescription?: string;
}
const CONTACT_FIELDS = ['channel', 'contactId', 'outcome', 'category', 'ownerSaid', 'nextStep', 'promisedOn', 'deliveredOn', 'proof', 'visitStaffCount', 'ticket', 'topic', 'description', 'actionId'];

/**
 * Record one contact on a case, against a planned task or on its own. The server checks first that the periods are
 * still unpaid (paid: nothing is recorded and nobody is contacted) and then the contact rules (R47–R49: quiet hours,
 * call windows, daily caps, third parties); a refusal is shown as such, with the earliest time allowed.
 */
export function RecordContactModal({ houseId, kase, action, onClose, onDone }: {
  houseId: number; kase: CollectionCase; action: CaseAction | undefined; onClose: () => void; onDone: () => void;
}) {
  const { modal } = AntApp.useApp();
  const [form] = Form.useForm<ContactValues>();
  const [refused, setRefused] = useState<string | undefined>(undefined);
  const house = useApi(() => api.house(houseId), [houseId]);
  const ownership = house.data?.ownerships.find((o) => o.id === kase.ownershipId);
  const contacts = (ownership?.owners ?? []).flatMap((o) => o.contacts.map((c) => ({ value: c.id, label: `${o.name} · ${c.kind} ${c.masked}${c.status !== '有效' ? `（${c.status}）` : ''}` })));
  const channel = Form.useWatch('channel', form);
  const outcome = Form.useWatch('outcome', form);
  const category = Form.useWatch('category', form);
  const demand = action !== undefined && DEMAND_CHANNELS.has(action.channel);
  const initialChannel = action ? CONTACT_CHANNEL_OF[action.channel] ?? 'call' : 'call';

  async function submit(v: ContactValues) {
    setRefused(undefined);
    const body: ContactRecordInput = {
      actionId: action?.id ?? null, channel: v.channel, contactId: v.contactId ?? null, outcome: v.outcome, category: v.category ?? null,
      ownerSaid: v.ownerSaid?.trim() || null, nextStep: v.nextStep?.trim() || null, promisedOn: day(v.promisedOn) ?? null,
      ...(demand ? { deliveredOn: day(v.deliveredOn) ?? null, proof: v.proof?.trim() || null } : {}),
      ...(v.channel === 'visit' ? { visitStaffCount: v.visitStaffCount ?? 2 } : {}),
      ...(v.consentOutsideQuietHours ? { consentOutsideQuietHours: true } : {}),
      ...(v.ticketTopic?.trim() ? { ticket: { topic: v.ticketTopic.trim(), description: v.ticketDescription?.trim() || v.ticketTopic.trim() } } : {}),
    };
    const r = await api.recordContact(kase.id, body);
    onDone();
    if (r.status === 'cancelled_paid') modal.info({ title: '无需联系', content: r.message ?? '该户相关账期已缴清，不再联系（发送前复核）' });
  }

  return (
    <FormModal<ContactValues>
      title={action ? `记录催缴：${action.name}` : '记录催缴联系'} form={form} fields={CONTACT_FIELDS} testId="contact-record" okText="保存记录" width={640}
      onSubmit={submit} onClose={onClose}
      extraError={(e) => {
        if (e instanceof ApiError && e.code === 'CONTACT_NOT_ALLOWED') { setRefused(e.message); return true; }
        return false;
      }}
    >
      {refused && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title="按联系规则，现在不能这样联系业主（未记录）" description={refused} data-testid="contact-refused" />
      )}
      {action && (
        <Typography.Paragraph type="secondary">任务：{action.name}（{channelLabel(action.channel)}，应办日 {action.dueOn}）。{action.reason}</Typography.Paragraph>
      )}
      <Form.Item name="channel" label="方式" initialValue={initialChannel} rules={[{ required: true, message: '请选择方式' }]} data-testid="contact-record-channel-item">
        <Select options={CONTACT_CHANNELS.map((c) => ({ value: c, label: CONTACT_CHANNEL_LABELS[c] }))} data-testid="contact-record-channel" />
      </Form.Item>
      <Form.Item name="contactId" label="联系方式（仅本户业主）" extra="不得联系工作单位、同事、亲友等第三方（R49）">
        <Select allowClear placeholder={house.loading ? '加载中…' : '不指定'} options={contacts} data-testid="contact-record-contact" />
      </Form.Item>
      <Form.Item name="outcome" label="结果" rules={[{ required: true, message: '请选择结果' }]} data-testid="contact-record-outcome-item">
        <Select showSearch options={OUTCOMES.map((o) => ({ value: o, label: o }))} data-testid="contact-record-outcome" />
      </Form.Item>
      {outcome === '承诺缴费' && (
        <Form.Item name="promisedOn" label="承诺缴费日期" rules={[{ required: true, message: '请填写承诺缴费日期' }]} data-testid="contact-record-promised-item">
          <DatePicker format={DAY} style={{ width: '100%' }} />
        </Form.Item>
      )}
      <Form.Item name="category" label="业主交费情况分类" extra="不选则按结果自动判断">
        <Select allowClear placeholder="按结果自动判断" options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))} />
      </Form.Item>
      <Form.Item name="ownerSaid" label="业主反馈">
        <Input.TextArea rows={2} maxLength={1000} data-testid="contact-record-owner-said" />
      </Form.Item>
      <Form.Item name="nextStep" label="下一步">
        <Input maxLength={500} data-testid="contact-record-next-step" />
      </Form.Item>
      {demand && (
        <Space style={{ display: 'flex' }} align="start">
          <Form.Item name="deliveredOn" label="送达日期" extra="填写送达日期和凭证后，催告期限开始计算并中断诉讼时效（R7、R13）">
            <DatePicker format={DAY} />
          </Form.Item>
          <Form.Item name="proof" label="送达凭证" style={{ flex: 1 }}>
            <Input maxLength={500} placeholder="如：挂号信单号、签收照片编号" />
          </Form.Item>
        </Space>
      )}
      {channel === 'visit' && (
        <Form.Item name="visitStaffCount" label="上门人数" initialValue={2} extra="上门须至少两人同行，白天进行，不得入户（R52）">
          <InputNumber min={1} max={10} precision={0} data-testid="contact-record-staff" />
        </Form.Item>
      )}
      {['call', 'sms', 'wechat', 'email'].includes(channel ?? '') && (
        <Form.Item name="consentOutsideQuietHours" valuePropName="checked">
          <Checkbox>业主本人要求在此时间联系（可在通话时段外，但不改变 22:00–08:00 以外的其他限制）</Checkbox>
        </Form.Item>
      )}
      {(outcome === '拒交' || category === 'refusal') && (
        <>
          <Form.Item name="ticketTopic" label="拒交事由（开服务工单，办结前暂停升级，R10）">
            <Input maxLength={100} placeholder="如：楼上漏水未修" />
          </Form.Item>
          <Form.Item name="ticketDescription" label="工单说明">
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </>
      )}
    </FormModal>
  );
}

// ---- pause, resume, exclusion, interruption, payment plan, ticket ---------------------------------------------------

export function PauseModal({ kase, onClose, onDone }: { kase: CollectionCase; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ kind: string; until?: Dayjs; reason: string }>();
  return (
    <FormModal title="暂停催缴" form={form} fields={['kind', 'until', 'reason']} testId="pause-form" okText="暂停" onClose={onClose}
      onSubmit={async (v) => { await api.pauseCase(kase.id, { kind: v.kind, until: day(v.until) ?? null, reason: v.reason }); onDone(); }}>
      <Form.Item name="kind" label="原因类别" initialValue="dispute" rules={[{ required: true }]}>
        <Select options={PAUSE_KINDS.map((k) => ({ value: k, label: PAUSE_LABELS[k] }))} />
      </Form.Item>
      <Form.Item name="until" label="暂停至（含）" extra="不填则暂停到手动恢复">
        <DatePicker format={DAY} />
      </Form.Item>
      <Form.Item name="reason" label="说明" rules={[{ required: true, whitespace: true, message: '请填写原因' }]}>
        <Input.TextArea rows={2} maxLength={500} data-testid="pause-reason" />
      </Form.Item>
    </FormModal>
  );
}

export function ResumeModal({ kase, onClose, onDone }: { kase: CollectionCase; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  return (
    <FormModal title="恢复催缴" form={form} fields={['reason']} testId="resume-form" okText="恢复" onClose={onClose}
      onSubmit={async (v) => { await api.resumeCase(kase.id, v.reason); onDone(); }}>
      <Form.Item name="reason" label="原因" rules={[{ required: true, whitespace: true, message: '请填写原因' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormModal>
  );
}

export function ExclusionModal({ kase, onClose, onDone }: { kase: CollectionCase; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const excluded = !kase.excluded;
  return (
    <FormModal title={excluded ? '排除催缴' : '恢复纳入催缴'} form={form} fields={['reason']} testId="exclusion-form" okText={excluded ? '排除' : '恢复'} onClose={onClose}
      onSubmit={async (v) => { await api.setCaseExcluded(kase.id, excluded, v.reason); onDone(); }}>
      {excluded && <Typography.Paragraph type="secondary">排除后系统不再为该案件生成催缴任务，直至恢复。</Typography.Paragraph>}
      <Form.Item name="reason" label="原因" rules={[{ required: true, whitespace: true, message: '请填写原因' }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
    </FormModal>
  );
}

export function InterruptionModal({ kase, onClose, onDone }: { kase: CollectionCase; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ kind: string; on: Dayjs; periods: string[]; note: string }>();
  return (
    <FormModal title="登记诉讼时效中断" form={form} fields={['kind', 'on', 'periods', 'note']} testId="interruption-form" okText="登记" onClose={onClose}
      onSubmit={async (v) => { await api.recordInterruption(kase.id, { kind: v.kind, on: day(v.on)!, periods: v.periods, note: v.note }); onDone(); }}>
      <Typography.Paragraph type="secondary">催告送达、部分缴费和分期协议由系统自动记录；此处登记系统看不到的事由（R13）。</Typography.Paragraph>
      <Form.Item name="kind" label="事由" initialValue="acknowledgement" rules={[{ required: true }]}>
        <Select options={MANUAL_INTERRUPTIONS.map((k) => ({ value: k, label: interruptionLabel(k) }))} />
      </Form.Item>
      <Form.Item name="on" label="发生日期" rules={[{ required: true, message: '请选择日期' }]}>
        <DatePicker format={DAY} />
      </Form.Item>
      <Form.Item name="periods" label="账期" initialValue={kase.limitation.map((l) => l.period)} rules={[{ required: true, message: '请选择账期' }]}>
        <Select mode="multiple" options={kase.limitation.map((l) => ({ value: l.period, label: `${l.period}（${l.owed}）` }))} />
      </Form.Item>
      <Form.Item name="note" label="证据" rules={[{ required: true, whitespace: true, message: '须注明证据' }]}>
        <Input.TextArea rows={2} maxLength={500} placeholder="如：业主签收的欠费确认书、立案通知书编号" />
      </Form.Item>
    </FormModal>
  );
}

interface PlanValues { kind: 'instalment' | 'deferral'; reason: string; evidence?: string; instalments: Array<{ dueOn?: Dayjs; amount?: string }> }

export function PaymentPlanModal({ kase, onClose, onDone }: { kase: CollectionCase; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<PlanValues>();
  return (
    <FormModal<PlanValues>
      title="申请分期/缓缴" form={form} fields={['kind', 'reason', 'evidence', 'instalments']} testId="plan-form" okText="提交审批" width={620} onClose={onClose}
      onSubmit={async (v) => {
        await api.requestPaymentPlan(kase.id, {
          kind: v.kind, reason: v.reason, evidence: v.evidence?.trim() || null,
          instalments: v.instalments.map((i) => ({ dueOn: day(i.dueOn) ?? '', amount: (i.amount ?? '').trim() })),
        });
        onDone();
      }}
    >
      <Typography.Paragraph type="secondary">当前欠费 {kase.owed}。各期合计不得少于已到期欠费；批准并由业主签署后暂停催缴，并中断诉讼时效（R13）。</Typography.Paragraph>
      <Form.Item name="kind" label="类型" initialValue="instalment">
        <Radio.Group options={[{ value: 'instalment', label: '分期' }, { value: 'deferral', label: '缓缴' }]} />
      </Form.Item>
      <Form.Item name="reason" label="申请理由" rules={[{ required: true, whitespace: true, message: '请填写申请理由' }]}>
        <Input.TextArea rows={2} maxLength={500} data-testid="plan-reason" />
      </Form.Item>
      <Form.Item name="evidence" label="证明材料">
        <Input maxLength={1000} placeholder="如：失业证明、住院证明" />
      </Form.Item>
      <Form.List name="instalments" initialValue={[{}]}>
        {(items, { add, remove }) => (
          <>
            {items.map((item, i) => (
              <Space key={item.key} align="baseline" style={{ display: 'flex' }}>
                <span style={{ width: 48 }}>第 {i + 1} 期</span>
                <Form.Item name={[item.name, 'dueOn']} rules={[{ required: true, message: '请选择日期' }]} data-testid="plan-due-item">
                  <DatePicker format={DAY} placeholder="应缴日期" />
                </Form.Item>
                <Form.Item name={[item.name, 'amount']} rules={[{ required: true, message: '请填写金额' }]}>
                  <Input prefix="¥" placeholder="金额（元）" style={{ width: 160 }} data-testid="plan-amount" />
                </Form.Item>
                {items.length > 1 && <MinusCircleOutlined onClick={() => remove(item.name)} />}
              </Space>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} disabled={items.length >= 60}>添加一期</Button>
          </>
        )}
      </Form.List>
    </FormModal>
  );
}

export function ResolveTicketModal({ ticketId, topic, onClose, onDone }: { ticketId: number; topic: string; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ resolution: string }>();
  return (
    <FormModal title={`办结服务工单：${topic}`} form={form} fields={['resolution']} testId="ticket-form" okText="办结" onClose={onClose}
      onSubmit={async (v) => { await api.resolveTicket(ticketId, v.resolution); onDone(); }}>
      <Form.Item name="resolution" label="处理结果" rules={[{ required: true, whitespace: true, message: '请填写处理结果' }]}>
        <Input.TextArea rows={3} maxLength={1000} />
      </Form.Item>
    </FormModal>
  );
}
