import { Alert, Card, Col, Row, Statistic, Table, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { api, type Project } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useApi } from '../hooks.ts';

/** 概览: the projects the user may see, with their building counts. */
export default function HomePage() {
  const { me } = useAuth();
  const projects = useApi(() => api.projects(), []);
  const items = projects.data?.items ?? [];
  const buildings = items.reduce((n, p) => n + (p.buildingCount ?? 0), 0);

  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>概览</Typography.Title>
      <Typography.Paragraph type="secondary">
        {me?.displayName}，您好。{me?.scope.kind === 'all' ? '您可以查看公司全部项目。' : '以下是您负责的项目。'}
      </Typography.Paragraph>
      {projects.error && <Alert type="error" showIcon title={projects.error} style={{ marginBottom: 16 }} />}
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}><Card size="small"><Statistic title="项目数" value={items.length} loading={projects.loading} /></Card></Col>
        <Col xs={12} md={6}><Card size="small"><Statistic title="楼栋数" value={buildings} loading={projects.loading} /></Card></Col>
      </Row>
      <Table<Project>
        rowKey="id"
        size="middle"
        loading={projects.loading}
        dataSource={items}
        pagination={false}
        data-testid="project-table"
        columns={[
          { title: '项目名称', dataIndex: 'name', render: (name: string, p) => <Link to={`/houses?projectId=${p.id}`}>{name}</Link> },
          { title: '地址', dataIndex: 'address', render: (v: string | null) => v ?? '—' },
          { title: '时区', dataIndex: 'timeZone' },
          { title: '楼栋数', dataIndex: 'buildingCount', align: 'right', render: (v: number | undefined) => v ?? '—' },
        ]}
      />
    </div>
  );
}
