import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Descriptions, Dropdown, Empty, Skeleton, Space, Table, Tag, Typography, type MenuProps, type TableProps } from 'antd';
import { ArrowLeftOutlined, DollarOutlined, FieldTimeOutlined, SafetyCertificateOutlined, DownOutlined, EditOutlined, EyeOutlined, PlusOutlined, TagsOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, errorMessage, type Contact, type ContactPatch, type HouseOwner, type Ownership, type Payer } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useApi } from '../hooks.ts';
import { formatArea, formatDate, todayLocalDate } from '../format.ts';
import { HouseStatusTag } from '../components/HouseStatusTag.tsx';
import { ContactFormModal } from '../components/ContactFormModal.tsx';
import { OwnerTagsModal } from '../components/OwnerTagsModal.tsx';
import { AccountTable, AccountTotals } from '../components/AccountTable.tsx';

const CONTACT_STATUS_COLORS: Record<string, string> = { 有效: 'green', 未核实: 'default', 空号: 'red', 停机: 'red', 错号: 'red', 长期关机: 'orange' };

/** The quick "标记为…" choices after a call, most common first. */
const QUICK_STATUSES = ['空号', '停机', '错号', '长期关机', '有效'] as const;

type Dialog = { kind: 'add' } | { kind: 'edit'; contact: Contact } | { kind: 'tags' } | null;

/** 房屋详情: the house, its ownership periods (newest first) with owners and masked contacts, and designated payers. */
export default function HouseDetailPage() {
  const { can } = useAuth();
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
        {can('dunning.read') && (
          <>
            <Link to={`/houses/${houseId}/collection`} data-testid="house-collection-link"><Button size="small" icon={<FieldTimeOutlined />}>催缴时间线</Button></Link>
            <Link to={`/houses/${houseId}/evidence`} data-testid="house-evidence-link"><Button size="small" icon={<SafetyCertificateOutlined />}>催告证据</Button></Link>
          </>
        )}
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
        ownerships.map((o) => <OwnershipCard key={o.id} ownership={o} onChanged={house.reload} />)
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

      {can('billing.read') && (
        <HouseStatement houseId={h.id} currentOwnershipId={ownerships.find((o) => o.current)?.id} mayCollect={can('payment.record')} />
      )}
    </div>
  );
}

/**
 * 对账单: every charge of the house with what was paid and what is owed, read-only. Today by default; a later date
 * shows the 逾期违约金 and aging it would reach by then (the server counts every payment recorded so far whatever the
 * date, so an earlier date would not be the statement of that day and is not offered).
 */
function HouseStatement({ houseId, currentOwnershipId, mayCollect }: { houseId: number; currentOwnershipId: number | undefined; mayCollect: boolean }) {
  const [asOf, setAsOf] = useState<string | undefined>(undefined);
  const account = useApi(() => api.houseAccount(houseId, asOf), [houseId, asOf]);
  const a = account.data;
  return (
    <Card
      size="small"
      style={{ marginTop: 24 }}
      data-testid="house-statement"
      title="对账单"
      extra={
        <Space>
          <span>计算至</span>
          <DatePicker
            format="YYYY-MM-DD"
            allowClear
            placeholder="今天"
            disabledDate={(d) => d.format('YYYY-MM-DD') < todayLocalDate()}
            value={asOf ? dayjs(asOf) : null}
            onChange={(d) => setAsOf(d ? d.format('YYYY-MM-DD') : undefined)}
            data-testid="statement-as-of"
          />
          {mayCollect && <Link to={`/billing/counter?houseId=${houseId}`}><Button size="small" type="primary" icon={<DollarOutlined />} data-testid="statement-collect">收款</Button></Link>}
        </Space>
      }
    >
      {account.error && <Alert type="error" showIcon title={account.error} style={{ marginBottom: 12 }} />}
      {a ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <AccountTotals account={a} testId="statement-totals" />
          <AccountTable account={a} currentOwnershipId={currentOwnershipId} loading={account.loading} testId="statement-table" />
        </Space>
      ) : (
        !account.error && <Skeleton active paragraph={{ rows: 3 }} />
      )}
    </Card>
  );
}

function OwnershipCard({ ownership: o, onChanged }: { ownership: Ownership; onChanged: () => void }) {
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
      {o.owners.map((owner) => <OwnerBlock key={owner.id} owner={owner} onChanged={onChanged} />)}
    </Card>
  );
}

/** One owner of a period: tags, contacts (masked unless revealed) and, by permission, the actions that maintain them. */
function OwnerBlock({ owner, onChanged }: { owner: HouseOwner; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = AntApp.useApp();
  const [revealed, setRevealed] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<number | null>(null);
  const [marking, setMarking] = useState<number | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const canWriteContact = can('contact.write');
  const canWriteOwner = can('owner.write');

  function forget(contactId: number) {
    setRevealed((prev) => {
      const next = { ...prev };
      delete next[contactId];
      return next;
    });
  }

  /** The usual outcome of a call: one click, only the status sent (有效 also records today as the verification date). */
  async function mark(c: Contact, status: string) {
    setMarking(c.id);
    try {
      const patch: ContactPatch = status === '有效' ? { status, lastVerified: todayLocalDate() } : { status };
      const saved = await api.updateContact(c.id, patch);
      void message.success(`${saved.masked} 已标记为${status}`);
      onChanged();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setMarking(null);
    }
  }

  function statusMenu(c: Contact): MenuProps {
    return {
      items: QUICK_STATUSES.filter((s) => s !== c.status).map((s) => ({
        key: s,
        label: <span data-testid="contact-mark" data-status={s}>标记为 {s}{s === '有效' ? '（今日核实）' : ''}</span>,
        danger: s !== '有效',
      })),
      onClick: ({ key }) => void mark(c, key),
    };
  }

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
    {
      title: '状态',
      dataIndex: 'status',
      width: 100,
      render: (v: string) => <Tag color={CONTACT_STATUS_COLORS[v] ?? 'default'} data-testid="contact-status" data-status={v}>{v}</Tag>,
    },
    { title: '来源', dataIndex: 'source', width: 120, render: (v: string | null) => v ?? '—' },
    { title: '最近核实', dataIndex: 'lastVerified', width: 120, render: (v: string | null) => formatDate(v) },
    {
      title: '操作',
      key: 'actions',
      width: canWriteContact ? 230 : 90,
      render: (_, c) => (
        <Space size={4} wrap>
          {can('contact.reveal') && revealed[c.id] === undefined && (
            <Button size="small" icon={<EyeOutlined />} loading={busy === c.id} onClick={() => void reveal(c)} data-testid="reveal-contact" data-contact-id={c.id}>
              查看
            </Button>
          )}
          {canWriteContact && (
            <Button size="small" icon={<EditOutlined />} onClick={() => setDialog({ kind: 'edit', contact: c })} data-testid="edit-contact" data-contact-id={c.id}>
              编辑
            </Button>
          )}
          {canWriteContact && (
            <Dropdown menu={statusMenu(c)} trigger={['click']}>
              <Button size="small" loading={marking === c.id} data-testid="contact-quick-status" data-contact-id={c.id}>
                标记 <DownOutlined />
              </Button>
            </Dropdown>
          )}
        </Space>
      ),
    },
  ];

  return (
    <div style={{ marginBottom: 16 }} data-testid="owner" data-owner-id={owner.id}>
      <Space wrap style={{ marginBottom: 8 }}>
        <Typography.Text strong data-testid="owner-name">{owner.name}</Typography.Text>
        <Tag>{owner.kind}</Tag>
        {owner.sharePct !== null && <Typography.Text type="secondary">份额 {owner.sharePct}%</Typography.Text>}
        {owner.primary && <Tag color="blue">主业主</Tag>}
        {owner.tags.map((t) => <Tag key={t} color="magenta" data-testid="owner-tag">{t}</Tag>)}
        {canWriteContact && (
          <Button size="small" type="link" icon={<PlusOutlined />} onClick={() => setDialog({ kind: 'add' })} data-testid="add-contact">
            新增联系方式
          </Button>
        )}
        {canWriteOwner && (
          <Button size="small" type="link" icon={<TagsOutlined />} onClick={() => setDialog({ kind: 'tags' })} data-testid="edit-owner-tags">
            编辑标签
          </Button>
        )}
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
      {(dialog?.kind === 'add' || dialog?.kind === 'edit') && (
        <ContactFormModal
          ownerId={owner.id}
          ownerName={owner.name}
          contact={dialog.kind === 'edit' ? dialog.contact : undefined}
          revealedValue={dialog.kind === 'edit' ? revealed[dialog.contact.id] : undefined}
          onClose={() => setDialog(null)}
          onSaved={(saved, valueChanged) => {
            if (valueChanged) forget(saved.id);
            setDialog(null);
            onChanged();
          }}
        />
      )}
      {dialog?.kind === 'tags' && (
        <OwnerTagsModal
          ownerId={owner.id}
          ownerName={owner.name}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            onChanged();
          }}
        />
      )}
    </div>
  );
}
