import { useState } from 'react';
import { Alert, App as AntApp, Button, Form, Input, Modal, Select, Skeleton } from 'antd';
import { OWNER_TAGS } from '../../../core/registry/vocabulary.ts';
import { api, type OwnerDetail, type OwnerPatch, type OwnerUpdated } from '../api.ts';
import { applyServerErrors } from '../formErrors.ts';
import { useApi } from '../hooks.ts';

interface TagsForm {
  tags: string[];
  temperamentNote?: string;
}

const FIELDS = ['tags', 'temperamentNote'] as const;

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t) => b.includes(t));

/**
 * 编辑标签: the owner's tags and temperament note (PATCH /api/owners/:id, owner.write). The house detail does not carry
 * the note, so the owner is loaded first; only what changed is sent. Mounted only while open.
 */
export function OwnerTagsModal({ ownerId, ownerName, onClose, onSaved }: {
  ownerId: number;
  ownerName: string;
  onClose: () => void;
  onSaved: (owner: OwnerUpdated) => void;
}) {
  const owner = useApi(() => api.owner(ownerId), [ownerId]);
  return (
    <Modal
      open
      title={`编辑标签 · ${ownerName}`}
      // The form brings its own buttons once the owner is loaded.
      footer={null}
      onCancel={onClose}
      width={520}
      maskClosable={false}
    >
      {owner.error && <Alert type="error" showIcon title={owner.error} />}
      {!owner.error && !owner.data && <Skeleton active />}
      {owner.data && <TagsForm owner={owner.data} onClose={onClose} onSaved={onSaved} />}
    </Modal>
  );
}

function TagsForm({ owner, onClose, onSaved }: { owner: OwnerDetail; onClose: () => void; onSaved: (owner: OwnerUpdated) => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<TagsForm>();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit() {
    let v: TagsForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const patch: OwnerPatch = {};
    if (!sameSet(v.tags, owner.tags)) patch.tags = v.tags;
    const note = v.temperamentNote?.trim() || null;
    if (note !== owner.temperamentNote) patch.temperamentNote = note;
    if (Object.keys(patch).length === 0) {
      void message.info('未作修改');
      onClose();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.updateOwner(owner.id, patch);
      void message.success(`已更新 ${saved.name} 的标签与备注`);
      onSaved(saved);
    } catch (e) {
      setError(applyServerErrors(form, e, FIELDS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="owner-tags-error" />}
      <Form<TagsForm>
        form={form}
        name="ownerTags"
        layout="vertical"
        requiredMark={false}
        initialValues={{ tags: owner.tags, temperamentNote: owner.temperamentNote ?? '' }}
        data-testid="owner-tags-form"
      >
        <Form.Item name="tags" label="标签">
          <Select<string[]> mode="multiple" allowClear placeholder="无" options={OWNER_TAGS.map((t) => ({ value: t, label: t }))} data-testid="owner-tags-select" />
        </Form.Item>
        <Form.Item name="temperamentNote" label="性格备注" extra="沟通注意事项，供催缴时参考；不得记录工作单位、亲友等第三方联系方式">
          <Input.TextArea rows={3} maxLength={500} showCount placeholder="如：脾气急，宜先寒暄；偏好微信沟通" data-testid="owner-temperament-note" />
        </Form.Item>
      </Form>
      <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
        <Button onClick={onClose}>取消</Button>
        <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="owner-tags-submit">保存</Button>
      </div>
    </>
  );
}
