import { useState } from 'react';
import { Alert, App as AntApp, Form, Input, Modal } from 'antd';
import { api, errorMessage } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useLang } from '../i18n.tsx';

interface PasswordForm {
  current: string;
  next: string;
  confirm: string;
}

/** POST /api/auth/password {current, next}. */
export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useLang();
  const { message } = AntApp.useApp();
  const { refresh } = useAuth();
  const [form] = Form.useForm<PasswordForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit() {
    let values: PasswordForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.changePassword(values.current, values.next);
      // The server ends every session of the user, this one included: log in again with the new password.
      void message.success(t('password.changed'));
      form.resetFields();
      onClose();
      await refresh();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('header.changePassword')}
      open={open}
      onOk={() => void submit()}
      onCancel={() => { form.resetFields(); setError(undefined); onClose(); }}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form<PasswordForm> form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="current" label={t('password.current')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="next" label={t('password.next')} extra={t('password.rule')}
          rules={[{ required: true }, { min: 10, message: t('password.rule') }, { pattern: /(?=.*[A-Za-z])(?=.*\d)/, message: t('password.rule') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="confirm" label={t('password.confirm')} dependencies={['next']}
          rules={[{ required: true }, ({ getFieldValue }) => ({
            validator: (_, v: string | undefined) => (!v || getFieldValue('next') === v ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
          })]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
