import type { HTMLAttributes, Key, ReactNode } from 'react';
import { Space, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { WarningOutlined } from '@ant-design/icons';
import { formatYuan } from '../../../core/money.ts';
import type { AccountLine, HouseAccount } from '../api.ts';
import { AGING_LABELS } from '../billing.ts';
import { formatDate } from '../format.ts';

/** What a line still asks for: principal plus 逾期违约金. */
export const lineOwedFen = (l: AccountLine) => l.principalOwedFen + l.lateFeeOwedFen;

/** Who a line is billed to, as staff read it: the current owners, a former owner (R30) or the developer (R28). */
export function billToLabel(l: AccountLine, currentOwnershipId: number | undefined): string {
  if (l.billTo === 'developer') return '开发商';
  if (currentOwnershipId === undefined || l.ownershipId === currentOwnershipId) return '业主';
  return '原业主';
}

const COURT_RISK = '违约金超过按同期 LPR 计算的利息 30% 以上，诉讼中法院可能依申请调减（民法典第 585 条）';

export interface AccountTableProps {
  account: HouseAccount;
  /** The current ownership period of the house, to tell a former owner's lines apart. */
  currentOwnershipId?: number | undefined;
  /** Lines to show (all by default). */
  lines?: AccountLine[];
  loading?: boolean;
  /** Row selection (the counter's designated periods): the selected line ids, which lines may be ticked, and the toggle. */
  selection?: {
    selectedChargeIds: readonly number[];
    selectable: (l: AccountLine) => boolean;
    onToggle: (l: AccountLine, selected: boolean) => void;
    onToggleAll: (selected: boolean) => void;
  };
  testId?: string;
  /** An extra last column of per-line actions (e.g. the counter's 申请减免). */
  actions?: { title: string; width?: number; render: (l: AccountLine) => ReactNode };
}

/**
 * A house's statement of account, one line per charge: 期间, 项目, 应收, 已收本金, 逾期违约金 (what is owed, with how it
 * was worked out as a tooltip and a warning where a court may reduce it), 欠费本金, 账龄, 缴费人; the totals below.
 * Amounts are integer fen, only formatted here.
 */
export function AccountTable({ account, currentOwnershipId, lines, loading, selection, testId = 'account-table', actions }: AccountTableProps) {
  const rows = lines ?? account.lines;
  const columns: TableProps<AccountLine>['columns'] = [
    { title: '期间', dataIndex: 'period', width: 90, render: (v: string) => <span data-testid="account-period">{v}</span> },
    { title: '项目', dataIndex: 'itemName' },
    { title: '到期日', dataIndex: 'dueDate', width: 110, render: (v: string) => formatDate(v) },
    { title: '应收', dataIndex: 'amountFen', width: 120, align: 'right', render: (v: number) => formatYuan(v) },
    { title: '已收本金', dataIndex: 'principalPaidFen', width: 120, align: 'right', render: (v: number) => formatYuan(v) },
    {
      title: '逾期违约金',
      key: 'lateFee',
      width: 170,
      align: 'right',
      render: (_, l) => (
        <Space size={4} orientation="vertical" style={{ alignItems: 'flex-end' }}>
          <Tooltip title={l.lateFeeBasis}>
            <span data-testid="account-late-fee" style={{ borderBottom: '1px dotted #999', cursor: 'help' }}>{formatYuan(l.lateFeeOwedFen)}</span>
          </Tooltip>
          {l.lateFeePaidFen > 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>已收 {formatYuan(l.lateFeePaidFen)}</Typography.Text>}
          {l.courtReductionRisk && (
            <Tooltip title={COURT_RISK}>
              <Tag color="warning" icon={<WarningOutlined />} style={{ marginInlineEnd: 0 }} data-testid="account-court-risk">可能被调减</Tag>
            </Tooltip>
          )}
        </Space>
      ),
    },
    {
      title: '欠费本金',
      dataIndex: 'principalOwedFen',
      width: 120,
      align: 'right',
      render: (v: number) => (v > 0 ? <Typography.Text type="danger" data-testid="account-principal-owed">{formatYuan(v)}</Typography.Text> : <span data-testid="account-principal-owed">{formatYuan(v)}</span>),
    },
    {
      title: '账龄',
      dataIndex: 'aging',
      width: 110,
      render: (v: AccountLine['aging']) => (v === null ? <Tag color="green">已结清</Tag> : AGING_LABELS[v] ?? v),
    },
    {
      title: '缴费人',
      key: 'billTo',
      width: 90,
      render: (_, l) => {
        const label = billToLabel(l, currentOwnershipId);
        return <Tag color={label === '开发商' ? 'purple' : label === '原业主' ? 'orange' : 'blue'} data-testid="account-bill-to">{label}</Tag>;
      },
    },
    ...(actions ? [{ title: actions.title, key: 'actions', width: actions.width ?? 110, render: (_: unknown, l: AccountLine) => actions.render(l) }] : []),
  ];

  const t = account.totals;
  const rowSelection: TableProps<AccountLine>['rowSelection'] = selection && {
    selectedRowKeys: selection.selectedChargeIds as Key[],
    getCheckboxProps: (l) => ({ disabled: !selection.selectable(l) }),
    onSelect: (l, selected) => selection.onToggle(l, selected),
    onSelectAll: (selected) => selection.onToggleAll(selected),
  };

  return (
    <div data-testid={testId} data-loading={loading ? 'true' : 'false'}>
      <Table<AccountLine>
        rowKey="chargeId"
        size="small"
        loading={loading}
        columns={columns}
        dataSource={rows}
        rowSelection={rowSelection}
        pagination={{ pageSize: 24, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: account.lines.length === 0 ? '尚无应收' : '没有欠费' }}
        onRow={(l) => ({
          'data-testid': 'account-line',
          'data-charge-id': l.chargeId,
          'data-period': l.period,
          'data-owed-fen': lineOwedFen(l),
        } as HTMLAttributes<HTMLElement>)}
        summary={() => (
          <Table.Summary.Row>
            {selection && <Table.Summary.Cell index={0} />}
            <Table.Summary.Cell index={1} colSpan={3}>合计（全部 {account.lines.length} 笔）</Table.Summary.Cell>
            <Table.Summary.Cell index={4} align="right">{formatYuan(t.chargedFen)}</Table.Summary.Cell>
            <Table.Summary.Cell index={5} />
            <Table.Summary.Cell index={6} align="right"><span data-testid="account-total-late-fee">{formatYuan(t.lateFeeOwedFen)}</span></Table.Summary.Cell>
            <Table.Summary.Cell index={7} align="right"><span data-testid="account-total-principal">{formatYuan(t.principalOwedFen)}</span></Table.Summary.Cell>
            <Table.Summary.Cell index={8} colSpan={actions ? 3 : 2} />
          </Table.Summary.Row>
        )}
      />
    </div>
  );
}

/** The statement's totals in one line: 欠费本金, 逾期违约金, 应缴合计 and the prepaid balance. */
export function AccountTotals({ account, testId = 'account-totals' }: { account: HouseAccount; testId?: string }) {
  const t = account.totals;
  const owed = t.principalOwedFen + t.lateFeeOwedFen;
  return (
    <Space wrap size="large" data-testid={testId} data-owed-fen={owed} data-prepaid-fen={t.prepaidFen} data-as-of={account.asOf}>
      <span>截至 {formatDate(account.asOf)}</span>
      <span>欠费本金 <Typography.Text strong>{formatYuan(t.principalOwedFen)}</Typography.Text></span>
      <span>逾期违约金 <Typography.Text strong>{formatYuan(t.lateFeeOwedFen)}</Typography.Text></span>
      <span>应缴合计 <Typography.Text strong type={owed > 0 ? 'danger' : undefined} data-testid="account-owed-total">{formatYuan(owed)}</Typography.Text></span>
      <span>预存余额 <Typography.Text strong type="success" data-testid="account-prepaid">{formatYuan(t.prepaidFen)}</Typography.Text></span>
    </Space>
  );
}
