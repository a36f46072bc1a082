import { useState, type HTMLAttributes } from 'react';
import { Alert, Button, Card, Empty, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, type FeeItem, type FeeStandard } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useApi } from '../hooks.ts';
import { formatDate } from '../format.ts';
import { PRICING_LABELS, ROUNDING_LABELS, propertyTypeLabel, standardPriceText } from '../billing.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';
import { FeeItemFormModal } from '../components/FeeItemFormModal.tsx';
import { FeeStandardFormModal } from '../components/FeeStandardFormModal.tsx';
import { ContractTermsForm } from '../components/ContractTermsForm.tsx';

/**
 * 收费设置: a project's fee items with their standards (which price applies to which property type from when), and the
 * contract terms that drive bill runs (cycle, due day, the 逾期违约金 clause). Everyone with billing.read sees the items;
 * only billing.configure may add items, standards and terms.
 */
export default function BillingSettingsPage() {
  const { can } = useAuth();
  const configure = can('billing.configure');
  const project = useProjectParam();
  const { projectId } = project;
  const feeItems = useApi(projectId === undefined ? null : () => api.feeItems(projectId), [projectId]);
  const [addingItem, setAddingItem] = useState(false);
  const [standardFor, setStandardFor] = useState<FeeItem | undefined>(undefined);
  /** Rows the user folded; every item shows its standards unless folded. */
  const [folded, setFolded] = useState<ReadonlySet<number>>(new Set());
  const items = feeItems.data?.items ?? [];

  const standardColumns: TableProps<FeeStandard>['columns'] = [
    { title: '物业类型', dataIndex: 'propertyType', width: 120, render: (v: string) => <span data-testid="standard-property-type">{propertyTypeLabel(v)}</span> },
    { title: '单价/金额', key: 'price', width: 160, render: (_, s) => <span data-testid="standard-price">{standardPriceText(s)}</span> },
    { title: '公示日期', dataIndex: 'publishedOn', width: 120, render: (v: string) => formatDate(v) },
    { title: '执行起', dataIndex: 'effectiveFrom', width: 120, render: (v: string) => <span data-testid="standard-effective-from">{formatDate(v)}</span> },
    { title: '执行止', dataIndex: 'effectiveTo', width: 120, render: (v: string | null) => (v ? formatDate(v) : <Typography.Text type="secondary">长期</Typography.Text>) },
    { title: '提前执行原因（R25）', dataIndex: 'overrideReason', render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text> },
  ];

  const columns: TableProps<FeeItem>['columns'] = [
    { title: '收费项目', dataIndex: 'name', render: (v: string) => <Typography.Text strong data-testid="fee-item-name">{v}</Typography.Text> },
    { title: '类别', dataIndex: 'category', width: 120 },
    { title: '计费方式', dataIndex: 'pricing', width: 110, render: (v: FeeItem['pricing']) => PRICING_LABELS[v] ?? v },
    { title: '取整', dataIndex: 'rounding', width: 130, render: (v: FeeItem['rounding']) => ROUNDING_LABELS[v] ?? v },
    { title: '预收抵扣', dataIndex: 'prepaidDeduct', width: 90, render: (v: boolean) => (v ? '是' : '否') },
    { title: '状态', dataIndex: 'active', width: 80, render: (v: boolean) => (v ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
    { title: '收费标准', key: 'standards', width: 90, align: 'right', render: (_, i) => <span data-testid="fee-item-standard-count">{i.standards.length}</span> },
    ...(configure ? [{
      title: '操作', key: 'actions', width: 130,
      render: (_: unknown, i: FeeItem) => (
        <Button size="small" icon={<PlusOutlined />} onClick={() => setStandardFor(i)} data-testid="add-standard">新增收费标准</Button>
      ),
    }] : []),
  ];

  return (
    <div data-testid="billing-settings">
      <Typography.Title level={4} style={{ marginTop: 0 }}>收费设置</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>项目：</span>
        <ProjectPicker value={project} />
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
          {configure ? (
            <ContractTermsForm key={projectId} projectId={projectId} />
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
