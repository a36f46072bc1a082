import { useEffect, useRef, useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, Empty, Progress, Radio, Select, Space, Table, Tag, Typography, Upload, type TableProps } from 'antd';
import { CheckCircleOutlined, DownloadOutlined, FileExcelOutlined, ImportOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { api, errorMessage, type ExportFormat, type ImportBatch, type ImportBatchDetail, type ImportColumn, type ImportError, type ImportKindInfo } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatInstant } from '../format.ts';
import { useApi, withParams } from '../hooks.ts';
import { EXPORT_FORMATS, EXPORT_LISTS, IMPORT_MODE_LABELS, IMPORT_STATUS_COLORS, type ExportList } from '../imports.ts';
import { ExportRequestModal } from '../components/ExportMenu.tsx';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

/** How often a running import is asked for its progress. */
const POLL_MS = 500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Mode = 'all' | 'valid';
const MODES: Array<{ value: Mode; label: string }> = [
  { value: 'all', label: '整体导入（有误则全部不导入）' },
  { value: 'valid', label: '只导入正确的行' },
];

/**
 * 数据导入: a file (.xlsx or .csv, any size: it is sent as it is) of houses and owners, old balances and payments, or a
 * bank statement, for one project. 检查（不写入） reads every row and lists what is wrong (sheet, row, column, value,
 * reason; all of it in the error workbook); 导入 writes all or nothing, or the valid rows only. The import runs on the
 * server while a progress bar follows it. Below: the project's recent imports, and every list it can export.
 * ?kind= chooses the kind (the bank page links here with bank_statement).
 */
export default function ImportsPage() {
  const { can } = useAuth();
  const project = useProjectParam();
  const { projectId } = project;
  const [params, setParams] = useSearchParams();
  const kinds = useApi(() => api.importKinds(), []);
  const recent = useApi(projectId === undefined ? null : () => api.imports(projectId), [projectId]);
  const allowedKinds = (kinds.data ?? []).filter((k) => can(k.permission));
  const kindName = params.get('kind') ?? undefined;
  const kind = allowedKinds.find((k) => k.kind === kindName);

  return (
    <div data-testid="imports-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>数据导入</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
      </Space>
      {(project.error ?? kinds.error) && <Alert type="error" showIcon title={project.error ?? kinds.error} style={{ marginBottom: 12 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" /> : (
        <>
          <ImportCard
            key={projectId} projectId={projectId} kinds={allowedKinds} kind={kind} loadingKinds={kinds.loading}
            onKind={(k) => setParams(withParams(params, { kind: k }))} onFinished={recent.reload}
          />
          <RecentImports batches={recent.data ?? []} loading={recent.loading} error={recent.error} onReload={recent.reload} />
          <ExportsCard projectId={projectId} />
        </>
      )}
    </div>
  );
}

interface ImportCardProps {
  projectId: number;
  kinds: ImportKindInfo[];
  kind: ImportKindInfo | undefined;
  loadingKinds: boolean;
  onKind: (kind: string) => void;
  onFinished: () => void;
}

/** Kind (its columns and template), file, check, import, the progress and the outcome. */
function ImportCard({ projectId, kinds, kind, loadingKinds, onKind, onFinished }: ImportCardProps) {
  const { message } = AntApp.useApp();
  const [file, setFile] = useState<File | undefined>(undefined);
  const [mode, setMode] = useState<Mode>('all');
  const [busy, setBusy] = useState<'check' | 'import' | undefined>(undefined);
  const [batch, setBatch] = useState<ImportBatchDetail | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  // The run whose progress is shown: another kind or file forgets the one before (it goes on on the server).
  const run = useRef(0);
  useEffect(() => () => { run.current++; }, []);

  function forget() {
    run.current++;
    setBusy(undefined);
    setBatch(undefined);
    setError(undefined);
  }

  async function start(dryRun: boolean) {
    if (!file || !kind) return;
    const mine = ++run.current;
    setBusy(dryRun ? 'check' : 'import');
    setBatch(undefined);
    setError(undefined);
    try {
      const { batchId } = await api.startImport(projectId, kind.kind, file, { dryRun, mode });
      let b = await api.importBatch(batchId);
      while (b.status === 'running') {
        if (run.current !== mine) return;
        setBatch(b);
        await sleep(POLL_MS);
        b = await api.importBatch(batchId);
      }
      if (run.current !== mine) return;
      setBatch(b);
      if (b.status === 'committed') void message.success(b.message ?? '导入完成');
    } catch (e) {
      if (run.current === mine) setError(errorMessage(e));
    } finally {
      if (run.current === mine) setBusy(undefined);
      onFinished();
    }
  }

  const columnColumns: TableProps<ImportColumn>['columns'] = [
    { title: '列', dataIndex: 'header', width: 140, render: (v: string, c) => <span>{v}{c.required && <Typography.Text type="danger"> *</Typography.Text>}</span> },
    { title: '说明', dataIndex: 'note' },
  ];
  const ready = file !== undefined && kind !== undefined && busy === undefined;

  return (
    <Card size="small" title="导入" style={{ marginBottom: 16 }} data-testid="import-card">
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Space wrap>
          <span>数据：</span>
          <Select<string>
            style={{ width: 300 }} placeholder="选择要导入的数据" loading={loadingKinds} value={kind?.kind} data-testid="import-kind"
            onChange={(k) => { forget(); onKind(k); }} options={kinds.map((k) => ({ value: k.kind, label: k.label }))}
          />
          {kind && (
            <Button icon={<FileExcelOutlined />} href={api.importTemplateUrl(kind.kind)} download data-testid="import-template">下载模板</Button>
          )}
        </Space>
        {kind && (
          <div data-testid="import-columns" data-kind={kind.kind}>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {kind.sheet ? `读取工作表“${kind.sheet}”` : '读取第一个工作表（.csv 即整个文件）'}；表头须有下列各列（标 * 的必填），列的顺序不限。检查不写入任何数据；同一行再次导入会被跳过，不会重复写入。
            </Typography.Paragraph>
            <Table<ImportColumn> rowKey="header" size="small" columns={columnColumns} dataSource={kind.columns} pagination={false} scroll={{ x: 'max-content' }} />
          </div>
        )}
        <Space wrap align="start">
          <div data-testid="import-upload">
            <Upload
              accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" maxCount={1}
              fileList={file ? [{ uid: 'file', name: file.name, status: 'done', size: file.size }] : []}
              beforeUpload={(f) => { forget(); setFile(f); return false; }}
              onRemove={() => { forget(); setFile(undefined); }}
            >
              <Button icon={<UploadOutlined />} disabled={busy !== undefined} data-testid="import-file">选择文件（.xlsx / .csv）</Button>
            </Upload>
          </div>
          <Button icon={<CheckCircleOutlined />} disabled={!ready} loading={busy === 'check'} onClick={() => void start(true)} data-testid="import-check">检查（不写入）</Button>
        </Space>
        <Space wrap>
          <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as Mode)} options={MODES} disabled={busy !== undefined} data-testid="import-mode" />
          <Button type="primary" icon={<ImportOutlined />} disabled={!ready} loading={busy === 'import'} onClick={() => void start(false)} data-testid="import-commit">导入</Button>
        </Space>
        {busy !== undefined && (
          <div data-testid="import-progress">
            <Typography.Text type="secondary">{busy === 'check' ? '正在检查' : '正在导入'}{batch ? `：已读 ${batch.rows} 行` : '…'}</Typography.Text>
            <Progress percent={batch?.progress ?? 0} status="active" />
          </div>
        )}
        {error && <Alert type="error" showIcon title={error} data-testid="import-error" />}
        {batch && batch.status !== 'running' && <BatchResult batch={batch} projectId={projectId} />}
      </Space>
    </Card>
  );
}

const RESULT_TYPE: Record<string, 'success' | 'info' | 'warning' | 'error'> = {
  committed: 'success', checked: 'info', rolled_back: 'warning', failed: 'error', interrupted: 'error',
};

/** The outcome of a check or an import: its counts, its message, the errors (the first 200) and the error workbook. */
function BatchResult({ batch: b, projectId }: { batch: ImportBatchDetail; projectId: number }) {
  const type = b.status === 'checked' && b.invalid > 0 ? 'warning' : RESULT_TYPE[b.status] ?? 'info';
  const counts: Array<[string, string, number]> = [
    ['rows', '行数', b.rows], ['valid', '正确', b.valid], ['invalid', '有误', b.invalid], ['written', '已写入', b.written], ['skipped', '已导入过', b.skipped],
  ];
  const columns: TableProps<ImportError>['columns'] = [
    { title: '工作表', dataIndex: 'sheet', width: 120 },
    { title: '行', dataIndex: 'row', width: 70, align: 'right' },
    { title: '列', dataIndex: 'column', width: 130 },
    { title: '值', dataIndex: 'value', width: 180, render: (v: string) => v || <Typography.Text type="secondary">（空）</Typography.Text> },
    { title: '原因', dataIndex: 'reason' },
  ];
  return (
    <div data-testid="import-result" data-status={b.status} data-batch-id={b.id}>
      <Alert
        type={type} showIcon title={<span data-testid="import-message">{b.message ?? b.statusLabel}</span>}
        description={b.status === 'failed' || b.status === 'interrupted' ? undefined : (
          <Space wrap size="large">
            {counts.map(([key, label, n]) => <span key={key}>{label} <Typography.Text strong data-testid="import-count" data-name={key}>{n}</Typography.Text></span>)}
          </Space>
        )}
        action={b.kind === 'bank_statement' && b.status === 'committed' && b.written > 0
          ? <Link to={`/billing/bank?projectId=${projectId}`} data-testid="import-to-bank">去银行对账</Link> : undefined}
      />
      {b.errors.length > 0 && (
        <div style={{ marginTop: 12 }}>
          <Space wrap style={{ marginBottom: 8 }}>
            <Typography.Text strong>错误明细</Typography.Text>
            {b.errors.length >= 200 && <Typography.Text type="secondary">此处列出前 200 条，全部错误见错误明细表</Typography.Text>}
            <Button size="small" icon={<DownloadOutlined />} href={api.importErrorsUrl(b.id)} download data-testid="import-errors-xlsx">下载错误明细</Button>
          </Space>
          <Table<ImportError>
            rowKey={(e) => `${e.sheet}|${e.row}|${e.column}|${e.reason}`} size="small" columns={columns} dataSource={b.errors} scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }} data-testid="import-errors"
            onRow={(e) => ({ 'data-testid': 'import-error-row', 'data-row': e.row, 'data-column': e.column } as HTMLAttributes<HTMLElement>)}
          />
        </div>
      )}
    </div>
  );
}

function RecentImports({ batches, loading, error, onReload }: { batches: ImportBatch[]; loading: boolean; error: string | undefined; onReload: () => void }) {
  const columns: TableProps<ImportBatch>['columns'] = [
    { title: '#', dataIndex: 'id', width: 60 },
    { title: '数据', dataIndex: 'label', width: 190 },
    { title: '文件', dataIndex: 'filename', width: 200, ellipsis: { showTitle: true } },
    { title: '方式', dataIndex: 'mode', width: 130, render: (v: ImportBatch['mode']) => IMPORT_MODE_LABELS[v] ?? v },
    { title: '状态', dataIndex: 'status', width: 140, render: (v: ImportBatch['status'], b) => <Tag color={IMPORT_STATUS_COLORS[v] ?? 'default'} data-testid="import-batch-status">{b.statusLabel}</Tag> },
    { title: '行数', dataIndex: 'rows', width: 70, align: 'right' },
    { title: '写入', dataIndex: 'written', width: 70, align: 'right' },
    { title: '有误', dataIndex: 'invalid', width: 70, align: 'right', render: (v: number) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : v) },
    { title: '说明', dataIndex: 'message', width: 280, ellipsis: { showTitle: true }, render: (v: string | null) => v ?? '—' },
    { title: '经办', key: 'by', width: 220, render: (_, b) => `${b.createdBy} · ${formatInstant(b.createdAt)}` },
    {
      title: '', key: 'do', width: 110,
      render: (_, b) => (b.invalid > 0 ? <Button size="small" type="link" icon={<DownloadOutlined />} href={api.importErrorsUrl(b.id)} download>错误明细</Button> : null),
    },
  ];
  return (
    <Card size="small" title="导入记录" style={{ marginBottom: 16 }} extra={<Button size="small" icon={<ReloadOutlined />} onClick={onReload} loading={loading}>刷新</Button>}>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Table<ImportBatch>
        rowKey="id" size="small" columns={columns} dataSource={batches} loading={loading} scroll={{ x: 'max-content' }} data-testid="import-batches"
        pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }} locale={{ emptyText: <Empty description="还没有导入过" /> }}
        onRow={(b) => ({ 'data-testid': 'import-batch-row', 'data-batch-id': b.id, 'data-status': b.status, 'data-kind': b.kind } as HTMLAttributes<HTMLElement>)}
      />
    </Card>
  );
}

/** Every list of the project the user may export, as .xlsx or .csv (the whole list, contacts masked, audited), on an approved request (R37). */
function ExportsCard({ projectId }: { projectId: number }) {
  const { can } = useAuth();
  const [asking, setAsking] = useState<{ list: ExportList; format: ExportFormat } | undefined>(undefined);
  const lists = EXPORT_LISTS.filter((l) => can(l.permission));
  if (lists.length === 0) return null;
  return (
    <Card size="small" title="导出" data-testid="exports-card">
      <Typography.Paragraph type="secondary">导出本项目的整个列表（不限行数；联系方式只导出脱敏值）。批量导出须经批准（R37）：申请后由项目经理及以上批准，文件带导出人水印，每次下载记入审计日志。</Typography.Paragraph>
      <Space orientation="vertical" size={4}>
        {lists.map((l) => (
          <Space key={l.list} data-testid="export-item" data-list={l.list}>
            <span style={{ display: 'inline-block', width: 110 }}>{l.label}</span>
            {EXPORT_FORMATS.map((f) => (
              <Button
                key={f.format} size="small" icon={<DownloadOutlined />} onClick={() => setAsking({ list: l.list, format: f.format })}
                data-testid="export-format" data-list={l.list} data-format={f.format}
              >
                {f.format === 'xlsx' ? 'Excel' : 'CSV'}
              </Button>
            ))}
          </Space>
        ))}
      </Space>
      {asking && <ExportRequestModal projectId={projectId} list={asking.list} format={asking.format} onClose={() => setAsking(undefined)} />}
    </Card>
  );
}
