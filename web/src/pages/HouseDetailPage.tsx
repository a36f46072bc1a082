import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Empty, Skeleton, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { ArrowLeftOutlined, EyeOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, errorMessage, type Contact, type HouseOwner, type Ownership, type Payer } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useApi } from '../hooks.ts';
import { formatArea, formatDate } from '../format.ts';
import { HouseStatusTag } from '../components/HouseStatusTag.tsx';

const CONTACT_STATUS_COLORS: Record<string, string> = { 有效: 'green', 未核实: 'default', 空号: 'red', 停机: 'red', 错号: 'red', 长期关机: 'orange' };

/** 房屋详情: the house, its ownership periods (newest first) with owners and masked contacts, and designated payers. */
export default function HouseDetailPage() {
  const { id } = useParams();
  const houseId = Number(id);
  const navigate = useNavigate();
  const house = useApi(Number.isSafeInteger(houseId) ? () => api.house(houseId) : null, [houseId]);
  const h = house.data;

  if (!Number.isSafeInteger(houseId)) return <Empty description="房屋编号无效" />;
  if (house.error) return <Alert type="error" showIcon title={house.error} />;
  if (!h) return <Skeleton active />;

  const ownerships = [...h.ownerships].sort((a, b) => (a.from < b.from ? 1 : a.from > b.from ? -1 : b.id - a.id));

  return (
    <div data-testid="house-detail">
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => void navigate(-1)}>返回</Button>
        <Link to={`/houses?projectId=${h.projectId}&buildingId=${h.buildingId}`}>{h.projectName} · {h.buildingName} 的房屋</Link>
      </Space>
      <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="house-title">
        {h.projectName} {h.buildingName} {h.number}
      </Typography.Title>
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, sm: 2, md: 3 }}
        style={{ marginBottom: 24 }}
        items={[
          { key: 'project', label: '项目', children: h.projectName },
          { key: 'building', label: '楼栋', children: h.buildingName },
          { key: 'entrance', label: '单元', children: h.entranceName ?? '—' },
          { key: 'number', label: '房号', children: <span data-testid="house-detail-number">{h.number}</span> },
          { key: 'floor', label: '楼层', children: h.floor },
          { key: 'type', label: '物业类型', children: h.propertyType },
          { key: 'area', label: '计费面积(m²)', children: formatArea(h.area) },
          { key: 'status', label: '状态', children: <HouseStatusTag status={h.status} /> },
          { key: 'delivery', label: '交付日期', children: formatDate(h.deliveryDate) },
        ]}
      />

      <Typography.Title level={5}>产权期间</Typography.Title>
      {ownerships.length === 0 ? (
        <Empty description="尚未登记产权" style={{ marginBottom: 24 }} />
      ) : (
        ownerships.map((o) => <OwnershipCard key={o.id} ownership={o} />)
      )}

      {h.payers.length > 0 && (
        <>
          <Typography.Title level={5}>指定缴费人</Typography.Title>
          <Table<Payer>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={h.payers}
            columns={[
              { title: '缴费人', dataIndex: 'name' },
              { title: '开始日期', dataIndex: 'from', render: (v: string | null) => formatDate(v) },
              { title: '结束日期', dataIndex: 'to', render: (v: string | null) => (v ? formatDate(v) : '至今') },
              { title: '业主同意记录', dataIndex: 'consentNote', render: (v: string | null) => v ?? '—' },
              { title: '同意日期', dataIndex: 'consentDate', render: (v: string | null) => formatDate(v) },
            ]}
          />
        </>
      )}
    </div>
  );
}

function OwnershipCard({ ownership: o }: { ownership: Ownership }) {
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="ownership"
      title={
        <Space>
          <span>{formatDate(o.from)} 至 {o.to ? formatDate(o.to) : '今'}</span>
          {o.current && <Tag color="green" data-testid="ownership-current">当前</Tag>}
        </Space>
      }
    >
      {o.note && <Typography.Paragraph type="secondary">{o.note}</Typography.Paragraph>}
      {o.owners.map((owner) => <OwnerBlock key={owner.id} owner={owner} />)}
    </Card>
  );
}

function OwnerBlock({ owner }: { owner: HouseOwner }) {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const [revealed, setRevealed] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<number | null>(null);

  async function reveal(c: Contact) {
    setBusy(c.id);
    try {
      const r = await api.revealContact(c.id);
      setRevealed((prev) => ({ ...prev, [c.id]: r.value }));
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(null);
    }
  }

  const columns: TableProps<Contact>['columns'] = [
    { title: '类型', dataIndex: 'kind', width: 90 },
    {
      title: '号码/地址',
      key: 'value',
      render: (_, c) => {
        const full = revealed[c.id];
        return (
          <span>
            <Typography.Text code={full === undefined} copyable={full !== undefined ? { text: full } : false}>
              <span data-testid="contact-value" data-revealed={full !== undefined ? 'true' : 'false'}>{full ?? c.masked}</span>
            </Typography.Text>
            {c.isServiceAddress && <Tag color="gold" style={{ marginLeft: 8 }}>送达地址</Tag>}
            {c.note && <Typography.Text type="secondary" style={{ marginLeft: 8 }}>{c.note}</Typography.Text>}
            {full !== undefined && <div><Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="reveal-note">查看已记入审计日志</Typography.Text></div>}
          </span>
        );
      },
    },
    { title: '状态', dataIndex: 'status', width: 100, render: (v: string) => <Tag color={CONTACT_STATUS_COLORS[v] ?? 'default'}>{v}</Tag> },
    { title: '来源', dataIndex: 'source', width: 120, render: (v: string | null) => v ?? '—' },
    { title: '最近核实', dataIndex: 'lastVerified', width: 120, render: (v: string | null) => formatDate(v) },
    {
      title: '操作',
      key: 'actions',
      width: 90,
      render: (_, c) => (can('contact.reveal') && revealed[c.id] === undefined ? (
        <Button size="small" icon={<EyeOutlined />} loading={busy === c.id} onClick={() => void reveal(c)} data-testid="reveal-contact" data-contact-id={c.id}>
          查看
        </Button>
      ) : null),
    },
  ];

  return (
    <div style={{ marginBottom: 16 }} data-testid="owner" data-owner-id={owner.id}>
      <Space wrap style={{ marginBottom: 8 }}>
        <Typography.Text strong data-testid="owner-name">{owner.name}</Typography.Text>
        <Tag>{owner.kind}</Tag>
        {owner.sharePct !== null && <Typography.Text type="secondary">份额 {owner.sharePct}%</Typography.Text>}
        {owner.primary && <Tag color="blue">主业主</Tag>}
        {owner.tags.map((t) => <Tag key={t} color="magenta">{t}</Tag>)}
      </Space>
      {owner.contacts.length === 0 ? (
        <Typography.Paragraph type="secondary">未登记联系方式</Typography.Paragraph>
      ) : (
        <Table<Contact>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={owner.contacts}
          columns={columns}
          onRow={(c) => ({ 'data-testid': 'contact-row', 'data-kind': c.kind, 'data-contact-id': c.id } as HTMLAttributes<HTMLElement>)}
        />
      )}
    </div>
  );
}
