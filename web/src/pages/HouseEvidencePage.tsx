import { useState, type HTMLAttributes } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Dropdown, Empty, Form, Select, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { ArrowLeftOutlined, DownOutlined, DownloadOutlined, FileTextOutlined, FileZipOutlined, FilePdfOutlined, SafetyCertificateOutlined, SendOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, errorMessage, type EvidenceChainRow, type EvidenceCheck, type EvidenceMessage, type EvidenceReceipt } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { applyServerErrors } from '../formErrors.ts';
import { compactJson, formatDayOrInstant, formatInstant } from '../format.ts';
import { useApi } from '../hooks.ts';
import { DRAFT_TEMPLATES, PROVIDER_CHANNELS, SENDABLE, chainKindLabel, outboxChannelLabel, statusColor } from '../notices.ts';
import type { ProviderChannel } from '../../../core/notices/vocabulary.ts';

const MONO = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 } as const;
const shortHash = (h: string | null) => (h ? `${h.slice(0, 12)}…${h.slice(-6)}` : '—');

function receiptText(r: EvidenceReceipt): string {
  return `${r.status === 'delivered' ? '送达' : '未送达'} ${r.at ? formatDayOrInstant(r.at) : ''}${r.detail ? `（${r.detail}）` : ''}${r.providerId ? `，编号 ${r.providerId}` : ''}`;
}

/**
 * 催告证据: everything sent to one house's owners — what exactly (the content and its SHA-256, checked again now), to
 * whom (masked) and where that address or number came from, the receipt, the files (signed receipts) — and the
 * house's rows of the append-only evidence chain, each checked against its own hash. Managers download the litigation
 * bundle (a PDF to read, a zip of the originals) and check the whole chain; collectors send one notice from here; anyone
 * prints a notice's draft for this house (nothing recorded; the lawyer's letter for the law firm).
 */
export default function HouseEvidencePage() {
  const { can } = useAuth();
  const { id } = useParams();
  const houseId = Number(id);
  const navigate = useNavigate();
  const valid = Number.isSafeInteger(houseId) && houseId > 0;
  const evidence = useApi(valid ? () => api.houseEvidence(houseId) : null, [houseId]);
  const mayExport = can('evidence.export');

  if (!valid) return <Empty description="房屋编号无效" />;
  if (evidence.error) return <Alert type="error" showIcon title={evidence.error} />;
  const e = evidence.data;
  if (!e) return <Skeleton active />;
  const messages = [...e.messages].sort((a, b) => b.id - a.id);

  return (
    <div data-testid="house-evidence" data-house-id={houseId}>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => void navigate(-1)}>返回</Button>
        <Link to={`/houses/${houseId}`} data-testid="evidence-house-link">房屋详情</Link>
        <Link to={`/houses/${houseId}/collection`}>催缴时间线</Link>
        <Link to={`/collection/outbox?projectId=${e.house.projectId}&houseId=${houseId}`} data-testid="evidence-outbox-link">发送队列</Link>
      </Space>
      <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="evidence-title">催告证据 · {e.house.label}</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Dropdown
          menu={{ items: DRAFT_TEMPLATES.map((t) => ({ key: t.value, label: <a href={api.noticeDraftUrl(houseId, t.value)} target="_blank" rel="noreferrer" data-testid="notice-draft" data-kind={t.value}>{t.label}</a> })) }}
        >
          <Button icon={<FileTextOutlined />} data-testid="notice-drafts">文书草稿 PDF <DownOutlined /></Button>
        </Dropdown>
        {mayExport && (
          <>
            <Button type="primary" icon={<FilePdfOutlined />} href={api.litigationBundleUrl(houseId, 'pdf')} target="_blank" data-testid="bundle-pdf">下载诉讼材料 PDF</Button>
            <Button icon={<FileZipOutlined />} href={api.litigationBundleUrl(houseId, 'zip')} data-testid="bundle-zip">原件 zip</Button>
            <VerifyChain />
          </>
        )}
      </Space>
      {can('notices.send') && <SendNoticeCard houseId={houseId} onSent={evidence.reload} />}
      <Typography.Title level={5}>通知与文书（{messages.length}）</Typography.Title>
      {messages.length === 0 && <Empty description="尚未向该户发出通知" style={{ marginBottom: 16 }} />}
      {messages.map((m) => <MessageCard key={m.id} m={m} />)}
      <Typography.Title level={5} style={{ marginTop: 24 }}>证据链记录（{e.chain.length}）</Typography.Title>
      <ChainTable rows={e.chain} />
    </div>
  );
}

/** 校验证据链: the whole chain walked on the server (every hash recomputed, every link and the head checked). */
function VerifyChain() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ check?: EvidenceCheck; error?: string } | undefined>(undefined);
  async function verify() {
    setBusy(true);
    try {
      setResult({ check: await api.verifyEvidence() });
    } catch (e) {
      setResult({ error: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  }
  const c = result?.check;
  return (
    <Space wrap>
      <Button icon={<SafetyCertificateOutlined />} loading={busy} onClick={() => void verify()} data-testid="verify-chain">校验证据链</Button>
      {result?.error && <Typography.Text type="danger" data-testid="verify-result" data-ok="false">{result.error}</Typography.Text>}
      {c && (c.ok
        ? <Tag color="green" data-testid="verify-result" data-ok="true">证据链完整：共 {c.rows} 条记录，链尾 <span style={MONO}>{shortHash(c.head)}</span></Tag>
        : <Tag color="red" data-testid="verify-result" data-ok="false">证据链不完整：{c.broken ? c.broken.reason : '链尾不符'}</Tag>)}
    </Space>
  );
}

interface SendValues { channel: ProviderChannel; template: string }

/** 发送通知: one notice to this house's owner now, through the outbox (the same checks as every message). */
function SendNoticeCard({ houseId, onSent }: { houseId: number; onSent: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<SendValues>();
  const channel = Form.useWatch('channel', form) ?? 'sms';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  async function send(v: SendValues) {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.sendNotice(houseId, v.template, v.channel);
      void message.success(`已加入发送队列（消息 #${r.id}）`);
      onSent();
    } catch (e) {
      setError(applyServerErrors(form, e, ['channel', 'template']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card size="small" title="发送通知" style={{ marginBottom: 16 }} data-testid="send-notice">
      <Form<SendValues>
        form={form} layout="inline" style={{ rowGap: 8 }} initialValues={{ channel: 'sms', template: SENDABLE.sms[0]!.value }} onFinish={(v) => void send(v)}
        onValuesChange={(changed: Partial<SendValues>) => {
          if (changed.channel) form.setFieldValue('template', SENDABLE[changed.channel][0]!.value);
        }}
      >
        <Form.Item name="channel" label="方式" rules={[{ required: true }]}>
          <Select<string> style={{ width: 130 }} options={PROVIDER_CHANNELS.map((c) => ({ value: c, label: outboxChannelLabel(c) }))} data-testid="send-channel" />
        </Form.Item>
        <Form.Item name="template" label="文书" rules={[{ required: true, message: '请选择' }]}>
          <Select<string> style={{ width: 240 }} options={[...SENDABLE[channel]]} data-testid="send-template" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={busy} data-testid="send-submit">发送</Button>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
        发送前再次核对欠费、暂停与联系时段（R47–R48）；同一通知同一方式每天最多一次。信件请用打印中心。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} data-testid="send-error" />}
    </Card>
  );
}

function MessageCard({ m }: { m: EvidenceMessage }) {
  const hash = m.contentSha256 === null ? '—' : (
    <Tooltip title={m.hashOk ? '内容与存证哈希一致' : '内容与存证哈希不符：内容可能被修改'}>
      <span data-testid="evidence-hash" data-ok={String(m.hashOk)}>
        <span style={{ color: m.hashOk ? '#389e0d' : '#cf1322', fontWeight: 600, marginInlineEnd: 6 }}>{m.hashOk ? '✓' : '✗'}</span>
        <span style={{ ...MONO, wordBreak: 'break-all' }}>{m.contentSha256}</span>
      </span>
    </Tooltip>
  );
  return (
    <Card
      size="small" style={{ marginBottom: 12 }} data-testid="evidence-message" data-message-id={m.id} data-status={m.status} data-channel={m.channel}
      title={(
        <Space wrap>
          <span>#{m.id}</span>
          <span>{m.templateLabel}</span>
          <Tag>{m.channelLabel}</Tag>
          <Tag color={statusColor(m.status)} data-testid="evidence-status">{m.statusLabel}</Tag>
          {m.templateVersion !== null && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{m.templateVersion === 0 ? '默认模板' : `模板第 ${m.templateVersion} 版`}</Typography.Text>}
        </Space>
      )}
      extra={m.printable && <Button size="small" icon={<FilePdfOutlined />} href={api.letterPdfUrl(m.id)} target="_blank" data-testid="evidence-letter-pdf">打印件</Button>}
    >
      <Descriptions
        size="small" column={{ xs: 1, md: 2 }} style={{ marginBottom: 12 }}
        items={[
          {
            key: 'to', label: '收件人', span: 2,
            children: <span data-testid="evidence-recipient">{m.recipient ?? '—'}{m.recipientSource && <Typography.Text type="secondary">（来源：{m.recipientSource}）</Typography.Text>}</span>,
          },
          { key: 'owed', label: '欠费', children: m.owed },
          { key: 'periods', label: '所列账期', children: m.periods.length ? m.periods.join('、') : '—' },
          { key: 'sent', label: '发出', children: formatDayOrInstant(m.sentAt) },
          { key: 'delivered', label: '送达', children: <span data-testid="evidence-delivered">{formatDayOrInstant(m.deliveredAt)}</span> },
          ...(m.trackingNo ? [{ key: 'tracking', label: '邮件号', children: <span data-testid="evidence-tracking">{m.trackingNo}</span> }] : []),
          ...(m.provider && !m.trackingNo ? [{ key: 'provider', label: '服务商', children: `${m.provider}${m.providerId ? ` · ${m.providerId}` : ''}` }] : []),
          ...(m.receipt ? [{ key: 'receipt', label: '回执', span: 2, children: <span data-testid="evidence-receipt">{receiptText(m.receipt)}</span> }] : []),
          ...(m.error ? [{ key: 'error', label: '失败原因', span: 2, children: <Typography.Text type="danger">{m.error}</Typography.Text> }] : []),
          ...(m.suppressedReason ? [{ key: 'suppressed', label: '拦截原因', span: 2, children: m.suppressedReason }] : []),
          { key: 'hash', label: 'SHA-256', span: 2, children: hash },
        ]}
      />
      {m.content !== null ? (
        <div style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 12, background: '#fafafa' }}>
          {m.subject && <Typography.Text strong style={{ display: 'block', marginBottom: 6 }}>{m.subject}</Typography.Text>}
          <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', margin: 0, fontFamily: 'inherit', fontSize: 13 }} data-testid="evidence-content">{m.content}</pre>
        </div>
      ) : <Typography.Text type="secondary">尚未发出：内容在发送时按当时的欠费生成</Typography.Text>}
      {m.files.length > 0 && (
        <div style={{ marginTop: 12 }}>
          <Typography.Text strong>附件</Typography.Text>
          <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
            {m.files.map((f) => (
              <li key={f.id} data-testid="evidence-file">
                <a href={api.evidenceFileUrl(f.id)} target="_blank" rel="noreferrer"><DownloadOutlined /> {f.filename}</a>
                <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>{f.by} · {formatInstant(f.at)} · </Typography.Text>
                <span style={MONO}>{shortHash(f.sha256)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

function ChainTable({ rows }: { rows: EvidenceChainRow[] }) {
  return (
    <Table<EvidenceChainRow>
      rowKey="seq" size="small" dataSource={rows} pagination={{ pageSize: 20, hideOnSinglePage: true }} scroll={{ x: 'max-content' }}
      locale={{ emptyText: '没有证据链记录' }}
      onRow={(r) => ({ 'data-testid': 'chain-row', 'data-seq': r.seq, 'data-kind': r.kind, 'data-intact': String(r.intact) } as HTMLAttributes<HTMLElement>)}
      columns={[
        { title: '序号', dataIndex: 'seq', width: 70 },
        { title: '时间', dataIndex: 'at', width: 160, render: (v: string) => formatInstant(v) },
        { title: '事项', dataIndex: 'kind', width: 110, render: (v: string) => <Tooltip title={v}>{chainKindLabel(v)}</Tooltip> },
        { title: '消息', dataIndex: 'messageId', width: 70, render: (v: number | null) => (v === null ? '—' : `#${v}`) },
        { title: '哈希', dataIndex: 'hash', width: 170, render: (v: string) => <Tooltip title={v}><span style={MONO}>{shortHash(v)}</span></Tooltip> },
        { title: '前序哈希', dataIndex: 'prevHash', width: 170, render: (v: string) => <Tooltip title={v}><span style={MONO}>{shortHash(v)}</span></Tooltip> },
        { title: '校验', dataIndex: 'intact', width: 80, render: (v: boolean) => (v ? <Tag color="green" data-testid="chain-intact">完整</Tag> : <Tag color="red" data-testid="chain-intact">不符</Tag>) },
        {
          title: '内容', dataIndex: 'payload', width: 420, ellipsis: { showTitle: false },
          render: (v: unknown) => { const text = compactJson(v); return <Tooltip title={text} placement="topLeft"><span style={MONO}>{text}</span></Tooltip>; },
        },
      ]}
    />
  );
}
