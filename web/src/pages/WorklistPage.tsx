import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Collapse, DatePicker, Empty, Input, Popover, Radio, Space, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { api, errorMessage, type WorklistItem } from '../api.ts';
import { channelLabel, notBeforeLabel } from '../dunning.ts';
import { formatInstant, todayLocalDate } from '../format.ts';
import { useApi, intParam } from '../hooks.ts';
import { ProjectPicker, useProjectParam } from '../components/ProjectPicker.tsx';

/** The outcomes a call can have, one click each (承诺 asks for the date, 拒交 for the reason). */
const CALL_OUTCOMES = ['接通', '未接', '关机', '空号', '停机', '拒接', '承诺缴费', '拒交', '已缴'] as const;
const LABEL: Record<string, string> = { 承诺缴费: '承诺' };
const DEAD = new Set(['空号', '停机', '错号', '长期关机']);

/**
 * 我的任务: a collector's day — the tasks of the houses assigned to them, those allowed now first. Each card shows
 * what is owed per period, the owners' numbers (masked; 查看 reveals one and is logged, then it can be dialled), the
 * last attempts and the script; a call's outcome is one click. Cards stack, so the page works on a phone.
 */
export default function WorklistPage() {
  const project = useProjectParam();
  const { projectId } = project;
  const [params] = useSearchParams();
  const userId = intParam(params.get('userId'));
  const list = useApi(projectId === undefined ? null : () => api.worklist(projectId, userId), [projectId, userId]);
  const today = todayLocalDate();

  return (
    <div data-testid="worklist" style={{ maxWidth: 860 }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>我的任务（{today}）</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <ProjectPicker value={project} />
        {list.data && <span data-testid="worklist-counts">共 {list.data.total} 项，现在可办 {list.data.availableNow} 项</span>}
      </Space>
      {project.error && <Alert type="error" showIcon title={project.error} style={{ marginBottom: 12 }} />}
      {list.error && <Alert type="error" showIcon title={list.error} style={{ marginBottom: 12 }} />}
      {projectId === undefined ? <Empty description="请先选择项目" />
        : list.data && list.data.items.length === 0 ? <Empty description="今天没有分到您名下的任务" />
          : list.data?.items.map((item) => <TaskCard key={item.actionId} item={item} onDone={list.reload} />)}
    </div>
  );
}

function TaskCard({ item, onDone }: { item: WorklistItem; onDone: () => void }) {
  const { message } = AntApp.useApp();
  const phones = item.contacts.filter((c) => c.kind === '手机' || c.kind === '固话');
  const [contactId, setContactId] = useState<number | undefined>((phones.find((c) => !DEAD.has(c.status)) ?? phones[0])?.id);
  const [revealed, setRevealed] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [promisedOn, setPromisedOn] = useState<string | undefined>(undefined);
  const [reason, setReason] = useState('');

  async function reveal(id: number) {
    try {
      const r = await api.revealContact(id);
      setRevealed((prev) => ({ ...prev, [id]: r.value }));
    } catch (e) {
      void message.error(errorMessage(e));
    }
  }

  async function record(outcome: string) {
    setBusy(outcome);
    try {
      const r = await api.recordContact(item.caseId, {
        actionId: item.actionId, channel: 'call', contactId: contactId ?? null, outcome,
        ...(outcome === '承诺缴费' ? { promisedOn: promisedOn ?? null } : {}), ...(outcome === '拒交' ? { ownerSaid: reason } : {}),
      });
      if (r.status === 'cancelled_paid') void message.info(r.message ?? '已缴清，不再联系');
      else void message.success(r.retry ? '已记录：未接通，30 分钟后再拨' : `已记录：${outcome}`);
      onDone();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  }

  const isCall = item.channel === 'call';
  const outcomeButton = (o: (typeof CALL_OUTCOMES)[number]) => {
    const button = (
      <Button
        key={o} size="small" danger={o === '拒交'} type={o === '接通' || o === '承诺缴费' ? 'primary' : 'default'}
        loading={busy === o} disabled={!item.availableNow || (busy !== undefined && busy !== o)}
        onClick={o === '承诺缴费' || o === '拒交' ? undefined : () => void record(o)} data-testid="outcome" data-outcome={o}
      >
        {LABEL[o] ?? o}
      </Button>
    );
    if (o === '承诺缴费') {
      return (
        <Popover key={o} trigger="click" title="承诺缴费日期" content={(
          <Space>
            <span data-testid="promise-date">
              <DatePicker size="small" disabledDate={(d) => d.isBefore(dayjs(), 'day')} onChange={(d) => setPromisedOn(d ? d.format('YYYY-MM-DD') : undefined)} />
            </span>
            <Button size="small" type="primary" disabled={!promisedOn} onClick={() => void record('承诺缴费')} data-testid="promise-confirm">记录</Button>
          </Space>
        )}>{button}</Popover>
      );
    }
    if (o === '拒交') {
      return (
        <Popover key={o} trigger="click" title="拒交原因（将开服务工单）" content={(
          <Space orientation="vertical">
            <Input.TextArea rows={2} maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="业主说的原因" data-testid="refusal-reason" />
            <Button size="small" danger disabled={!reason.trim()} onClick={() => void record('拒交')} data-testid="refusal-confirm">记录</Button>
          </Space>
        )}>{button}</Popover>
      );
    }
    return button;
  };

  return (
    <Card
      size="small" style={{ marginBottom: 12 }} data-testid="task-card" data-house-id={item.houseId} data-key={item.key} data-available={item.availableNow ? 'true' : 'false'}
      title={(
        <Space wrap size={4}>
          <Link to={`/houses/${item.houseId}/collection`}>{item.house}</Link>
          <span data-testid="task-card-name">{item.name}</span>
          <Tag>{channelLabel(item.channel)}</Tag>
          {item.late && <Tag color="red">已逾期</Tag>}
          {item.categoryLabel && <Tag color="purple">{item.categoryLabel}</Tag>}
          {item.notBefore && <Tag color={item.availableNow ? 'green' : 'blue'} data-testid="task-card-time">{item.availableNow ? '现在可办' : notBeforeLabel(item.notBefore, todayLocalDate())}</Tag>}
        </Space>
      )}
      extra={<b data-testid="task-card-owed">{item.owed}</b>}
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {item.periods.map((p) => `${p.period} ${p.owed}${p.timeBarred ? '（已过时效）' : ''}`).join('；')}
      </Typography.Paragraph>
      {phones.length > 0 && (
        <Radio.Group value={contactId} onChange={(e) => setContactId(e.target.value as number)} style={{ marginBottom: 8 }}>
          <Space orientation="vertical" size={2}>
            {phones.map((c) => (
              <Radio key={c.id} value={c.id} disabled={DEAD.has(c.status)}>
                {c.owner} {c.kind}{' '}
                {revealed[c.id] ? <a href={`tel:${revealed[c.id]}`} data-testid="contact-dial">{revealed[c.id]}</a> : <Typography.Text code data-testid="contact-masked">{c.masked}</Typography.Text>}
                {' '}<Tag>{c.status}</Tag>
                {!revealed[c.id] && <Button size="small" type="link" onClick={() => void reveal(c.id)} data-testid="contact-reveal">查看</Button>}
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      )}
      {isCall ? <Space wrap size={4} style={{ marginBottom: 8 }}>{CALL_OUTCOMES.map(outcomeButton)}</Space> : (
        <Typography.Paragraph><Link to={`/houses/${item.houseId}/collection`}>到催缴时间线记录办理结果</Link></Typography.Paragraph>
      )}
      {item.answers.map((a) => <Alert key={a.key} type="info" showIcon style={{ marginBottom: 8 }} title={`答客问：${a.topic}`} description={a.answer} data-testid="task-answer" />)}
      <Collapse
        size="small" ghost items={[
          ...(item.script ? [{ key: 'script', label: `话术：${item.script.title}`, children: <Typography.Paragraph style={{ whiteSpace: 'pre-line', marginBottom: 0 }} data-testid="task-script">{item.script.text}</Typography.Paragraph> }] : []),
          ...(item.lastAttempts.length ? [{
            key: 'last', label: `最近联系（${item.lastAttempts.length}）`,
            children: item.lastAttempts.map((a) => <div key={a.at}>{formatInstant(a.at)} {a.staff} {a.contact ?? ''} → <b>{a.outcome}</b>{a.ownerSaid ? `：${a.ownerSaid}` : ''}</div>),
          }] : []),
        ]}
      />
    </Card>
  );
}
