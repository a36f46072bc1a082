import type { HTMLAttributes } from 'react';
import { Alert, DatePicker, Empty, Radio, Select, Space, Table, Tooltip, Typography, type TableProps } from 'antd';
import dayjs from 'dayjs';
import { Link, useSearchParams } from 'react-router-dom';
import { formatYuan } from '../../../core/money.ts';
import { api, type AgingKey, type ArrearsReport } from '../api.ts';
import { AGING } from '../billing.ts';
import { todayLocalDate } from '../format.ts';
import { useApi, withParams, intParam, validDay } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const DAY = 'YYYY-MM-DD';
type Level = 'building' | 'house' | 'owner';
type Row = ArrearsReport['items'][number];

const LEVELS: ReadonlyArray<{ value: Level; label: string }> = [
  { value: 'building', label: '楼栋' },
  { value: 'house', label: '房屋' },
  { value: 'owner', label: '业主' },
];

function levelParam(v: string | null): Level {
  return v === 'building' || v === 'owner' ? v : 'house';
}

/**
 * 欠费清单: principal in arrears as of a date, per building, house or owner (the owners of each period, R30), largest
 * first, with the aging buckets as columns. Late fees are not included (they are shown on each house's statement).
 */
export default function ArrearsPage() {
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const level = levelParam(params.get('level'));
  const asOf = validDay(params.get('asOf')) ?? todayLocalDate();
  const buildingId = level === 'building' ? undefined : intParam(params.get('buildingId'));

  const buildings = useApi(projectId === undefined ? null : () => api.buildings(projectId), [projectId]);
  const report = useApi(
    projectId === undefined ? null : () => api.arrearsReport({ level, asOf, projectId, buildingId }),
    [projectId, level, asOf, buildingId],
  );

  const update = (changes: Record<string, string | undefined>) => setParams(withParams(params, changes));

  const r = report.data;
  const nameColumn: NonNullable<TableProps<Row>['columns']>[number] = {
    title: level === 'building' ? '楼栋' : level === 'house' ? '房屋' : '业主（产权期间）',
    key: 'name',
    fixed: 'left',
    width: level === 'house' ? 300 : 180,
    render: (_, row) => {
      if (row.key === null) return '—';
      if (row.houseId !== null) {
        return <Link to={`/houses/${row.houseId}`} data-testid="arrears-house-link">{row.label}</Link>;
      }
      if (level === 'owner') return <Tooltip title="按产权期间归属：原业主的欠费仍由原业主承担（R30）">{row.label}</Tooltip>;
      return row.label;
    },
  };
  const bucketSum = (k: AgingKey) => (r?.items ?? []).reduce((s, x) => s + (x.buckets[k] ?? 0), 0);
  const columns: TableProps<Row>['columns'] = [
    nameColumn,
    { title: '笔数', dataIndex: 'charges', width: 80, align: 'right' },
    {
      title: '欠费合计', dataIndex: 'totalFen', width: 140, align: 'right',
      sorter: (a, b) => a.totalFen - b.totalFen, defaultSortOrder: 'descend', sortDirections: ['descend', 'ascend', 'descend'],
      render: (v: number) => <Typography.Text strong data-testid="arrears-row-total">{formatYuan(v)}</Typography.Text>,
    },
    ...AGING.map((b) => ({
      title: b.label,
      key: b.key,
      width: 120,
      align: 'right' as const,
      render: (_: unknown, row: Row) => {
        const v = row.buckets[b.key];
        return v ? formatYuan(v) : <Typography.Text type="secondary">—</Typography.Text>;
      },
    })),
  ];

  return (
    <div data-testid="arrears">
      <Typography.Title level={4} style={{ marginTop: 0 }}>欠费清单</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        <Radio.Group
          optionType="button"
          value={level}
          onChange={(e) => update({ level: e.target.value as Level })}
          options={LEVELS.map((l) => ({ value: l.value, label: l.label }))}
          data-testid="arrears-level"
        />
        {level !== 'building' && (
          <Select<number>
            allowClear
            placeholder="全部楼栋"
            style={{ minWidth: 160 }}
            value={buildingId}
            onChange={(v) => update({ buildingId: v === undefined ? undefined : String(v) })}
            options={(buildings.data?.items ?? []).map((b) => ({ value: b.id, label: b.name }))}
            data-testid="arrears-building"
          />
        )}
        <span>截至：</span>
        <span data-testid="arrears-as-of">
          <DatePicker format={DAY} allowClear={false} value={dayjs(asOf)} onChange={(d) => { if (d) update({ asOf: d.format(DAY) }); }} />
        </span>
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {report.error && <Alert type="error" showIcon title={report.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? (
        <Empty description="请先选择项目" />
      ) : (
        <>
          <Space wrap size="large" style={{ marginBottom: 12 }}>
            <span>欠费本金合计 <Typography.Text strong type="danger" data-testid="arrears-total" data-total-fen={r?.totalFen ?? ''}>{r ? formatYuan(r.totalFen) : '—'}</Typography.Text></span>
            <span>{r ? `${r.items.length} ${level === 'building' ? '栋' : level === 'house' ? '户' : '个产权期间'}` : ''}</span>
            <Typography.Text type="secondary">
              只计到期未收的本金（到期日不晚于截至日）；逾期违约金见各房屋对账单。{level === 'owner' ? '按产权期间归属（R30）；未交付期间由开发商承担，不计入业主。' : ''}
            </Typography.Text>
          </Space>
          <div data-testid="arrears-table" data-loading={report.loading ? 'true' : 'false'} data-level={r?.level ?? ''}>
            <Table<Row>
              rowKey={(row) => String(row.key)}
              size="small"
              loading={report.loading}
              columns={columns}
              dataSource={r?.items ?? []}
              scroll={{ x: 1400 }}
              pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: '没有欠费' }}
              onRow={(row) => ({ 'data-testid': 'arrears-row', 'data-key': row.key ?? '', 'data-total-fen': row.totalFen } as HTMLAttributes<HTMLElement>)}
              summary={() => (r && r.items.length > 0 ? (
                <Table.Summary fixed>
                  <Table.Summary.Row>
                    <Table.Summary.Cell index={0}><Typography.Text strong>合计</Typography.Text></Table.Summary.Cell>
                    <Table.Summary.Cell index={1} align="right">{r.items.reduce((s, x) => s + x.charges, 0)}</Table.Summary.Cell>
                    <Table.Summary.Cell index={2} align="right"><Typography.Text strong>{formatYuan(r.totalFen)}</Typography.Text></Table.Summary.Cell>
                    {AGING.map((b, i) => <Table.Summary.Cell key={b.key} index={3 + i} align="right">{formatYuan(bucketSum(b.key))}</Table.Summary.Cell>)}
                  </Table.Summary.Row>
                </Table.Summary>
              ) : null)}
            />
          </div>
        </>
      )}
    </div>
  );
}
