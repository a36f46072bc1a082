import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Empty, Segmented, Select, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { ReloadOutlined, RedoOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { api, errorMessage, type MessageStatus, type OutboxItem } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatDayOrInstant, formatInstant } from '../format.ts';
import { useApi, withParams, intParam } from '../hooks.ts';
import { MESSAGE_STATUSES, OUTBOX_CHANNELS, OUTBOX_CHANNEL_LABELS, PROVIDER_CHANNELS, STATUS_LABELS, outboxChannelLabel, statusColor, statusLabel } from '../notices.ts';
import { ExportMenu } from '../components/ExportMenu.tsx';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const PAGE_SIZES = [20, 50, 100];
const ALL = 'all';

/**
 * 发送队列: every message to owners (SMS, e-mail, WeChat, printed letters) with its state — 待发送, 发送中, 已发出,
 * 已送达, 失败, 已拦截 (paid meanwhile, paused case, quiet hours…) — filtered by state and channel, newest first. A
 * failed SMS, e-mail or WeChat message can be sent again; channels without a provider are named, since what waits for
 * them is never sent. ?houseId= narrows the list to one house (linked from its evidence page).
 */
export default function OutboxPage() {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const channel = params.get('channel') ?? undefined;
  const houseId = intParam(params.get('houseId'));
  const page = intParam(params.get('page'), 1);
  const pageSize = intParam(params.get('pageSize'), 20);
  const outbox = useApi(projectId === undefined ? null : () => api.outbox(projectId, { status, channel, houseId, page, pageSize }), [projectId, status, channel, houseId, page, pageSize]);
  const [retrying, setRetrying] = useState<number | undefined>(undefined);
  const data = outbox.data;
  const mayRetry = can('notices.send');

  async function retry(m: OutboxItem) {
    setRetrying(m.id);
    try {
      await api.retryMessage(m.id);
      void message.success(`消息 #${m.id} 已重新排队发送`);
      outbox.reload();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setRetrying(undefined);
    }
  }

  const unconfigured = data ? PROVIDER_CHANNELS.filter((c) => !data.configured.includes(c)) : [];
  const total = data ? Object.values(data.counts).reduce((s, n) => s + n, 0) : 0;

  const columns: TableProps<OutboxItem>['columns'] = [
    { title: '#', dataIndex: 'id', width: 70 },
    { title: '房屋', dataIndex: 'house', width: 130, render: (v: string, m) => <Link to={`/houses/${m.houseId}/evidence`} data-testid="outbox-house">{v}</Link> },
    { title: '方式', dataIndex: 'channel', width: 100, render: (v: string) => outboxChannelLabel(v) },
    { title: '文书', dataIndex: 'templateLabel', width: 190 },
    {
      title: '状态', dataIndex: 'status', width: 220,
      render: (v: MessageStatus, m) => (
        <Space orientation="vertical" size={0}>
          <Tag color={statusColor(v)} data-testid="outbox-status">{statusLabel(v)}</Tag>
          {(m.error ?? m.suppressedReason) && <Typography.Text type={v === 'failed' ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>{m.error ?? m.suppressedReason}</Typography.Text>}
          {m.nextAttemptAt && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{m.attempts > 0 ? `第 ${m.attempts + 1} 次尝试：` : '计划：'}{formatInstant(m.nextAttemptAt)}</Typography.Text>}
        </Space>
      ),
    },
    { title: '收件人', dataIndex: 'recipient', width: 160, render: (v: string | null) => v ?? '—' },
    { title: '欠费', dataIndex: 'owed', width: 100, align: 'right' },
    { title: '尝试', dataIndex: 'attempts', width: 60, align: 'right' },
    { title: '发出', dataIndex: 'sentAt', width: 160, render: (v: string | null) => formatInstant(v) },
    { title: '送达', dataIndex: 'deliveredAt', width: 160, render: (v: string | null) => formatDayOrInstant(v) },
    { title: '服务商 / 邮件号', key: 'provider', width: 150, render: (_, m) => m.trackingNo ?? m.provider ?? '—' },
    { title: '创建', dataIndex: 'createdAt', width: 160, render: (v: string) => formatInstant(v) },
    {
      title: '', key: 'do', width: 80, fixed: 'right',
      render: (_, m) => (mayRetry && m.status === 'failed' && (PROVIDER_CHANNELS as readonly string[]).includes(m.channel)
        ? <Button size="small" icon={<RedoOutlined />} loading={retrying === m.id} onClick={() => void retry(m)} data-testid="outbox-retry">重试</Button>
        : null),
    },
  ];

  return (
    <div data-testid="outbox-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>发送队列</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
        <Select<string>
          style={{ width: 150 }} allowClear placeholder="全部方式" value={channel} data-testid="outbox-channel"
          onChange={(v) => setParams(withParams(params, { channel: v, page: undefined }))}
          options={OUTBOX_CHANNELS.map((c) => ({ value: c, label: OUTBOX_CHANNEL_LABELS[c] }))}
        />
        {houseId !== undefined && (
          <Tag closable onClose={() => setParams(withParams(params, { houseId: undefined, page: undefined }))} data-testid="outbox-house-filter">
            仅房屋 {data?.items[0]?.house ?? `#${houseId}`}
          </Tag>
        )}
        <Button icon={<ReloadOutlined />} onClick={outbox.reload} loading={outbox.loading}>刷新</Button>
        <ExportMenu projectId={projectId} list="outbox" />
      </Space>
      {data && (
        <div style={{ marginBottom: 12, overflowX: 'auto' }}>
          <Segmented<string>
            value={status ?? ALL} data-testid="outbox-status-filter"
            onChange={(v) => setParams(withParams(params, { status: v === ALL ? undefined : v, page: undefined }))}
            options={[
              { value: ALL, label: <span data-testid="outbox-count" data-status={ALL}>全部 {total}</span> },
              ...MESSAGE_STATUSES.map((s) => ({ value: s, label: <span data-testid="outbox-count" data-status={s}>{STATUS_LABELS[s]} {data.counts[s] ?? 0}</span> })),
            ]}
          />
        </div>
      )}
      {unconfigured.length > 0 && (
        <Alert
          type="warning" showIcon style={{ marginBottom: 12 }} data-testid="outbox-unconfigured" title="以下发送通道未配置"
          description={(
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {unconfigured.map((c) => (
                <li key={c} data-channel={c}>{OUTBOX_CHANNEL_LABELS[c]}通道未配置：待发送的{OUTBOX_CHANNEL_LABELS[c]}将一直等待，直到配置服务商</li>
              ))}
            </ul>
          )}
        />
      )}
      {(project.error ?? outbox.error) && <Alert type="error" showIcon title={project.error ?? outbox.error} style={{ marginBottom: 12 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : (
        <Table<OutboxItem>
          rowKey="id" size="small" columns={columns} dataSource={data?.items ?? []} loading={outbox.loading} scroll={{ x: 'max-content' }}
          data-testid="outbox-table" locale={{ emptyText: <Empty description="没有消息" /> }}
          onRow={(m) => ({ 'data-testid': 'outbox-row', 'data-status': m.status, 'data-channel': m.channel, 'data-message-id': m.id } as HTMLAttributes<HTMLElement>)}
          pagination={{
            current: page, pageSize, total: data?.total ?? 0, showSizeChanger: true, pageSizeOptions: PAGE_SIZES, showTotal: (n) => `共 ${n} 条`,
            onChange: (p, size) => setParams(withParams(params, { page: p === 1 ? undefined : p, pageSize: size === 20 ? undefined : size })),
          }}
        />
      )}
    </div>
  );
}
