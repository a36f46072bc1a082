import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Empty, InputNumber, Space, Table, Typography, type TableProps } from 'antd';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import { api, errorMessage, type KpiRow, type KpiWeights } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatRateBp } from '../billing.ts';
import { todayLocalDate } from '../format.ts';
import { useApi, withParams } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const DAY = 'YYYY-MM-DD';
const WEIGHT_LABELS: Record<keyof KpiWeights, string> = {
  combinedRate: '综合收缴率（每百分点）', contactedShare: '每周联系两次比例（每百分点）', keptPromise: '兑现承诺（每户）', brokenPromise: '未兑现承诺（每户）', recoveredPerThousand: '实收（每千元）',
};

/** 催缴绩效: per collector and per building over a period, with the company's reward/penalty score. */
export default function KpiPage() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const today = todayLocalDate();
  const from = params.get('from') ?? `${today.slice(0, 7)}-01`;
  const to = params.get('to') ?? today;
  const kpis = useApi(projectId === undefined ? null : () => api.kpis(projectId, from, to), [projectId, from, to]);
  const [weights, setWeights] = useState<KpiWeights | undefined>(undefined);
  useEffect(() => { setWeights(kpis.data?.weights); }, [kpis.data]);

  const common: TableProps<KpiRow>['columns'] = [
    { title: '分户数', dataIndex: 'houses', align: 'right' },
    { title: '每周联系≥2次', dataIndex: 'contactedTwiceWeeklyBp', align: 'right', render: formatRateBp },
    { title: '承诺', dataIndex: 'promises', align: 'right' },
    { title: '兑现/未兑现', key: 'kb', align: 'right', render: (_, r) => `${r.kept} / ${r.broken}` },
    { title: '兑现率', dataIndex: 'keptRateBp', align: 'right', render: formatRateBp },
    { title: '实收', dataIndex: 'recovered', align: 'right' },
    { title: '当期收缴率', key: 'cur', align: 'right', render: (_, r) => formatRateBp(r.rates.currentBp) },
    { title: '清欠率', key: 'arr', align: 'right', render: (_, r) => formatRateBp(r.rates.arrearsBp) },
    { title: '综合收缴率', key: 'all', align: 'right', render: (_, r) => formatRateBp(r.rates.combinedBp) },
  ];

  async function saveWeights() {
    if (!weights) return;
    try {
      await api.saveKpiWeights(weights);
      void message.success('权重已保存');
      kpis.reload();
    } catch (e) {
      void message.error(errorMessage(e));
    }
  }

  return (
    <div data-testid="kpi-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>催缴绩效</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <ProjectPicker value={project} />
        <DatePicker.RangePicker
          format={DAY} allowClear={false} value={[dayjs(from), dayjs(to)]}
          onChange={(v) => { if (v?.[0] && v[1]) setParams(withParams(params, { from: v[0].format(DAY), to: v[1].format(DAY) })); }}
        />
      </Space>
      <Typography.Paragraph type="secondary">收缴率口径与资金日报一致；每周联系≥2次 = 所分房屋在各周（周一至周日）中被联系至少两次的比例；得分 = Σ 权重 × 指标。</Typography.Paragraph>
      {kpis.error && <Alert type="error" showIcon title={kpis.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : kpis.data && (
        <>
          <Table
            rowKey="userId" size="small" pagination={false} scroll={{ x: 'max-content' }} title={() => '收费员'} style={{ marginBottom: 16 }} dataSource={kpis.data.collectors}
            columns={[{ title: '收费员', dataIndex: 'name' }, ...(common as TableProps<(typeof kpis.data.collectors)[number]>['columns'] ?? []), { title: '得分', dataIndex: 'score', align: 'right', render: (v: number) => <b data-testid="kpi-score">{v}</b> }]}
          />
          <Table
            rowKey="building" size="small" pagination={false} scroll={{ x: 'max-content' }} title={() => '楼栋'} style={{ marginBottom: 16 }} dataSource={kpis.data.buildings}
            columns={[{ title: '楼栋', dataIndex: 'building' }, ...(common as TableProps<(typeof kpis.data.buildings)[number]>['columns'] ?? [])]}
          />
          {weights && (
            <Card size="small" title="得分权重（公司设定）" extra={can('dunning.configure') && <Button size="small" type="primary" onClick={() => void saveWeights()}>保存权重</Button>}>
              <Space wrap>
                {(Object.keys(WEIGHT_LABELS) as (keyof KpiWeights)[]).map((k) => (
                  <span key={k}>{WEIGHT_LABELS[k]}：<InputNumber size="small" value={weights[k]} min={-100} max={100} step={0.5} disabled={!can('dunning.configure')} onChange={(v) => setWeights({ ...weights, [k]: v ?? 0 })} /></span>
                ))}
              </Space>
            </Card>
          )}
        </>
      )}
    </div>
  );
}
