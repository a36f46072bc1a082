import { useState, type HTMLAttributes } from 'react';
import { Alert, Button, Card, DatePicker, Empty, Form, Modal, Space, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { EditOutlined, FileTextOutlined, PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { api, type ContractTerms, type FeeItem, type FeeStandard } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useApi, useFormSubmit } from '../hooks.ts';
import { formatDate } from '../format.ts';
import { CYCLE_LABELS, PRICING_LABELS, ROUNDING_LABELS, dailyRatePercent, earlyDiscountText, propertyTypeLabel, standardPriceText } from '../billing.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';
import { FeeItemFormModal } from '../components/FeeItemFormModal.tsx';
import { FeeStandardFormModal } from '../components/FeeStandardFormModal.tsx';
import { FeeItemPriceNoticeModal } from '../components/FeeItemPriceNoticeModal.tsx';
import { ContractTermsForm } from '../components/ContractTermsForm.tsx';

/**
 * 收费设置: a project's fee items with their standards (which price applies to which property type from when), and the
 * contract terms that drive bill runs (cycle, due day, the 逾期违约金 clause, 服务内容). Each item shows its 明码标价 fields
 * (价格管理形式, 政府指导价 band, 收费依据, R24) and links to the printable notice. Everyone with billing.read sees the items;
 * only billing.configure may add items, standards and terms, or change an item's 明码标价 fields.
 */
export default function BillingSettingsPage() {
  const { can } = useAuth();
  const configure = can('billing.configure');
  const project = useProjectParam();
  const { projectId } = project;
  const feeItems = useApi(projectId === undefined ? null : () => api.feeItems(projectId), [projectId]);
  const terms = useApi(projectId === undefined ? null : () => api.contractTerms(projectId), [projectId]);
  const [addingItem, setAddingItem] = useState(false);
  const [standardFor, setStandardFor] = useState<FeeItem | undefined>(undefined);
  const [noticeFor, setNoticeFor] = useState<FeeItem | undefined>(undefined);
  const [ending, setEnding] = useState<FeeStandard | undefined>(undefined);
  /** Rows the user folded; every item shows its standards unless folded. */
  const [folded, setFolded] = useState<ReadonlySet<number>>(new Set());
  const items = feeItems.data?.items ?? [];

  const standardColumns: TableProps<FeeStandard>['columns'] = [
    { title: '物业类型', dataIndex: 'propertyType', width: 120, render: (v: string) => <span data-testid="standard-property-type">{propertyTypeLabel(v)}</span> },
    { title: '单价/金额', key: 'price', width: 160, render: (_, s) => <span data-testid="standard-price">{standardPriceText(s)}</span> },
    { title: '公示日期', dataIndex: 'publishedOn', width: 120, render: (v: string) => formatDate(v) },
    { title: '执行起', dataIndex: 'effectiveFrom', width: 120, render: (v: string) => <span data-testid="standard-effective-from">{formatDate(v)}</span> },
    {
      title: '执行止', dataIndex: 'effectiveTo', width: 170,
      render: (v: string | null, s) => (
        <Space size={4}>
          <span data-testid="standard-effective-to">{v ? formatDate(v) : <Typography.Text type="secondary">长期</Typography.Text>}</span>
          {configure && (
            <Tooltip title="调价：先设置现行标准的执行止日，再新增自次日起执行的新标准">
              <Button size="small" type="link" onClick={() => setEnding(s)} data-testid="standard-end">设置止日</Button>
            </Tooltip>
          )}
        </Space>
      ),
    },
    { title: '提前执行原因（R25）', dataIndex: 'overrideReason', render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text> },
    {
      title: '空置房收费（R29）', dataIndex: 'vacancy', width: 220,
      render: (v: FeeStandard['vacancy']) => (v ? (
        <span data-testid="standard-vacancy">
          <Tag color="cyan">按 {v.ratePct}% 收取</Tag>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>依据：{v.basis}</Typography.Text>
        </span>
      ) : <Typography.Text type="secondary" data-testid="standard-vacancy">无空置优惠</Typography.Text>),
    },
  ];

  const termsColumns: TableProps<ContractTerms>['columns'] = [
    { title: '执行起', dataIndex: 'effectiveFrom', width: 110, render: (v: string) => formatDate(v) },
    { title: '合同类型', dataIndex: 'kind', width: 150 },
    { title: '计费', key: 'cycle', width: 170, render: (_, t) => `${CYCLE_LABELS[t.cycle] ?? t.cycle}${t.cycle === 'month' ? '' : `（${t.anchorMonth} 月起算）`}，${t.dueDay} 日前缴费` },
    {
      title: '逾期违约金', dataIndex: 'lateFee', width: 230,
      render: (v: ContractTerms['lateFee']) => (v
        ? `每日 ${dailyRatePercent(v.dailyRate) ?? v.dailyRate}，宽限 ${v.graceDays} 天${v.capPctOfPrincipal !== null ? `，上限本金的 ${v.capPctOfPrincipal}%` : ''}`
        : <Typography.Text type="secondary">未约定（不计收）</Typography.Text>),
    },
    {
      title: '提前缴费优惠', dataIndex: 'earlyDiscount',
      render: (v: ContractTerms['earlyDiscount']) => <span data-testid="terms-row-discount">{v ? earlyDiscountText(v) : <Typography.Text type="secondary">无</Typography.Text>}</span>,
    },
    { title: '设置人', dataIndex: 'createdBy', width: 100 },
  ];

  const columns: TableProps<FeeItem>['columns'] = [
    { title: '收费项目', dataIndex: 'name', render: (v: string) => <Typography.Text strong data-testid="fee-item-name">{v}</Typography.Text> },
    { title: '类别', dataIndex: 'category', width: 120 },
    { title: '计费方式', dataIndex: 'pricing', width: 110, render: (v: FeeItem['pricing']) => PRICING_LABELS[v] ?? v },
    { title: '取整', dataIndex: 'rounding', width: 130, render: (v: FeeItem['rounding']) => ROUNDING_LABELS[v] ?? v },
    { title: '预收抵扣', dataIndex: 'prepaidDeduct', width: 90, render: (v: boolean) => (v ? '是' : '否') },
    {
      title: '价格管理形式', key: 'priceForm', width: 150,
      render: (_, i) => (
        <span data-testid="fee-item-price-form">
          {i.category === '代收' ? <Tag>代收代缴（执行供应单位价格）</Tag> : i.guide ? (
            <Tooltip title={`基准价 ${i.guide.base}，浮动幅度 ${i.guide.floatRange}：收费标准须在 ${i.guide.band}`}>
              <Tag color="orange">政府指导价</Tag>
              <Typography.Text type="secondary">{i.guide.base} {i.guide.floatRange}</Typography.Text>
            </Tooltip>
          ) : <Tag>{i.priceForm}</Tag>}
        </span>
      ),
    },
    { title: '收费依据', dataIndex: 'basis', ellipsis: true, render: (v: string | null) => v ?? <Typography.Text type="secondary">合同约定</Typography.Text> },
    { title: '状态', dataIndex: 'active', width: 80, render: (v: boolean) => (v ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
    { title: '收费标准', key: 'standards', width: 90, align: 'right', render: (_, i) => <span data-testid="fee-item-standard-count">{i.standards.length}</span> },
    ...(configure ? [{
      title: '操作', key: 'actions', width: 250,
      render: (_: unknown, i: FeeItem) => (
        <Space size="small">
          <Button size="small" icon={<PlusOutlined />} onClick={() => setStandardFor(i)} data-testid="add-standard">新增收费标准</Button>
          <Button size="small" icon={<EditOutlined />} onClick={() => setNoticeFor(i)} data-testid="edit-price-notice">明码标价信息</Button>
        </Space>
      ),
    }] : []),
  ];

  return (
    <div data-testid="billing-settings">
      <Typography.Title level={4} style={{ marginTop: 0 }}>收费设置</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
        {projectId !== undefined && (
          <Link to={`/billing/price-notice?projectId=${projectId}`} data-testid="price-notice-link">
            <Button icon={<FileTextOutlined />}>明码标价公示（打印 / PDF）</Button>
          </Link>
        )}
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 16 }} />}
      {projectId === undefined ? (
        <Empty description="请先选择项目" />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Card
            title="收费项目与收费标准"
            size="small"
            extra={configure && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setAddingItem(true)} data-testid="add-fee-item">新增收费项目</Button>
            )}
          >
            {feeItems.error && <Alert type="error" showIcon title={feeItems.error} style={{ marginBottom: 16 }} />}
            <div data-testid="fee-items-table" data-loading={feeItems.loading ? 'true' : 'false'}>
              <Table<FeeItem>
                rowKey="id"
                size="middle"
                loading={feeItems.loading}
                columns={columns}
                dataSource={items}
                pagination={false}
                locale={{ emptyText: configure ? '尚未设置收费项目，请点击“新增收费项目”' : '尚未设置收费项目' }}
                onRow={(i) => ({ 'data-testid': 'fee-item-row', 'data-fee-item-id': i.id, 'data-name': i.name } as HTMLAttributes<HTMLElement>)}
                expandable={{
                  expandedRowKeys: items.filter((i) => !folded.has(i.id)).map((i) => i.id),
                  onExpand: (open, i) => setFolded((prev) => {
                    const next = new Set(prev);
                    if (open) next.delete(i.id);
                    else next.add(i.id);
                    return next;
                  }),
                  expandedRowRender: (i) => (
                    <div data-testid="fee-item-standards" data-fee-item-id={i.id}>
                      <Table<FeeStandard>
                        rowKey="id"
                        size="small"
                        columns={standardColumns}
                        dataSource={i.standards}
                        pagination={false}
                        locale={{ emptyText: '尚无收费标准，出账时将跳过此项目' }}
                        onRow={(s) => ({ 'data-testid': 'standard-row', 'data-property-type': s.propertyType } as HTMLAttributes<HTMLElement>)}
                      />
                    </div>
                  ),
                }}
              />
            </div>
          </Card>
          <Card title="合同条款版本" size="small">
            {terms.error && <Alert type="error" showIcon title={terms.error} style={{ marginBottom: 16 }} />}
            <div data-testid="terms-table" data-loading={terms.loading ? 'true' : 'false'}>
              <Table<ContractTerms>
                rowKey="id"
                size="small"
                loading={terms.loading}
                columns={termsColumns}
                dataSource={terms.data?.items ?? []}
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                scroll={{ x: 'max-content' }}
                locale={{ emptyText: '尚未设置合同条款，出账时无法计费' }}
                onRow={(t) => ({ 'data-testid': 'terms-row', 'data-terms-id': t.id, 'data-effective-from': t.effectiveFrom } as HTMLAttributes<HTMLElement>)}
              />
            </div>
          </Card>
          {configure ? (
            <ContractTermsForm key={projectId} projectId={projectId} onSaved={terms.reload} />
          ) : (
            <Alert type="info" showIcon title="合同条款（计费周期、缴费截止日、逾期违约金）由管理员设置" />
          )}
        </Space>
      )}
      {addingItem && projectId !== undefined && (
        <FeeItemFormModal
          projectId={projectId}
          onClose={() => setAddingItem(false)}
          onSaved={() => {
            setAddingItem(false);
            feeItems.reload();
          }}
        />
      )}
      {noticeFor && (
        <FeeItemPriceNoticeModal
          item={noticeFor}
          onClose={() => setNoticeFor(undefined)}
          onSaved={() => {
            setNoticeFor(undefined);
            feeItems.reload();
          }}
        />
      )}
      {ending && (
        <EndStandardModal
          standard={ending}
          onClose={() => setEnding(undefined)}
          onSaved={() => {
            setEnding(undefined);
            feeItems.reload();
          }}
        />
      )}
      {standardFor && (
        <FeeStandardFormModal
          feeItem={standardFor}
          onClose={() => setStandardFor(undefined)}
          onSaved={() => {
            setStandardFor(undefined);
            feeItems.reload();
          }}
        />
      )}
    </div>
  );
}

/** 设置执行止日: the last day a standard is in force; the server refuses a day before its start or into another standard. */
function EndStandardModal({ standard, onClose, onSaved }: { standard: FeeStandard; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm<{ effectiveTo: Dayjs | null }>();
  const { busy, error, submit } = useFormSubmit(form, ['effectiveTo']);
  async function save() {
    if (await submit((v) => api.endFeeStandard(standard.id, v.effectiveTo!.format('YYYY-MM-DD')))) onSaved();
  }
  return (
    <Modal open title={`设置执行止日：${propertyTypeLabel(standard.propertyType)} ${standardPriceText(standard)}（${formatDate(standard.effectiveFrom)} 起）`} onOk={() => void save()} onCancel={onClose}
      okText="保存" cancelText="取消" confirmLoading={busy} okButtonProps={{ 'data-testid': 'standard-end-submit' }} mask={{ closable: false }}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="standard-end-error" />}
      <Typography.Paragraph type="secondary">调价时先设置现行标准的执行止日，再新增自次日起执行的新标准（须公示满一个月，R25）。已出账的月份不变；如需按新标准调整，在“出账”页使用“按现行标准调整”。</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="effectiveTo" label="执行止日（含当日）" rules={[{ required: true, message: '请选择执行止日' }]} data-testid="standard-end-date-item">
          <DatePicker format="YYYY-MM-DD" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
