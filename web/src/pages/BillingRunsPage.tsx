import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Descriptions, Empty, Input, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { CheckCircleOutlined, EyeOutlined, SyncOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { Link, useSearchParams } from 'react-router-dom';
import { formatYuan } from '../../../core/money.ts';
import { api, errorMessage, type AdjustmentLine, type AdjustmentReport, type BillRun, type BillRunReport } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useApi } from '../hooks.ts';
import { formatDate, formatInstant, todayLocalDate } from '../format.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const PERIOD = 'YYYY-MM';
type ItemRow = BillRunReport['byItem'][number];
type SkipRow = BillRunReport['skips'][number] & { key: number };

function periodParam(v: string | null): string | undefined {
  return v !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(v) ? v : undefined;
}

/**
 * 出账: preview a project's bill run for a month (nothing is written), then commit it. A rerun never bills twice: what
 * already exists is counted, not created. Amounts arrive as integer fen and are only formatted here (formatYuan).
 */
export default function BillingRunsPage() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const mayRun = can('billing.run');
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const period = periodParam(params.get('period')) ?? todayLocalDate().slice(0, 7);
  const [report, setReport] = useState<BillRunReport | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'preview' | 'commit' | undefined>(undefined);
  const runs = useApi(projectId === undefined ? null : () => api.billRuns(projectId), [projectId]);
  const feeItems = useApi(projectId === undefined ? null : () => api.feeItems(projectId), [projectId]);
  const itemName = new Map((feeItems.data?.items ?? []).map((i) => [i.id, i.name]));

  // A report belongs to the project and month it was made for.
  const shown = report && report.projectId === projectId && report.period === period ? report : undefined;
  // Commit what was just previewed, when it would create something (a rerun would only count what exists).
  const canCommit = mayRun && shown !== undefined && shown.dryRun && shown.billingMonth && shown.created > 0;
  const commitHint = shown === undefined || !shown.dryRun ? '请先预览本账期' : shown.created === 0 ? '没有需要新增的费用' : undefined;

  function setPeriod(p: string) {
    const next = new URLSearchParams(params);
    next.set('period', p);
    setParams(next);
    setError(undefined);
  }

  async function run(dryRun: boolean) {
    if (projectId === undefined) return;
    setBusy(dryRun ? 'preview' : 'commit');
    setError(undefined);
    try {
      const r = await api.billRun(projectId, period, dryRun);
      setReport(r);
      if (!dryRun) {
        void message.success(r.billingMonth ? `已出账 ${r.period}：新增 ${r.created} 笔，${formatYuan(r.createdFen)}` : '本月不是计费月，未出账');
        runs.reload();
      }
    } catch (e) {
      setReport(undefined);
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  }

  const runColumns: TableProps<BillRun>['columns'] = [
    { title: '账期', dataIndex: 'period', width: 100, render: (v: string) => <span data-testid="bill-run-period">{v}</span> },
    { title: '出账时间', dataIndex: 'createdAt', width: 180, render: (v: string) => formatInstant(v) },
    { title: '操作人', dataIndex: 'createdBy', width: 120 },
    { title: '新增笔数', dataIndex: 'chargesCreated', width: 100, align: 'right', render: (v: number) => <span data-testid="bill-run-created">{v}</span> },
    { title: '新增金额', dataIndex: 'amountFen', width: 160, align: 'right', render: (v: number) => <span data-testid="bill-run-amount">{formatYuan(v)}</span> },
    { title: '已存在（未重复计费）', dataIndex: 'chargesExisting', width: 170, align: 'right' },
    { title: '跳过', dataIndex: 'skipped', align: 'right' },
  ];

  return (
    <div data-testid="billing-runs">
      <Typography.Title level={4} style={{ marginTop: 0 }}>出账</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        <span>账期：</span>
        <span data-testid="bill-period">
          <DatePicker
            picker="month"
            format={PERIOD}
            allowClear={false}
            value={dayjs(`${period}-01`)}
            onChange={(d) => { if (d) setPeriod(d.format(PERIOD)); }}
          />
        </span>
        <Button icon={<EyeOutlined />} disabled={projectId === undefined} loading={busy === 'preview'} onClick={() => void run(true)} data-testid="bill-preview">预览</Button>
        {mayRun && (
          <Button
            type="primary"
            icon={<CheckCircleOutlined />}
            disabled={!canCommit || busy !== undefined}
            loading={busy === 'commit'}
            onClick={() => void run(false)}
            title={canCommit ? undefined : commitHint}
            data-testid="bill-commit"
          >
            确认出账
          </Button>
        )}
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="bill-run-error" />}
      {projectId === undefined ? (
        <Empty description="请先选择项目" />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          {shown ? (
            <ReportView report={shown} itemName={itemName} mayRun={mayRun} />
          ) : (
            <Typography.Text type="secondary">选择账期后点击“预览”：先看将生成的应收，再确认出账。重复出账不会重复计费。</Typography.Text>
          )}
          <AdjustmentSection key={projectId} projectId={projectId} initialPeriod={period} itemName={itemName} mayRun={mayRun} />
          <Card title="出账记录" size="small">
            {runs.error && <Alert type="error" showIcon title={runs.error} style={{ marginBottom: 16 }} />}
            <div data-testid="bill-runs-table" data-loading={runs.loading ? 'true' : 'false'}>
              <Table<BillRun>
                rowKey="id"
                size="middle"
                loading={runs.loading}
                columns={runColumns}
                dataSource={runs.data?.items ?? []}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                locale={{ emptyText: '尚无出账记录' }}
                onRow={(r) => ({ 'data-testid': 'bill-run-row', 'data-period': r.period, 'data-bill-run-id': r.id } as HTMLAttributes<HTMLElement>)}
              />
            </div>
          </Card>
        </Space>
      )}
    </div>
  );
}

function ReportView({ report: r, itemName, mayRun }: { report: BillRunReport; itemName: ReadonlyMap<number, string>; mayRun: boolean }) {
  const attrs = {
    'data-testid': 'bill-report',
    'data-dry-run': r.dryRun ? 'true' : 'false',
    'data-billing-month': r.billingMonth ? 'true' : 'false',
    'data-created': r.created,
    'data-existing': r.existing,
  };
  const title = (
    <Space>
      <span>{r.dryRun ? '出账预览' : '出账结果'} · {r.period}</span>
      {r.dryRun ? <Tag color="blue" data-testid="bill-report-kind">预览（未写入）</Tag> : <Tag color="green" data-testid="bill-report-kind">已出账</Tag>}
    </Space>
  );

  if (!r.billingMonth) {
    return (
      <div {...attrs}>
        <Card title={title} size="small">
          <Alert type="warning" showIcon title="本月不出账" description={r.skips[0]?.reason ?? `${r.period} 不是计费月`} data-testid="bill-report-not-billing-month" />
        </Card>
      </div>
    );
  }

  const itemColumns: TableProps<ItemRow>['columns'] = [
    { title: '收费项目', dataIndex: 'name', render: (v: string) => <span data-testid="bill-item-name">{v}</span> },
    { title: '业主 笔数', dataIndex: 'charges', width: 110, align: 'right' },
    { title: '业主 金额', dataIndex: 'amountFen', width: 160, align: 'right', render: (v: number) => <span data-testid="bill-item-amount">{formatYuan(v)}</span> },
    { title: '开发商（未交付）笔数', dataIndex: 'developerCharges', width: 170, align: 'right' },
    { title: '开发商 金额', dataIndex: 'developerFen', width: 160, align: 'right', render: (v: number) => formatYuan(v) },
  ];
  const skipColumns: TableProps<SkipRow>['columns'] = [
    {
      title: '房屋', dataIndex: 'houseId', width: 110,
      render: (v: number | null, row: SkipRow) => (v === null ? '—' : <Link to={`/houses/${v}`}>{row.houseNumber ?? `#${v}`}</Link>),
    },
    { title: '收费项目', dataIndex: 'feeItemId', width: 160, render: (v: number | null) => (v === null ? '—' : itemName.get(v) ?? `#${v}`) },
    { title: '原因', dataIndex: 'reason', render: (v: string) => <span data-testid="bill-skip-reason">{v}</span> },
  ];

  return (
    <div {...attrs}>
      <Card title={title} size="small">
        <Descriptions
          size="small"
          bordered
          column={{ xs: 1, md: 2, xl: 3 }}
          style={{ marginBottom: 16 }}
          items={[
            { key: 'created', label: r.dryRun ? '本次将生成' : '本次生成', children: <span data-testid="bill-report-created">新增 {r.created} 笔</span> },
            { key: 'total', label: '新增金额', children: <Typography.Text strong data-testid="bill-report-total">{formatYuan(r.createdFen)}</Typography.Text> },
            { key: 'existing', label: '已存在', children: <span data-testid="bill-report-existing">已存在 {r.existing} 笔（不重复计费）</span> },
            { key: 'months', label: '计费月份', children: r.months.join('、') },
            { key: 'due', label: '缴费截止日', children: <span data-testid="bill-report-due-date">{formatDate(r.dueDate)}</span> },
            { key: 'skipped', label: '跳过', children: <span data-testid="bill-report-skipped">{r.skipped} 项</span> },
            ...(r.billRunId !== null ? [{ key: 'run', label: '出账批次', children: `#${r.billRunId}` }] : []),
            ...(r.prepaidDeducted ? [{
              key: 'prepaid', label: '预存抵扣',
              children: (
                <span data-testid="bill-report-prepaid" data-amount-fen={r.prepaidDeducted.amountFen}>
                  {r.prepaidDeducted.houses} 户，{formatYuan(r.prepaidDeducted.amountFen)}
                </span>
              ),
            }] : []),
          ]}
        />
        {r.dryRun && r.created > 0 && (
          <Typography.Paragraph type="secondary" style={{ marginBottom: 16 }}>确认出账后，设置了“预收抵扣”的收费项目将自动以业主的预存款抵扣新出账的费用。</Typography.Paragraph>
        )}
        {r.dryRun && r.created > 0 && !mayRun && (
          <Alert type="info" showIcon title="确认出账须由管理员或财务执行" style={{ marginBottom: 16 }} />
        )}
        <Typography.Title level={5}>按收费项目</Typography.Title>
        <Table<ItemRow>
          rowKey="feeItemId"
          size="small"
          columns={itemColumns}
          dataSource={r.byItem}
          pagination={false}
          locale={{ emptyText: r.existing > 0 ? '没有需要新增的费用（均已出账）' : '没有需要新增的费用' }}
          onRow={(i) => ({ 'data-testid': 'bill-item-row', 'data-fee-item-id': i.feeItemId } as HTMLAttributes<HTMLElement>)}
          summary={(rows) => {
            if (rows.length < 2) return null;
            // Integer fen: exact sums.
            const sum = (f: (x: ItemRow) => number) => rows.reduce((a, x) => a + f(x), 0);
            return (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>合计</Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right">{sum((x) => x.charges)}</Table.Summary.Cell>
                <Table.Summary.Cell index={2} align="right">{formatYuan(sum((x) => x.amountFen))}</Table.Summary.Cell>
                <Table.Summary.Cell index={3} align="right">{sum((x) => x.developerCharges)}</Table.Summary.Cell>
                <Table.Summary.Cell index={4} align="right">{formatYuan(sum((x) => x.developerFen))}</Table.Summary.Cell>
              </Table.Summary.Row>
            );
          }}
        />
        {r.skipped > 0 && (
          <>
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              跳过 {r.skipped} 项{r.skips.length < r.skipped ? `（列出前 ${r.skips.length} 项）` : ''}
            </Typography.Title>
            <Table<SkipRow>
              rowKey="key"
              size="small"
              columns={skipColumns}
              dataSource={r.skips.map((s, key) => ({ ...s, key }))}
              pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
              onRow={() => ({ 'data-testid': 'bill-skip-row' } as HTMLAttributes<HTMLElement>)}
              data-testid="bill-skips"
            />
          </>
        )}
      </Card>
    </div>
  );
}

type AdjustRow = AdjustmentLine & { key: number };

/**
 * 按现行标准调整: a period already billed is priced again with the fee standards as they now stand (e.g. a standard
 * corrected after the run). Preview first (billing.read), then commit with a reason (billing.run): each difference is an
 * adjustment entry on the charge, never an edit; overpaid principal of a lowered charge goes to the payer's prepaid.
 */
function AdjustmentSection({ projectId, initialPeriod, itemName, mayRun }: { projectId: number; initialPeriod: string; itemName: ReadonlyMap<number, string>; mayRun: boolean }) {
  const { message } = AntApp.useApp();
  const [period, setPeriod] = useState(initialPeriod);
  const [reason, setReason] = useState('');
  const [report, setReport] = useState<AdjustmentReport | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'preview' | 'commit' | undefined>(undefined);
  const shown = report?.period === period ? report : undefined;
  const canCommit = mayRun && shown !== undefined && shown.dryRun && shown.adjusted > 0 && reason.trim() !== '';
  const commitHint = shown === undefined || !shown.dryRun ? '请先预览' : shown.adjusted === 0 ? '没有需要调整的费用' : !reason.trim() ? '请填写调整原因' : undefined;

  async function run(dryRun: boolean) {
    setBusy(dryRun ? 'preview' : 'commit');
    setError(undefined);
    try {
      const r = await api.billAdjust(projectId, period, dryRun, reason);
      setReport(r);
      if (!dryRun) void message.success(`已调整 ${r.adjusted} 笔：调增 ${formatYuan(r.increaseFen)}，调减 ${formatYuan(r.decreaseFen)}`);
    } catch (e) {
      setReport(undefined);
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  }

  const columns: TableProps<AdjustRow>['columns'] = [
    { title: '房屋', dataIndex: 'houseNumber', width: 110, render: (v: string, l) => <Link to={`/houses/${l.houseId}`} data-testid="adjust-house">{v || `#${l.houseId}`}</Link> },
    { title: '收费项目', dataIndex: 'feeItemId', width: 130, render: (v: number) => itemName.get(v) ?? `#${v}` },
    { title: '期间', dataIndex: 'period', width: 90 },
    { title: '缴费人', dataIndex: 'billTo', width: 90, render: (v: string) => (v === 'developer' ? '开发商' : '业主') },
    { title: '调整前', dataIndex: 'beforeFen', width: 120, align: 'right', render: (v: number) => <span data-testid="adjust-before">{formatYuan(v)}</span> },
    { title: '调整后', dataIndex: 'afterFen', width: 120, align: 'right', render: (v: number) => <span data-testid="adjust-after">{formatYuan(v)}</span> },
    {
      title: '差额', key: 'diff', width: 120, align: 'right',
      render: (_, l) => {
        const d = l.afterFen - l.beforeFen;
        return <Typography.Text type={d < 0 ? 'success' : 'danger'} data-testid="adjust-diff">{d > 0 ? '+' : ''}{formatYuan(d)}</Typography.Text>;
      },
    },
    { title: '依据', dataIndex: 'basis', render: (v: string) => <span data-testid="adjust-basis">{v}</span> },
  ];

  return (
    <Card title="按现行标准调整" size="small" data-testid="adjust-card">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        收费标准更正后，按现行标准重新计算已出账账期的应收：差额记为调整分录，不修改原应收；调低后多缴的本金转入缴费人的预存款。先预览，确认调整须填写原因并记入审计。
      </Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>账期：</span>
        <span data-testid="adjust-period">
          <DatePicker
            picker="month"
            format={PERIOD}
            allowClear={false}
            value={dayjs(`${period}-01`)}
            onChange={(d) => { if (d) { setPeriod(d.format(PERIOD)); setError(undefined); } }}
          />
        </span>
        <Input
          style={{ width: 320 }}
          maxLength={500}
          placeholder={mayRun ? '调整原因（确认调整时必填）' : '调整原因'}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="adjust-reason"
        />
        <Button icon={<EyeOutlined />} loading={busy === 'preview'} disabled={busy === 'commit'} onClick={() => void run(true)} data-testid="adjust-preview">预览</Button>
        {mayRun && (
          <Button
            type="primary"
            icon={<SyncOutlined />}
            disabled={!canCommit || busy !== undefined}
            loading={busy === 'commit'}
            onClick={() => void run(false)}
            title={canCommit ? undefined : commitHint}
            data-testid="adjust-commit"
          >
            确认调整
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="adjust-error" />}
      {shown && (
        <div data-testid="adjust-report" data-dry-run={shown.dryRun ? 'true' : 'false'} data-adjusted={shown.adjusted}>
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, md: 2, xl: 3 }}
            style={{ marginBottom: 16 }}
            items={[
              { key: 'kind', label: '类型', children: shown.dryRun ? <Tag color="blue" data-testid="adjust-report-kind">预览（未写入）</Tag> : <Tag color="green" data-testid="adjust-report-kind">已调整</Tag> },
              { key: 'adjusted', label: shown.dryRun ? '将调整' : '已调整', children: <span data-testid="adjust-count">{shown.adjusted} 笔</span> },
              { key: 'months', label: '计费月份', children: shown.months.join('、') },
              { key: 'increase', label: '调增合计', children: <span data-testid="adjust-increase">{formatYuan(shown.increaseFen)}</span> },
              { key: 'decrease', label: '调减合计', children: <span data-testid="adjust-decrease">{formatYuan(shown.decreaseFen)}</span> },
              { key: 'transferred', label: '多缴转入预存', children: <span data-testid="adjust-transferred">{formatYuan(shown.transferredFen)}</span> },
              ...(shown.missing > 0 ? [{ key: 'missing', label: '尚未出账', children: <span data-testid="adjust-missing">{shown.missing} 笔（运行出账即可补出）</span> }] : []),
            ]}
          />
          {shown.dryRun && shown.adjusted > 0 && !mayRun && (
            <Alert type="info" showIcon title="确认调整须由管理员或财务执行" style={{ marginBottom: 16 }} />
          )}
          <Table<AdjustRow>
            rowKey="key"
            size="small"
            columns={columns}
            dataSource={shown.lines.map((l, key) => ({ ...l, key }))}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: '已出账的费用与现行标准一致，无需调整' }}
            onRow={(l) => ({ 'data-testid': 'adjust-line', 'data-charge-id': l.chargeId } as HTMLAttributes<HTMLElement>)}
            title={shown.lines.length < shown.adjusted ? () => `列出前 ${shown.lines.length} 笔，共 ${shown.adjusted} 笔` : undefined}
          />
        </div>
      )}
    </Card>
  );
}
