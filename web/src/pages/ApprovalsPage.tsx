import { useState, type HTMLAttributes, type ReactNode } from 'react';
import { Alert, App as AntApp, Badge, Button, DatePicker, Empty, Form, Input, Modal, Segmented, Skeleton, Space, Table, Tabs, Tag, Tooltip, Typography, type TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { formatYuan } from '../../../core/money.ts';
import { api, errorMessage, type ApprovalStatus, type DunningApproval, type ExportRequest, type PaymentPlanItem, type RefundRequest, type VacancyRegistration, type WaiverRequest } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { APPROVAL_STATUSES, APPROVAL_STATUS_COLORS } from '../billing.ts';
import { PLAN_STATUS_COLORS, actorLabel, channelLabel, mayApproveAt } from '../dunning.ts';
import { formatInstant } from '../format.ts';
import { useApi, withParams } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';
import { PaymentCard } from '../components/PaymentCard.tsx';
import { ExportLink } from '../components/ExportMenu.tsx';

type TabKey = 'waivers' | 'refunds' | 'vacancies' | 'dunning' | 'plans' | 'exports';
const TABS: readonly TabKey[] = ['waivers', 'refunds', 'vacancies', 'dunning', 'plans', 'exports'];
/** Plan statuses after an approval (the plan is then in force, completed or broken). */
const PLAN_APPROVED = ['执行中', '已完成', '已违约'];

/** A dunning action awaiting approval, as a row of the queue. */
type DunningRow = DunningApproval & { status: string };
const ALL = '全部';
type StatusFilter = ApprovalStatus | typeof ALL;

const READ_ONLY_NOTES: Record<TabKey, string> = {
  waivers: '由项目经理、分公司总经理或管理员审批',
  refunds: '由项目经理、分公司总经理或管理员审批',
  vacancies: '空置登记由项目经理或分公司总经理审批',
  dunning: '催缴任务由主管、项目经理或分公司总经理按所需级别审批',
  plans: '分期/缓缴由主管、项目经理、分公司总经理或管理员审批',
  exports: '导出申请由项目经理、分公司总经理或管理员审批（本人的申请在此下载）',
};

/** What a decision is about, in one line for the confirmation dialog. */
interface Pending {
  tab: TabKey;
  id: number;
  approve: boolean;
  summary: ReactNode;
}

function statusParam(v: string | null): StatusFilter {
  return v === ALL || APPROVAL_STATUSES.includes(v as ApprovalStatus) ? (v as StatusFilter) : '待审批';
}

function StatusTag({ status }: { status: string }) {
  return <Tag color={APPROVAL_STATUS_COLORS[status as ApprovalStatus] ?? PLAN_STATUS_COLORS[status] ?? 'default'} data-testid="approval-status" data-status={status}>{status}</Tag>;
}

/** Who decided, when, and the note (a tooltip), or "—" while pending. */
function decidedCell(r: { decidedBy: string | null; decidedAt: string | null; decisionNote: string | null }) {
  if (!r.decidedBy) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space orientation="vertical" size={0}>
      <span data-testid="approval-decided-by">{r.decidedBy}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatInstant(r.decidedAt)}</Typography.Text>
      {r.decisionNote && <Typography.Text style={{ fontSize: 12 }} data-testid="approval-note">意见：{r.decisionNote}</Typography.Text>}
    </Space>
  );
}

const houseCell = (houseId: number, house: string | undefined) => <Link to={`/houses/${houseId}`} data-testid="approval-house">{house ?? `#${houseId}`}</Link>;
/** Collection approvals link to the house's collection timeline. */
const timelineCell = (houseId: number, house: string) => <Link to={`/houses/${houseId}/collection`} data-testid="approval-house">{house}</Link>;

/** "2026-08 至 2026-10（3 期）", with the time-barred periods counted. */
function periodsText(periods: DunningApproval['periods']): string {
  if (periods.length === 0) return '—';
  const sorted = [...periods].sort((a, b) => a.period.localeCompare(b.period));
  const span = sorted.length === 1 ? sorted[0]!.period : `${sorted[0]!.period} 至 ${sorted.at(-1)!.period}`;
  const barred = periods.filter((p) => p.timeBarred).length;
  return `${span}（${periods.length} 期${barred ? `，其中 ${barred} 期已过诉讼时效` : ''}）`;
}

/**
 * 审批: the requests of a project that someone other than the requester decides — 违约金减免, 退款 (R32), 空置登记
 * (R29), collection actions awaiting approval (律师函, 起诉建议, 催款通知书 …; R11: a person decides) and payment plans
 * (分期/缓缴) and bulk exports (R37; the requester downloads an approved one here) — filtered by status (待审批 by default; the collection actions are listed while pending only). Everyone with billing.read sees the lists; the 批准 / 驳回 buttons are for
 * the roles with the matching approve permission, and the server's Chinese message is shown when it refuses (e.g. a
 * decision on one's own request). Project, tab and status are kept in the address.
 */
export default function ApprovalsPage() {
  const { can, me } = useAuth();
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const tab: TabKey = TABS.includes(params.get('tab') as TabKey) ? (params.get('tab') as TabKey) : 'waivers';
  const status = statusParam(params.get('status'));
  const query = status === ALL ? undefined : status;
  const waivers = useApi(projectId === undefined ? null : () => api.waivers(projectId, query), [projectId, query]);
  const refunds = useApi(projectId === undefined ? null : () => api.refunds(projectId, query), [projectId, query]);
  const vacancies = useApi(projectId === undefined ? null : () => api.vacancies(projectId, query), [projectId, query]);
  const dunning = useApi(projectId === undefined ? null : async (): Promise<{ items: DunningRow[] }> => {
    if (status !== '待审批' && status !== ALL) return { items: [] };
    const r = await api.dunningApprovals(projectId);
    return { items: r.items.map((a) => ({ ...a, status: '待审批' })) };
  }, [projectId, status]);
  const plans = useApi(projectId === undefined ? null : async () => {
    const r = await api.paymentPlans(projectId, status === '已批准' || status === ALL ? undefined : status);
    return status === '已批准' ? { items: r.items.filter((p) => PLAN_APPROVED.includes(p.status)) } : r;
  }, [projectId, status]);
  // Export requests: all of the project for approvers, one's own for everyone else (the server decides).
  const exports = useApi(projectId === undefined ? null : async () => {
    const r = await api.exportRequests(projectId);
    return { items: query ? r.items.filter((x) => x.status === query) : r.items };
  }, [projectId, query]);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [paymentId, setPaymentId] = useState<number | undefined>(undefined);

  const may: Record<TabKey, boolean> = {
    waivers: can('waiver.approve'), refunds: can('refund.approve'), vacancies: can('vacancy.approve'), dunning: can('dunning.approve'), plans: can('plan.approve'),
    exports: can('export.approve'),
  };
  const lists = { waivers, refunds, vacancies, dunning, plans, exports };

  const decisionButtons = (t: TabKey, r: { id: number; status: string }, summary: ReactNode) => (r.status !== '待审批' ? null : (
    <Space size={4}>
      <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setPending({ tab: t, id: r.id, approve: true, summary })} data-testid="approve">批准</Button>
      <Button size="small" danger icon={<CloseOutlined />} onClick={() => setPending({ tab: t, id: r.id, approve: false, summary })} data-testid="reject">驳回</Button>
    </Space>
  ));
  const actionColumn = <T extends { id: number; status: string }>(t: TabKey, summary: (r: T) => ReactNode) => (may[t] ? [{
    title: '审批', key: 'decide', width: 170, render: (_: unknown, r: T) => decisionButtons(t, r, summary(r)),
  }] : []);

  const requested = (r: { requestedBy: string; requestedAt: string }) => (
    <Space orientation="vertical" size={0}>
      <span data-testid="approval-requested-by">{r.requestedBy}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatInstant(r.requestedAt)}</Typography.Text>
    </Space>
  );

  const waiverColumns: TableProps<WaiverRequest>['columns'] = [
    { title: '房屋', key: 'house', width: 140, render: (_, r) => houseCell(r.houseId, r.house) },
    { title: '期间', dataIndex: 'period', width: 90 },
    { title: '收费项目', dataIndex: 'item', width: 120 },
    { title: '减免金额', dataIndex: 'amountFen', width: 120, align: 'right', render: (v: number) => <span data-testid="approval-amount">{formatYuan(v)}</span> },
    { title: '原因', dataIndex: 'reason', width: 220, ellipsis: { showTitle: true } },
    { title: '申请人', key: 'requested', width: 160, render: (_, r) => requested(r) },
    { title: '状态', dataIndex: 'status', width: 90, render: (v: string) => <StatusTag status={v} /> },
    { title: '审批人', key: 'decided', width: 170, render: (_, r) => decidedCell(r) },
    ...actionColumn<WaiverRequest>('waivers', (r) => `${r.house} ${r.period} ${r.item}：减免逾期违约金 ${formatYuan(r.amountFen)}（${r.reason}）`),
  ];
  const refundColumns: TableProps<RefundRequest>['columns'] = [
    { title: '房屋', key: 'house', width: 140, render: (_, r) => houseCell(r.houseId, r.house) },
    { title: '缴费人', key: 'payer', width: 120, render: (_, r) => (r.payerKind === 'developer' ? '开发商' : `业主（产权 #${r.ownershipId ?? '—'}）`) },
    { title: '退款金额', dataIndex: 'amountFen', width: 120, align: 'right', render: (v: number) => <span data-testid="approval-amount">{formatYuan(v)}</span> },
    { title: '退款方式', dataIndex: 'channel', width: 100 },
    { title: '原因', dataIndex: 'reason', width: 220, ellipsis: { showTitle: true } },
    { title: '申请人', key: 'requested', width: 160, render: (_, r) => requested(r) },
    { title: '状态', dataIndex: 'status', width: 90, render: (v: string) => <StatusTag status={v} /> },
    {
      title: '审批人', key: 'decided', width: 170,
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          {decidedCell(r)}
          {r.paymentId !== null && (
            <Button size="small" type="link" style={{ padding: 0 }} onClick={() => setPaymentId(r.paymentId!)} data-testid="refund-payment-link">退款记录 #{r.paymentId}</Button>
          )}
        </Space>
      ),
    },
    ...actionColumn<RefundRequest>('refunds', (r) => `${r.house ?? `#${r.houseId}`}：退还预存款 ${formatYuan(r.amountFen)}，${r.channel}（${r.reason}）`),
  ];
  const vacancyColumns: TableProps<VacancyRegistration>['columns'] = [
    { title: '房屋', key: 'house', width: 140, render: (_, r) => houseCell(r.houseId, r.house) },
    { title: '空置月份', key: 'months', width: 170, render: (_, r) => <span data-testid="approval-months">{r.fromMonth} 至 {r.toMonth}</span> },
    { title: '证据', dataIndex: 'evidence', width: 260, ellipsis: { showTitle: true } },
    { title: '申请人', key: 'requested', width: 160, render: (_, r) => requested(r) },
    { title: '状态', dataIndex: 'status', width: 90, render: (v: string) => <StatusTag status={v} /> },
    { title: '审批人', key: 'decided', width: 170, render: (_, r) => decidedCell(r) },
    ...actionColumn<VacancyRegistration>('vacancies', (r) => `${r.house ?? `#${r.houseId}`}：${r.fromMonth} 至 ${r.toMonth} 空置（${r.evidence}）`),
  ];

  const dunningColumns: TableProps<DunningRow>['columns'] = [
    { title: '房屋', key: 'house', width: 130, render: (_, r) => timelineCell(r.houseId, r.house) },
    {
      title: '催缴任务', key: 'name', width: 220,
      render: (_, r) => <Space orientation="vertical" size={0}><span data-testid="approval-action-name">{r.name}</span><Tag>{channelLabel(r.channel)}</Tag></Space>,
    },
    { title: '审批级别', dataIndex: 'approval', width: 110, render: (v: string | null) => <span data-testid="approval-level">{actorLabel(v)}</span> },
    { title: '欠费', dataIndex: 'owed', width: 110, align: 'right', render: (v: string) => <span data-testid="approval-amount">{v}</span> },
    { title: '账期', key: 'periods', width: 200, render: (_, r) => periodsText(r.periods) },
    { title: '应办日', dataIndex: 'dueOn', width: 100 },
    { title: '依据', dataIndex: 'reason', width: 240, ellipsis: { showTitle: true } },
    ...(may.dunning ? [{
      title: '审批', key: 'decide', width: 170,
      render: (_: unknown, r: DunningRow) => (mayApproveAt(me?.role, r.approval)
        ? decisionButtons('dunning', r, `${r.house}：${r.name}（${channelLabel(r.channel)}），欠费 ${r.owed}，${periodsText(r.periods)}`)
        : <Typography.Text type="secondary" data-testid="approval-needs-rank">须{actorLabel(r.approval)}或以上审批</Typography.Text>),
    }] : []),
  ];
  const planColumns: TableProps<PaymentPlanItem>['columns'] = [
    { title: '房屋', key: 'house', width: 130, render: (_, r) => timelineCell(r.houseId, r.house) },
    { title: '类型', dataIndex: 'kindLabel', width: 70 },
    {
      title: '安排', key: 'instalments', width: 220,
      render: (_, r) => {
        const text = r.instalments.map((i) => `${i.dueOn} ${formatYuan(i.amountFen)}`).join('；');
        return <Tooltip title={text}><span data-testid="approval-instalments">{r.instalments.length} 期：{r.instalments[0]?.dueOn ?? '—'}{r.instalments.length > 1 ? ` 至 ${r.instalments.at(-1)!.dueOn}` : ''}</span></Tooltip>;
      },
    },
    { title: '合计', dataIndex: 'totalFen', width: 110, align: 'right', render: (v: number) => <span data-testid="approval-amount">{formatYuan(v)}</span> },
    {
      title: '理由', key: 'reason', width: 220, ellipsis: { showTitle: true },
      render: (_, r) => `${r.reason}${r.evidence ? `（材料：${r.evidence}）` : ''}`,
    },
    { title: '申请人', key: 'requested', width: 160, render: (_, r) => requested(r) },
    { title: '状态', dataIndex: 'status', width: 90, render: (v: string) => <StatusTag status={v} /> },
    {
      title: '审批人', key: 'decided', width: 170,
      render: (_, r) => <Space orientation="vertical" size={0}>{decidedCell(r)}{r.signedOn && <Typography.Text style={{ fontSize: 12 }}>业主签署 {r.signedOn}</Typography.Text>}</Space>,
    },
    ...actionColumn<PaymentPlanItem>('plans', (r) => `${r.house}：${r.kindLabel} ${r.instalments.length} 期，合计 ${formatYuan(r.totalFen)}（${r.reason}）`),
  ];

  const exportColumns: TableProps<ExportRequest>['columns'] = [
    { title: '导出', key: 'list', width: 150, render: (_, r) => <span data-testid="approval-export-list">{r.label}（{r.format === 'xlsx' ? 'Excel' : 'CSV'}）</span> },
    { title: '用途', dataIndex: 'reason', width: 220, ellipsis: { showTitle: true } },
    { title: '申请人', key: 'requested', width: 160, render: (_, r) => requested(r) },
    { title: '状态', dataIndex: 'status', width: 90, render: (v: string) => <StatusTag status={v} /> },
    { title: '审批人', key: 'decided', width: 170, render: (_, r) => decidedCell(r) },
    {
      title: '下载', key: 'download', width: 150,
      render: (_, r) => (r.requestedById === me?.id && r.downloadable ? <ExportLink r={r}>下载（{formatInstant(r.validUntil)} 前）</ExportLink>
        : r.status === '已批准' && !r.downloadable ? <Typography.Text type="secondary">已过期，请重新申请</Typography.Text> : '—'),
    },
    ...actionColumn<ExportRequest>('exports', (r) => `${r.requestedBy} 申请导出 ${r.label}：${r.reason}`),
  ];

  function table<T extends { id: number; status: string }>(t: TabKey, loaded: { data: { items: T[] } | undefined; error: string | undefined; loading: boolean }, columns: TableProps<T>['columns'], empty: string) {
    return (
      <div data-testid={`approvals-${t}`} data-loading={loaded.loading ? 'true' : 'false'}>
        {loaded.error && <Alert type="error" showIcon title={loaded.error} style={{ marginBottom: 16 }} />}
        {!may[t] && (
          <Typography.Paragraph type="secondary" data-testid="approvals-read-only">
            {READ_ONLY_NOTES[t]}，当前角色只能查看。
          </Typography.Paragraph>
        )}
        <Table<T>
          rowKey="id"
          size="middle"
          loading={loaded.loading}
          columns={columns}
          dataSource={loaded.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: empty }}
          onRow={(r) => ({ 'data-testid': 'approval-row', 'data-id': r.id, 'data-status': r.status } as HTMLAttributes<HTMLElement>)}
        />
      </div>
    );
  }

  const emptyText = status === ALL ? '没有申请' : `没有${status}的申请`;
  const label = (text: string, t: TabKey) => {
    const n = lists[t].data?.items.length;
    return (
      <span data-testid={`approvals-tab-${t}`}>
        {text}{status === '待审批' && n ? <Badge count={n} size="small" style={{ marginInlineStart: 6 }} /> : null}
      </span>
    );
  };

  async function decide(note: string, signedOn?: string) {
    if (!pending) return;
    const { tab: t, id, approve } = pending;
    if (t === 'dunning') await api.decideDunningAction(id, approve, note);
    else if (t === 'exports') await api.decideExport(id, approve, note);
    else if (t === 'plans') await api.decidePaymentPlan(id, approve, note, signedOn);
    else if (t === 'waivers') await api.decideWaiver(id, approve, note);
    else if (t === 'refunds') {
      const r = await api.decideRefund(id, approve, note);
      if (r.paymentId !== null) setPaymentId(r.paymentId);
    } else await api.decideVacancy(id, approve, note);
    void message.success(approve ? '已批准' : '已驳回');
    setPending(undefined);
    lists[t].reload();
  }

  return (
    <div data-testid="approvals">
      <Typography.Title level={4} style={{ marginTop: 0 }}>审批</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        <span>状态：</span>
        <Segmented<StatusFilter>
          value={status}
          options={[...APPROVAL_STATUSES, ALL]}
          onChange={(v) => setParams(withParams(params, { status: v === '待审批' ? undefined : v }))}
          data-testid="approvals-status"
        />
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? (
        <Empty description="请先选择项目" />
      ) : (
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams(withParams(params, { tab: k === 'waivers' ? undefined : k }))}
          items={[
            { key: 'waivers', label: label('违约金减免', 'waivers'), children: table('waivers', waivers, waiverColumns, emptyText) },
            { key: 'refunds', label: label('退款', 'refunds'), children: table('refunds', refunds, refundColumns, emptyText) },
            { key: 'vacancies', label: label('空置登记', 'vacancies'), children: table('vacancies', vacancies, vacancyColumns, emptyText) },
            {
              key: 'dunning', label: label('催缴任务', 'dunning'),
              children: status === '待审批' || status === ALL ? table('dunning', dunning, dunningColumns, '没有待审批的催缴任务') : (
                <Empty description="催缴任务只列出待审批的；已处理的见各房屋的催缴时间线" data-testid="approvals-dunning-pending-only" />
              ),
            },
            { key: 'plans', label: label('分期/缓缴', 'plans'), children: table('plans', plans, planColumns, emptyText) },
            { key: 'exports', label: label('导出申请', 'exports'), children: table('exports', exports, exportColumns, emptyText) },
          ]}
        />
      )}
      {pending && <DecisionModal pending={pending} onClose={() => setPending(undefined)} onDecide={decide} />}
      {paymentId !== undefined && <PaymentModal paymentId={paymentId} onClose={() => setPaymentId(undefined)} />}
    </div>
  );
}

/** 批准 or 驳回 with an optional note; a refusal by the server stays in the dialog, in its own words. */
function DecisionModal({ pending, onClose, onDecide }: { pending: Pending; onClose: () => void; onDecide: (note: string, signedOn?: string) => Promise<void> }) {
  const [note, setNote] = useState('');
  const [signedOn, setSignedOn] = useState<Dayjs | null>(null);
  const needsSignature = pending.tab === 'plans' && pending.approve;
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      if (needsSignature && !signedOn) {
        setError('批准须填写业主签署协议的日期');
        return;
      }
      await onDecide(note, signedOn ? signedOn.format('YYYY-MM-DD') : undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={pending.approve ? '批准申请' : '驳回申请'}
      onOk={() => void submit()}
      onCancel={onClose}
      okText={pending.approve ? '批准' : '驳回'}
      okButtonProps={{ danger: !pending.approve, 'data-testid': 'decision-submit' }}
      cancelText="取消"
      cancelButtonProps={{ 'data-testid': 'decision-cancel' }}
      confirmLoading={busy}
      mask={{ closable: false }}
    >
      <div data-testid="decision-modal" data-approve={pending.approve ? 'true' : 'false'}>
        <Typography.Paragraph data-testid="decision-summary">{pending.summary}</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="decision-error" />}
        <Form layout="vertical">
          {needsSignature && (
            <Form.Item label="业主签署协议日期" required extra="签署即中断所列账期的诉讼时效（R13）">
              <span data-testid="decision-signed-on"><DatePicker format="YYYY-MM-DD" value={signedOn} onChange={setSignedOn} /></span>
            </Form.Item>
          )}
          <Form.Item label={(pending.tab === 'dunning' || pending.tab === 'exports') && !pending.approve ? '驳回理由（必填）' : '审批意见（可选）'}>
            <Input.TextArea rows={2} maxLength={500} showCount value={note} onChange={(e) => setNote(e.target.value)} data-testid="decision-note" />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}

/** The refund entry an approved refund produced (a payment of kind 退款). */
function PaymentModal({ paymentId, onClose }: { paymentId: number; onClose: () => void }) {
  const payment = useApi(() => api.payment(paymentId), [paymentId]);
  return (
    <Modal open title={`退款记录 #${paymentId}`} footer={<Button onClick={onClose} data-testid="payment-modal-close">关闭</Button>} onCancel={onClose} width={640}>
      {payment.error && <Alert type="error" showIcon title={payment.error} />}
      {payment.data ? <PaymentCard payment={payment.data} title="退款记录" testId="refund-payment" /> : !payment.error && <Skeleton active />}
    </Modal>
  );
}
