import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Descriptions, Empty, Input, Space, Table, Typography } from 'antd';
import { FilePdfOutlined, SaveOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import { api, errorMessage } from '../api.ts';
import { todayLocalDate } from '../format.ts';
import { dayParam, useApi, withParams } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

/**
 * 催缴周报: the Friday meeting's report (default 15:00) — the week's money per collector and building, the promises
 * that fell due (kept, broken, pending), the hard cases and the meeting notes; the same as an A4 PDF.
 */
export default function WeeklyReportPage() {
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const today = todayLocalDate();
  const day = dayParam(params, 'day', today);
  const report = useApi(projectId === undefined ? null : () => api.weeklyReport(projectId, day), [projectId, day]);
  const [notes, setNotes] = useState('');
  useEffect(() => { setNotes(report.data?.notes?.text ?? ''); }, [report.data]);
  const r = report.data;

  async function save() {
    if (projectId === undefined) return;
    try {
      await api.saveWeeklyNotes(projectId, day, notes);
      void message.success('纪要已保存');
      report.reload();
    } catch (e) {
      void message.error(errorMessage(e));
    }
  }

  return (
    <div data-testid="weekly-report" style={{ maxWidth: 960 }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>催缴周报</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <ProjectPicker value={project} />
        <DatePicker picker="week" allowClear={false} value={dayjs(day)} onChange={(d) => { if (d) setParams(withParams(params, { day: d.format('YYYY-MM-DD') })); }} />
        {projectId !== undefined && <Button icon={<FilePdfOutlined />} href={api.weeklyReportPdfUrl(projectId, day)} target="_blank" data-testid="weekly-pdf">下载 PDF</Button>}
      </Space>
      {report.error && <Alert type="error" showIcon title={report.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : r && (
        <>
          <Descriptions bordered size="small" column={3} style={{ marginBottom: 16 }} items={[
            { key: 'week', label: '周期', children: `${r.from} 至 ${r.to}` },
            { key: 'meeting', label: '例会', children: r.meeting },
            { key: 'total', label: '本周实收', children: <b data-testid="weekly-total">{r.collected.total}</b> },
            { key: 'due', label: '到期承诺', children: r.promises.due },
            { key: 'kept', label: '兑现 / 未兑现 / 待到期', children: <span data-testid="weekly-promises">{r.promises.kept} / {r.promises.broken} / {r.promises.pending}</span> },
            { key: 'hard', label: '疑难户', children: r.hardCases.length },
          ]} />
          <Space align="start" wrap style={{ marginBottom: 16 }}>
            <Table rowKey="name" size="small" pagination={false} dataSource={r.collected.byCollector} title={() => '各收费员实收'}
              columns={[{ title: '收费员', dataIndex: 'name' }, { title: '实收', dataIndex: 'amount', align: 'right' }]} />
            <Table rowKey="building" size="small" pagination={false} dataSource={r.collected.byBuilding} title={() => '各楼栋实收'}
              columns={[{ title: '楼栋', dataIndex: 'building' }, { title: '实收', dataIndex: 'amount', align: 'right' }]} />
            <Table rowKey="name" size="small" pagination={false} dataSource={r.promises.byCollector} title={() => '承诺兑现'}
              columns={[{ title: '收费员', dataIndex: 'name' }, { title: '到期', dataIndex: 'due' }, { title: '兑现', dataIndex: 'kept' }, { title: '未兑现', dataIndex: 'broken' }, { title: '待到期', dataIndex: 'pending' }]} />
          </Space>
          <Table rowKey="house" size="small" pagination={false} dataSource={r.hardCases} title={() => '疑难户'} style={{ marginBottom: 16 }}
            columns={[{ title: '房屋', dataIndex: 'house' }, { title: '欠费', dataIndex: 'owed' }, { title: '拒交原因', dataIndex: 'reason' }, { title: '主管指引', dataIndex: 'note' }]} />
          <Card size="small" title="例会纪要" extra={<Button size="small" type="primary" icon={<SaveOutlined />} disabled={report.loading} onClick={() => void save()} data-testid="weekly-notes-save">保存</Button>}>
            <Input.TextArea rows={4} maxLength={4000} value={notes} onChange={(e) => setNotes(e.target.value)} data-testid="weekly-notes" />
            {r.notes && <Typography.Text type="secondary">最后保存：{r.notes.by}</Typography.Text>}
          </Card>
        </>
      )}
    </div>
  );
}
