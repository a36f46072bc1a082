import { useState, type ReactNode } from 'react';
import { Alert, Button, Dropdown, Form, Input, Modal, Typography } from 'antd';
import { DownloadOutlined, DownOutlined } from '@ant-design/icons';
import { api, type ExportFormat, type ExportRequest } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatInstant } from '../format.ts';
import { useFormSubmit } from '../hooks.ts';
import { EXPORT_FORMATS, EXPORT_LISTS, type ExportList } from '../imports.ts';

/** The download link of an approved export request, while it is valid. */
export function ExportLink({ r, children }: { r: ExportRequest; children?: ReactNode }) {
  return (
    <a href={api.exportUrl(r)} download data-testid="export-link" data-list={r.list} data-format={r.format}>
      <DownloadOutlined /> {children ?? '下载'}
    </a>
  );
}

/**
 * 申请导出 (R37: bulk export only with approval): the reason, then the request. A general manager's or an admin's own
 * request is approved at once and the link is shown here; anyone else's waits for a project manager or above, and is
 * downloaded from 审批 → 导出申请 once approved (within 24 hours).
 */
export function ExportRequestModal({ projectId, list, format, onClose }: { projectId: number; list: ExportList; format: ExportFormat; onClose: () => void }) {
  const def = EXPORT_LISTS.find((l) => l.list === list)!;
  const [form] = Form.useForm<{ reason: string }>();
  // The server's refusal (e.g. no purpose given) is shown above the field, in its words.
  const { busy, error, submit } = useFormSubmit(form, []);
  const [done, setDone] = useState<ExportRequest | undefined>(undefined);

  async function send() {
    await submit(async (v) => setDone(await api.requestExport(projectId, list, format, v.reason ?? '')));
  }

  return (
    <Modal
      open title={`申请导出：${def.label}（${format === 'xlsx' ? 'Excel' : 'CSV'}）`} onCancel={onClose} mask={{ closable: false }}
      footer={done
        ? <Button onClick={onClose} data-testid="export-close">关闭</Button>
        : [<Button key="c" onClick={onClose}>取消</Button>, <Button key="s" type="primary" loading={busy} onClick={() => void send()} data-testid="export-submit">提交申请</Button>]}
    >
      <div data-testid="export-modal">
        <Typography.Paragraph type="secondary">
          批量导出须经批准（R37）：项目经理及以上审批；文件带导出人、审批人与时间的水印，联系方式只导出脱敏值，每次下载记入审计日志。
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="export-error" />}
        {done ? (
          done.downloadable ? (
            <Alert type="success" showIcon data-testid="export-approved" title={<span>已批准（{done.decisionNote ?? done.decidedBy}），{formatInstant(done.validUntil)} 前可下载：<ExportLink r={done} /></span>} />
          ) : (
            <Alert type="info" showIcon data-testid="export-pending" title="已提交导出申请，待项目经理或以上批准；批准后在「审批 → 导出申请」下载（24 小时内有效）。" />
          )
        ) : (
          <Form form={form} layout="vertical">
            <Form.Item name="reason" label="用途">
              <Input.TextArea rows={3} maxLength={200} showCount placeholder="如：月度对账、移交律师事务所" data-testid="export-reason" />
            </Form.Item>
          </Form>
        )}
      </div>
    </Modal>
  );
}

/**
 * 导出: the whole list of the project (not only the page shown, whatever the filters) as .xlsx or .csv, on an approved
 * request (ExportRequestModal). Nothing is shown to a user without the list's permission.
 */
export function ExportMenu({ projectId, list }: { projectId: number | undefined; list: ExportList }) {
  const { can } = useAuth();
  const [format, setFormat] = useState<ExportFormat | undefined>(undefined);
  const def = EXPORT_LISTS.find((l) => l.list === list);
  if (!def || !can(def.permission)) return null;
  return (
    <>
      <Dropdown
        disabled={projectId === undefined} trigger={['click']}
        menu={{
          items: EXPORT_FORMATS.map((f) => ({ key: f.format, label: <span data-testid="export-format" data-list={list} data-format={f.format}>{f.label}</span> })),
          onClick: ({ key }) => setFormat(key as ExportFormat),
        }}
      >
        <Button icon={<DownloadOutlined />} title={`申请导出全部${def.label}`} data-testid={`export-${list}`}>导出 <DownOutlined /></Button>
      </Dropdown>
      {format && projectId !== undefined && <ExportRequestModal projectId={projectId} list={list} format={format} onClose={() => setFormat(undefined)} />}
    </>
  );
}
