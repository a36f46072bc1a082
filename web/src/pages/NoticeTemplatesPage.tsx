import { useEffect, useRef, useState, type ComponentRef, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Drawer, Empty, Form, Input, InputNumber, Row, Select, Space, Spin, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { HistoryOutlined, SaveOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router-dom';
import { api, errorMessage, type NoticeSettings, type NoticeTemplate, type TemplatePreview } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { applyServerErrors } from '../formErrors.ts';
import { formatInstant } from '../format.ts';
import { useApi, useFormSubmit, withParams } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';
import { PERIOD_LIST, TIME_BARRED_NOTE } from '../../../core/notices/vocabulary.ts';

type TextAreaRef = ComponentRef<typeof Input.TextArea>;

const EDITOR_FIELDS = ['title', 'body', 'enabled'] as const;
const SETTINGS_FIELDS = ['disputePhone', 'payWays', 'portalUrl', 'deadlineDays', 'lawFirm'] as const;
/** The live preview asks the server this long after the last keystroke. */
const PREVIEW_DELAY_MS = 400;
/**
 * What a click on a section's tag inserts: the list of periods with each one's figures (flagged when time-barred, where
 * the server knows limitation, R15), and the sentence shown only when some period is time-barred.
 */
function snippetOf(variable: string): string {
  if (variable === 'periods') return PERIOD_LIST;
  if (variable === 'hasTimeBarred') return TIME_BARRED_NOTE;
  return `{{${variable}}}`;
}
const SECTIONS = new Set(['periods', 'hasTimeBarred']);

const VARIABLE_HINTS: Record<string, string> = {
  company: '公司名称', project: '项目名称', house: '房屋（楼栋 房号）', owner: '业主姓名', total: '欠费合计', totalUpper: '合计（大写）', deadline: '缴费期限',
  payWays: '缴费方式', disputePhone: '异议电话', portalUrl: '业主端地址', date: '发出日期', promisedOn: '承诺缴费日', lateFeeRule: '滞纳金计收规则',
  lawFirm: '律师事务所', prepaidBalance: '预存余额', houses: '房号列表（不记名公示）', periods: '逐期欠费列表：账期、应缴日、金额、滞纳金',
  hasTimeBarred: '仅当有账期已过诉讼时效时显示的说明（R15）',
};

const versionText = (t: { isDefault: boolean; version: number }) => (t.isDefault ? '默认' : `第 ${t.version} 版`);

/**
 * 通知模板: the project's notices and SMS texts (one template per kind, each save a new version) with a live preview
 * rendered by the server from sample figures or a chosen house's, and the rules each text must follow (R14 every unpaid
 * period, R51 sender, dispute channel and no threats, R53 SMS signature, R46 the anonymous notice). Below, the notice
 * settings every template draws on. Everyone who reads collection reads; supervisors and above edit.
 */
export default function NoticeTemplatesPage() {
  const { can } = useAuth();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const list = useApi(projectId === undefined ? null : () => api.noticeTemplates(projectId), [projectId]);
  const templates = list.data?.templates ?? [];
  const selected = templates.find((t) => t.kind === params.get('kind')) ?? templates[0];
  const editable = can('notices.manage');

  return (
    <div data-testid="notice-templates">
      <Typography.Title level={4} style={{ marginTop: 0 }}>通知模板</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
      </Space>
      <Typography.Paragraph type="secondary">
        模板使用 Mustache 变量，如 {'{{house}}'}；逐期欠费用 {'{{#periods}}…{{/periods}}'} 列出。催缴文书须逐期列明欠费（R14），写明发出单位和异议渠道、不得威胁（R51）；
        短信须带签名【{'{{company}}'}】并注明“如已缴纳，请忽略本信息”（R53）。每次保存为新版本，已发出的通知保留当时的内容。
      </Typography.Paragraph>
      {(project.error ?? list.error) && <Alert type="error" showIcon title={project.error ?? list.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={7}>
              <Table<NoticeTemplate>
                rowKey="kind" size="small" pagination={false} loading={list.loading && !list.data} dataSource={templates} data-testid="template-list"
                rowClassName={(t) => (t.kind === selected?.kind ? 'ant-table-row-selected' : '')}
                onRow={(t) => ({
                  onClick: () => setParams(withParams(params, { kind: t.kind })), style: { cursor: 'pointer' },
                  'data-testid': 'template-row', 'data-kind': t.kind,
                } as HTMLAttributes<HTMLElement>)}
                columns={[
                  { title: '模板', dataIndex: 'label', render: (v: string) => <span data-testid="template-label">{v}</span> },
                  { title: '版本', key: 'version', width: 80, render: (_, t) => <span data-testid="template-row-version">{versionText(t)}</span> },
                  { title: '状态', dataIndex: 'enabled', width: 64, render: (v: boolean) => (v ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
                ]}
              />
            </Col>
            <Col xs={24} xl={17}>
              {selected && list.data ? (
                <TemplateEditor
                  key={`${projectId}:${selected.kind}:${selected.version}`} projectId={projectId} template={selected} variables={list.data.variables}
                  editable={editable} onSaved={list.reload}
                />
              ) : <Spin />}
            </Col>
          </Row>
          <NoticeSettingsCard projectId={projectId} editable={editable} />
        </>
      )}
    </div>
  );
}

interface EditorValues { title: string; body: string; enabled: boolean }

/** One template's editor and its live preview; mounted afresh for each template and each saved version. */
function TemplateEditor({ projectId, template, variables, editable, onSaved }: {
  projectId: number; template: NoticeTemplate; variables: string[]; editable: boolean; onSaved: () => void;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<EditorValues>();
  const title = Form.useWatch('title', form) ?? template.title;
  const body = Form.useWatch('body', form) ?? template.body;
  const [houseId, setHouseId] = useState<number | undefined>(undefined);
  const { busy: saving, error, submit } = useFormSubmit(form, EDITOR_FIELDS);
  const [historyOpen, setHistoryOpen] = useState(false);
  const textArea = useRef<TextAreaRef>(null);
  /** The body's selection when the user last touched it: where a variable goes. */
  const caret = useRef<[number, number] | undefined>(undefined);
  const isSms = template.kind.startsWith('sms_');

  async function save() {
    const saved = await submit(async (values) => {
      const t = await api.saveTemplate(projectId, template.kind, { title: values.title, body: values.body, enabled: values.enabled });
      void message.success(`已保存${t.label}第 ${t.version} 版`);
    });
    if (saved) onSaved();
  }

  function remember(el: HTMLTextAreaElement) {
    caret.current = [el.selectionStart, el.selectionEnd];
  }

  function insert(variable: string) {
    const snippet = snippetOf(variable);
    const current = form.getFieldValue('body') as string | undefined ?? '';
    const [start, end] = caret.current ?? [current.length, current.length];
    form.setFieldValue('body', current.slice(0, start) + snippet + current.slice(end));
    form.setFields([{ name: 'body', errors: [] }]);
    const at = start + snippet.length;
    caret.current = [at, at];
    requestAnimationFrame(() => {
      const el = textArea.current?.resizableTextArea?.textArea;
      el?.focus();
      el?.setSelectionRange(at, at);
    });
  }

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={13}>
        <Card
          size="small" data-testid="template-editor" data-kind={template.kind}
          title={<Space wrap><span>{template.label}</span><Tag color={template.isDefault ? 'default' : 'blue'} data-testid="template-version">{versionText(template)}</Tag></Space>}
          extra={(
            <Space size={4}>
              <Button size="small" icon={<HistoryOutlined />} onClick={() => setHistoryOpen(true)} data-testid="template-history">历史版本</Button>
              {editable && <Button size="small" type="primary" icon={<SaveOutlined />} loading={saving} onClick={() => void save()} data-testid="template-save">保存</Button>}
            </Space>
          )}
        >
          {template.kind === 'anonymous_notice' && (
            <Alert
              type="warning" showIcon style={{ marginBottom: 12 }} data-testid="template-anonymous-warning"
              title="不记名公示默认停用：只列房号，不得出现业主姓名、房屋明细或金额；启用前须经法务审核（R46）。"
            />
          )}
          {!template.isDefault && <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>{template.createdBy} 于 {formatInstant(template.createdAt)} 保存</Typography.Paragraph>}
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="template-error" />}
          <Form<EditorValues>
            form={form} layout="vertical" disabled={!editable} initialValues={{ title: template.title, body: template.body, enabled: template.enabled }}
            onValuesChange={(changed: Partial<EditorValues>) => form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof EditorValues, errors: [] })))}
          >
            <Form.Item name="title" label="标题" rules={[{ required: true, whitespace: true, message: '请输入标题' }]} data-testid="template-title-item">
              <Input maxLength={100} data-testid="template-title" />
            </Form.Item>
            <Form.Item label="可用变量（点击插入到光标处）" style={{ marginBottom: 8 }}>
              <div data-testid="template-variables">
                {variables.map((v) => (
                  <Tooltip key={v} title={VARIABLE_HINTS[v]}>
                    <Tag
                      role="button" color={SECTIONS.has(v) ? 'purple' : 'blue'} style={{ cursor: editable ? 'pointer' : 'default', marginBottom: 4 }}
                      onClick={() => { if (editable) insert(v); }} data-testid="template-variable" data-name={v}
                    >
                      {SECTIONS.has(v) ? `{{#${v}}}…{{/${v}}}` : `{{${v}}}`}
                    </Tag>
                  </Tooltip>
                ))}
              </div>
            </Form.Item>
            <Form.Item name="body" label={isSms ? '短信内容' : '正文'} rules={[{ required: true, whitespace: true, message: '请输入正文' }]} data-testid="template-body-item">
              <Input.TextArea
                ref={textArea} autoSize={{ minRows: 10, maxRows: 28 }} maxLength={8000} showCount={isSms}
                style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 13 }}
                onSelect={(e) => remember(e.currentTarget)} onKeyUp={(e) => remember(e.currentTarget)} onClick={(e) => remember(e.currentTarget)}
                data-testid="template-body"
              />
            </Form.Item>
            <Form.Item name="enabled" label="启用" valuePropName="checked" style={{ marginBottom: 0 }}>
              <Switch data-testid="template-enabled" />
            </Form.Item>
          </Form>
        </Card>
      </Col>
      <Col xs={24} lg={11}>
        <LivePreview projectId={projectId} kind={template.kind} title={title} body={body} houseId={houseId} setHouseId={setHouseId} />
      </Col>
      <TemplateHistory
        open={historyOpen} projectId={projectId} template={template} editable={editable} onClose={() => setHistoryOpen(false)}
        onLoad={(v) => { form.setFieldsValue({ title: v.title, body: v.body, enabled: v.enabled }); setHistoryOpen(false); void message.info(`已载入第 ${v.version} 版，保存后成为新版本`); }}
      />
    </Row>
  );
}

/** The draft rendered by the server ~400 ms after the last change; a stale answer (the draft changed meanwhile) is dropped. */
function LivePreview({ projectId, kind, title, body, houseId, setHouseId }: {
  projectId: number; kind: string; title: string; body: string; houseId: number | undefined; setHouseId: (id: number | undefined) => void;
}) {
  const [state, setState] = useState<{ key: string; preview?: TemplatePreview; error?: string } | undefined>(undefined);
  const key = JSON.stringify([projectId, kind, title, body, houseId]);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.previewTemplate(projectId, kind, { title, body, ...(houseId !== undefined ? { houseId } : {}) }).then(
        (preview) => { if (live) setState({ key, preview }); },
        (e: unknown) => { if (live) setState({ key, error: errorMessage(e) }); },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // key covers every input of the request.
  }, [key]);

  const fresh = state?.key === key;
  const p = state?.preview;
  return (
    <Card
      size="small" title="实时预览" data-testid="template-preview" data-loading={String(!fresh)} data-ok={p ? String(p.ok) : undefined}
      extra={<HousePicker projectId={projectId} value={houseId} onChange={setHouseId} />}
    >
      {state?.error && <Alert type="error" showIcon title={state.error} style={{ marginBottom: 12 }} data-testid="preview-error" />}
      {p && (
        <>
          {p.ok
            ? <Alert type="success" showIcon title="符合规则，可以保存" style={{ marginBottom: 12 }} data-testid="preview-ok" />
            : (
              <Alert
                type="warning" showIcon style={{ marginBottom: 12 }} data-testid="preview-issues" title="不符合规则，保存会被拒绝："
                description={(
                  <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                    {p.issues.map((i, n) => (
                      <li key={n} data-testid="preview-issue" data-rule={i.rule ?? ''} data-field={i.field}>
                        {i.message}{i.rule && <Tag color="orange" style={{ marginInlineStart: 6 }}>{i.rule}</Tag>}
                      </li>
                    ))}
                  </ul>
                )}
              />
            )}
          <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }} data-testid="preview-source">
            {p.sample ? '示例数据' : `${p.house ?? ''} 的实际欠费`}
          </Typography.Text>
          <Spin spinning={!fresh} delay={300}>
            <div style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 12, background: '#fafafa', overflowX: 'auto' }}>
              {p.title && <Typography.Title level={5} style={{ textAlign: 'center', marginTop: 0 }} data-testid="preview-title">{p.title}</Typography.Title>}
              <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 13, margin: 0 }} data-testid="preview-text">
                {p.text || '（无法渲染：见上方问题）'}
              </pre>
            </div>
          </Spin>
        </>
      )}
      {!state && <Spin />}
    </Card>
  );
}

/** A house of the project to preview with (searched on the server by number or owner); empty: sample figures. */
function HousePicker({ projectId, value, onChange }: { projectId: number; value: number | undefined; onChange: (id: number | undefined) => void }) {
  const [q, setQ] = useState('');
  const houses = useApi(() => api.houses({ projectId, q: q.trim() || undefined, page: 1, pageSize: 20 }), [projectId, q]);
  return (
    <Select<number>
      size="small" style={{ width: 200 }} allowClear placeholder="示例数据（可选房屋）" value={value} onChange={(v) => onChange(v ?? undefined)}
      showSearch={{ filterOption: false, onSearch: setQ }} loading={houses.loading}
      options={(houses.data?.items ?? []).map((h) => ({ value: h.id, label: `${h.buildingName} ${h.number}` }))}
      data-testid="preview-house"
    />
  );
}

function TemplateHistory({ open, projectId, template, editable, onClose, onLoad }: {
  open: boolean; projectId: number; template: NoticeTemplate; editable: boolean; onClose: () => void;
  onLoad: (v: { version: number; title: string; body: string; enabled: boolean }) => void;
}) {
  const history = useApi(open ? () => api.templateHistory(projectId, template.kind) : null, [open, projectId, template.kind, template.version]);
  return (
    <Drawer open={open} onClose={onClose} title={`${template.label} · 历史版本`} size={640} destroyOnHidden data-testid="template-history-drawer">
      {history.error && <Alert type="error" showIcon title={history.error} />}
      {history.loading && <Spin />}
      {history.data?.length === 0 && <Empty description="尚未修改过：使用默认版本" />}
      {history.data?.map((v) => (
        <Card
          key={v.version} size="small" style={{ marginBottom: 12 }} data-testid="template-history-version" data-version={v.version}
          title={<Space wrap><span>第 {v.version} 版</span>{v.enabled ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>}<Typography.Text type="secondary">{v.createdBy} · {formatInstant(v.createdAt)}</Typography.Text></Space>}
          extra={editable && <Button size="small" onClick={() => onLoad(v)}>载入编辑器</Button>}
        >
          <Typography.Text strong>{v.title}</Typography.Text>
          <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontSize: 12, margin: '8px 0 0' }}>{v.body}</pre>
        </Card>
      ))}
    </Drawer>
  );
}

/** 通知设置: what every notice draws on (异议电话, 缴费方式, 业主端地址, 缴费期限, 律师事务所). */
function NoticeSettingsCard({ projectId, editable }: { projectId: number; editable: boolean }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<NoticeSettings>();
  const settings = useApi(() => api.noticeSettings(projectId), [projectId]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  useEffect(() => { if (settings.data) form.setFieldsValue(settings.data); }, [settings.data, form]);

  async function save(values: NoticeSettings) {
    setSaving(true);
    setError(undefined);
    try {
      form.setFieldsValue(await api.saveNoticeSettings(projectId, values));
      void message.success('通知设置已保存');
    } catch (e) {
      setError(applyServerErrors(form, e, SETTINGS_FIELDS));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card size="small" title="通知设置" style={{ marginTop: 16, maxWidth: 960 }} data-testid="notice-settings">
      {(settings.error ?? error) && <Alert type="error" showIcon title={settings.error ?? error} style={{ marginBottom: 12 }} />}
      <Form<NoticeSettings> form={form} layout="vertical" disabled={!editable} onFinish={(v) => void save(v)}>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="disputePhone" label="异议电话" rules={[{ required: true, whitespace: true, message: '请输入异议电话' }]}>
              <Input maxLength={40} data-testid="settings-dispute-phone" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="lawFirm" label="律师事务所（律师函）" rules={[{ required: true, whitespace: true, message: '请输入律师事务所' }]}>
              <Input maxLength={60} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="payWays" label="缴费方式" rules={[{ required: true, whitespace: true, message: '请输入缴费方式' }]}>
              <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item name="portalUrl" label="业主端地址（二维码）" rules={[{ required: true, message: '请输入业主端地址' }]}>
              <Input maxLength={200} placeholder="https://…" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="deadlineDays" label="缴费期限（天）" rules={[{ required: true, message: '请输入缴费期限' }]}>
              <InputNumber min={1} max={60} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        {editable && <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={saving} disabled={settings.loading} data-testid="settings-save">保存设置</Button>}
      </Form>
    </Card>
  );
}
