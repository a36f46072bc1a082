import { useEffect, useState, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Col, DatePicker, Empty, Form, Input, InputNumber, Popconfirm, Radio, Row, Select, Skeleton, Space, Switch, Tag, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined, SaveOutlined, UndoOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { ApiError, api, errorMessage, type DunningPolicy, type FieldIssue, type PolicyStep } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ACTOR_LABELS, CHANNEL_LABELS, STEP_ACTORS, STEP_CHANNELS, describeStep, policyIssuePlace } from '../dunning.ts';
import { formatInstant } from '../format.ts';
import { useApi } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

interface Row { uid: number; step: PolicyStep }
interface Draft { policy: Omit<DunningPolicy, 'steps'>; rows: Row[] }

let nextUid = 1;
const toDraft = (p: DunningPolicy): Draft => {
  const { steps, ...rest } = p;
  return { policy: { ...rest, limitationAlertMonths: [...rest.limitationAlertMonths] }, rows: steps.map((s) => ({ uid: nextUid++, step: { ...s, channels: [...s.channels] } })) };
};
const fromDraft = (d: Draft): DunningPolicy => ({ ...d.policy, steps: d.rows.map((r) => r.step) });

/** A new step: a call by the collector a week after the previous one, to be named by the user. */
function newStep(rows: Row[]): PolicyStep {
  let n = rows.length + 1;
  while (rows.some((r) => r.step.key === `step_${n}`)) n++;
  return { key: `step_${n}`, name: '', anchor: 'previous', offsetDays: 7, windowDays: 7, channels: ['call'], actor: 'collector', approval: null, template: 'call_script', enabled: true };
}

const ALERT_MONTH_OPTIONS = [1, 2, 3, 4, 6, 9, 12, 18, 24].map((m) => ({ value: m, label: `${m} 个月` }));

/**
 * 催缴流程设置: a project's collection ladder (the default until one is saved), step by step. Saving sends the whole
 * policy; the server refuses prohibited measures (停水停电, 门禁, 公开点名, 联系单位 …, R1–R5, R49) and other problems with
 * one issue per field, each shown on its step and field with the legal reason. Read-only without dunning.configure.
 */
export default function DunningPolicyPage() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const loaded = useApi(projectId === undefined ? null : () => api.dunningPolicy(projectId), [projectId]);
  const [draft, setDraft] = useState<Draft | undefined>(undefined);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const editable = can('dunning.configure');

  useEffect(() => {
    if (loaded.data) {
      setDraft(toDraft(loaded.data.policy));
      setIssues([]);
      setError(undefined);
    }
  }, [loaded.data]);

  const setPolicy = (patch: Partial<Draft['policy']>) => setDraft((d) => (d ? { ...d, policy: { ...d.policy, ...patch } } : d));
  const setStep = (uid: number, patch: Partial<PolicyStep>) =>
    setDraft((d) => (d ? { ...d, rows: d.rows.map((r) => (r.uid === uid ? { ...r, step: { ...r.step, ...patch } } : r)) } : d));
  /** Adding, moving or removing a step shifts the indexes the issues refer to: they are cleared. */
  const setRows = (f: (rows: Row[]) => Row[]) => {
    setDraft((d) => (d ? { ...d, rows: f(d.rows) } : d));
    setIssues([]);
    setError(undefined);
  };

  async function save() {
    if (!draft || projectId === undefined) return;
    setSaving(true);
    setIssues([]);
    setError(undefined);
    try {
      const saved = await api.saveDunningPolicy(projectId, fromDraft(draft));
      void message.success(`已保存为第 ${saved.version} 版`);
      loaded.reload();
    } catch (e) {
      if (e instanceof ApiError && e.details?.length) setIssues(e.details);
      else setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  const placed = issues.map((i) => ({ ...i, ...policyIssuePlace(i.field) }));
  const stepIssues = (index: number) => placed.filter((i) => i.step === index);
  const generalIssues = placed.filter((i) => i.step === null);
  const fieldHas = (index: number | null, field: string) => placed.some((i) => i.step === index && i.field === field);
  const prohibited = issues.some((i) => i.code === 'PROHIBITED_ACTION');

  return (
    <div data-testid="dunning-policy">
      <Typography.Title level={4} style={{ marginTop: 0 }}>催缴流程设置</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        {loaded.data && (
          <span data-testid="policy-version" data-version={loaded.data.version}>
            {loaded.data.isDefault
              ? <Tag>默认流程（本项目尚未保存过）</Tag>
              : <Tag color="blue">第 {loaded.data.version} 版 · {loaded.data.createdBy} · {formatInstant(loaded.data.createdAt)}</Tag>}
          </span>
        )}
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {loaded.error && <Alert type="error" showIcon title={loaded.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : !draft ? <Skeleton active /> : (
        <>
          <Typography.Paragraph type="secondary">
            停水、停电、限制门禁电梯、拒绝维修、公开欠费业主姓名、联系业主单位或亲友等措施违法，任何步骤都不能使用（R1–R5、R49）。律师函与起诉须经人工审批，并以已送达且期限届满的催告为前提（R7、R11）。
            {!editable && ' 当前角色只能查看。'}
          </Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
          {issues.length > 0 && (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 16 }}
              data-testid="policy-issues"
              data-prohibited={prohibited ? 'true' : 'false'}
              title={`未保存：共 ${issues.length} 处问题${generalIssues.length < issues.length ? '，已在相应步骤标出' : ''}`}
              description={generalIssues.length > 0 ? <ul style={{ margin: 0, paddingInlineStart: 20 }}>{generalIssues.map((i, k) => <li key={k}>{i.message}</li>)}</ul> : undefined}
            />
          )}
          <Form layout="vertical" size="small" disabled={!editable}>
            <Card size="small" title="总体设置" style={{ marginBottom: 16 }}>
              <Row gutter={16}>
                <Col span={10}>
                  <Form.Item label="执行方式" validateStatus={fieldHas(null, 'mode') ? 'error' : undefined}>
                    <Radio.Group value={draft.policy.mode} onChange={(e) => setPolicy({ mode: e.target.value as DunningPolicy['mode'] })} data-testid="policy-mode">
                      <Radio value="sequential">按顺序逐步执行</Radio>
                      <Radio value="catch_up">补齐进度（晚发现的欠费户直接进入应到步骤）</Radio>
                    </Radio.Group>
                  </Form.Item>
                </Col>
                <Col span={6}>
                  <Form.Item label="催告给予的缴费期限（天，≥15，R7）" validateStatus={fieldHas(null, 'demandDeadlineDays') ? 'error' : undefined}>
                    <InputNumber min={0} max={365} precision={0} value={draft.policy.demandDeadlineDays} onChange={(v) => setPolicy({ demandDeadlineDays: v ?? 0 })} style={{ width: '100%' }} data-testid="policy-deadline" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item label="诉讼时效届满前预警（R15）" validateStatus={fieldHas(null, 'limitationAlertMonths') ? 'error' : undefined}>
                    <Select<number[]> mode="multiple" value={draft.policy.limitationAlertMonths} options={ALERT_MONTH_OPTIONS} onChange={(v) => setPolicy({ limitationAlertMonths: v })} />
                  </Form.Item>
                </Col>
              </Row>
            </Card>
            {draft.rows.map((r, i) => (
              <StepCard
                key={r.uid}
                index={i}
                count={draft.rows.length}
                step={r.step}
                issues={stepIssues(i).map((x) => x.message)}
                fieldHas={(f) => fieldHas(i, f)}
                editable={editable}
                onChange={(patch) => setStep(r.uid, patch)}
                onMove={(delta) => setRows((rows) => {
                  const next = [...rows];
                  const [row] = next.splice(i, 1);
                  next.splice(i + delta, 0, row!);
                  return next;
                })}
                onRemove={() => setRows((rows) => rows.filter((x) => x.uid !== r.uid))}
              />
            ))}
          </Form>
          {editable && (
            <Space style={{ marginTop: 8 }}>
              <Button icon={<PlusOutlined />} onClick={() => setRows((rows) => [...rows, { uid: nextUid++, step: newStep(rows) }])} data-testid="policy-add-step">添加步骤</Button>
              <Button type="primary" icon={<SaveOutlined />} loading={saving} onClick={() => void save()} data-testid="policy-save">保存为新版本</Button>
              <Button icon={<UndoOutlined />} onClick={() => loaded.data && (setDraft(toDraft(loaded.data.policy)), setIssues([]), setError(undefined))} data-testid="policy-reset">放弃修改</Button>
            </Space>
          )}
        </>
      )}
    </div>
  );
}

interface StepCardProps {
  index: number;
  count: number;
  step: PolicyStep;
  issues: string[];
  fieldHas: (field: string) => boolean;
  editable: boolean;
  onChange: (patch: Partial<PolicyStep>) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}

function StepCard({ index, count, step, issues, fieldHas, editable, onChange, onMove, onRemove }: StepCardProps) {
  const status = (f: string) => (fieldHas(f) ? 'error' as const : undefined);
  const item = (label: ReactNode, field: string, child: ReactNode, testId?: string) => (
    <Form.Item label={label} validateStatus={status(field)} style={{ marginBottom: 8 }} data-testid={testId} data-error={fieldHas(field) ? 'true' : undefined}>{child}</Form.Item>
  );
  let description: string;
  try {
    description = describeStep(step);
  } catch {
    description = '';
  }
  const signOff = step.legalSignOff ?? null;
  return (
    <Card
      size="small"
      style={{ marginBottom: 12, borderColor: issues.length ? '#ff4d4f' : undefined, opacity: step.enabled ? 1 : 0.75 }}
      data-testid="policy-step"
      data-index={index}
      data-key={step.key}
      data-has-issues={issues.length ? 'true' : 'false'}
      title={<span>第 {index + 1} 步 · {step.name || <Typography.Text type="secondary">（未命名）</Typography.Text>}</span>}
      extra={(
        <Space size={4}>
          <Switch size="small" checked={step.enabled} onChange={(v) => onChange({ enabled: v })} checkedChildren="启用" unCheckedChildren="停用" disabled={!editable} data-testid="step-enabled" />
          {editable && (
            <>
              <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={index === 0} onClick={() => onMove(-1)} aria-label="上移" />
              <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={index === count - 1} onClick={() => onMove(1)} aria-label="下移" />
              <Popconfirm title="删除这一步？" okText="删除" cancelText="取消" onConfirm={onRemove}>
                <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label="删除" data-testid="step-remove" />
              </Popconfirm>
            </>
          )}
        </Space>
      )}
    >
      {issues.length > 0 && (
        <Alert type="error" showIcon style={{ marginBottom: 8 }} data-testid="step-issues" title={issues.length === 1 ? issues[0] : <ul style={{ margin: 0, paddingInlineStart: 20 }}>{issues.map((m, k) => <li key={k}>{m}</li>)}</ul>} />
      )}
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="step-description">{description}</Typography.Paragraph>
      <Row gutter={12}>
        <Col span={8}>{item('名称', 'name', <Input value={step.name} maxLength={40} onChange={(e) => onChange({ name: e.target.value })} data-testid="step-name" />, 'step-name-item')}</Col>
        <Col span={4}>{item('标识', 'key', <Input value={step.key} onChange={(e) => onChange({ key: e.target.value.trim() })} data-testid="step-key" />)}</Col>
        <Col span={4}>{item('起算点', 'anchor', (
          <Select value={step.anchor} onChange={(v) => onChange({ anchor: v })} options={[{ value: 'due', label: '缴费到期日' }, { value: 'previous', label: '上一步完成日' }]} />
        ))}</Col>
        <Col span={4}>{item('偏移（天）', 'offsetDays', <InputNumber value={step.offsetDays} precision={0} onChange={(v) => onChange({ offsetDays: v ?? 0 })} style={{ width: '100%' }} />)}</Col>
        <Col span={4}>{item('执行窗口（天）', 'windowDays', <InputNumber value={step.windowDays} precision={0} onChange={(v) => onChange({ windowDays: v ?? 0 })} style={{ width: '100%' }} />)}</Col>
      </Row>
      <Row gutter={12}>
        <Col span={8}>{item('催缴方式', 'channels', (
          <Select<string[]> mode="multiple" value={step.channels} onChange={(v) => onChange({ channels: v as PolicyStep['channels'] })} options={STEP_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))} data-testid="step-channels" />
        ))}</Col>
        <Col span={4}>{item('执行人', 'actor', <Select value={step.actor} onChange={(v) => onChange({ actor: v })} options={STEP_ACTORS.map((a) => ({ value: a, label: ACTOR_LABELS[a] }))} />)}</Col>
        <Col span={4}>{item('审批', 'approval', (
          <Select<string> value={step.approval ?? ''} onChange={(v) => onChange({ approval: v === '' ? null : v as PolicyStep['actor'] })}
            options={[{ value: '', label: '无须审批' }, ...STEP_ACTORS.filter((a) => a !== 'system').map((a) => ({ value: a, label: `${ACTOR_LABELS[a]}审批` }))]} />
        ))}</Col>
        <Col span={4}>{item('模板', 'template', <Input value={step.template} onChange={(e) => onChange({ template: e.target.value.trim() })} />)}</Col>
        <Col span={4}>{item('欠费满（月）时发出', 'minArrearsMonths', (
          <InputNumber value={step.minArrearsMonths ?? null} min={0} precision={0} placeholder="不限" style={{ width: '100%' }}
            onChange={(v) => onChange({ minArrearsMonths: v ? v : undefined })} />
        ))}</Col>
      </Row>
      <Space size="large" wrap>
        <Form.Item validateStatus={status('onMissedPromise')} style={{ marginBottom: 0 }}>
          <Checkbox checked={step.onMissedPromise ?? false} onChange={(e) => onChange({ onMissedPromise: e.target.checked || undefined })}>承诺未兑现时发出</Checkbox>
        </Form.Item>
        <Form.Item validateStatus={status('requiresDeliveredDemand')} style={{ marginBottom: 0 }}>
          <Checkbox checked={step.requiresDeliveredDemand ?? false} onChange={(e) => onChange({ requiresDeliveredDemand: e.target.checked || undefined })}>须催告已送达且期限届满（R7）</Checkbox>
        </Form.Item>
      </Space>
      {(step.channels.includes('public_notice') || fieldHas('legalSignOff')) && (
        <Card size="small" type="inner" title="律师审核意见（启用不记名公示必填，R46）" style={{ marginTop: 8, borderColor: fieldHas('legalSignOff') ? '#ff4d4f' : undefined }}>
          <Row gutter={12}>
            <Col span={6}>{item('律师', 'legalSignOff', <Input value={signOff?.by ?? ''} onChange={(e) => onChange({ legalSignOff: { by: e.target.value, on: signOff?.on ?? '', note: signOff?.note ?? '' } })} />)}</Col>
            <Col span={6}>{item('审核日期', 'legalSignOff', (
              <DatePicker value={signOff?.on ? dayjs(signOff.on) : null} format="YYYY-MM-DD" style={{ width: '100%' }}
                onChange={(d) => onChange({ legalSignOff: { by: signOff?.by ?? '', on: d ? d.format('YYYY-MM-DD') : '', note: signOff?.note ?? '' } })} />
            ))}</Col>
            <Col span={12}>{item('审核意见', 'legalSignOff', <Input value={signOff?.note ?? ''} onChange={(e) => onChange({ legalSignOff: { by: signOff?.by ?? '', on: signOff?.on ?? '', note: e.target.value } })} />)}</Col>
          </Row>
        </Card>
      )}
    </Card>
  );
}
