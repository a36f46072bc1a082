import type { HTMLAttributes, ReactNode } from 'react';
import { Card, Descriptions, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { formatYuan, toChineseUppercase } from '../../../core/money.ts';
import type { Allocation, Payment } from '../api.ts';
import { COMPONENT_LABELS, PAYMENT_KIND_COLORS, paymentKindLabel } from '../billing.ts';
import { formatDate, formatInstant } from '../format.ts';

/** The kind of a ledger entry as a tag: 收款, 冲正, 退款, 预存抵扣 or 转存. */
export function PaymentKindTag({ kind }: { kind: Payment['kind'] }) {
  return <Tag color={PAYMENT_KIND_COLORS[kind] ?? 'default'} data-testid="payment-kind" data-kind={kind}>{paymentKindLabel(kind)}</Tag>;
}

/**
 * One ledger entry (a payment, reversal, refund, prepaid deduction or transfer): its kind, amount (大写 too), channel,
 * date, who recorded it, what it paid (period, item, 违约金 or 本金, amount) and what went to prepaid.
 */
export function PaymentCard({ payment: p, title, testId = 'payment-result' }: { payment: Payment; title?: ReactNode; testId?: string }) {
  const columns: TableProps<Allocation & { key: number }>['columns'] = [
    { title: '期间', dataIndex: 'period', width: 90 },
    { title: '项目', dataIndex: 'item' },
    { title: '冲抵', dataIndex: 'component', width: 110, render: (v: Allocation['component']) => <span data-testid="allocation-component">{COMPONENT_LABELS[v] ?? v}</span> },
    { title: '金额', dataIndex: 'amountFen', width: 130, align: 'right', render: (v: number) => <span data-testid="allocation-amount">{formatYuan(v)}</span> },
  ];
  const moneyIn = p.kind === 'payment';
  return (
    <Card
      size="small"
      title={<Space>{title ?? '收款结果'}<PaymentKindTag kind={p.kind} /></Space>}
      data-testid={testId}
      data-payment-id={p.id}
      data-kind={p.kind}
      data-amount-fen={p.amountFen}
      data-prepaid-fen={p.prepaidFen}
      data-received-on={p.receivedOn}
    >
      <Descriptions
        size="small"
        column={2}
        style={{ marginBottom: 12 }}
        items={[
          { key: 'amount', label: '金额', children: <Typography.Text strong data-testid="payment-result-amount">{formatYuan(p.amountFen)}</Typography.Text> },
          { key: 'upper', label: '大写', children: toChineseUppercase(Math.abs(p.amountFen)) },
          { key: 'channel', label: moneyIn ? '收款方式' : '方式', children: p.channel },
          { key: 'on', label: moneyIn ? '收款日期' : '日期', children: formatDate(p.receivedOn) },
          { key: 'at', label: moneyIn ? '收款时间' : '时间', children: formatInstant(p.receivedAt) },
          { key: 'by', label: moneyIn ? '收款人' : '经办人', children: p.recordedBy },
          ...(p.payerName ? [{ key: 'payer', label: '缴款人', children: p.payerName }] : []),
          ...(p.reason ? [{ key: 'reason', label: '原因', children: p.reason }] : []),
          { key: 'id', label: '记录编号', children: `#${p.id}` },
          ...(p.receiptNumber ? [{ key: 'receipt', label: '收款凭证', children: <span data-testid="payment-receipt-number">{p.receiptNumber}</span> }] : []),
        ]}
      />
      {(moneyIn || p.allocations.length > 0) && (
        <Table<Allocation & { key: number }>
          size="small"
          columns={columns}
          dataSource={p.allocations.map((x, key) => ({ ...x, key }))}
          pagination={false}
          locale={{ emptyText: '未冲抵任何应收' }}
          onRow={() => ({ 'data-testid': 'payment-allocation' } as HTMLAttributes<HTMLElement>)}
        />
      )}
      {(moneyIn || p.prepaidFen !== 0) && (
        <div style={{ marginTop: 12 }}>
          {p.prepaidFen < 0 ? '预存款减少：' : '转入预存：'}<Typography.Text strong data-testid="payment-prepaid">{formatYuan(Math.abs(p.prepaidFen))}</Typography.Text>
        </div>
      )}
    </Card>
  );
}
