import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, Radio, Space, Table, Tag, Typography, Upload, type TableProps } from 'antd';
import { CheckOutlined, UploadOutlined } from '@ant-design/icons';
import { formatYuan } from '../../../core/money.ts';
import { api, errorMessage, type PaymentImportReport, type PaymentImportRow } from '../api.ts';
import { base64Of } from '../files.ts';
import { formatDate } from '../format.ts';

const MAX_BYTES = 5 * 1024 * 1024;

const STATUS: Record<PaymentImportRow['status'], { label: string; color: string }> = {
  ok: { label: '可导入', color: 'blue' },
  recorded: { label: '已入账', color: 'green' },
  already_imported: { label: '已导入，跳过', color: 'default' },
  rejected: { label: '有误', color: 'red' },
};

/**
 * 批量导入收款: a cashier uploads the bank / WeChat / Alipay statement as .xlsx, sees every row checked (nothing is
 * written), then 确认导入 records the valid rows. A statement imported again records nothing twice (流水号).
 */
export default function PaymentImportCard() {
  const { message, modal } = AntApp.useApp();
  const [file, setFile] = useState<{ name: string; base64: string } | undefined>(undefined);
  const [report, setReport] = useState<PaymentImportReport | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<'preview' | 'commit' | undefined>(undefined);
  const [onlyErrors, setOnlyErrors] = useState(false);

  async function send(base64: string, dryRun: boolean) {
    setBusy(dryRun ? 'preview' : 'commit');
    setError(undefined);
    try {
      const r = await api.importPayments(base64, dryRun);
      setReport(r);
      setOnlyErrors(false);
      if (!dryRun) void message.success(`已导入 ${r.recorded} 笔，合计 ${r.total}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  }

  async function pick(f: File) {
    setReport(undefined);
    setError(undefined);
    if (f.size > MAX_BYTES) {
      setFile(undefined);
      setError('文件不能超过 5 MB');
      return;
    }
    const base64 = await base64Of(f);
    setFile({ name: f.name, base64 });
    await send(base64, true);
  }

  function confirm() {
    if (!file || !report) return;
    modal.confirm({
      title: '确认导入',
      content: `将入账 ${report.ok} 笔，合计 ${report.total}。${report.rejected ? `有误的 ${report.rejected} 行不会导入。` : ''}`,
      okText: '确认导入',
      cancelText: '取消',
      onOk: () => send(file.base64, false),
    });
  }

  const columns: TableProps<PaymentImportRow>['columns'] = [
    { title: '行', dataIndex: 'row', width: 56 },
    { title: '状态', dataIndex: 'status', width: 110, render: (v: PaymentImportRow['status']) => <Tag color={STATUS[v].color} data-testid="import-row-status">{STATUS[v].label}</Tag> },
    { title: '房屋', key: 'house', width: 180, render: (_, r) => [r.projectName, r.building, r.number].filter(Boolean).join(' ') || '—' },
    { title: '金额', dataIndex: 'amountFen', width: 120, align: 'right', render: (v: number | null) => (v === null ? '—' : formatYuan(v)) },
    {
      title: '问题 / 收款凭证', dataIndex: 'errors', width: 380,
      render: (v: PaymentImportRow['errors'], r) => (v.length
        ? <Space orientation="vertical" size={0}>{v.map((e) => <Typography.Text key={e.message} type="danger" data-testid="import-row-error">{e.message}</Typography.Text>)}</Space>
        : r.receiptNumber ? <span>凭证 {r.receiptNumber}</span> : r.paymentId !== null ? <span>收款 #{r.paymentId}</span> : null),
    },
    { title: '渠道', dataIndex: 'channel', width: 90, render: (v: string | null) => v ?? '—' },
    { title: '到账日期', dataIndex: 'receivedOn', width: 110, render: (v: string | null) => (v ? formatDate(v) : '导入当天') },
    { title: '指定账期', dataIndex: 'periods', width: 110, render: (v: string[]) => (v.length ? v.join('、') : '—') },
    { title: '流水号', dataIndex: 'serial', width: 150, render: (v: string | null) => v ?? '—' },
    {
      title: '冲抵 / 转预存', key: 'alloc', width: 160, align: 'right',
      render: (_, r) => (r.allocatedFen === null ? '—' : `${formatYuan(r.allocatedFen)} / ${formatYuan(r.prepaidFen ?? 0)}`),
    },
  ];

  const rows = report ? (onlyErrors ? report.items.filter((i) => i.status === 'rejected') : report.items) : [];
  return (
    <Card size="small" title="批量导入收款（银行转账 / 微信 / 支付宝流水）" style={{ marginTop: 16 }} data-testid="payment-import">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          上传 .xlsx（第一个工作表，第 1 行为表头）：项目、楼栋、房号、金额（元）、渠道、流水号为必填；到账日期、指定账期（YYYY-MM，多个用逗号或顿号分隔）、付款人、备注可选。
          先校验预览，不会写入；确认后逐行入账。流水号已导入的行自动跳过，同一文件重复导入不会重复入账。
        </Typography.Text>
        <Space wrap>
          <Upload
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            showUploadList={false}
            beforeUpload={(f) => { void pick(f); return false; }}
            disabled={busy !== undefined}
          >
            <Button icon={<UploadOutlined />} loading={busy === 'preview'} data-testid="import-upload">选择文件并校验</Button>
          </Upload>
          {file && <Typography.Text data-testid="import-file">{file.name}</Typography.Text>}
          {report?.dryRun && (
            <Button type="primary" icon={<CheckOutlined />} disabled={report.ok === 0 || busy !== undefined} loading={busy === 'commit'} onClick={confirm} data-testid="import-commit">
              确认导入
            </Button>
          )}
        </Space>
        {error && <Alert type="error" showIcon title={error} data-testid="import-error" />}
        {report && (
          <>
            <Alert
              type={report.rejected ? 'warning' : 'success'}
              showIcon
              data-testid="import-summary"
              title={report.dryRun
                ? `预览（未写入）：共 ${report.rows} 行，可导入 ${report.ok} 行，合计 ${report.total}；已导入 ${report.alreadyImported} 行（跳过）；有误 ${report.rejected} 行`
                : `导入完成：共 ${report.rows} 行，入账 ${report.recorded} 行，合计 ${report.total}；已导入 ${report.alreadyImported} 行（跳过）；有误 ${report.rejected} 行`}
              description={report.rejected ? '有误的行不会导入。修改文件后可再次上传：已入账的流水号会自动跳过。' : undefined}
            />
            <Radio.Group
              optionType="button"
              size="small"
              value={onlyErrors ? 'errors' : 'all'}
              onChange={(e) => setOnlyErrors(e.target.value === 'errors')}
              options={[{ value: 'all', label: `全部 ${report.rows}` }, { value: 'errors', label: `有误 ${report.rejected}` }]}
            />
            <Table<PaymentImportRow>
              rowKey="row"
              size="small"
              columns={columns}
              dataSource={rows}
              pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
              scroll={{ x: 1500 }}
              onRow={(r) => ({ 'data-testid': 'import-row', 'data-row': r.row } as HTMLAttributes<HTMLElement>)}
            />
          </>
        )}
      </Space>
    </Card>
  );
}
