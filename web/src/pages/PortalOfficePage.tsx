import { useEffect, useState, type HTMLAttributes, type ReactNode } from 'react';
import { Alert, App as AntApp, AutoComplete, Button, Empty, Form, Input, Modal, Segmented, Space, Table, Tabs, Tag, Typography, type TableProps } from 'antd';
import { CheckOutlined, CloseOutlined, DeleteOutlined, MessageOutlined, PaperClipOutlined, PlusOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { ROLE_RANK } from '../../../core/access/roles.ts';
import { COST_ITEMS } from '../../../core/portal/vocabulary.ts';
import {
  api, errorMessage, type PortalOrder, type BindingApplication, type BindingStatus, type CostLine, type DataRequest, type DataRequestStatus, type HouseRow, type PortalRequest,
} from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatDate, formatInstant, todayLocalDate } from '../format.ts';
import { formatYuan } from '../../../core/money.ts';
import { useApi, useFormSubmit, withParams } from '../hooks.ts';
import { HouseSearchSelect } from '../components/HouseSearchSelect.tsx';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

/**
 * 对客端事项: what owners send in through the owner portal (docs/portal.md). 绑定申请: a number asks to see a house;
 * staff choose the house (or reject with the reason). 业主提交: promises, plan applications, complaints and repair
 * requests; complaints and repairs are answered here (the answer closes the ticket and the owner reads it); plans are
 * approved on 审批. 个人信息请求 (R41): copy, correction, deletion, explanation, answered within 15 days by a project
 * manager or above. 成本构成: the cost composition shown to owners next to the fee standards (shares add up to 100 %).
 * Project, tab and filters are kept in the address.
 */

const TABS = ['bindings', 'requests', 'orders', 'privacy', 'costs'] as const;
type TabKey = (typeof TABS)[number];

const small = { fontSize: 12 };

/** The data-* attributes of a table row (antd passes them through to the <tr>). */
const rowAttrs = (a: Record<string, string | number>) => a as HTMLAttributes<HTMLElement>;

export default function PortalOfficePage() {
  const { can, me } = useAuth();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  // The server lets project managers and above (with owner.write) handle personal-data requests; others get 403.
  const privacyOfficer = can('owner.write') && me !== null && ROLE_RANK[me.role] >= ROLE_RANK.project_manager;
  const shown: Record<TabKey, boolean> = { bindings: can('owner.read'), requests: can('dunning.read'), orders: can('billing.read'), privacy: privacyOfficer, costs: can('billing.read') };
  const available = TABS.filter((t) => shown[t]);
  const asked = params.get('tab') as TabKey | null;
  const tab: TabKey | undefined = asked && available.includes(asked) ? asked : available[0];
  const needProject = (node: (id: number) => ReactNode) => (projectId === undefined ? <Empty description="请先选择项目" /> : node(projectId));

  const label = (key: TabKey, text: string) => <span data-testid={`portal-tab-${key}`}>{text}</span>;
  const items = [
    { key: 'bindings' as const, label: label('bindings', '绑定申请'), children: needProject((id) => <BindingsTab projectId={id} />) },
    { key: 'requests' as const, label: label('requests', '业主提交'), children: needProject((id) => <RequestsTab projectId={id} />) },
    { key: 'orders' as const, label: label('orders', '在线支付'), children: needProject((id) => <OrdersTab projectId={id} />) },
    { key: 'privacy' as const, label: label('privacy', '个人信息请求'), children: <PrivacyTab /> },
    { key: 'costs' as const, label: label('costs', '成本构成'), children: needProject((id) => <CostsTab projectId={id} editable={can('billing.configure')} />) },
  ].filter((i) => shown[i.key]);

  return (
    <div data-testid="portal-office">
      <Typography.Title level={4} style={{ marginTop: 0 }}>对客端事项</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
      </Space>
      <Typography.Paragraph type="secondary">
        业主在对客端（手机号 + 短信验证码登录）提交的绑定申请、承诺、分期缓缴申请、投诉报修和个人信息权利请求在此办理；答复后业主在对客端即可看到。
      </Typography.Paragraph>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 12 }} />}
      {tab === undefined ? <Empty description="当前角色无权查看对客端事项" /> : (
        <Tabs
          activeKey={tab} destroyOnHidden items={items}
          onChange={(k) => setParams(withParams(params, { tab: k === available[0] ? undefined : k, status: undefined, show: undefined }))}
        />
      )}
    </div>
  );
}

/** The head of a queue tab: its filter, a refresh button, what the tab is for, and the list's error. */
function QueueBar<T extends string>({ list, note, ...filter }: {
  value: T; options: Array<{ value: T; label: string }>; onChange: (v: T) => void; 'data-testid': string;
  list: { reload: () => void; loading: boolean; error?: string | undefined | null }; note: ReactNode;
}) {
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented<T> {...filter} />
        <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading}>刷新</Button>
      </Space>
      <Typography.Paragraph type="secondary">{note}</Typography.Paragraph>
      {list.error && <Alert type="error" showIcon title={list.error} style={{ marginBottom: 12 }} />}
    </>
  );
}

// ---- 在线支付 ----------------------------------------------------------------------------------------------------------

const ORDER_COLORS: Record<string, string> = { paid: 'green', pending: 'gold', mismatch: 'red', failed: 'default', closed: 'default' };

/** Online orders: a paid one shows its payment; 金额不符 and a failed posting show why, for finance to check with the gateway. */
function OrdersTab({ projectId }: { projectId: number }) {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const list = useApi(() => api.portalOrders(projectId, status), [projectId, status]);
  const columns: TableProps<PortalOrder>['columns'] = [
    { title: '下单时间', dataIndex: 'createdAt', width: 150, render: (v: string) => formatInstant(v) },
    { title: '房屋', dataIndex: 'house', width: 130 },
    { title: '账期', dataIndex: 'periods', render: (v: string[]) => v.join('、') },
    { title: '金额', dataIndex: 'amountFen', width: 110, align: 'right', render: (v: number) => formatYuan(v) },
    { title: '渠道', dataIndex: 'providerLabel', width: 110 },
    {
      title: '状态', key: 'status', width: 280,
      render: (_, o) => (
        <Space orientation="vertical" size={0}>
          <Tag color={ORDER_COLORS[o.status] ?? 'default'} data-testid="order-status">{o.statusLabel}</Tag>
          {o.problem && <Typography.Text type="danger" style={small}>{o.problem}</Typography.Text>}
          {o.providerTradeNo && <Typography.Text type="secondary" style={small}>渠道交易号 {o.providerTradeNo}</Typography.Text>}
        </Space>
      ),
    },
  ];
  return (
    <>
      <QueueBar<string>
        value={status ?? 'all'} data-testid="order-filter"
        options={[{ value: 'all', label: '全部' }, { value: 'mismatch', label: '金额不符' }, { value: 'pending', label: '待支付' }, { value: 'paid', label: '支付成功' }]}
        onChange={(v) => setParams(withParams(params, { status: v === 'all' ? undefined : v }))}
        list={list} note={<>业主在对客端的在线缴费订单。支付渠道的通知经验签后只入账一次；金额与订单不符的不入账，须与支付渠道核对后在收银台处理。</>}
      />
      <Table<PortalOrder>
        rowKey="outTradeNo" size="small" columns={columns} dataSource={list.data?.items ?? []} loading={list.loading} pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }} locale={{ emptyText: <Empty description="没有在线支付订单" /> }}
      />
    </>
  );
}

// ---- 绑定申请 ----------------------------------------------------------------------------------------------------------

const BINDING_STATUSES: Array<{ value: BindingStatus; label: string }> = [
  { value: 'pending', label: '待审核' }, { value: 'approved', label: '已通过' }, { value: 'rejected', label: '未通过' },
];
const BINDING_COLORS: Record<BindingStatus, string> = { pending: 'gold', approved: 'green', rejected: 'default' };

function BindingsTab({ projectId }: { projectId: number }) {
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const status: BindingStatus = BINDING_STATUSES.some((s) => s.value === params.get('status')) ? params.get('status') as BindingStatus : 'pending';
  const list = useApi(() => api.bindingApplications(projectId, status), [projectId, status]);
  const [deciding, setDeciding] = useState<{ binding: BindingApplication; approve: boolean } | undefined>(undefined);
  const mayDecide = can('owner.write');

  const columns: TableProps<BindingApplication>['columns'] = [
    { title: '手机号', dataIndex: 'phoneMasked', width: 120, render: (v: string) => <span data-testid="binding-phone">{v}</span> },
    {
      title: '业主填写的房屋', key: 'typed', width: 220,
      render: (_, b) => (
        <Space orientation="vertical" size={0}>
          <span data-testid="binding-typed">{b.building} {b.number}</span>
          <Typography.Text type="secondary" style={small}>业主姓名：{b.ownerName}</Typography.Text>
        </Space>
      ),
    },
    { title: '说明', dataIndex: 'note', render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text> },
    { title: '申请时间', dataIndex: 'createdAt', width: 160, render: (v: string) => formatInstant(v) },
    {
      title: status === 'pending' ? '审核' : '结果', key: 'decision', width: 240,
      render: (_, b) => (b.status === 'pending' ? (mayDecide ? (
        <Space size={4}>
          <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setDeciding({ binding: b, approve: true })} data-testid="binding-approve">批准</Button>
          <Button size="small" danger icon={<CloseOutlined />} onClick={() => setDeciding({ binding: b, approve: false })} data-testid="binding-reject">驳回</Button>
        </Space>
      ) : <Typography.Text type="secondary">待有权限的同事审核</Typography.Text>) : (
        <Space orientation="vertical" size={0}>
          <Space size={4}>
            <Tag color={BINDING_COLORS[b.status]} data-testid="binding-status">{b.statusLabel}</Tag>
            {b.houseNumber && <span data-testid="binding-house">房号 {b.houseNumber}</span>}
          </Space>
          {b.decisionNote && <Typography.Text style={small} data-testid="binding-note">{b.decisionNote}</Typography.Text>}
          {b.decidedBy && <Typography.Text type="secondary" style={small}>{b.decidedBy}</Typography.Text>}
        </Space>
      )),
    },
  ];

  return (
    <>
      <QueueBar<BindingStatus>
        value={status} options={BINDING_STATUSES} data-testid="binding-status-filter"
        onChange={(v) => setParams(withParams(params, { status: v === 'pending' ? undefined : v }))}
        list={list} note={<>业主自行填写的楼栋、房号和姓名仅供核对：批准时须选定本项目的房屋，该号码即可查看这套房屋当前产权人的账单；不符的请驳回并写明理由（业主在对客端可见）。</>}
      />
      <Table<BindingApplication>
        rowKey="id" size="small" columns={columns} dataSource={list.data?.items ?? []} loading={list.loading} pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }} data-testid="binding-table" locale={{ emptyText: <Empty description="没有此状态的绑定申请" /> }}
        onRow={(b) => rowAttrs({ 'data-testid': 'binding-row', 'data-binding-id': b.id, 'data-status': b.status })}
      />
      {deciding && (
        <BindingDecisionModal
          projectId={projectId} binding={deciding.binding} approve={deciding.approve} onClose={() => setDeciding(undefined)}
          onDone={() => { setDeciding(undefined); list.reload(); }}
        />
      )}
    </>
  );
}

/** Building names as owners type them: "3栋", "3号楼", "3 幢" are the same building. */
const buildingKey = (s: string) => s.replace(/\s+/g, '').replace(/(号楼|栋|幢|座|楼)$/, '');

interface BindingForm { houseId?: number | undefined; note: string }

function BindingDecisionModal({ projectId, binding, approve, onClose, onDone }: {
  projectId: number; binding: BindingApplication; approve: boolean; onClose: () => void; onDone: () => void;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<BindingForm>();
  const { busy, error, submit: run } = useFormSubmit(form, ['houseId', 'note']);
  const prefer = (h: HouseRow) => h.number === binding.number.trim() && buildingKey(h.buildingName) === buildingKey(binding.building);

  async function submit() {
    const done = await run(async (v) => {
      if (approve) await api.decideBinding(binding.id, { approve: true, houseId: v.houseId!, note: v.note.trim() || null });
      else await api.decideBinding(binding.id, { approve: false, note: v.note.trim() });
      void message.success(approve ? `已批准 ${binding.phoneMasked} 的绑定申请` : `已驳回 ${binding.phoneMasked} 的绑定申请`);
    });
    if (done) onDone();
  }

  return (
    <Modal
      open title={approve ? '批准绑定申请' : '驳回绑定申请'} okText={approve ? '批准' : '驳回'} cancelText="取消" onOk={() => void submit()} onCancel={onClose}
      confirmLoading={busy} okButtonProps={{ danger: !approve, 'data-testid': 'binding-submit' }} destroyOnHidden mask={{ closable: false }}
    >
      <Typography.Paragraph>
        号码 <Typography.Text strong>{binding.phoneMasked}</Typography.Text> 申请绑定：
        <Typography.Text strong data-testid="binding-modal-typed">{binding.building} {binding.number}</Typography.Text>（业主姓名 {binding.ownerName}）
        {binding.note && <><br /><Typography.Text type="secondary">说明：{binding.note}</Typography.Text></>}
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="binding-error" />}
      <Form<BindingForm> form={form} layout="vertical" requiredMark={false} initialValues={{ note: '' }} data-testid="binding-form">
        {approve && (
          <Form.Item
            name="houseId" label="房屋（核对房号和产权人姓名）" rules={[{ required: true, message: '请选择房屋' }]} data-testid="binding-house-item"
            extra="已按业主填写的房号查找；可输入其他房号。"
          >
            <HouseSearchSelect projectId={projectId} initialQuery={binding.number} prefer={prefer} testId="binding-house-select" />
          </Form.Item>
        )}
        <Form.Item
          name="note" label={approve ? '备注（可选）' : '驳回理由（业主可见）'} data-testid="binding-note-item"
          rules={approve ? [] : [{ required: true, whitespace: true, message: '请写明驳回理由' }]}
        >
          <Input.TextArea rows={2} maxLength={500} showCount placeholder={approve ? '' : '如：房号与产权登记不符，请携带房产证到物业服务中心办理'} data-testid="binding-note-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// ---- 业主提交 ----------------------------------------------------------------------------------------------------------

const REQUEST_KIND_COLORS: Record<string, string> = { promise: 'blue', plan: 'purple', complaint: 'red', repair: 'orange' };
const REQUEST_STATUS_COLORS: Record<string, string> = { resolved: 'green', 已完成: 'green', 执行中: 'green', open: 'gold', 待审批: 'gold', 已驳回: 'default', 已违约: 'red' };
const answerable = (r: PortalRequest) => (r.kind === 'complaint' || r.kind === 'repair') && r.status !== 'resolved';

type RequestFilter = 'todo' | 'all';

function RequestsTab({ projectId }: { projectId: number }) {
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const show: RequestFilter = params.get('show') === 'all' ? 'all' : 'todo';
  const list = useApi(() => api.portalRequests(projectId), [projectId]);
  const [replying, setReplying] = useState<PortalRequest | undefined>(undefined);
  const all = list.data?.items ?? [];
  const todo = (r: PortalRequest) => answerable(r) || (r.kind === 'plan' && r.status === '待审批');
  const rows = show === 'all' ? all : all.filter(todo);
  const mayReply = can('dunning.act');
  const approvals = `/billing/approvals?projectId=${projectId}&tab=plans`;

  const columns: TableProps<PortalRequest>['columns'] = [
    { title: '类型', dataIndex: 'kindLabel', width: 110, render: (v: string, r) => <Tag color={REQUEST_KIND_COLORS[r.kind]} data-testid="request-kind">{v}</Tag> },
    {
      title: '房屋', key: 'house', width: 120,
      render: (_, r) => <Link to={`/houses/${r.houseId}/collection`} data-testid="request-house" title="本户催缴与沟通记录">{r.house}</Link>,
    },
    {
      title: '事项', key: 'topic',
      render: (_, r) => (
        <Space orientation="vertical" size={2}>
          <Typography.Text strong data-testid="request-topic">{r.topic}</Typography.Text>
          {r.detail && <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }} ellipsis={{ rows: 3, expandable: 'collapsible' }} data-testid="request-detail">{r.detail}</Typography.Paragraph>}
          {r.files.map((f) => (
            <a key={f.id} href={api.portalFileUrl(f.id)} download={f.filename} data-testid="request-file" data-file-id={f.id}><PaperClipOutlined /> {f.filename}</a>
          ))}
        </Space>
      ),
    },
    {
      title: '状态 / 答复', key: 'status', width: 260,
      render: (_, r) => (
        <Space orientation="vertical" size={2}>
          <Tag color={REQUEST_STATUS_COLORS[r.status] ?? 'default'} data-testid="request-status">{r.statusLabel}</Tag>
          {r.reply && <Typography.Text style={small} data-testid="request-reply-text">{r.reply}</Typography.Text>}
        </Space>
      ),
    },
    { title: '提交时间', dataIndex: 'createdAt', width: 160, render: (v: string) => formatInstant(v) },
    {
      title: '办理', key: 'action', width: 150,
      render: (_, r) => {
        if (answerable(r)) {
          return mayReply
            ? <Button size="small" type="primary" icon={<MessageOutlined />} onClick={() => setReplying(r)} data-testid="request-reply">答复并办结</Button>
            : <Typography.Text type="secondary" style={small}>待催缴人员答复</Typography.Text>;
        }
        if (r.kind === 'plan') return <Link to={approvals} data-testid="request-plan-link">{r.status === '待审批' ? '到审批页审批' : '在审批页查看'}</Link>;
        if (r.kind === 'promise') return <Typography.Text type="secondary" style={small}>已记入催缴案件，催缴暂停至承诺日</Typography.Text>;
        return null;
      },
    },
  ];

  return (
    <>
      <QueueBar<RequestFilter>
        value={show} data-testid="request-filter"
        options={[{ value: 'todo', label: `待办（${all.filter(todo).length}）` }, { value: 'all', label: `全部（${all.length}）` }]}
        onChange={(v) => setParams(withParams(params, { show: v === 'todo' ? undefined : v }))}
        list={list} note={<>投诉、报修在此答复并办结（有催缴案件的，其服务工单一并办结），业主在对客端看到答复。缓缴、分期申请在 <Link to={approvals} data-testid="requests-approvals-link">审批 → 分期/缓缴</Link> 中审批；承诺缴费已记入该户的催缴案件。</>}
      />
      <Table<PortalRequest>
        rowKey="id" size="small" columns={columns} dataSource={rows} loading={list.loading} pagination={{ pageSize: 20, hideOnSinglePage: true }} scroll={{ x: 1000 }}
        data-testid="request-table" locale={{ emptyText: <Empty description={show === 'todo' ? '没有待办的业主提交' : '业主尚未在对客端提交事项'} /> }}
        onRow={(r) => rowAttrs({ 'data-testid': 'request-row', 'data-request-id': r.id, 'data-kind': r.kind, 'data-status': r.status })}
      />
      {replying && <ReplyModal request={replying} onClose={() => setReplying(undefined)} onDone={() => { setReplying(undefined); list.reload(); }} />}
    </>
  );
}

function ReplyModal({ request, onClose, onDone }: { request: PortalRequest; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ reply: string }>();
  const { busy, error, submit: run } = useFormSubmit(form, ['reply']);

  async function submit() {
    const done = await run(async (v) => {
      await api.replyToPortalRequest(request.id, v.reply.trim());
      void message.success(`已答复 ${request.house} 的${request.kindLabel}并办结`);
    });
    if (done) onDone();
  }

  return (
    <Modal
      open title={`答复${request.kindLabel}：${request.house}`} okText="答复并办结" cancelText="取消" onOk={() => void submit()} onCancel={onClose}
      confirmLoading={busy} okButtonProps={{ 'data-testid': 'request-reply-submit' }} destroyOnHidden mask={{ closable: false }}
    >
      <Typography.Paragraph>
        <Typography.Text strong>{request.topic}</Typography.Text>
        {request.detail && <><br /><span style={{ whiteSpace: 'pre-wrap' }}>{request.detail}</span></>}
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="request-reply-error" />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ reply: '' }} data-testid="request-reply-form">
        <Form.Item name="reply" label="答复（业主在对客端可见）" rules={[{ required: true, whitespace: true, message: '请填写答复' }]} data-testid="request-reply-item">
          <Input.TextArea rows={3} maxLength={500} showCount placeholder="如：已安排维修人员于明日上午上门处理" data-testid="request-reply-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// ---- 个人信息请求（R41） ----------------------------------------------------------------------------------------------

type PrivacyFilter = DataRequestStatus | 'all';
const PRIVACY_FILTERS: Array<{ value: PrivacyFilter; label: string }> = [
  { value: 'pending', label: '待处理' }, { value: 'fulfilled', label: '已办理' }, { value: 'refused', label: '不予办理' }, { value: 'all', label: '全部' },
];
const PRIVACY_COLORS: Record<DataRequestStatus, string> = { pending: 'gold', fulfilled: 'green', refused: 'default' };
/** Days left before a pending request's answer is late that count as "soon". */
const DUE_SOON_DAYS = 3;

function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function DueTag({ request, today }: { request: DataRequest; today: string }) {
  const left = daysFrom(today, request.dueOn);
  const pending = request.status === 'pending';
  const urgency = !pending ? 'done' : left < 0 ? 'overdue' : left <= DUE_SOON_DAYS ? 'soon' : 'ok';
  return (
    <Space orientation="vertical" size={0} data-testid="privacy-due" data-urgency={urgency}>
      <span>{formatDate(request.dueOn)}</span>
      {urgency === 'overdue' && <Tag color="red">已逾期 {-left} 天</Tag>}
      {urgency === 'soon' && <Tag color="orange">{left === 0 ? '今日到期' : `还剩 ${left} 天`}</Tag>}
    </Space>
  );
}

function PrivacyTab() {
  const [params, setParams] = useSearchParams();
  const status: PrivacyFilter = PRIVACY_FILTERS.some((f) => f.value === params.get('status')) ? params.get('status') as PrivacyFilter : 'pending';
  const list = useApi(() => api.dataRequests(status === 'all' ? undefined : status), [status]);
  const [deciding, setDeciding] = useState<{ request: DataRequest; fulfil: boolean } | undefined>(undefined);
  const today = todayLocalDate();

  const columns: TableProps<DataRequest>['columns'] = [
    { title: '请求', dataIndex: 'kindLabel', width: 150, render: (v: string) => <span data-testid="privacy-kind">{v}</span> },
    { title: '手机号', dataIndex: 'phoneMasked', width: 120 },
    {
      title: '内容', dataIndex: 'detail',
      render: (v: string) => (v ? <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }} ellipsis={{ rows: 3, expandable: 'collapsible' }}>{v}</Typography.Paragraph>
        : <Typography.Text type="secondary">（未填写）</Typography.Text>),
    },
    { title: '答复期限', key: 'due', width: 120, render: (_, r) => <DueTag request={r} today={today} /> },
    { title: '提交时间', dataIndex: 'createdAt', width: 160, render: (v: string) => formatInstant(v) },
    {
      title: '办理', key: 'action', width: 250,
      render: (_, r) => (r.status === 'pending' ? (
        <Space size={4}>
          <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setDeciding({ request: r, fulfil: true })} data-testid="privacy-fulfil">办理</Button>
          <Button size="small" danger icon={<CloseOutlined />} onClick={() => setDeciding({ request: r, fulfil: false })} data-testid="privacy-refuse">不予办理</Button>
        </Space>
      ) : (
        <Space orientation="vertical" size={0}>
          <Tag color={PRIVACY_COLORS[r.status]} data-testid="privacy-status">{r.statusLabel}</Tag>
          {r.reply && <Typography.Text style={small} data-testid="privacy-reply-text">{r.reply}</Typography.Text>}
          {r.decidedBy && <Typography.Text type="secondary" style={small}>{r.decidedBy}</Typography.Text>}
        </Space>
      )),
    },
  ];

  return (
    <>
      <QueueBar<PrivacyFilter>
        value={status} options={PRIVACY_FILTERS} data-testid="privacy-filter"
        onChange={(v) => setParams(withParams(params, { status: v === 'pending' ? undefined : v }))}
        list={list} note={<>业主行使查阅复制、更正补充、删除和要求解释的权利（《个人信息保护法》第四十四至五十条），应在 15 日内答复。查阅复制请求办理后系统生成该号码名下的个人信息副本，业主在对客端下载；更正、删除请先在房屋档案中完成，再在此说明办理情况；不予办理的须说明理由。各公司所有项目的请求均在此处理。</>}
      />
      <Table<DataRequest>
        rowKey="id" size="small" columns={columns} dataSource={list.data?.items ?? []} loading={list.loading} pagination={{ pageSize: 20, hideOnSinglePage: true }} scroll={{ x: 1000 }}
        data-testid="privacy-table" locale={{ emptyText: <Empty description="没有此状态的个人信息请求" /> }}
        onRow={(r) => rowAttrs({ 'data-testid': 'privacy-row', 'data-request-id': r.id, 'data-kind': r.kind, 'data-status': r.status })}
      />
      {deciding && (
        <PrivacyDecisionModal
          request={deciding.request} fulfil={deciding.fulfil} onClose={() => setDeciding(undefined)} onDone={() => { setDeciding(undefined); list.reload(); }}
        />
      )}
    </>
  );
}

function PrivacyDecisionModal({ request, fulfil, onClose, onDone }: { request: DataRequest; fulfil: boolean; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ reply: string }>();
  const { busy, error, submit: run } = useFormSubmit(form, ['reply']);
  const copy = request.kind === 'copy';

  async function submit() {
    const done = await run(async (v) => {
      await api.decideDataRequest(request.id, fulfil, v.reply.trim());
      void message.success(fulfil ? (copy ? '已办理，个人信息副本已生成，业主可在对客端下载' : '已办理') : '已答复不予办理');
    });
    if (done) onDone();
  }

  return (
    <Modal
      open title={`${fulfil ? '办理' : '不予办理'}：${request.kindLabel}（${request.phoneMasked}）`} okText={fulfil ? '办理' : '不予办理'} cancelText="取消"
      onOk={() => void submit()} onCancel={onClose} confirmLoading={busy} okButtonProps={{ danger: !fulfil, 'data-testid': 'privacy-submit' }} destroyOnHidden mask={{ closable: false }}
    >
      {request.detail && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{request.detail}</Typography.Paragraph>}
      {fulfil && copy && <Alert type="info" showIcon title="办理后系统生成该号码名下业主的个人信息副本（JSON），业主在对客端下载。" style={{ marginBottom: 12 }} />}
      {fulfil && (request.kind === 'correction' || request.kind === 'deletion') && (
        <Alert type="info" showIcon title="请先在房屋档案 / 业主查询中完成更正或删除，再在下面说明办理情况。" style={{ marginBottom: 12 }} />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="privacy-error" />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ reply: '' }} data-testid="privacy-form">
        <Form.Item
          name="reply" label={fulfil ? '答复（业主可见）' : '不予办理的理由（业主可见）'} data-testid="privacy-reply-item"
          rules={[{ required: true, whitespace: true, message: fulfil ? '请填写答复' : '请写明不予办理的理由' }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="privacy-reply-input"
            placeholder={fulfil ? (copy ? '如：已生成您的个人信息副本，请在“个人信息权利”中下载' : '如：已按您的要求更正联系电话') : '如：该信息为履行物业服务合同和法定会计档案保存所必需，保存期限届满后删除'}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// ---- 成本构成 ----------------------------------------------------------------------------------------------------------

interface CostRow { key: number; item: string; pct: string; note: string }

/** Basis points as percent text with two decimals (2550 → "25.50"), integers only. */
function bpText(bp: number): string {
  return `${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;
}

/** Percent text with at most two decimals → basis points without floating point ('25.5' → 2550); undefined when malformed. */
function parsePctBp(text: string): number | undefined {
  const m = /^\s*(\d{0,3})(?:\.(\d{0,2}))?\s*%?\s*$/.exec(text);
  if (!m || (!m[1] && !m[2])) return undefined;
  return Number(m[1] || '0') * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

function rowProblems(rows: CostRow[]): Record<number, { item?: string; pct?: string }> {
  const out: Record<number, { item?: string; pct?: string }> = {};
  const seen = new Set<string>();
  for (const r of rows) {
    const p: { item?: string; pct?: string } = {};
    const item = r.item.trim();
    if (!item) p.item = '请填写项目';
    else if (item.length > 40) p.item = '不超过 40 个字';
    else if (seen.has(item)) p.item = '项目重复';
    seen.add(item);
    const bp = parsePctBp(r.pct);
    if (bp === undefined) p.pct = '应为百分数，最多两位小数';
    else if (bp <= 0 || bp > 10000) p.pct = '应大于 0、不超过 100';
    if (p.item || p.pct) out[r.key] = p;
  }
  return out;
}

let nextKey = 1;
const toRows = (lines: CostLine[]): CostRow[] => lines.map((l) => ({ key: nextKey++, item: l.item, pct: bpText(l.pctBp), note: l.note ?? '' }));

function CostsTab({ projectId, editable }: { projectId: number; editable: boolean }) {
  const { message } = AntApp.useApp();
  const loaded = useApi(() => api.costComposition(projectId), [projectId]);
  const [rows, setRows] = useState<CostRow[]>([]);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    setRows(toRows(loaded.data?.lines ?? []));
    setDirty(false);
    setError(undefined);
  }, [loaded.data]);

  const problems = rowProblems(rows);
  const valid = Object.keys(problems).length === 0;
  // A row just added (nothing typed yet) is not marked red: it only keeps the composition from being saved.
  const shownProblem = (r: CostRow, field: 'item' | 'pct') => (dirty && (r.item.trim() || r.pct.trim()) ? problems[r.key]?.[field] : undefined);
  const total = rows.reduce((s, r) => s + (parsePctBp(r.pct) ?? 0), 0);
  const complete = valid && rows.length > 0 && total === 10000;
  const used = new Set(rows.map((r) => r.item.trim()));
  const change = (key: number, patch: Partial<CostRow>) => {
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
    setDirty(true);
  };

  async function save() {
    if (!complete) return;
    setSaving(true);
    setError(undefined);
    try {
      const lines = rows.map((r) => ({ item: r.item.trim(), pctBp: parsePctBp(r.pct)!, note: r.note.trim() || null }));
      await api.saveCostComposition(projectId, lines);
      void message.success('成本构成已保存，业主在对客端的收费标准页可见');
      loaded.reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  const columns: TableProps<CostRow>['columns'] = [
    {
      title: '成本项目', key: 'item',
      render: (_, r) => (editable ? (
        <Space orientation="vertical" size={0} style={{ width: '100%' }}>
          <AutoComplete
            value={r.item} onChange={(v: string) => change(r.key, { item: v })} style={{ width: '100%' }} status={shownProblem(r, 'item') ? 'error' : undefined}
            options={COST_ITEMS.filter((c) => c === r.item.trim() || !used.has(c)).map((c) => ({ value: c }))} placeholder="选择或输入成本项目"
            showSearch={{ filterOption: (input, o) => String(o?.value ?? '').includes(input) }} data-testid="cost-item"
          />
          {shownProblem(r, 'item') && <Typography.Text type="danger" style={small}>{shownProblem(r, 'item')}</Typography.Text>}
        </Space>
      ) : <span data-testid="cost-item">{r.item}</span>),
    },
    {
      title: '占比', key: 'pct', width: 150,
      render: (_, r) => (editable ? (
        <Space orientation="vertical" size={0}>
          <Input
            value={r.pct} onChange={(e) => change(r.key, { pct: e.target.value })} suffix="%" inputMode="decimal" autoComplete="off" status={shownProblem(r, 'pct') ? 'error' : undefined}
            data-testid="cost-pct"
          />
          {shownProblem(r, 'pct') && <Typography.Text type="danger" style={small}>{shownProblem(r, 'pct')}</Typography.Text>}
        </Space>
      ) : <span data-testid="cost-pct">{r.pct}%</span>),
    },
    {
      title: '说明', key: 'note',
      render: (_, r) => (editable
        ? <Input value={r.note} onChange={(e) => change(r.key, { note: e.target.value })} maxLength={200} placeholder="可选" data-testid="cost-note" />
        : <span>{r.note || '—'}</span>),
    },
    ...(editable ? [{
      title: '', key: 'remove', width: 56,
      render: (_: unknown, r: CostRow) => (
        <Button
          type="text" danger icon={<DeleteOutlined />} title="删除此行" data-testid="cost-remove"
          onClick={() => { setRows((rs) => rs.filter((x) => x.key !== r.key)); setDirty(true); }}
        />
      ),
    }] : []),
  ];

  const totalOk = total === 10000;
  return (
    <>
      <Typography.Paragraph type="secondary">
        物业服务成本构成按《物业服务收费管理办法》列明各项成本占物业服务费的比例，与收费标准一并在对客端公示；各项占比合计须为 100.00%。
        {!editable && ' 修改需要收费设置权限。'}
      </Typography.Paragraph>
      {loaded.error && <Alert type="error" showIcon title={loaded.error} style={{ marginBottom: 12 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="cost-error" />}
      <Table<CostRow>
        rowKey="key" size="small" columns={columns} dataSource={rows} loading={loaded.loading} pagination={false} data-testid="cost-table"
        locale={{ emptyText: <Empty description="尚未设置成本构成" /> }}
        onRow={(r) => rowAttrs({ 'data-testid': 'cost-row', 'data-item': r.item })}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}><Typography.Text strong>合计</Typography.Text></Table.Summary.Cell>
            <Table.Summary.Cell index={1}>
              <Typography.Text strong type={totalOk ? 'success' : 'danger'} data-testid="cost-total" data-bp={total}>{bpText(total)}%</Typography.Text>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={2} colSpan={editable ? 2 : 1} />
          </Table.Summary.Row>
        )}
      />
      {editable && (
        <Space wrap style={{ marginTop: 12 }}>
          <Button icon={<PlusOutlined />} onClick={() => { setRows((rs) => [...rs, { key: nextKey++, item: '', pct: '', note: '' }]); setDirty(true); }} disabled={rows.length >= 30} data-testid="cost-add">
            添加一项
          </Button>
          {rows.length === 0 && (
            <Button
              onClick={() => { setRows(COST_ITEMS.map((item) => ({ key: nextKey++, item, pct: '', note: '' }))); setDirty(true); }} data-testid="cost-standard"
            >
              按标准成本项目填写
            </Button>
          )}
          <Button type="primary" icon={<SaveOutlined />} onClick={() => void save()} loading={saving} disabled={!complete || !dirty} data-testid="cost-save">保存</Button>
          {dirty && rows.length > 0 && !totalOk && <Typography.Text type="danger" data-testid="cost-total-warning">合计须为 100.00%（现为 {bpText(total)}%），未保存</Typography.Text>}
          {dirty && rows.length > 0 && totalOk && !valid && <Typography.Text type="danger" data-testid="cost-row-warning">请先更正标红的项目或占比，或删除空行</Typography.Text>}
          {dirty && <Button onClick={() => { setRows(toRows(loaded.data?.lines ?? [])); setDirty(false); setError(undefined); }}>放弃修改</Button>}
        </Space>
      )}
    </>
  );
}
