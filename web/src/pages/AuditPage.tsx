import type { HTMLAttributes } from 'react';
import { Alert, Input, Select, Space, Table, Typography, type TableProps } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { api, type AuditEntry } from '../api.ts';
import { useApi, withParams } from '../hooks.ts';
import { AUDIT_ACTION_LABELS, ENTITY_LABELS, compactJson, formatInstant } from '../format.ts';

function Snapshot({ label, value }: { label: string; value: unknown }) {
  const text = compactJson(value);
  if (!text) return null;
  return (
    <div style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12, wordBreak: 'break-all' }}>
      <Typography.Text type="secondary">{label}：</Typography.Text>{text}
    </div>
  );
}

/** 审计日志: newest first, paged on the server, filtered by action, entity and entity id. */
export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? undefined;
  const entity = params.get('entity') ?? undefined;
  const entityId = params.get('entityId') ?? undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = Math.max(1, Number(params.get('pageSize')) || 20);

  const log = useApi(() => api.audit({ action, entity, entityId, page, pageSize }), [action, entity, entityId, page, pageSize]);

  const update = (changes: Record<string, string | number | undefined>, keepPage = false) =>
    setParams(withParams(params, keepPage ? changes : { ...changes, page: undefined }));

  const columns: TableProps<AuditEntry>['columns'] = [
    { title: '时间', dataIndex: 'at', width: 170, render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatInstant(v)}</span> },
    { title: '操作人', dataIndex: 'actorName', width: 110, render: (v: string | null) => <span data-testid="audit-actor">{v ?? '系统'}</span> },
    {
      title: '操作',
      dataIndex: 'action',
      width: 190,
      render: (v: string) => (
        <span data-testid="audit-action" data-action={v}>
          {AUDIT_ACTION_LABELS[v] ?? v}
          {AUDIT_ACTION_LABELS[v] && <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 6 }}>{v}</Typography.Text>}
        </span>
      ),
    },
    {
      title: '对象',
      key: 'entity',
      width: 150,
      render: (_, r) => <span>{ENTITY_LABELS[r.entity] ?? r.entity}{r.entityId !== null ? ` #${r.entityId}` : ''}</span>,
    },
    { title: '详情', key: 'details', render: (_, r) => <><Snapshot label="前" value={r.before} /><Snapshot label="后" value={r.after} /></> },
  ];

  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>审计日志</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select<string>
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder="全部操作"
          style={{ width: 240 }}
          value={action}
          onChange={(v) => update({ action: v })}
          options={Object.entries(AUDIT_ACTION_LABELS).map(([code, label]) => ({ value: code, label: `${label}（${code}）` }))}
          data-testid="audit-action-filter"
        />
        <Select<string>
          allowClear
          placeholder="全部对象"
          style={{ width: 160 }}
          value={entity}
          onChange={(v) => update({ entity: v, entityId: undefined })}
          options={Object.entries(ENTITY_LABELS).map(([code, label]) => ({ value: code, label }))}
        />
        <Input.Search
          placeholder="对象编号"
          allowClear
          defaultValue={entityId}
          style={{ width: 160 }}
          onSearch={(v) => update({ entityId: v.trim() || undefined })}
        />
      </Space>
      {log.error && <Alert type="error" showIcon title={log.error} style={{ marginBottom: 16 }} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={log.loading}
        columns={columns}
        dataSource={log.data?.items ?? []}
        onRow={(r) => ({ 'data-testid': 'audit-row', 'data-action': r.action } as HTMLAttributes<HTMLElement>)}
        pagination={{
          current: page,
          pageSize,
          total: log.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100],
          showTotal: (total) => `共 ${total} 条`,
          onChange: (p, size) => update({ page: size !== pageSize || p === 1 ? undefined : p, pageSize: size === 20 ? undefined : size }, true),
        }}
      />
    </div>
  );
}
