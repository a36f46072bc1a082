import { useState } from 'react';
import { Alert, App as AntApp, Checkbox, DatePicker, Form, Input, Modal, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { CONTACT_KINDS, CONTACT_SOURCES, CONTACT_STATUSES } from '../../../core/registry/vocabulary.ts';
import { api, type Contact, type ContactInput, type ContactPatch } from '../api.ts';
import { applyServerErrors } from '../formErrors.ts';
import { todayLocalDate } from '../format.ts';

interface ContactForm {
  kind: string;
  value?: string;
  status: string;
  source?: string;
  lastVerified?: Dayjs | null;
  isServiceAddress: boolean;
  note?: string;
}

const FIELDS = ['kind', 'value', 'status', 'source', 'lastVerified', 'isServiceAddress', 'note'] as const;
const DATE = 'YYYY-MM-DD';

const VALUE_PLACEHOLDERS: Record<string, string> = {
  手机: '11 位手机号，如 13800138000',
  固话: '区号-号码，如 021-12345678',
  邮箱: '如 name@example.com',
  微信: '微信号或绑定的手机号',
  送达地址: '省市区街道门牌，用于寄送催缴函等文书',
};

export interface ContactFormModalProps {
  ownerId: number;
  ownerName: string;
  /** The contact to edit; absent to add a new one. */
  contact?: Contact | undefined;
  /** The full value when the user revealed it on the page (then it is shown and editable). */
  revealedValue?: string | undefined;
  onClose: () => void;
  /** After a successful save; `valueChanged` tells the page to forget a revealed value. */
  onSaved: (contact: Contact, valueChanged: boolean) => void;
}

/**
 * 新增/编辑联系方式. Mounted only while open, so every opening starts from the contact as it is now. Editing sends only
 * the fields that changed: the value stays masked (and is not re-sent) unless the user types a new one. Server errors go
 * onto the form item they name, or into an alert; what the user typed is kept either way.
 */
export function ContactFormModal({ ownerId, ownerName, contact, revealedValue, onClose, onSaved }: ContactFormModalProps) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ContactForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch('kind', form);
  const editing = contact !== undefined;
  const today = todayLocalDate();

  const initialValues: ContactForm = contact
    ? {
      kind: contact.kind,
      value: revealedValue ?? '',
      status: contact.status,
      source: contact.source ?? undefined,
      lastVerified: contact.lastVerified ? dayjs(contact.lastVerified, DATE) : null,
      isServiceAddress: contact.isServiceAddress,
      note: contact.note ?? '',
    }
    : { kind: '手机', value: '', status: '未核实', source: undefined, lastVerified: null, isServiceAddress: false, note: '' };

  function patchOf(c: Contact, v: ContactForm): ContactPatch {
    const patch: ContactPatch = {};
    const value = v.value?.trim() ?? '';
    // An empty value keeps the stored one; so does the revealed value unchanged.
    if (value !== '' && value !== (revealedValue ?? '')) patch.value = value;
    if (v.kind !== c.kind) patch.kind = v.kind;
    if (v.status !== c.status) patch.status = v.status;
    if (v.source !== undefined && v.source !== c.source) patch.source = v.source;
    const lastVerified = v.lastVerified ? v.lastVerified.format(DATE) : null;
    if (lastVerified !== c.lastVerified) patch.lastVerified = lastVerified;
    if (v.isServiceAddress !== c.isServiceAddress) patch.isServiceAddress = v.isServiceAddress;
    const note = v.note?.trim() || null;
    if (note !== (c.note ?? null)) patch.note = note;
    return patch;
  }

  async function submit() {
    let v: ContactForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setError(undefined);
    let saved: Contact;
    let valueChanged: boolean;
    setBusy(true);
    try {
      if (contact) {
        const patch = patchOf(contact, v);
        if (Object.keys(patch).length === 0) {
          void message.info('未作修改');
          onClose();
          return;
        }
        saved = await api.updateContact(contact.id, patch);
        valueChanged = patch.value !== undefined || patch.kind !== undefined;
      } else {
        const input: ContactInput = {
          kind: v.kind,
          value: v.value ?? '',
          status: v.status,
          source: v.source ?? '',
          lastVerified: v.lastVerified ? v.lastVerified.format(DATE) : null,
          isServiceAddress: v.isServiceAddress,
          note: v.note?.trim() || null,
        };
        saved = await api.addContact(ownerId, input);
        valueChanged = true;
      }
    } catch (e) {
      setError(applyServerErrors(form, e, FIELDS));
      return;
    } finally {
      setBusy(false);
    }
    void message.success(editing ? `已更新联系方式 ${saved.masked}` : `已新增联系方式 ${saved.masked}`);
    onSaved(saved, valueChanged);
  }

  return (
    <Modal
      open
      title={`${editing ? '编辑联系方式' : '新增联系方式'} · ${ownerName}`}
      onOk={() => void submit()}
      onCancel={onClose}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'contact-submit' }}
      cancelButtonProps={{ 'data-testid': 'contact-cancel' }}
      width={560}
      maskClosable={false}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="contact-form-error" />}
      <Form<ContactForm> form={form} name="contact" layout="vertical" requiredMark={false} initialValues={initialValues} data-testid="contact-form">
        <Form.Item name="kind" label="类型" rules={[{ required: true, message: '请选择类型' }]} data-testid="contact-kind-item">
          <Select<string> options={CONTACT_KINDS.map((k) => ({ value: k, label: k }))} data-testid="contact-kind" />
        </Form.Item>
        <Form.Item
          name="value"
          label="号码/地址"
          data-testid="contact-value-item"
          rules={editing ? [] : [{ required: true, whitespace: true, message: '请输入号码或地址' }]}
          extra={editing && revealedValue === undefined ? `当前为 ${contact.masked}（已脱敏）；留空则不修改` : undefined}
        >
          {kind === '送达地址' ? (
            <Input.TextArea rows={2} maxLength={300} autoComplete="off" placeholder={VALUE_PLACEHOLDERS[kind]} data-testid="contact-value-input" />
          ) : (
            <Input
              maxLength={300}
              autoComplete="off"
              placeholder={editing && revealedValue === undefined ? contact.masked : VALUE_PLACEHOLDERS[kind ?? '']}
              data-testid="contact-value-input"
            />
          )}
        </Form.Item>
        <Form.Item name="status" label="状态" rules={[{ required: true, message: '请选择状态' }]} data-testid="contact-status-item">
          <Select<string> options={CONTACT_STATUSES.map((s) => ({ value: s, label: s }))} data-testid="contact-status" />
        </Form.Item>
        <Form.Item name="source" label="来源" rules={[{ required: true, message: '请选择来源' }]} data-testid="contact-source-item">
          <Select<string> placeholder="这条联系方式从何而来" options={CONTACT_SOURCES.map((s) => ({ value: s, label: s }))} data-testid="contact-source" />
        </Form.Item>
        <Form.Item name="lastVerified" label="最近核实日期" data-testid="contact-last-verified-item">
          <DatePicker
            format={DATE}
            placeholder="未核实则留空"
            style={{ width: '100%' }}
            disabledDate={(d) => d.format(DATE) > today}
            data-testid="contact-last-verified"
          />
        </Form.Item>
        <Form.Item name="isServiceAddress" valuePropName="checked" data-testid="contact-service-address-item">
          <Checkbox data-testid="contact-service-address">作为送达地址（文书送达以此为准）</Checkbox>
        </Form.Item>
        <Form.Item name="note" label="备注" extra="不得登记工作单位、亲友等第三方联系方式" data-testid="contact-note-item">
          <Input.TextArea rows={2} maxLength={200} showCount placeholder="如：晚上 8 点后勿电话" data-testid="contact-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
