import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, DatePicker, Descriptions, Empty, Modal, Space, Switch, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { EyeOutlined, PlayCircleOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { Link, useSearchParams } from 'react-router-dom';
import { formatYuan } from '../../../core/money.ts';
import { api, errorMessage, type SweepLine, type SweepReport } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { CASE_STATE_COLORS, CASE_STATE_LABELS, actorLabel, channelLabel, notBeforeLabel } from '../dunning.ts';
import { formatDate, todayLocalDate } from '../format.ts';
import { dayParam, withParams } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const DAY = 'YYYY-MM-DD';

/**
 * 催缴计划: what the daily sweep would do on a day — for every payer owing something, the one next action and why — as a
 * preview that changes nothing; 执行 (dunning.run: supervisors and project managers) commits it. Each action is created
 * at most once, so running twice creates nothing the second time. The day is kept in the address (?asOf=).
 */
export default function DunningPlanPage() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const today = todayLocalDate();
  const asOf = dayParam(params, 'asOf', today);
  const [report, setReport] = useState<SweepReport | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'preview' | 'run' | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [onlyActions, setOnlyActions] = useState(true);

  async function go(kind: 'preview' | 'run') {
    if (projectId === undefined) return;
    setBusy(kind);
    setError(undefined);
    try {
      const r = kind === 'preview' ? await api.dunningPlan(projectId, asOf) : await api.dunningRun(projectId, asOf);
      setReport(r);
      if (kind === 'run') void message.success(`已执行：新建 ${r.created} 个任务，已有 ${r.existing} 个`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
      setConfirming(false);
    }
  }

  const lines = (report?.lines ?? []).filter((l) => !onlyActions || l.action !== null);
  const columns: TableProps<SweepLine>['columns'] = [
    {
      title: '房屋', key: 'house', width: 130,
      render: (_, l) => <Link to={`/houses/${l.houseId}/collection`} data-testid="plan-house">{l.house}</Link>,
    },
    { title: '状态', dataIndex: 'state', width: 110, render: (v: string) => <Tag color={CASE_STATE_COLORS[v] ?? 'default'}>{(CASE_STATE_LABELS as Record<string, string>)[v] ?? v}</Tag> },
    { title: '欠费', dataIndex: 'owedFen', width: 110, align: 'right', render: (v: number) => formatYuan(v) },
    {
      title: '今日任务', key: 'action', width: 260,
      render: (_, l) => (l.action ? (
        <Space orientation="vertical" size={0}>
          <span data-testid="plan-action">{l.action.name}</span>
          <Space size={2} wrap>
            <Tag>{channelLabel(l.action.channel)}</Tag>
            <Tag>{actorLabel(l.action.actor)}</Tag>
            {l.action.approval && <Tag color="gold">须{actorLabel(l.action.approval)}审批</Tag>}
            {l.action.late && <Tag color="red">已逾期</Tag>}
            {l.action.notBefore && <Tag color="blue" data-testid="plan-not-before">{notBeforeLabel(l.action.notBefore, report?.asOf)}</Tag>}
            {l.exists && <Tag color="default">已生成</Tag>}
          </Space>
        </Space>
      ) : <Typography.Text type="secondary">—</Typography.Text>),
    },
    { title: '原因', dataIndex: 'why', width: 300, render: (v: string) => <span data-testid="plan-why">{v}</span> },
    { title: '下次日期', dataIndex: 'nextActionAt', width: 110, render: (v: string | null) => formatDate(v) },
    {
      title: '跳过', key: 'skipped', width: 70,
      render: (_, l) => (l.skipped.length ? (
        <Tooltip title={<ul style={{ margin: 0, paddingInlineStart: 16 }}>{l.skipped.map((s) => <li key={s.key}>{s.name}：{s.reason}</li>)}</ul>}>
          <Tag>{l.skipped.length} 步</Tag>
        </Tooltip>
      ) : '—'),
    },
  ];

  return (
    <div data-testid="dunning-plan">
      <Typography.Title level={4} style={{ marginTop: 0 }}>催缴计划</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        <span>日期：</span>
        <span data-testid="plan-as-of">
          <DatePicker
            format={DAY} allowClear={false} value={dayjs(asOf)}
            onChange={(d) => { if (d) { setParams(withParams(params, { asOf: d.format(DAY) === today ? undefined : d.format(DAY) })); setReport(undefined); } }}
          />
        </span>
        <Button icon={<EyeOutlined />} onClick={() => void go('preview')} loading={busy === 'preview'} disabled={projectId === undefined} data-testid="plan-preview">预览</Button>
        {can('dunning.run') && (
          <Button type="primary" icon={<PlayCircleOutlined />} onClick={() => setConfirming(true)} disabled={projectId === undefined || busy !== undefined} data-testid="plan-run">执行</Button>
        )}
      </Space>
      <Typography.Paragraph type="secondary">
        预览不做任何修改；执行后生成当天的催缴任务（同一案件、步骤、渠道、周期只生成一次），须审批的任务进入“审批”页。
      </Typography.Paragraph>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="plan-error" />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : !report ? <Empty description="选择日期后点击“预览”" /> : (
        <div data-testid="plan-report" data-dry-run={report.dryRun ? 'true' : 'false'} data-created={report.created} data-existing={report.existing}>
          <Descriptions
            bordered size="small" column={4} style={{ marginBottom: 16 }}
            title={report.dryRun ? `预览（${report.asOf}）` : `已执行（${report.asOf}）`}
            items={[
              { key: 'cases', label: '欠费户/案件', children: report.cases },
              { key: 'actions', label: '当日任务', children: report.actions },
              { key: 'created', label: report.dryRun ? '将新建' : '新建', children: <span data-testid="plan-created">{report.created}</span> },
              { key: 'existing', label: '已存在', children: report.existing },
              { key: 'resolved', label: '结清', children: report.resolved },
              { key: 'superseded', label: '被取代', children: report.superseded },
              { key: 'version', label: '流程版本', children: report.policyVersion === 0 ? '默认流程' : `第 ${report.policyVersion} 版` },
              { key: 'filter', label: '仅显示有任务的', children: <Switch size="small" checked={onlyActions} onChange={setOnlyActions} /> },
            ]}
          />
          <Table<SweepLine>
            rowKey={(l) => `${l.houseId}:${l.ownershipId}`}
            size="small"
            columns={columns}
            dataSource={lines}
            scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false, showTotal: (n) => `共 ${n} 户` }}
            onRow={(l) => ({ 'data-testid': 'plan-line', 'data-house-id': l.houseId, 'data-has-action': l.action ? 'true' : 'false' } as HTMLAttributes<HTMLElement>)}
          />
        </div>
      )}
      <Modal
        open={confirming}
        title={`执行 ${asOf} 的催缴计划？`}
        okText="执行"
        cancelText="取消"
        onOk={() => void go('run')}
        onCancel={() => setConfirming(false)}
        confirmLoading={busy === 'run'}
        okButtonProps={{ 'data-testid': 'plan-run-confirm' }}
      >
        <Typography.Paragraph>将为每个欠费户生成当天的催缴任务并更新案件状态。同一任务不会重复生成。</Typography.Paragraph>
        {asOf !== today && <Alert type="warning" showIcon title={`所选日期不是今天（${today}）`} />}
      </Modal>
    </div>
  );
}
