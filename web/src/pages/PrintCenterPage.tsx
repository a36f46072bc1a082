import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Empty, Form, Input, Modal, Radio, Select, Space, Table, Tag, Tooltip, Typography, Upload, type TableProps, type UploadFile } from 'antd';
import { FilePdfOutlined, PrinterOutlined, UploadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { Link, useSearchParams } from 'react-router-dom';
import { formatYuan } from '../../../core/money.ts';
import { api, errorMessage, type BatchLetters, type NewPrintBatch, type PrintBatch, type PrintBatchResult, type PrintLetter } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { base64Of } from '../files.ts';
import { applyServerErrors } from '../formErrors.ts';
import { formatInstant, todayLocalDate } from '../format.ts';
import { useApi, useFormSubmit, withParams, intParam } from '../hooks.ts';
import { DELIVERY_OUTCOMES, MAX_RECEIPT_BYTES, PRINT_CHANNELS, PRINT_SIZES, PRINT_TEMPLATES, RECEIPT_TYPES, statusColor, statusLabel } from '../notices.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

const BATCH_FIELDS = ['buildingId', 'template', 'channel', 'size'] as const;
const DELIVERY_FIELDS = ['outcome', 'on', 'receivedBy', 'note', 'file'] as const;
const channelText = (c: string) => PRINT_CHANNELS.find((x) => x.value === c)?.label ?? c;
const sizeText = (s: string) => PRINT_SIZES.find((x) => x.value === s)?.label ?? s;

/**
 * 打印中心: a building's notices as one PDF, a page per house that owes (paused cases skipped), each page a letter kept as
 * evidence. Then, letter by letter, the registered-mail number and the outcome of the delivery (signed, refused,
 * returned; a hand delivery with the photo or signature of the receipt). A delivered demand interrupts limitation.
 */
export default function PrintCenterPage() {
  const { can } = useAuth();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const batchId = intParam(params.get('batch'));
  const batches = useApi(projectId === undefined ? null : () => api.printBatches(projectId), [projectId]);
  const mayPrint = can('notices.send');

  const columns: TableProps<PrintBatch>['columns'] = [
    { title: '批次', dataIndex: 'id', width: 70, render: (v: number) => `#${v}` },
    { title: '楼栋', dataIndex: 'building', width: 110 },
    { title: '文书', dataIndex: 'templateLabel', width: 180 },
    { title: '送达方式', dataIndex: 'channel', width: 120, render: (v: string) => channelText(v) },
    { title: '纸张', dataIndex: 'size', width: 90, render: (v: string) => sizeText(v) },
    { title: '户数', dataIndex: 'houses', width: 60, align: 'right' },
    { title: '生成', key: 'by', width: 220, render: (_, b) => `${b.createdBy} · ${formatInstant(b.createdAt)}` },
    {
      title: '', key: 'do', width: 180,
      render: (_, b) => (
        <Space size={4}>
          <Button size="small" icon={<FilePdfOutlined />} href={api.batchPdfUrl(b.id)} target="_blank" onClick={(e) => e.stopPropagation()} data-testid="batch-pdf">PDF</Button>
          <Button size="small" type="link" onClick={() => setParams(withParams(params, { batch: b.id }))} data-testid="batch-open">查看信件</Button>
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="print-center">
      <Typography.Title level={4} style={{ marginTop: 0 }}>打印中心</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
      </Space>
      {(project.error ?? batches.error) && <Alert type="error" showIcon title={project.error ?? batches.error} style={{ marginBottom: 12 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : (
        <>
          {mayPrint && (
            <NewBatchCard projectId={projectId} onCreated={(r) => { batches.reload(); setParams(withParams(params, { batch: r.batchId })); }} />
          )}
          <Card size="small" title="打印批次" style={{ marginBottom: 16 }}>
            <Table<PrintBatch>
              rowKey="id" size="small" columns={columns} dataSource={batches.data ?? []} loading={batches.loading} scroll={{ x: 'max-content' }}
              pagination={{ pageSize: 10, hideOnSinglePage: true }} locale={{ emptyText: <Empty description="还没有打印过" /> }}
              rowClassName={(b) => (b.id === batchId ? 'ant-table-row-selected' : '')}
              onRow={(b) => ({
                onClick: () => setParams(withParams(params, { batch: b.id })), style: { cursor: 'pointer' },
                'data-testid': 'batch-row', 'data-batch-id': b.id,
              } as HTMLAttributes<HTMLElement>)}
            />
          </Card>
          {batchId !== undefined && <LettersCard key={batchId} batchId={batchId} mayRecord={mayPrint} />}
        </>
      )}
    </div>
  );
}

/** 批量打印: building, document, delivery and paper → a batch; the houses printed and those skipped are shown. */
function NewBatchCard({ projectId, onCreated }: { projectId: number; onCreated: (r: PrintBatchResult) => void }) {
  const [form] = Form.useForm<NewPrintBatch>();
  const buildings = useApi(() => api.buildings(projectId), [projectId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<PrintBatchResult | undefined>(undefined);

  async function create(values: NewPrintBatch) {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const r = await api.createPrintBatch(projectId, values);
      setResult(r);
      onCreated(r);
    } catch (e) {
      setError(applyServerErrors(form, e, BATCH_FIELDS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card size="small" title="批量打印催缴文书" style={{ marginBottom: 16 }} data-testid="print-form">
      <Form<NewPrintBatch>
        form={form} layout="inline" onFinish={(v) => void create(v)} style={{ rowGap: 8 }}
        initialValues={{ template: 'demand_notice', channel: 'letter', size: 'A4' }}
      >
        <Form.Item name="buildingId" label="楼栋" rules={[{ required: true, message: '请选择楼栋' }]}>
          <Select<number>
            style={{ width: 180 }} placeholder="选择楼栋" loading={buildings.loading} showSearch={{ optionFilterProp: 'label' }} data-testid="print-building"
            options={(buildings.data?.items ?? []).map((b) => ({ value: b.id, label: `${b.areaName ? `${b.areaName} · ` : ''}${b.name}` }))}
          />
        </Form.Item>
        <Form.Item name="template" label="文书" rules={[{ required: true }]}>
          <Select<string> style={{ width: 200 }} options={[...PRINT_TEMPLATES]} data-testid="print-template" />
        </Form.Item>
        <Form.Item name="channel" label="送达方式" rules={[{ required: true }]}>
          <Select<string> style={{ width: 150 }} options={[...PRINT_CHANNELS]} data-testid="print-channel" />
        </Form.Item>
        <Form.Item name="size" label="纸张" rules={[{ required: true }]}>
          <Select<string> style={{ width: 120 }} options={[...PRINT_SIZES]} data-testid="print-size" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<PrinterOutlined />} loading={busy} data-testid="print-create">生成打印批次</Button>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        每户欠费一页，合为一个 PDF；每页即一封信，生成后计入证据（已暂停催缴的户不打印）。挂号信/EMS 寄往约定送达地址（未登记的寄往房屋地址），寄出后登记邮件号。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="print-error" />}
      {result && (
        <Alert
          type="success" showIcon style={{ marginTop: 12 }} data-testid="print-result" data-batch-id={result.batchId} data-houses={result.houses}
          title={<span>已生成批次 #{result.batchId}：{result.houses} 户{result.skipped.length > 0 && `，跳过 ${result.skipped.length} 户`}</span>}
          description={result.skipped.length > 0 && (
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {result.skipped.map((s) => <li key={s.house} data-testid="print-skipped">{s.house}：{s.reason}</li>)}
            </ul>
          )}
          action={<Button size="small" type="primary" icon={<FilePdfOutlined />} href={api.batchPdfUrl(result.batchId)} target="_blank" data-testid="print-result-pdf">下载 PDF</Button>}
        />
      )}
    </Card>
  );
}

/** The letters of a batch: tracking numbers entered inline, deliveries recorded in a dialog, each letter's own PDF. */
function LettersCard({ batchId, mayRecord }: { batchId: number; mayRecord: boolean }) {
  const letters = useApi(() => api.batchLetters(batchId), [batchId]);
  const [delivering, setDelivering] = useState<PrintLetter | undefined>(undefined);
  const b = letters.data?.batch;
  const isLetter = b?.channel === 'letter';

  const columns: TableProps<PrintLetter>['columns'] = [
    { title: '#', dataIndex: 'id', width: 70 },
    { title: '房屋', dataIndex: 'house', width: 120, render: (v: string, l) => <Link to={`/houses/${l.houseId}/evidence`} data-testid="letter-house">{v}</Link> },
    {
      title: '收件人', dataIndex: 'recipient', width: 240,
      render: (v: string | null, l) => (
        <Space orientation="vertical" size={0}>
          <span>{v ?? '—'}</span>
          {l.recipientSource && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{l.recipientSource}</Typography.Text>}
        </Space>
      ),
    },
    { title: '欠费', dataIndex: 'owedFen', width: 100, align: 'right', render: (v: number) => formatYuan(v) },
    {
      title: '状态', dataIndex: 'status', width: 200,
      render: (v: string, l) => (
        <Space orientation="vertical" size={0}>
          <Tag color={statusColor(v)} data-testid="letter-status">{statusLabel(v)}</Tag>
          {l.deliveredAt && <Typography.Text type="secondary" style={{ fontSize: 12 }}>送达 {l.deliveredAt}</Typography.Text>}
          {l.error && <Typography.Text type="danger" style={{ fontSize: 12 }}>{l.error}</Typography.Text>}
        </Space>
      ),
    },
    ...(isLetter ? [{
      title: '邮件号', key: 'tracking', width: 250,
      render: (_: unknown, l: PrintLetter) => (mayRecord && l.status === 'sent'
        ? <TrackingInput letter={l} onSaved={letters.reload} />
        : <span data-testid="letter-tracking">{l.trackingNo ?? '—'}</span>),
    }] : []),
    {
      title: '', key: 'do', width: 190,
      render: (_, l) => (
        <Space size={4}>
          {mayRecord && l.status === 'sent' && (
            <Tooltip title={isLetter && !l.trackingNo ? '请先登记邮件号' : undefined}>
              <Button size="small" type="primary" disabled={isLetter && !l.trackingNo} onClick={() => setDelivering(l)} data-testid="letter-deliver">登记送达</Button>
            </Tooltip>
          )}
          <Button size="small" icon={<FilePdfOutlined />} href={api.letterPdfUrl(l.id)} target="_blank" data-testid="letter-pdf">PDF</Button>
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small" data-testid="batch-letters" data-batch-id={batchId}
      title={b ? `批次 #${b.id} · ${b.building} · ${b.templateLabel} · ${channelText(b.channel)} · ${sizeText(b.size)}` : `批次 #${batchId}`}
      extra={<Button size="small" icon={<FilePdfOutlined />} href={api.batchPdfUrl(batchId)} target="_blank" data-testid="batch-letters-pdf">下载整批 PDF</Button>}
    >
      {letters.error && <Alert type="error" showIcon title={letters.error} style={{ marginBottom: 12 }} />}
      <Table<PrintLetter>
        rowKey="id" size="small" columns={columns} dataSource={letters.data?.letters ?? []} loading={letters.loading} scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(l) => ({ 'data-testid': 'letter-row', 'data-letter-id': l.id, 'data-status': l.status, 'data-tracking': l.trackingNo ?? '' } as HTMLAttributes<HTMLElement>)}
      />
      {delivering && b && (
        <DeliveryModal letter={delivering} batch={b} onClose={() => setDelivering(undefined)} onDone={letters.reload} />
      )}
    </Card>
  );
}

function TrackingInput({ letter, onSaved }: { letter: PrintLetter; onSaved: () => void }) {
  const { message } = AntApp.useApp();
  const [value, setValue] = useState(letter.trackingNo ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  async function save() {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.recordTracking(letter.id, value);
      void message.success(`${letter.house} 邮件号已登记：${r.trackingNo}`);
      onSaved();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Space orientation="vertical" size={0}>
      <Space.Compact size="small">
        <Input
          style={{ width: 160 }} value={value} placeholder="如 XA123456789CN" maxLength={40} status={error ? 'error' : undefined}
          onChange={(e) => setValue(e.target.value)} onPressEnter={() => void save()} data-testid="letter-tracking-input"
        />
        <Button loading={busy} disabled={!value.trim() || value.trim().toUpperCase() === letter.trackingNo} onClick={() => void save()} data-testid="letter-tracking-save">保存</Button>
      </Space.Compact>
      {error && <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="letter-tracking-error">{error}</Typography.Text>}
    </Space>
  );
}

interface DeliveryValues { outcome: 'delivered' | 'refused' | 'returned'; on: Dayjs; receivedBy?: string; note?: string; file?: UploadFile[] }

/**
 * 登记送达: signed (by the owner or an adult family member living there), refused or returned, on a day between the
 * printing and today. A hand delivery that was received needs the photo or signature of the receipt, read here and sent
 * inline (it is kept as an evidence file with its hash).
 */
function DeliveryModal({ letter, batch, onClose, onDone }: { letter: PrintLetter; batch: BatchLetters['batch']; onClose: () => void; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<DeliveryValues>();
  const outcome = Form.useWatch('outcome', form);
  const { busy, error, submit: run } = useFormSubmit(form, DELIVERY_FIELDS);
  const today = todayLocalDate();
  const printedOn = batch.createdAt.slice(0, 10);
  const hand = batch.channel === 'hand';

  /** What is wrong with the chosen receipt file (or its absence), or undefined. */
  function fileProblem(list: UploadFile[] | undefined): string | undefined {
    const f = list?.[0]?.originFileObj;
    if (!f) return hand && form.getFieldValue('outcome') === 'delivered' ? '当面送达须上传签收回执照片或签名' : undefined;
    if (!(RECEIPT_TYPES as readonly string[]).includes(f.type)) return '回执须为 PNG、JPEG、WebP 图片或 PDF';
    if (f.size === 0 || f.size > MAX_RECEIPT_BYTES) return '回执文件须在 5 MB 以内且不能为空';
    return undefined;
  }

  async function submit() {
    const done = await run(async (v) => {
      const file = v.file?.[0]?.originFileObj;
      const r = await api.recordDelivery(letter.id, {
        outcome: v.outcome, on: v.on.format('YYYY-MM-DD'),
        ...(v.receivedBy?.trim() ? { receivedBy: v.receivedBy.trim() } : {}),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        ...(file ? { file: { filename: file.name, contentType: file.type, base64: await base64Of(file) } } : {}),
      });
      void message.success(`${letter.house}：${r.status === 'delivered' ? '已登记签收' : '已登记未送达'}`);
    });
    if (done) {
      onDone();
      onClose();
    }
  }

  return (
    <Modal
      open title={`登记送达 · ${letter.house}`} okText="保存" cancelText="取消" onOk={() => void submit()} onCancel={onClose} confirmLoading={busy}
      mask={{ closable: false }} okButtonProps={{ 'data-testid': 'delivery-submit' }} destroyOnHidden
    >
      <div data-testid="delivery-form">
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="delivery-error" />}
        {letter.trackingNo && <Typography.Paragraph type="secondary">邮件号 {letter.trackingNo}</Typography.Paragraph>}
        <Form<DeliveryValues> form={form} layout="vertical" initialValues={{ outcome: 'delivered', on: dayjs(today) }}>
          <Form.Item name="outcome" label="结果" rules={[{ required: true }]}>
            <Radio.Group options={[...DELIVERY_OUTCOMES]} optionType="button" data-testid="delivery-outcome" />
          </Form.Item>
          <Form.Item name="on" label="送达日期" rules={[{ required: true, message: '请选择日期' }]}>
            <DatePicker
              allowClear={false} style={{ width: 180 }} data-testid="delivery-on"
              disabledDate={(d) => d.format('YYYY-MM-DD') > today || d.format('YYYY-MM-DD') < printedOn}
            />
          </Form.Item>
          <Form.Item
            name="receivedBy" label="签收人" extra="业主本人或同住成年家属"
            rules={[{ required: outcome === 'delivered', whitespace: true, message: '请填写签收人' }]}
          >
            <Input maxLength={40} data-testid="delivery-received-by" />
          </Form.Item>
          <Form.Item name="note" label="备注">
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} placeholder={outcome === 'delivered' ? '' : '如：退回原因、拒收情形'} data-testid="delivery-note" />
          </Form.Item>
          <Form.Item
            name="file" label={hand ? '签收回执（照片或签名，当面送达必传）' : '回执（可选：签收回执或退件照片）'} valuePropName="fileList" dependencies={['outcome']}
            getValueFromEvent={(e: { fileList: UploadFile[] }) => e.fileList.slice(-1)} rules={[{ validator: (_, list: UploadFile[] | undefined) => { const p = fileProblem(list); return p ? Promise.reject(new Error(p)) : Promise.resolve(); } }]}
          >
            <Upload accept={RECEIPT_TYPES.join(',')} maxCount={1} beforeUpload={() => false}>
              <Button icon={<UploadOutlined />} data-testid="delivery-file">选择文件</Button>
            </Upload>
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}
