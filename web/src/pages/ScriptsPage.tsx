import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Empty, Input, Select, Space, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { api, ApiError, errorMessage, type ScriptBook } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useApi } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

/**
 * 话术与答客问: a project's call scripts (shown on the collectors' worklist, placeholders filled in) and its answer book
 * (an answer comes up when the owner's words contain one of its keywords). Everyone reads; supervisors and above edit.
 * Saving keeps a new version; threats and third parties are refused with the field named.
 */
export default function ScriptsPage() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const loaded = useApi(projectId === undefined ? null : () => api.scriptBook(projectId), [projectId]);
  const [book, setBook] = useState<ScriptBook | undefined>(undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const editable = can('scripts.manage');
  useEffect(() => { setBook(loaded.data?.book); setErrors({}); }, [loaded.data]);

  async function save() {
    if (projectId === undefined || !book) return;
    setSaving(true);
    setErrors({});
    try {
      const r = await api.saveScriptBook(projectId, book);
      void message.success(`已保存第 ${r.version} 版`);
      loaded.reload();
    } catch (e) {
      if (e instanceof ApiError && e.details?.length) setErrors(Object.fromEntries(e.details.map((d) => [d.field, d.message])));
      void message.error(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }
  const err = (field: string) => errors[field] && <Typography.Text type="danger" data-testid="script-error" data-field={field}>{errors[field]}</Typography.Text>;
  const setScript = (i: number, patch: Partial<ScriptBook['scripts'][number]>) => setBook((b) => b && { ...b, scripts: b.scripts.map((s, k) => (k === i ? { ...s, ...patch } : s)) });
  const setAnswer = (i: number, patch: Partial<ScriptBook['answers'][number]>) => setBook((b) => b && { ...b, answers: b.answers.map((a, k) => (k === i ? { ...a, ...patch } : a)) });

  return (
    <div data-testid="scripts-page" style={{ maxWidth: 960 }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>话术与答客问</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
        {loaded.data && <Typography.Text type="secondary">{loaded.data.isDefault ? '默认版本（来自培训资料）' : `第 ${loaded.data.version} 版，${loaded.data.createdBy ?? ''} 保存`}</Typography.Text>}
        {editable && book && <Button type="primary" icon={<SaveOutlined />} loading={saving} disabled={loaded.loading} onClick={() => void save()} data-testid="scripts-save">保存</Button>}
      </Space>
      <Typography.Paragraph type="secondary">话术中可用占位符：{'{公司}{员工}{业主}{房号}{账期}{金额}'}。不得有威胁、羞辱或涉及第三方的用语（R1–R5、R49、R51）。</Typography.Paragraph>
      {loaded.error && <Alert type="error" showIcon title={loaded.error} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : book && (
        <>
          <Typography.Title level={5}>催缴话术</Typography.Title>
          {book.scripts.map((s, i) => (
            <Card key={i} size="small" style={{ marginBottom: 8 }} data-testid="script-card" title={<Input value={s.title} disabled={!editable} onChange={(e) => setScript(i, { title: e.target.value })} variant="borderless" />}
              extra={editable && <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => setBook({ ...book, scripts: book.scripts.filter((_, k) => k !== i) })} />}>
              <Input.TextArea autoSize={{ minRows: 2 }} value={s.text} disabled={!editable} onChange={(e) => setScript(i, { text: e.target.value })} data-testid="script-text" />
              {err(`scripts.${i}.title`)} {err(`scripts.${i}.text`)} {err(`scripts.${i}.key`)}
            </Card>
          ))}
          {editable && <Button icon={<PlusOutlined />} onClick={() => setBook({ ...book, scripts: [...book.scripts, { key: `s${Date.now()}`, title: '新话术', text: '' }] })}>添加话术</Button>}
          <Typography.Title level={5} style={{ marginTop: 24 }}>收费答客问</Typography.Title>
          {book.answers.map((a, i) => (
            <Card key={i} size="small" style={{ marginBottom: 8 }} title={<Input value={a.topic} disabled={!editable} onChange={(e) => setAnswer(i, { topic: e.target.value })} variant="borderless" />}
              extra={editable && <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => setBook({ ...book, answers: book.answers.filter((_, k) => k !== i) })} />}>
              <Select mode="tags" style={{ width: '100%', marginBottom: 8 }} value={a.keywords} disabled={!editable} onChange={(v: string[]) => setAnswer(i, { keywords: v })} placeholder="关键词：业主说到时提示此条" />
              <Input.TextArea autoSize={{ minRows: 2 }} value={a.answer} disabled={!editable} onChange={(e) => setAnswer(i, { answer: e.target.value })} />
              {err(`answers.${i}.topic`)} {err(`answers.${i}.keywords`)} {err(`answers.${i}.answer`)} {err(`answers.${i}.key`)}
            </Card>
          ))}
          {editable && <Button icon={<PlusOutlined />} onClick={() => setBook({ ...book, answers: [...book.answers, { key: `a${Date.now()}`, topic: '新问题', keywords: [], answer: '' }] })}>添加答客问</Button>}
        </>
      )}
    </div>
  );
}
