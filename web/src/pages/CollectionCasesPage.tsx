import type { HTMLAttributes } from 'react';
import { Alert, Empty, Select, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type CaseItem } from '../api.ts';
import { CASE_STATE_COLORS, CASE_STATE_LABELS, CATEGORIES, CATEGORY_LABELS, FOLLOW_UP_KEYS, followUpLabel, notBeforeLabel, stepName } from '../dunning.ts';
import { formatDate, todayLocalDate } from '../format.ts';
import { useApi, withParams, intParam } from '../hooks.ts';
import { ExportMenu } from '../components/ExportMenu.tsx';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const PAGE_SIZE = 20;

/**
 * 催缴案件 (mode 'all'): a project's collection cases, filtered by state, category and next step, the earliest next action
 * first. 今日任务 (mode 'tasks'): the cases whose next action is due today or earlier — a collector's work list for the
 * day. Each house links to its collection timeline, where the work is recorded. Filters and page live in the address.
 */
export default function CollectionCasesPage({ mode }: { mode: 'all' | 'tasks' }) {
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? undefined;
  const category = params.get('category') ?? undefined;
  const stepKey = params.get('stepKey') ?? undefined;
  const page = intParam(params.get('page'), 1);
  const today = todayLocalDate();
  const dueBy = mode === 'tasks' ? today : undefined;
  const policy = useApi(projectId === undefined ? null : () => api.dunningPolicy(projectId), [projectId]);
  const steps = policy.data?.policy.steps ?? [];
  const cases = useApi(projectId === undefined ? null : () => api.cases(projectId, { state, category, stepKey, dueBy, page, pageSize: PAGE_SIZE }),
    [projectId, state, category, stepKey, dueBy, page]);

  const filter = (changes: Record<string, string | undefined>) => setParams(withParams(params, { ...changes, page: undefined }));

  const columns: TableProps<CaseItem>['columns'] = [
    {
      title: '房屋', key: 'house', width: 130,
      render: (_, r) => <Link to={`/houses/${r.houseId}/collection`} data-testid="case-house">{r.house}</Link>,
    },
    {
      title: '状态', key: 'state', width: 120,
      render: (_, r) => (
        <Space size={2} wrap>
          <Tag color={CASE_STATE_COLORS[r.state] ?? 'default'} data-testid="case-state">{r.stateLabel}</Tag>
          {r.excluded && <Tag color="default">已排除</Tag>}
        </Space>
      ),
    },
    { title: '分类', dataIndex: 'categoryLabel', width: 100, render: (v: string | null) => v ?? '—' },
    { title: '欠费', dataIndex: 'owed', width: 110, align: 'right', render: (v: string) => <span data-testid="case-owed">{v}</span> },
    { title: '最早到期日', dataIndex: 'anchorDue', width: 110, render: (v: string | null) => formatDate(v) },
    { title: '下一步', key: 'next', width: 160, render: (_, r) => <span data-testid="case-next">{stepName(r.nextKey, steps)}</span> },
    {
      title: '日期', dataIndex: 'nextActionAt', width: 120,
      render: (v: string | null, r) => (v ? (
        <Space orientation="vertical" size={0}>
          <Typography.Text type={v < today ? 'danger' : undefined}>{formatDate(v)}</Typography.Text>
          {r.notBefore && <Typography.Text type="secondary" data-testid="case-not-before">{notBeforeLabel(r.notBefore, v)}</Typography.Text>}
        </Space>
      ) : '—'),
    },
    // No width: the explanation takes what is left of the row (the table fits 1366 px without scrolling).
    { title: '说明', dataIndex: 'why', ellipsis: { showTitle: true }, render: (v: string | null) => v ?? '—' },
  ];

  return (
    <div data-testid={mode === 'tasks' ? 'collection-tasks' : 'collection-cases'}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>{mode === 'tasks' ? `今日任务（${today}）` : '催缴案件'}</Typography.Title>
      {mode === 'tasks' && (
        <Typography.Paragraph type="secondary">
          下一步应于今天或之前办理的案件。点击房屋进入催缴时间线，按《物业费催缴记录表》记录每次联系；晚间 22:00 至次日 08:00 不得电话、短信或上门（R47）。
        </Typography.Paragraph>
      )}
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        <Select<string>
          allowClear placeholder="全部状态" style={{ width: 140 }} value={state} onChange={(v) => filter({ state: v })} data-testid="case-filter-state"
          options={Object.entries(CASE_STATE_LABELS).map(([value, label]) => ({ value, label }))}
        />
        <Select<string>
          allowClear placeholder="全部分类" style={{ width: 140 }} value={category} onChange={(v) => filter({ category: v })} data-testid="case-filter-category"
          options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
        />
        <Select<string>
          allowClear placeholder="全部步骤" style={{ width: 240 }} value={stepKey} onChange={(v) => filter({ stepKey: v })} data-testid="case-filter-step"
          options={[
            { label: '催缴步骤', options: steps.map((s) => ({ value: s.key, label: s.name })) },
            { label: '分类跟进', options: FOLLOW_UP_KEYS.map((k) => ({ value: k, label: followUpLabel(k) })) },
          ]}
        />
        {mode === 'all' && <ExportMenu projectId={projectId} list="cases" />}
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {cases.error && <Alert type="error" showIcon title={cases.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : (
        <div data-testid="case-table" data-loading={cases.loading ? 'true' : 'false'}>
        <Table<CaseItem>
          rowKey="id"
          size="middle"
          loading={cases.loading}
          columns={columns}
          dataSource={cases.data?.items ?? []}
          locale={{ emptyText: mode === 'tasks' ? '今天没有到期的催缴任务' : '没有符合条件的案件（执行一次催缴计划后生成）' }}
          pagination={{
            current: page, pageSize: PAGE_SIZE, total: cases.data?.total ?? 0, showSizeChanger: false, hideOnSinglePage: true,
            showTotal: (n) => `共 ${n} 件`, onChange: (p) => setParams(withParams(params, { page: p === 1 ? undefined : p })),
          }}
          onRow={(r) => ({ 'data-testid': 'case-row', 'data-case-id': r.id, 'data-house-id': r.houseId, 'data-state': r.state } as HTMLAttributes<HTMLElement>)}
        />
        </div>
      )}
    </div>
  );
}
