import { lazy, Suspense, type HTMLAttributes, type ReactNode } from 'react';
import { Alert, Card, Col, DatePicker, Empty, Input, Radio, Row, Skeleton, Space, Statistic, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { CheckCircleOutlined, CloseCircleOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import { formatYuan } from '../../../core/money.ts';
import { api, type CollectionRates, type FundReport } from '../api.ts';
import { formatRateBp } from '../billing.ts';
import { todayLocalDate } from '../format.ts';
import { useApi, withParams, validDay } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

// echarts is heavy: its chunk is fetched only when a report is shown.
const ChannelPie = lazy(() => import('../components/ChannelPie.tsx'));

const DAY = 'YYYY-MM-DD';
type ChannelRow = FundReport['byChannel'][number];
type ItemRow = FundReport['byItem'][number];

/** Definitions from docs/collection-rates.md, as staff read them. */
const RATE_HELP = {
  current: '当期收缴率 = 截至统计日已收到的本金 ÷ 到期日在本月内的应收本金。',
  arrears: '清欠率 = 本月初至统计日收回的往期欠费本金 ÷ 月初仍欠的往期本金（到期日在本月之前、月初前未收的部分）。',
  combined: '综合收缴率 =（当期已收 + 清欠收回）÷（当期应收 + 月初欠费）。',
  common: '只计本金，逾期违约金与预存款另计，不抬高收缴率；分母为 0 时显示“—”（不是 100%）。冲正的收款自冲正之日起不再计入。',
};

/**
 * 资金日报: the money a project received on a day (or in a range), optionally by one cashier: per channel, per fee item
 * (当期 / 清欠 / 逾期违约金) and to prepaid; 账实相符 when the split adds up to what was received; and the month's 收缴率.
 */
export default function FundReportPage() {
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const today = todayLocalDate();
  const from = validDay(params.get('from')) ?? today;
  const toParam = validDay(params.get('to'));
  const to = toParam !== undefined && toParam >= from ? toParam : from;
  const range = toParam !== undefined;
  const cashier = params.get('cashier')?.trim() || undefined;

  const report = useApi(projectId === undefined ? null : () => api.fundReport(projectId, { from, to, cashier }), [projectId, from, to, cashier]);
  // The month of the (last) day, as of that day.
  const month = { from: dayjs(to).startOf('month').format(DAY), to: dayjs(to).endOf('month').format(DAY), asOf: to };
  const rates = useApi(projectId === undefined ? null : () => api.collectionRates(projectId, month), [projectId, month.from, month.to, month.asOf]);

  const update = (changes: Record<string, string | undefined>) => setParams(withParams(params, changes));

  const r = report.data;
  return (
    <div data-testid="fund-report">
      <Typography.Title level={4} style={{ marginTop: 0 }}>资金日报</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        <Radio.Group
          optionType="button"
          value={range ? 'range' : 'day'}
          onChange={(e) => update(e.target.value === 'range' ? { to: from } : { to: undefined })}
          options={[{ value: 'day', label: '按日' }, { value: 'range', label: '按期间' }]}
          data-testid="fund-mode"
        />
        <span data-testid="fund-date">
          {range ? (
            <DatePicker.RangePicker
              format={DAY}
              allowClear={false}
              value={[dayjs(from), dayjs(to)]}
              onChange={(v) => { if (v?.[0] && v[1]) update({ from: v[0].format(DAY), to: v[1].format(DAY) }); }}
            />
          ) : (
            <DatePicker format={DAY} allowClear={false} value={dayjs(from)} onChange={(d) => { if (d) update({ from: d.format(DAY) }); }} />
          )}
        </span>
        <Input.Search
          key={cashier ?? ''}
          defaultValue={cashier}
          placeholder="收款人用户名（可选）"
          allowClear
          style={{ width: 240 }}
          onSearch={(v) => update({ cashier: v.trim() || undefined })}
          data-testid="fund-cashier"
        />
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? (
        <Empty description="请先选择项目" />
      ) : (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          {report.error && <Alert type="error" showIcon title={report.error} />}
          {r ? <ReportView report={r} loading={report.loading} /> : !report.error && <Skeleton active />}
          <RatesCard rates={rates.data} error={rates.error} loading={rates.loading} month={month.from.slice(0, 7)} asOf={month.asOf} />
        </Space>
      )}
    </div>
  );
}

function ReportView({ report: r, loading }: { report: FundReport; loading: boolean }) {
  const t = r.totals;
  const channelColumns: TableProps<ChannelRow>['columns'] = [
    { title: '收款方式', dataIndex: 'channel', render: (v: string) => <span data-testid="fund-channel-name">{v}</span> },
    { title: '笔数', dataIndex: 'payments', width: 90, align: 'right' },
    { title: '金额', dataIndex: 'amountFen', width: 150, align: 'right', render: (v: number) => <span data-testid="fund-channel-amount">{formatYuan(v)}</span> },
  ];
  const itemColumns: TableProps<ItemRow>['columns'] = [
    { title: '收费项目', dataIndex: 'item' },
    { title: '当期', dataIndex: 'currentFen', width: 130, align: 'right', render: (v: number) => formatYuan(v) },
    { title: '清欠', dataIndex: 'arrearsFen', width: 130, align: 'right', render: (v: number) => formatYuan(v) },
    { title: '逾期违约金', dataIndex: 'lateFeeFen', width: 130, align: 'right', render: (v: number) => formatYuan(v) },
    { title: '小计', key: 'sum', width: 140, align: 'right', render: (_, x) => formatYuan(x.currentFen + x.arrearsFen + x.lateFeeFen) },
  ];
  const period = r.from === r.to ? r.from : `${r.from} 至 ${r.to}`;

  return (
    <div data-testid="fund-report-view" data-loading={loading ? 'true' : 'false'} data-from={r.from} data-to={r.to} data-received-fen={t.receivedFen}>
      <Card
        size="small"
        title={<Space>{period}{r.cashier && <Tag>收款人：{r.cashier}</Tag>}</Space>}
        extra={r.balanced
          ? <Tag color="success" icon={<CheckCircleOutlined />} data-testid="fund-balanced" data-balanced="true">账实相符</Tag>
          : <Tag color="error" icon={<CloseCircleOutlined />} data-testid="fund-balanced" data-balanced="false">账实不符</Tag>}
      >
        <Row gutter={[16, 16]} style={{ marginBottom: 8 }}>
          <Col xs={12} md={8} xl={4} data-testid="fund-total-received"><Statistic title="收款合计" value={formatYuan(t.receivedFen)} /></Col>
          <Col xs={12} md={8} xl={4}><Statistic title="当期" value={formatYuan(t.currentFen)} /></Col>
          <Col xs={12} md={8} xl={4}><Statistic title="清欠" value={formatYuan(t.arrearsFen)} /></Col>
          <Col xs={12} md={8} xl={4}><Statistic title="逾期违约金" value={formatYuan(t.lateFeeFen)} /></Col>
          <Col xs={12} md={8} xl={4} data-testid="fund-total-prepaid"><Statistic title="转入预存" value={formatYuan(t.prepaidFen)} /></Col>
        </Row>
        <Typography.Text type="secondary">
          当期 + 清欠 + 逾期违约金 + 预存 = {formatYuan(t.currentFen + t.arrearsFen + t.lateFeeFen + t.prepaidFen)}，收款合计 {formatYuan(t.receivedFen)}。
          当期指本月及以后账期的费用，清欠指往月账期的欠费。
        </Typography.Text>
      </Card>
      <Row gutter={16} style={{ marginTop: 16 }}>
        <Col xs={24} xl={12}>
          <Card size="small" title="按收款方式" style={{ marginBottom: 16 }}>
            <Table<ChannelRow>
              rowKey="channel"
              size="small"
              columns={channelColumns}
              dataSource={r.byChannel}
              pagination={false}
              locale={{ emptyText: '当日无收款' }}
              onRow={(c) => ({ 'data-testid': 'fund-channel-row', 'data-channel': c.channel, 'data-amount-fen': c.amountFen } as HTMLAttributes<HTMLElement>)}
              summary={(rows) => rows.length === 0 ? null : (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>合计</Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">{rows.reduce((s, x) => s + x.payments, 0)}</Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">{formatYuan(rows.reduce((s, x) => s + x.amountFen, 0))}</Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title="收款方式占比" style={{ marginBottom: 16 }}>
            {r.byChannel.some((c) => c.amountFen > 0) ? (
              <Suspense fallback={<Skeleton.Node active style={{ width: '100%', height: 280 }} />}>
                <ChannelPie data={r.byChannel.map((c) => ({ name: c.channel, valueFen: c.amountFen }))} />
              </Suspense>
            ) : (
              <Empty description="无收款" image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
        </Col>
      </Row>
      <Card size="small" title="按收费项目">
        <Table<ItemRow>
          rowKey="item"
          size="small"
          columns={itemColumns}
          dataSource={r.byItem}
          pagination={false}
          locale={{ emptyText: '无冲抵应收的收款' }}
          onRow={(x) => ({ 'data-testid': 'fund-item-row', 'data-item': x.item } as HTMLAttributes<HTMLElement>)}
          summary={() => (
            <>
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>转入预存</Table.Summary.Cell>
                <Table.Summary.Cell index={1} colSpan={3} />
                <Table.Summary.Cell index={4} align="right">{formatYuan(t.prepaidFen)}</Table.Summary.Cell>
              </Table.Summary.Row>
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}><Typography.Text strong>合计</Typography.Text></Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right">{formatYuan(t.currentFen)}</Table.Summary.Cell>
                <Table.Summary.Cell index={2} align="right">{formatYuan(t.arrearsFen)}</Table.Summary.Cell>
                <Table.Summary.Cell index={3} align="right">{formatYuan(t.lateFeeFen)}</Table.Summary.Cell>
                <Table.Summary.Cell index={4} align="right">
                  <Typography.Text strong>{formatYuan(t.currentFen + t.arrearsFen + t.lateFeeFen + t.prepaidFen)}</Typography.Text>
                </Table.Summary.Cell>
              </Table.Summary.Row>
            </>
          )}
        />
      </Card>
    </div>
  );
}

function RateStat({ title, help, rateBp, detail, testId }: { title: string; help: string; rateBp: number | null; detail: ReactNode; testId: string }) {
  return (
    <Col xs={24} md={8} data-testid={testId} data-rate-bp={rateBp ?? ''}>
      <Statistic
        title={<Tooltip title={<>{help}<br />{RATE_HELP.common}</>}><span style={{ cursor: 'help' }}>{title} <QuestionCircleOutlined /></span></Tooltip>}
        value={formatRateBp(rateBp)}
      />
      <Typography.Text type="secondary">{detail}</Typography.Text>
    </Col>
  );
}

/** The three 收缴率 of the month (docs/collection-rates.md), as of the report's day. */
function RatesCard({ rates, error, loading, month, asOf }: { rates: CollectionRates | undefined; error: string | undefined; loading: boolean; month: string; asOf: string }) {
  return (
    <Card size="small" title={`${month} 收缴率（截至 ${asOf}）`} data-testid="collection-rates" data-loading={loading ? 'true' : 'false'}>
      {error && <Alert type="error" showIcon title={error} />}
      {rates ? (
        <Row gutter={[16, 16]}>
          <RateStat
            title="当期收缴率"
            help={RATE_HELP.current}
            rateBp={rates.current.rateBp}
            detail={`已收 ${formatYuan(rates.current.collectedFen)} / 应收 ${formatYuan(rates.current.billedFen)}`}
            testId="rate-current"
          />
          <RateStat
            title="清欠率"
            help={RATE_HELP.arrears}
            rateBp={rates.arrears.rateBp}
            detail={`收回 ${formatYuan(rates.arrears.recoveredFen)} / 月初欠费 ${formatYuan(rates.arrears.openingFen)}`}
            testId="rate-arrears"
          />
          <RateStat
            title="综合收缴率"
            help={RATE_HELP.combined}
            rateBp={rates.combined.rateBp}
            detail={`已收 ${formatYuan(rates.combined.collectedFen)} / 应收 ${formatYuan(rates.combined.dueFen)}`}
            testId="rate-combined"
          />
        </Row>
      ) : !error && <Skeleton active paragraph={{ rows: 2 }} />}
    </Card>
  );
}
