import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Empty, Input, List, Popover, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { CheckOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { Link, useSearchParams } from 'react-router-dom';
import { api, errorMessage, type DailyReview, type HardCase, type Signature } from '../api.ts';
import { formatInstant, todayLocalDate } from '../format.ts';
import { dayParam, useApi, withParams } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const DAY = 'YYYY-MM-DD';
type CollectorDay = DailyReview['collectors'][number];

/**
 * 主管检查: the supervisor's day — each collector's 《物业费催缴记录表》 and the 资金日报 of a day, signed off one by one
 * (with a comment), the days of the last two weeks nobody signed, and the hard cases with guidance.
 */
export default function ReviewPage() {
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const today = todayLocalDate();
  const day = dayParam(params, 'day', today);
  const review = useApi(projectId === undefined ? null : () => api.dailyReview(projectId, day), [projectId, day]);
  const hard = useApi(projectId === undefined ? null : () => api.hardCases(projectId), [projectId]);
  const r = review.data;

  const columns: TableProps<CollectorDay>['columns'] = [
    { title: '收费员', dataIndex: 'name', width: 110 },
    { title: '负责户数', dataIndex: 'houses', width: 90, align: 'right' },
    { title: '联系次数', dataIndex: 'attempts', width: 90, align: 'right', render: (v: number) => (v === 0 ? <Tag color="orange">无记录</Tag> : v) },
    { title: '结果', dataIndex: 'outcomes', render: (o: Record<string, number>) => Object.entries(o).map(([k, n]) => <Tag key={k}>{k} {n}</Tag>) },
    {
      title: '签核', key: 'signed', width: 230,
      render: (_, c) => (projectId === undefined ? null : (
        <SignCell signed={c.signed} testId="sign-collector" onSign={(comment) => api.signReview(projectId, { day, kind: 'collector_records', userId: c.userId, comment })} onDone={review.reload} />
      )),
    },
  ];

  return (
    <div data-testid="review-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>主管检查</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <ProjectPicker value={project} />
        <DatePicker
          format={DAY} allowClear={false} value={dayjs(day)} disabledDate={(d) => d.isAfter(dayjs(today), 'day')}
          onChange={(d) => { if (d) setParams(withParams(params, { day: d.format(DAY) === today ? undefined : d.format(DAY) })); }}
        />
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {review.error && <Alert type="error" showIcon title={review.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : r && (
        <>
          {r.unsigned.length > 0 && (
            <Alert
              type="warning" showIcon style={{ marginBottom: 16 }} data-testid="review-unsigned"
              title={`近两周有 ${r.unsigned.length} 项未签核`}
              description={r.unsigned.map((u) => (
                <Tag key={`${u.day}${u.kind}${u.userId ?? ''}`} style={{ cursor: 'pointer' }} onClick={() => setParams(withParams(params, { day: u.day }))}>
                  {u.day} {u.kind === 'fund_report' ? '资金日报' : `${u.name ?? ''} 催缴记录`}
                </Tag>
              ))}
            />
          )}
          <Card size="small" title={`资金日报（${day}）：实收 ${r.fund.received}`} style={{ marginBottom: 16 }} extra={(
            <SignCell signed={r.fund.signed} testId="sign-fund" onSign={(comment) => api.signReview(projectId, { day, kind: 'fund_report', comment })} onDone={review.reload} />
          )}>
            <Link to={`/billing/fund-report?projectId=${projectId}&from=${day}`}>查看资金日报明细</Link>
          </Card>
          <Table<CollectorDay>
            rowKey="userId" size="small" columns={columns} dataSource={r.collectors} pagination={false} style={{ marginBottom: 24 }}
            expandable={{
              rowExpandable: (c) => c.rows.length > 0,
              expandedRowRender: (c) => (
                <Table
                  rowKey="id" size="small" pagination={false} dataSource={c.rows}
                  columns={[
                    { title: '时间', dataIndex: 'at', width: 160, render: (v: string) => formatInstant(v) },
                    { title: '房屋', dataIndex: 'house', width: 130 },
                    { title: '号码', dataIndex: 'contact', width: 130, render: (v: string | null) => v ?? '—' },
                    { title: '结果', dataIndex: 'outcome', width: 90 },
                    { title: '业主说', dataIndex: 'ownerSaid', render: (v: string | null) => v ?? '—' },
                    { title: '承诺日', dataIndex: 'promisedOn', width: 100, render: (v: string | null) => v ?? '—' },
                  ]}
                />
              ),
            }}
            onRow={(c) => ({ 'data-testid': 'review-collector', 'data-user-id': c.userId, 'data-signed': c.signed ? 'true' : 'false' } as HTMLAttributes<HTMLElement>)}
          />
          <Typography.Title level={5}>疑难户（特殊拒交类）</Typography.Title>
          {hard.data && hard.data.length === 0 ? <Empty description="暂无疑难户" /> : (
            <List dataSource={hard.data ?? []} renderItem={(h) => <HardCaseItem key={h.caseId} item={h} onSaved={hard.reload} />} />
          )}
        </>
      )}
    </div>
  );
}

function SignCell({ signed, onSign, onDone, testId }: { signed: Signature; onSign: (comment?: string) => Promise<unknown>; onDone: () => void; testId: string }) {
  const { message } = AntApp.useApp();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  if (signed) {
    return <span data-testid={`${testId}-done`}><Tag color="green" icon={<CheckOutlined />}>{signed.by} 已签核</Tag><Typography.Text type="secondary">{formatInstant(signed.at).slice(5, 16)}{signed.comment ? `：${signed.comment}` : ''}</Typography.Text></span>;
  }
  async function sign() {
    setBusy(true);
    try {
      await onSign(comment.trim() || undefined);
      void message.success('已签核');
      onDone();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Popover trigger="click" title="签核意见（可选）" content={(
      <Space orientation="vertical">
        <Input.TextArea rows={2} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} data-testid={`${testId}-comment`} />
        <Button type="primary" size="small" loading={busy} onClick={() => void sign()} data-testid={`${testId}-confirm`}>确认签核</Button>
      </Space>
    )}>
      <Button size="small" data-testid={testId}>签核</Button>
    </Popover>
  );
}

function HardCaseItem({ item, onSaved }: { item: HardCase; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [note, setNote] = useState(item.note ?? '');
  async function save() {
    try {
      await api.setGuidance(item.caseId, note.trim() || null);
      void message.success('已保存指引');
      onSaved();
    } catch (e) {
      void message.error(errorMessage(e));
    }
  }
  return (
    <List.Item data-testid="hard-case">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Link to={`/houses/${item.houseId}/collection`}>{item.house}</Link>
          <b>{item.owed}</b>
          {item.ticket && <Tag color={item.ticket.status === 'open' ? 'orange' : 'green'}>工单：{item.ticket.topic}（{item.ticket.status === 'open' ? '处理中' : '已办结'}）</Tag>}
        </Space>
        <Typography.Text>拒交原因：{item.reason ?? '—'}</Typography.Text>
        {item.guidance.map((g) => <Alert key={g.key} type="info" showIcon title={`答客问：${g.topic}`} description={g.answer} />)}
        <Space.Compact style={{ width: '100%' }}>
          <Input value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} placeholder="主管处理指引" data-testid="hard-case-note" />
          <Button onClick={() => void save()} data-testid="hard-case-save">保存</Button>
        </Space.Compact>
      </Space>
    </List.Item>
  );
}
