import { useState, type HTMLAttributes, type ReactNode } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Skeleton, Space, Table, Tabs, Tag, Timeline, Tooltip, Typography, type TableProps } from 'antd';
import { ArrowLeftOutlined, AuditOutlined, FieldTimeOutlined, PauseCircleOutlined, PhoneOutlined, PlayCircleOutlined, SafetyCertificateOutlined, ScheduleOutlined, StopOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, type CaseAction, type CollectionCase, type ContactAttempt, type LimitationRow } from '../api.ts';
import { useAuth } from '../auth.tsx';
import {
  ACTION_STATUS_COLORS, ACTION_STATUS_LABELS, CASE_STATE_COLORS, CATEGORY_LABELS, EXCLUDING_ROLES, LIMITATION_STATE_COLORS, LIMITATION_STATE_LABELS,
  PLAN_KIND_LABELS, PLAN_STATUS_COLORS, actorLabel, channelLabel, contactChannelLabel, notBeforeLabel, stepName,
} from '../dunning.ts';
import { formatDate, formatInstant } from '../format.ts';
import { useApi } from '../hooks.ts';
import { ExclusionModal, InterruptionModal, PauseModal, PaymentPlanModal, RecordContactModal, ResolveTicketModal, ResumeModal } from '../components/CaseActionModals.tsx';

type Dialog =
  | { kind: 'contact'; kase: CollectionCase; action?: CaseAction }
  | { kind: 'pause' | 'resume' | 'exclusion' | 'interruption' | 'plan'; kase: CollectionCase }
  | { kind: 'ticket'; ticketId: number; topic: string };

const OPEN = new Set(['open', 'awaiting_approval']);
const categoryLabel = (c: string | null) => (c ? (CATEGORY_LABELS as Record<string, string>)[c] ?? c : '—');

/**
 * 催缴时间线: everything about collecting from one house — its cases (one per ownership period that owed), the open tasks,
 * every contact recorded (the 《物业费催缴记录表》, contacts masked), pauses, service tickets, payment plans and the
 * limitation status of each unpaid period. From here staff record a contact, pause and resume, exclude, ask for a
 * payment plan and record an interruption of limitation; buttons follow the role (the server checks again).
 */
export default function HouseCollectionPage() {
  const { can, me } = useAuth();
  const { id } = useParams();
  const houseId = Number(id);
  const navigate = useNavigate();
  const valid = Number.isSafeInteger(houseId) && houseId > 0;
  const timeline = useApi(valid ? () => api.houseCollection(houseId) : null, [houseId]);
  const projectId = timeline.data?.house.projectId;
  const policy = useApi(projectId === undefined ? null : () => api.dunningPolicy(projectId), [projectId]);
  const steps = policy.data?.policy.steps ?? [];
  const [dialog, setDialog] = useState<Dialog | undefined>(undefined);
  const close = () => setDialog(undefined);

  if (!valid) return <Empty description="房屋编号无效" />;
  if (timeline.error) return <Alert type="error" showIcon title={timeline.error} />;
  const t = timeline.data;
  if (!t) return <Skeleton active />;

  const mayAct = can('dunning.act');
  const mayExclude = mayAct && me !== null && EXCLUDING_ROLES.includes(me.role);
  const cases = [...t.cases].sort((a, b) => Number(a.state === 'resolved') - Number(b.state === 'resolved') || b.id - a.id);

  return (
    <div data-testid="house-collection" data-house-id={houseId}>
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => void navigate(-1)}>返回</Button>
        <Link to={`/houses/${houseId}`} data-testid="house-collection-detail-link">房屋详情</Link>
        <Link to={`/houses/${houseId}/evidence`} data-testid="house-collection-evidence-link"><Button size="small" icon={<SafetyCertificateOutlined />}>催告证据</Button></Link>
        <Link to={`/collection/cases?projectId=${t.house.projectId}`}>催缴案件</Link>
      </Space>
      <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="house-collection-title">催缴时间线 · {t.house.label}</Typography.Title>
      {cases.length === 0 && <Empty description="该房屋没有催缴案件（无欠费，或尚未执行催缴计划）" />}
      {cases.map((c) => (
        <CaseCard
          key={c.id} kase={c} projectId={t.house.projectId} steps={steps} mayAct={mayAct} mayExclude={mayExclude} mayPlan={can('plan.request')}
          open={(d) => setDialog(d)}
        />
      ))}
      {dialog?.kind === 'contact' && <RecordContactModal houseId={houseId} kase={dialog.kase} action={dialog.action} onClose={close} onDone={timeline.reload} />}
      {dialog?.kind === 'pause' && <PauseModal kase={dialog.kase} onClose={close} onDone={timeline.reload} />}
      {dialog?.kind === 'resume' && <ResumeModal kase={dialog.kase} onClose={close} onDone={timeline.reload} />}
      {dialog?.kind === 'exclusion' && <ExclusionModal kase={dialog.kase} onClose={close} onDone={timeline.reload} />}
      {dialog?.kind === 'interruption' && <InterruptionModal kase={dialog.kase} onClose={close} onDone={timeline.reload} />}
      {dialog?.kind === 'plan' && <PaymentPlanModal kase={dialog.kase} onClose={close} onDone={timeline.reload} />}
      {dialog?.kind === 'ticket' && <ResolveTicketModal ticketId={dialog.ticketId} topic={dialog.topic} onClose={close} onDone={timeline.reload} />}
    </div>
  );
}

function CaseCard({ kase: c, projectId, steps, mayAct, mayExclude, mayPlan, open }: {
  kase: CollectionCase; projectId: number; steps: ReadonlyArray<{ key: string; name: string }>; mayAct: boolean; mayExclude: boolean; mayPlan: boolean; open: (d: Dialog) => void;
}) {
  const pausedNow = c.pauses.find((p) => p.endedAt === null);
  const openActions = c.actions.filter((a) => OPEN.has(a.status));
  const openTickets = c.tickets.filter((x) => x.status === 'open');
  const closed = c.state === 'resolved' || c.state === 'written_off';

  const actionColumns: TableProps<CaseAction>['columns'] = [
    { title: '任务', dataIndex: 'name', width: 200, render: (v: string, a) => <span data-testid="task-name">{v}{a.late && <Tag color="red" style={{ marginInlineStart: 4 }}>已逾期</Tag>}</span> },
    { title: '方式', dataIndex: 'channel', width: 120, render: (v: string) => channelLabel(v) },
    {
      title: '应办日', dataIndex: 'dueOn', width: 110,
      render: (v: string, a) => (
        <Space orientation="vertical" size={0}>
          {v}
          {OPEN.has(a.status) && a.notBefore && <Typography.Text type="secondary" data-testid="task-not-before">{notBeforeLabel(a.notBefore, v)}</Typography.Text>}
        </Space>
      ),
    },
    { title: '状态', dataIndex: 'status', width: 150, render: (v: string, a) => <Tag color={ACTION_STATUS_COLORS[v]}>{ACTION_STATUS_LABELS[v] ?? v}{v === 'awaiting_approval' && a.approval ? `（${actorLabel(a.approval)}）` : ''}</Tag> },
    { title: '原因', dataIndex: 'reason', width: 260, ellipsis: { showTitle: true } },
    {
      title: '', key: 'do', width: 90,
      render: (_, a) => (mayAct && a.status === 'open' ? <Button size="small" type="primary" onClick={() => open({ kind: 'contact', kase: c, action: a })} data-testid="task-record">记录</Button> : null),
    },
  ];

  return (
    <Card
      style={{ marginBottom: 16 }}
      data-testid="collection-case"
      data-case-id={c.id}
      data-state={c.state}
      title={(
        <Space wrap>
          <span>案件 #{c.id}</span>
          <Tag color={CASE_STATE_COLORS[c.state] ?? 'default'} data-testid="collection-case-state">{c.stateLabel}</Tag>
          {c.categoryLabel && <Tag color="purple">{c.categoryLabel}</Tag>}
          {c.excluded && <Tag>已排除催缴</Tag>}
          {pausedNow && <Tag color="gold" data-testid="collection-case-paused">暂停中：{pausedNow.label}{pausedNow.until ? ` 至 ${pausedNow.until}` : ''}</Tag>}
          {c.cycle > 1 && <Tag>第 {c.cycle} 轮</Tag>}
        </Space>
      )}
      extra={!closed && (
        <Space size={4} wrap>
          {mayAct && <Button size="small" type="primary" icon={<PhoneOutlined />} onClick={() => open({ kind: 'contact', kase: c })} data-testid="record-contact">记录联系</Button>}
          {mayAct && (pausedNow
            ? <Button size="small" icon={<PlayCircleOutlined />} onClick={() => open({ kind: 'resume', kase: c })} data-testid="resume-case">恢复</Button>
            : <Button size="small" icon={<PauseCircleOutlined />} onClick={() => open({ kind: 'pause', kase: c })} data-testid="pause-case">暂停</Button>)}
          {mayPlan && <Button size="small" icon={<ScheduleOutlined />} onClick={() => open({ kind: 'plan', kase: c })} data-testid="request-plan">分期/缓缴</Button>}
          {mayAct && c.limitation.length > 0 && <Button size="small" icon={<FieldTimeOutlined />} onClick={() => open({ kind: 'interruption', kase: c })} data-testid="record-interruption">时效中断</Button>}
          {mayExclude && <Button size="small" icon={<StopOutlined />} onClick={() => open({ kind: 'exclusion', kase: c })} data-testid="exclude-case">{c.excluded ? '恢复催缴' : '排除'}</Button>}
        </Space>
      )}
    >
      <Descriptions
        size="small" column={3} style={{ marginBottom: 16 }}
        items={[
          { key: 'owed', label: '欠费', children: <span data-testid="collection-case-owed">{c.owed}</span> },
          { key: 'next', label: '下一步', children: <span data-testid="collection-case-next">{stepName(c.nextKey, steps)}{c.nextActionAt ? `（${c.nextActionAt}）` : ''}</span> },
          { key: 'promised', label: '承诺缴费日', children: formatDate(c.promisedOn) },
          { key: 'why', label: '说明', span: 3, children: c.why ?? '—' },
        ]}
      />
      {openActions.length > 0 && (
        <>
          <Typography.Title level={5}>待办任务</Typography.Title>
          <Table<CaseAction>
            rowKey="id" size="small" pagination={false} columns={actionColumns} dataSource={openActions} style={{ marginBottom: 16 }} scroll={{ x: 'max-content' }}
            onRow={(a) => ({ 'data-testid': 'task-row', 'data-action-id': a.id, 'data-status': a.status } as HTMLAttributes<HTMLElement>)}
          />
        </>
      )}
      <Tabs
        items={[
          { key: 'timeline', label: '时间线', children: <CaseTimeline kase={c} /> },
          { key: 'record', label: <span data-testid="tab-record">催缴记录表（{c.attempts.length}）</span>, children: <AttemptTable attempts={c.attempts} /> },
          { key: 'limitation', label: <span data-testid="tab-limitation">诉讼时效{c.limitation.some((l) => l.state !== 'running') ? ' ⚠' : ''}</span>, children: <LimitationTable rows={c.limitation} /> },
          {
            key: 'more', label: <span data-testid="tab-more">暂停、工单与分期</span>,
            children: <PausesTicketsPlans kase={c} projectId={projectId} mayAct={mayAct} resolve={(ticketId, topic) => open({ kind: 'ticket', ticketId, topic })} />,
          },
        ]}
      />
      {openTickets.length > 0 && (
        <Alert type="info" showIcon style={{ marginTop: 8 }} title={`有 ${openTickets.length} 张服务工单未办结：办结前暂停升级催缴（R10）`} />
      )}
    </Card>
  );
}

interface Event { at: string; color: string; content: ReactNode }

/** Actions, contacts, pauses and tickets in one list, newest first. */
function CaseTimeline({ kase: c }: { kase: CollectionCase }) {
  const events: Event[] = [];
  for (const a of c.actions) {
    const when = a.doneAt ?? a.dueOn;
    events.push({
      at: when, color: a.status === 'done' ? 'green' : OPEN.has(a.status) ? 'blue' : 'gray',
      content: (
        <span>
          <Typography.Text type="secondary">{a.doneAt ? formatInstant(a.doneAt) : a.dueOn}</Typography.Text>{' '}
          任务「{a.name}」（{channelLabel(a.channel)}）<Tag color={ACTION_STATUS_COLORS[a.status]}>{ACTION_STATUS_LABELS[a.status] ?? a.status}</Tag>
          {a.doneBy && `办理人 ${a.doneBy}`}{a.deliveredOn && `，送达 ${a.deliveredOn}`}{a.decidedBy && `，审批 ${a.decidedBy}`}{a.decisionNote && `（${a.decisionNote}）`}
          {a.closedReason && <Typography.Text type="secondary">：{a.closedReason}</Typography.Text>}
        </span>
      ),
    });
  }
  for (const x of c.attempts) {
    events.push({
      at: x.at, color: 'green',
      content: (
        <span data-testid="timeline-attempt">
          <Typography.Text type="secondary">{formatInstant(x.at)}</Typography.Text> {x.staff} {contactChannelLabel(x.channel)}{x.contact ? ` ${x.contact}` : ''} → <b>{x.outcome}</b>
          {x.promisedOn && `，承诺 ${x.promisedOn} 缴费`}{x.ownerSaid && `。业主：${x.ownerSaid}`}
        </span>
      ),
    });
  }
  for (const p of c.pauses) {
    events.push({ at: p.at, color: 'orange', content: <span><Typography.Text type="secondary">{formatInstant(p.at)}</Typography.Text> {p.by} 暂停（{p.label}）{p.until ? `至 ${p.until}` : ''}：{p.reason}</span> });
    if (p.endedAt) events.push({ at: p.endedAt, color: 'orange', content: <span><Typography.Text type="secondary">{formatInstant(p.endedAt)}</Typography.Text> 结束暂停：{p.endReason ?? '—'}</span> });
  }
  for (const x of c.tickets) {
    events.push({ at: x.openedAt, color: 'purple', content: <span><Typography.Text type="secondary">{formatInstant(x.openedAt)}</Typography.Text> 服务工单：{x.topic}（{x.status === 'open' ? '处理中' : '已办结'}）</span> });
  }
  events.sort((a, b) => b.at.localeCompare(a.at));
  if (events.length === 0) return <Empty description="暂无记录" />;
  return <Timeline items={events.map((e, i) => ({ key: i, color: e.color, content: e.content }))} />;
}

function AttemptTable({ attempts }: { attempts: ContactAttempt[] }) {
  const rows = [...attempts].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <Table<ContactAttempt>
      rowKey="id" size="small" dataSource={rows} pagination={{ pageSize: 10, hideOnSinglePage: true }}
      locale={{ emptyText: '尚无催缴记录' }}
      onRow={(x) => ({ 'data-testid': 'attempt-row', 'data-outcome': x.outcome, 'data-channel': x.channel } as HTMLAttributes<HTMLElement>)}
      columns={[
        { title: '时间', dataIndex: 'at', width: 150, render: (v: string) => formatInstant(v) },
        { title: '催缴人', dataIndex: 'staff', width: 90 },
        { title: '方式', dataIndex: 'channel', width: 70, render: (v: string) => contactChannelLabel(v) },
        { title: '联系方式', dataIndex: 'contact', width: 110, render: (v: string | null) => v ?? '—' },
        { title: '结果', dataIndex: 'outcome', width: 80, render: (v: string) => <span data-testid="attempt-outcome">{v}</span> },
        { title: '分类', dataIndex: 'category', width: 100, render: (v: string | null) => categoryLabel(v) },
        { title: '业主反馈', dataIndex: 'ownerSaid', ellipsis: { showTitle: true }, render: (v: string | null) => <span data-testid="attempt-owner-said">{v ?? '—'}</span> },
        { title: '下一步', dataIndex: 'nextStep', ellipsis: { showTitle: true }, render: (v: string | null) => v ?? '—' },
        { title: '承诺日', dataIndex: 'promisedOn', width: 100, render: (v: string | null) => formatDate(v) },
      ]}
    />
  );
}

function LimitationTable({ rows }: { rows: LimitationRow[] }) {
  return (
    <Table<LimitationRow>
      rowKey="period" size="small" dataSource={rows} pagination={false} scroll={{ x: 'max-content' }}
      locale={{ emptyText: '没有已到期未缴的账期' }}
      onRow={(l) => ({ 'data-testid': 'limitation-row', 'data-period': l.period, 'data-state': l.state } as HTMLAttributes<HTMLElement>)}
      columns={[
        { title: '账期', dataIndex: 'period', width: 90 },
        { title: '欠费', dataIndex: 'owed', width: 100, align: 'right' },
        { title: '时效届满日', dataIndex: 'expiresOn', width: 110 },
        {
          title: '状态', dataIndex: 'state', width: 130,
          render: (v: string, l) => <Tag color={LIMITATION_STATE_COLORS[v] ?? 'default'}>{LIMITATION_STATE_LABELS[v] ?? v}{l.alertLevel ? `（不足 ${l.alertLevel} 个月）` : ''}</Tag>,
        },
        { title: '依据', dataIndex: 'explanation', width: 520, render: (v: string) => <Typography.Text style={{ fontSize: 12 }}>{v}</Typography.Text> },
      ]}
    />
  );
}

function PausesTicketsPlans({ kase: c, projectId, mayAct, resolve }: { kase: CollectionCase; projectId: number; mayAct: boolean; resolve: (ticketId: number, topic: string) => void }) {
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <div>
        <Typography.Text strong>暂停记录</Typography.Text>
        {c.pauses.length === 0 ? <Typography.Paragraph type="secondary">无</Typography.Paragraph> : (
          <ul style={{ margin: '4px 0', paddingInlineStart: 20 }}>
            {[...c.pauses].reverse().map((p) => (
              <li key={p.id} data-testid="pause-row">
                {p.label}{p.until ? `，至 ${p.until}` : ''}：{p.reason}（{p.by}，{formatInstant(p.at)}）
                {p.endedAt ? <Typography.Text type="secondary">；已于 {formatInstant(p.endedAt)} 结束：{p.endReason}</Typography.Text> : <Tag color="gold" style={{ marginInlineStart: 6 }}>生效中</Tag>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <Typography.Text strong>服务工单</Typography.Text>
        {c.tickets.length === 0 ? <Typography.Paragraph type="secondary">无</Typography.Paragraph> : (
          <ul style={{ margin: '4px 0', paddingInlineStart: 20 }}>
            {c.tickets.map((x) => (
              <li key={x.id} data-testid="ticket-row">
                {x.topic}（{formatInstant(x.openedAt)}）{x.status === 'open' ? <Tag color="purple" style={{ marginInlineStart: 6 }}>处理中</Tag> : <Typography.Text type="secondary">：已办结，{x.resolution}</Typography.Text>}
                {x.status === 'open' && mayAct && <Button size="small" type="link" onClick={() => resolve(x.id, x.topic)} data-testid="ticket-resolve">办结</Button>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <Typography.Text strong>分期/缓缴</Typography.Text>
        {c.plans.length === 0 ? <Typography.Paragraph type="secondary">无</Typography.Paragraph> : (
          <ul style={{ margin: '4px 0', paddingInlineStart: 20 }}>
            {c.plans.map((p) => (
              <li key={p.id} data-testid="case-plan-row">
                #{p.id} {PLAN_KIND_LABELS[p.kind] ?? p.kind} <Tag color={PLAN_STATUS_COLORS[p.status] ?? 'default'}>{p.status}</Tag>{p.reason}{p.signedOn && `（业主签署 ${p.signedOn}）`}
                {p.status === '待审批' && <Tooltip title="在“审批”页处理"><Link to={`/billing/approvals?tab=plans&projectId=${projectId}`} style={{ marginInlineStart: 6 }}><AuditOutlined /> 去审批</Link></Tooltip>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Space>
  );
}
