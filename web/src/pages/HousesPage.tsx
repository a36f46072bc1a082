import { useEffect, type HTMLAttributes } from 'react';
import { Alert, Col, Empty, Input, Menu, Row, Select, Space, Table, Typography, type TableProps } from 'antd';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { HOUSE_STATUSES } from '../../../core/registry/vocabulary.ts';
import { api, type HouseRow } from '../api.ts';
import { useApi, withParams, intParam } from '../hooks.ts';
import { formatArea, formatDate } from '../format.ts';
import { ExportMenu } from '../components/ExportMenu.tsx';
import { HouseStatusTag } from '../components/HouseStatusTag.tsx';

const PAGE_SIZES = [20, 50, 100];

/**
 * 房屋档案: project → building → houses, paged on the server. The selection lives in the address (?projectId=…), so
 * going back from a house returns to the same page of the same building.
 */
export default function HousesPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const projectId = intParam(params.get('projectId'));
  const buildingId = intParam(params.get('buildingId'));
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? undefined;
  const page = intParam(params.get('page')) ?? 1;
  const pageSize = intParam(params.get('pageSize')) ?? 20;

  const update = (changes: Record<string, string | number | undefined>, keepPage = false) =>
    setParams(withParams(params, keepPage || 'page' in changes ? changes : { ...changes, page: undefined }));

  const projects = useApi(() => api.projects(), []);
  const projectItems = projects.data?.items;
  // With exactly one project there is nothing to choose.
  useEffect(() => {
    if (projectId === undefined && projectItems?.length === 1 && projectItems[0]) {
      const next = new URLSearchParams(params);
      next.set('projectId', String(projectItems[0].id));
      setParams(next, { replace: true });
    }
  }, [projectId, projectItems, params, setParams]);

  const buildings = useApi(projectId === undefined ? null : () => api.buildings(projectId), [projectId]);
  const houses = useApi(
    projectId === undefined ? null : () => api.houses({ projectId, buildingId, q: q.trim() || undefined, status, page, pageSize }),
    [projectId, buildingId, q, status, page, pageSize],
  );

  const columns: TableProps<HouseRow>['columns'] = [
    ...(buildingId === undefined ? [{ title: '楼栋', dataIndex: 'buildingName', width: 120 }] : []),
    { title: '房号', dataIndex: 'number', render: (v: string) => <span data-testid="house-number" style={{ whiteSpace: 'nowrap' }}>{v}</span> },
    { title: '单元', dataIndex: 'entranceName', width: 90, render: (v: string | null) => v ?? '—' },
    { title: '楼层', dataIndex: 'floor', align: 'right', width: 80 },
    { title: '物业类型', dataIndex: 'propertyType', width: 110 },
    { title: '计费面积(m²)', dataIndex: 'area', align: 'right', width: 130, render: (v: string) => formatArea(v) },
    { title: '状态', dataIndex: 'status', width: 100, render: (v: string) => <HouseStatusTag status={v} /> },
    { title: '交付日期', dataIndex: 'deliveryDate', width: 120, render: (v: string | null) => formatDate(v) },
    { title: '业主', dataIndex: 'ownerNames', render: (v: HouseRow['ownerNames']) => v || <Typography.Text type="secondary">—</Typography.Text> },
  ];

  const buildingItems = [
    { key: 'all', label: <span data-testid="building-item-all">全部楼栋</span> },
    ...(buildings.data?.items ?? []).map((b) => ({
      key: String(b.id),
      label: (
        <span data-testid="building-item" data-building-id={b.id}>
          {b.areaName ? `${b.areaName} · ` : ''}{b.name}
          <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>{b.houseCount} 户</Typography.Text>
        </span>
      ),
    })),
  ];

  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>房屋档案</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <Select<number>
          style={{ minWidth: 260 }}
          placeholder="请选择项目"
          loading={projects.loading}
          value={projectId}
          onChange={(v) => update({ projectId: v, buildingId: undefined, q: undefined })}
          options={(projectItems ?? []).map((p) => ({ value: p.id, label: p.name }))}
          data-testid="project-select"
          showSearch={{ optionFilterProp: 'label' }}
        />
        <Input.Search
          placeholder="房号前缀，如 1-1"
          allowClear
          defaultValue={q}
          key={`q-${projectId ?? ''}-${buildingId ?? ''}`}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          style={{ width: 220 }}
          disabled={projectId === undefined}
          data-testid="house-search"
        />
        <Select<string>
          allowClear
          placeholder="状态"
          style={{ width: 120 }}
          value={status}
          onChange={(v) => update({ status: v })}
          options={HOUSE_STATUSES.map((s) => ({ value: s, label: s }))}
          disabled={projectId === undefined}
        />
        <ExportMenu projectId={projectId} list="houses" />
      </Space>
      {projects.error && <Alert type="error" showIcon title={projects.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? (
        <Empty description="请先选择项目" />
      ) : (
        <Row gutter={16}>
          <Col xs={24} md={6} lg={5}>
            {buildings.error && <Alert type="error" showIcon title={buildings.error} />}
            <Menu
              mode="inline"
              style={{ borderInlineEnd: '1px solid #f0f0f0', maxHeight: 'calc(100vh - 260px)', overflow: 'auto' }}
              selectedKeys={[buildingId === undefined ? 'all' : String(buildingId)]}
              items={buildingItems}
              onClick={({ key }) => update({ buildingId: key === 'all' ? undefined : Number(key), q: undefined })}
              data-testid="building-list"
            />
          </Col>
          <Col xs={24} md={18} lg={19}>
            {houses.error && <Alert type="error" showIcon title={houses.error} style={{ marginBottom: 16 }} />}
            <div data-testid="house-table" data-loading={houses.loading ? 'true' : 'false'}>
              <Table<HouseRow>
                rowKey="id"
                size="middle"
                loading={houses.loading}
                columns={columns}
                dataSource={houses.data?.items ?? []}
                onRow={(h) => ({
                  onClick: () => void navigate(`/houses/${h.id}`),
                  style: { cursor: 'pointer' },
                  'data-testid': 'house-row',
                  'data-house-id': h.id,
                  'data-has-owner': h.ownerNames ? 'yes' : 'no',
                } as HTMLAttributes<HTMLElement>)}
                pagination={{
                  current: page,
                  pageSize,
                  total: houses.data?.total ?? 0,
                  showSizeChanger: true,
                  pageSizeOptions: PAGE_SIZES,
                  showTotal: (total) => `共 ${total} 户`,
                  onChange: (p, size) => {
                    // A new page size starts again at page 1.
                    const nextPage = size !== pageSize || p === 1 ? undefined : p;
                    update({ page: nextPage, pageSize: size === 20 ? undefined : size }, true);
                  },
                }}
              />
            </div>
          </Col>
        </Row>
      )}
    </div>
  );
}
