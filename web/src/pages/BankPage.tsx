import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Empty, Input, Modal, Select, Space, Table, Tabs, Tag, Typography, type TableProps } from 'antd';
import { CheckOutlined, ImportOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { api, errorMessage, type BankTransfer, type TransferCandidate, type TransferStatus } from '../api.ts';
import { formatDate, formatInstant } from '../format.ts';
import { useApi, withParams, intParam } from '../hooks.ts';
import { TRANSFER_STATUS_COLORS, TRANSFER_STATUS_LABELS, TRANSFER_STATUSES } from '../imports.ts';
import { ExportMenu } from '../components/ExportMenu.tsx';
import { houseLabel } from '../components/HouseSearchSelect.tsx';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const PAGE_SIZES = [20, 50, 100];

function statusParam(v: string | null): TransferStatus {
  return (TRANSFER_STATUSES as readonly string[]).includes(v ?? '') ? v as TransferStatus : 'matched';
}

/**
 * 银行对账: the credits of the imported bank statements, by state. 已匹配待确认: the house was found (by the house number
 * in the memo, the amount owed or months of fee, the payer's name); confirm one, or all at once. 待人工核对: the
 * matcher would not guess (why is said, with the candidate houses and their reasons); choose the house (a candidate,
 * or any house found by its number) and confirm. A confirmed transfer is a payment of the house (银行转账, on the day
 * it arrived), recorded once; one that is not a fee is set aside with a reason.
 */
export default function BankPage() {
  const { message, modal } = AntApp.useApp();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const status = statusParam(params.get('status'));
  const page = intParam(params.get('page'), 1);
  const pageSize = intParam(params.get('pageSize'), 20);
  const transfers = useApi(projectId === undefined ? null : () => api.bankTransfers(projectId, { status, page, pageSize }), [projectId, status, page, pageSize]);
  const [chosen, setChosen] = useState<Record<number, number | undefined>>({});
  const [acting, setActing] = useState<number | undefined>(undefined);
  const [ignoring, setIgnoring] = useState<BankTransfer | undefined>(undefined);
  const data = transfers.data;
  const matched = data?.counts.matched ?? 0;

  async function confirm(t: BankTransfer) {
    setActing(t.id);
    try {
      const r = await api.confirmTransfer(t.id, t.status === 'review' ? chosen[t.id] : undefined);
      void message.success(`流水 ${t.serial} 已入账（收款 #${r.paymentId}）`);
      transfers.reload();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setActing(undefined);
    }
  }

  function confirmAll() {
    if (projectId === undefined) return;
    modal.confirm({
      title: '全部确认',
      content: `将 ${matched} 笔已匹配的流水逐笔入账为所匹配房屋的收款（银行转账，按交易日期）。`,
      okText: '全部确认', cancelText: '取消',
      okButtonProps: { 'data-testid': 'bank-confirm-all-ok' },
      onOk: async () => {
        try {
          const r = await api.confirmMatched(projectId);
          void message.success(`已确认 ${r.confirmed} 笔，均已入账`);
        } catch (e) {
          void message.error(errorMessage(e));
        } finally {
          transfers.reload();
        }
      },
    });
  }

  const small = { fontSize: 12 };
  // Fits the page without scrolling at 1366 px: why and the candidates take what is left of the row.
  const columns: TableProps<BankTransfer>['columns'] = [
    {
      title: '交易日期 / 流水号', key: 'serial', width: 150,
      render: (_, t) => (
        <Space orientation="vertical" size={0}>
          <span>{formatDate(t.receivedOn)}</span>
          <Typography.Text type="secondary" style={small} copyable={{ text: t.serial }}>{t.serial}</Typography.Text>
        </Space>
      ),
    },
    { title: '金额', dataIndex: 'amount', width: 100, align: 'right', render: (v: string) => <Typography.Text strong data-testid="bank-amount">{v}</Typography.Text> },
    {
      title: '付款人 / 附言', key: 'memo', width: 170,
      render: (_, t) => (
        <Space orientation="vertical" size={0}>
          <span>{t.payerName ?? <Typography.Text type="secondary">（无户名）</Typography.Text>}</span>
          <Typography.Text type="secondary" style={small} data-testid="bank-memo">{t.memo ?? '（无附言）'}</Typography.Text>
        </Space>
      ),
    },
    {
      title: '房屋', key: 'house', width: 230,
      render: (_, t) => (t.status === 'review' && projectId !== undefined
        ? <HousePicker projectId={projectId} transfer={t} value={chosen[t.id]} onChange={(h) => setChosen((c) => ({ ...c, [t.id]: h }))} />
        : t.houseId !== null ? <Link to={`/houses/${t.houseId}`} data-testid="bank-house">{t.house}</Link> : '—'),
    },
    {
      title: '说明与候选', key: 'why',
      render: (_, t) => (
        <Space orientation="vertical" size={2}>
          {t.why && <Typography.Text data-testid="bank-why">{t.why}</Typography.Text>}
          {t.candidates.length > 0 && <Candidates candidates={t.candidates} />}
        </Space>
      ),
    },
    {
      title: '状态', key: 'status', width: 170,
      render: (_, t) => (
        <Space orientation="vertical" size={4}>
          <Tag color={TRANSFER_STATUS_COLORS[t.status]} data-testid="bank-status">{t.statusLabel}</Tag>
          {t.paymentId !== null && <Typography.Text type="secondary" style={small} data-testid="bank-payment">收款 #{t.paymentId}</Typography.Text>}
          {t.decidedBy && <Typography.Text type="secondary" style={small}>{t.decidedBy} · {formatInstant(t.decidedAt)}</Typography.Text>}
          {(t.status === 'matched' || t.status === 'review') && (
            <Space size={4}>
              <Button
                size="small" type="primary" icon={<CheckOutlined />} loading={acting === t.id} disabled={t.status === 'review' && chosen[t.id] === undefined}
                title={t.status === 'review' && chosen[t.id] === undefined ? '请先选择房屋' : undefined} onClick={() => void confirm(t)} data-testid="bank-confirm"
              >
                确认
              </Button>
              <Button size="small" icon={<StopOutlined />} onClick={() => setIgnoring(t)} data-testid="bank-ignore">排除</Button>
            </Space>
          )}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="bank-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>银行对账</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
        {projectId !== undefined && (
          <Link to={`/data/imports?projectId=${projectId}&kind=bank_statement`} data-testid="bank-import-link">
            <Button icon={<ImportOutlined />}>导入银行流水</Button>
          </Link>
        )}
        <ExportMenu projectId={projectId} list="bank_transfers" />
        <Button icon={<ReloadOutlined />} onClick={transfers.reload} loading={transfers.loading}>刷新</Button>
      </Space>
      <Typography.Paragraph type="secondary">
        导入的银行流水按附言中的房号、金额（欠费或整月物业费）和付款人姓名匹配房屋。每笔须经人确认后才入账为收款（银行转账，按交易日期；同一流水号只入账一次）；非物业费的转账排除并写明原因。
      </Typography.Paragraph>
      {(project.error ?? transfers.error) && <Alert type="error" showIcon title={project.error ?? transfers.error} style={{ marginBottom: 12 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : (
        <>
          <Tabs
            activeKey={status} onChange={(k) => setParams(withParams(params, { status: k === 'matched' ? undefined : k, page: undefined }))}
            items={TRANSFER_STATUSES.map((s) => ({
              key: s, label: <span data-testid="bank-tab" data-status={s} data-count={data?.counts[s] ?? 0}>{TRANSFER_STATUS_LABELS[s]} {data?.counts[s] ?? 0}</span>,
            }))}
            tabBarExtraContent={status === 'matched' && matched > 0
              ? <Button type="primary" icon={<CheckOutlined />} onClick={confirmAll} data-testid="bank-confirm-all">全部确认（{matched} 笔）</Button> : undefined}
          />
          <Table<BankTransfer>
            rowKey="id" size="small" columns={columns} dataSource={data?.items ?? []} loading={transfers.loading} scroll={{ x: 1100 }}
            data-testid="bank-table" locale={{ emptyText: <Empty description={`没有${TRANSFER_STATUS_LABELS[status]}的流水`} /> }}
            onRow={(t) => ({ 'data-testid': 'bank-row', 'data-transfer-id': t.id, 'data-status': t.status, 'data-serial': t.serial, 'data-house-id': t.houseId ?? '' } as HTMLAttributes<HTMLElement>)}
            pagination={{
              current: page, pageSize, total: data?.total ?? 0, showSizeChanger: true, pageSizeOptions: PAGE_SIZES, hideOnSinglePage: true, showTotal: (n) => `共 ${n} 笔`,
              onChange: (p, size) => setParams(withParams(params, { page: p === 1 ? undefined : p, pageSize: size === 20 ? undefined : size })),
            }}
          />
        </>
      )}
      {ignoring && <IgnoreModal transfer={ignoring} onClose={() => setIgnoring(undefined)} onDone={transfers.reload} />}
    </div>
  );
}

/** The houses the matcher considered, best first, with its score and reasons. */
function Candidates({ candidates }: { candidates: TransferCandidate[] }) {
  return (
    <ul style={{ margin: 0, paddingInlineStart: 16, fontSize: 12 }} data-testid="bank-candidates">
      {candidates.map((c) => (
        <li key={c.houseId} data-testid="bank-candidate" data-house-id={c.houseId}>
          <Typography.Text style={{ fontSize: 12 }} strong>{c.label}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>（{c.score} 分）{c.reasons.join('；')}</Typography.Text>
        </li>
      ))}
    </ul>
  );
}

/** The house of a transfer to review: one of its candidates, or any house of the project found by its number. */
function HousePicker({ projectId, transfer, value, onChange }: { projectId: number; transfer: BankTransfer; value: number | undefined; onChange: (houseId: number | undefined) => void }) {
  const [q, setQ] = useState('');
  const query = q.trim();
  const found = useApi(query ? () => api.houses({ projectId, q: query, page: 1, pageSize: 20 }) : null, [projectId, query]);
  const candidateIds = new Set(transfer.candidates.map((c) => c.houseId));
  const searched = (found.data?.items ?? []).filter((h) => !candidateIds.has(h.id));
  const options = [
    ...(transfer.candidates.length ? [{ label: '候选房屋', options: transfer.candidates.map((c) => ({ value: c.houseId, label: `${c.label}（${c.score} 分）` })) }] : []),
    ...(searched.length ? [{ label: '按房号查找', options: searched.map((h) => ({ value: h.id, label: houseLabel(h) })) }] : []),
  ];
  return (
    <Select<number>
      style={{ width: 230 }} size="small" allowClear placeholder="选择候选或输入房号查找" value={value} onChange={onChange}
      showSearch={{ filterOption: false, onSearch: setQ }} loading={found.loading} options={options}
      notFoundContent={query ? (found.loading ? '查找中…' : '没有此房号') : '输入房号查找'} data-testid="bank-house-select"
    />
  );
}

function IgnoreModal({ transfer, onClose, onDone }: { transfer: BankTransfer; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (!reason.trim()) {
      setError('请写明排除原因（如：非物业费）');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.ignoreTransfer(transfer.id, reason.trim());
      void message.success(`流水 ${transfer.serial} 已排除`);
      onDone();
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open title={`排除流水 ${transfer.serial}（${transfer.amount}）`} okText="排除" cancelText="取消" onOk={() => void submit()} onCancel={onClose}
      confirmLoading={busy} okButtonProps={{ danger: true, 'data-testid': 'bank-ignore-submit' }} destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="bank-ignore-error" />}
      <Typography.Paragraph type="secondary">排除后这笔转账不入账；已入账的流水不能排除（请冲正收款）。</Typography.Paragraph>
      <Input.TextArea
        value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} autoSize={{ minRows: 2, maxRows: 4 }} placeholder="排除原因，如：非物业费、退款、重复转账"
        data-testid="bank-ignore-reason"
      />
    </Modal>
  );
}
