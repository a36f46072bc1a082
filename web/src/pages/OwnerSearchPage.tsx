import type { HTMLAttributes } from 'react';
import { Alert, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import { api, type OwnerHit } from '../api.ts';
import { useApi, withParams } from '../hooks.ts';

const MATCHED_BY: Record<OwnerHit['matchedBy'], string> = { name: '姓名', house: '房号', phone: '手机后四位' };

/** 业主查询: one box for a name prefix, a house number prefix or the last four digits of a phone. */
export default function OwnerSearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const projectParam = Number(params.get('projectId'));
  const projectId = Number.isSafeInteger(projectParam) && projectParam > 0 ? projectParam : undefined;

  const projects = useApi(() => api.projects(), []);
  const results = useApi(q.trim() ? () => api.searchOwners(q.trim(), projectId) : null, [q, projectId]);

  const update = (changes: Record<string, string | number | undefined>) => setParams(withParams(params, changes));

  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>业主查询</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          placeholder="姓名 / 房号 / 手机后四位"
          defaultValue={q}
          allowClear
          enterButton="查询"
          style={{ width: 360 }}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          data-testid="owner-search"
        />
        <Select<number>
          allowClear
          placeholder="全部项目"
          style={{ minWidth: 220 }}
          value={projectId}
          onChange={(v) => update({ projectId: v })}
          options={(projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
      </Space>
      {results.error && <Alert type="error" showIcon title={results.error} style={{ marginBottom: 16 }} />}
      <Table<OwnerHit>
        rowKey={(r) => `${r.ownerId}-${r.houseId ?? 'none'}`}
        size="middle"
        loading={results.loading}
        dataSource={results.data?.items ?? []}
        locale={{ emptyText: q.trim() ? '没有找到匹配的业主' : '请输入姓名、房号或手机后四位' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(r) => ({ 'data-testid': 'owner-result', 'data-house-id': r.houseId ?? '' } as HTMLAttributes<HTMLElement>)}
        columns={[
          { title: '姓名', dataIndex: 'name', render: (v: string, r) => <Space>{v}{r.kind === '单位' && <Tag>单位</Tag>}</Space> },
          { title: '项目', dataIndex: 'projectName', render: (v: string | null) => v ?? '—' },
          { title: '楼栋', dataIndex: 'buildingName', render: (v: string | null) => v ?? '—' },
          {
            title: '房号',
            dataIndex: 'houseNumber',
            render: (v: string | null, r) => (r.houseId !== null ? <Link to={`/houses/${r.houseId}`} data-testid="owner-result-house">{v}</Link> : (v ?? '—')),
          },
          { title: '当前业主', dataIndex: 'current', render: (v: boolean) => (v ? <Tag color="green">当前</Tag> : <Tag>历史</Tag>) },
          { title: '匹配方式', dataIndex: 'matchedBy', render: (v: OwnerHit['matchedBy']) => MATCHED_BY[v] ?? v },
        ]}
      />
    </div>
  );
}
