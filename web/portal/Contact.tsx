import { useState, type FormEvent } from 'react';
import { api } from './api.ts';
import { Badge, Card, ErrorBox, Loading, Money, Notice, statusTone } from './ui.tsx';
import { base64Of } from '../src/files.ts';
import { addDays, errorText, fenToYuanText, formatTime, parseYuan, todayInChina, useLoad } from './util.ts';

const MAX_ATTACHMENT = 5 * 1024 * 1024;
/** What the office accepts as evidence: pictures and PDF. */
const ATTACHMENT_TYPES = 'image/png,image/jpeg,image/webp,application/pdf';
/** A promise reaches at most this far; a longer arrangement is a deferral or instalments. */
const PROMISE_MAX_DAYS = 60;

type Tab = 'ticket' | 'promise' | 'plan';
const TABS: Array<[Tab, string]> = [['ticket', '投诉/报修'], ['promise', '承诺缴费'], ['plan', '缓缴/分期']];

/** Shared state of a form that posts once and reports. */
function useSubmit(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (e: FormEvent, check: () => string | null, send: () => Promise<string>) => {
    e.preventDefault();
    const problem = check();
    setDone(null);
    if (problem) { setError(problem); return; }
    setBusy(true);
    setError(null);
    try {
      setDone(await send());
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run };
}

function TicketForm({ houseId, onDone }: { houseId: number; onDone: () => void }) {
  const [kind, setKind] = useState<'complaint' | 'repair'>('complaint');
  const [topic, setTopic] = useState('');
  const [description, setDescription] = useState('');
  const s = useSubmit(onDone);
  return (
    <form onSubmit={(e) => void s.run(e,
      () => (!topic.trim() ? '请填写主题' : !description.trim() ? '请描述具体情况' : null),
      async () => {
        await api.ticket(houseId, { kind, topic: topic.trim(), description: description.trim() });
        setTopic('');
        setDescription('');
        return kind === 'complaint' ? '投诉已提交，物业会尽快联系您。' : '报修已提交，物业会尽快安排上门。';
      })} noValidate data-testid="ticket-form">
      <div className="radios row2" role="radiogroup" aria-label="类型">
        <label className="radio"><input type="radio" name="ticket-kind" data-testid="ticket-kind-complaint" checked={kind === 'complaint'} onChange={() => setKind('complaint')} /><span>投诉</span></label>
        <label className="radio"><input type="radio" name="ticket-kind" data-testid="ticket-kind-repair" checked={kind === 'repair'} onChange={() => setKind('repair')} /><span>报修</span></label>
      </div>
      <label className="field"><span>主题</span><input data-testid="ticket-topic" maxLength={100} value={topic} placeholder={kind === 'complaint' ? '如：电梯经常停运' : '如：楼道灯不亮'} onChange={(e) => setTopic(e.target.value)} /></label>
      <label className="field"><span>具体情况</span><textarea data-testid="ticket-description" rows={4} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} /></label>
      <ErrorBox error={s.error} />
      {s.done ? <Notice testId="ticket-done">{s.done}</Notice> : null}
      <button type="submit" className="btn primary block" data-testid="ticket-submit" disabled={s.busy}>{s.busy ? '提交中…' : '提交'}</button>
    </form>
  );
}

function PromiseForm({ houseId, onDone }: { houseId: number; onDone: () => void }) {
  const [date, setDate] = useState('');
  const [note, setNote] = useState('');
  const s = useSubmit(onDone);
  const today = todayInChina();
  const latest = addDays(today, PROMISE_MAX_DAYS);
  return (
    <form onSubmit={(e) => void s.run(e,
      () => (!/^\d{4}-\d{2}-\d{2}$/.test(date) ? '请选择承诺缴费日期' : date < today ? '承诺日期不能早于今天'
        : date > latest ? `承诺日期请在 ${PROMISE_MAX_DAYS} 天以内；更长的安排请申请缓缴或分期` : null),
      async () => {
        const r = await api.promise(houseId, { date, ...(note.trim() ? { note: note.trim() } : {}) });
        setNote('');
        return `已记录：您承诺于 ${r.promisedOn} 前缴费。到期前一天我们会短信提醒您。`;
      })} noValidate data-testid="promise-form">
      <p className="small muted">暂时不方便缴费？告诉我们您打算哪天缴清，在此之前我们不再催缴。</p>
      <label className="field"><span>承诺缴费日期</span><input type="date" data-testid="promise-date" min={today} max={latest} value={date} onChange={(e) => setDate(e.target.value)} /></label>
      <label className="field"><span>备注（选填）</span><input data-testid="promise-note" maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} /></label>
      <ErrorBox error={s.error} />
      {s.done ? <Notice testId="promise-done">{s.done}</Notice> : null}
      <button type="submit" className="btn primary block" data-testid="promise-submit" disabled={s.busy}>{s.busy ? '提交中…' : '提交承诺'}</button>
    </form>
  );
}

interface Instalment { dueOn: string; amount: string }

function PlanForm({ houseId, overdueFen, onDone }: { houseId: number; overdueFen: number | null; onDone: () => void }) {
  const [kind, setKind] = useState<'instalment' | 'deferral'>('instalment');
  const [reason, setReason] = useState('');
  const [rows, setRows] = useState<Instalment[]>([{ dueOn: '', amount: '' }, { dueOn: '', amount: '' }]);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const s = useSubmit(onDone);
  const setRow = (i: number, patch: Partial<Instalment>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const today = todayInChina();
  const totalFen = rows.reduce((s, r) => s + (parseYuan(r.amount) ?? 0), 0);

  /** Spread the overdue amount over the rows, a month apart from a month ahead (the last row takes the odd fen). */
  const spread = () => {
    if (!overdueFen) return;
    const n = rows.length;
    const each = Math.floor(overdueFen / n);
    setRows(rows.map((_, i) => ({ dueOn: addDays(today, 30 * (i + 1)), amount: fenToYuanText(i === n - 1 ? overdueFen - each * (n - 1) : each) })));
  };

  const check = (): string | null => {
    if (!reason.trim()) return '请说明申请原因';
    if (rows.length === 0) return kind === 'instalment' ? '请至少填写一期' : '请填写缓缴到期日和金额';
    for (const [i, r] of rows.entries()) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(r.dueOn)) return `第 ${i + 1} 行：请选择日期`;
      if (r.dueOn < today) return `第 ${i + 1} 行：日期应为今天或以后`;
      if (i > 0 && r.dueOn <= (rows[i - 1]?.dueOn ?? '')) return `第 ${i + 1} 行：各期日期须依次递增`;
      const fen = parseYuan(r.amount);
      if (fen === null || fen <= 0) return `第 ${i + 1} 行：金额应为大于 0 的数字，最多两位小数`;
    }
    if (overdueFen !== null && totalFen < overdueFen) return `各期合计 ${fenToYuanText(totalFen)} 元，少于已逾期欠费 ${fenToYuanText(overdueFen)} 元`;
    if (fileError) return fileError;
    return null;
  };

  return (
    <form onSubmit={(e) => void s.run(e, check, async () => {
      const attachment = file ? { filename: file.name, contentType: file.type || 'application/octet-stream', base64: await base64Of(file) } : undefined;
      await api.plan(houseId, { kind, reason: reason.trim(), instalments: rows.map((r) => ({ dueOn: r.dueOn, amount: fenToYuanText(parseYuan(r.amount) ?? 0) })), ...(attachment ? { attachment } : {}) });
      setReason('');
      setFile(null);
      return '申请已提交，物业审核后会答复您，可在下方“我的事项”查看。';
    })} noValidate data-testid="plan-form">
      <div className="radios row2" role="radiogroup" aria-label="申请类型">
        <label className="radio"><input type="radio" name="plan-kind" checked={kind === 'instalment'} onChange={() => setKind('instalment')} /><span>分期缴纳</span></label>
        <label className="radio"><input type="radio" name="plan-kind" checked={kind === 'deferral'} onChange={() => { setKind('deferral'); setRows((rs) => rs.slice(0, 1)); }} /><span>缓缴</span></label>
      </div>
      <label className="field"><span>申请原因</span><textarea data-testid="plan-reason" rows={3} maxLength={1000} value={reason} placeholder="如：失业、患病、家庭困难等" onChange={(e) => setReason(e.target.value)} /></label>
      <fieldset className="field">
        <legend>{kind === 'instalment' ? '分期计划' : '缓缴至'}</legend>
        {overdueFen !== null ? (
          <div className="between small">
            <span className="muted">已逾期欠费 <Money fen={overdueFen} />，各期合计不少于此数</span>
            {overdueFen > 0 ? <button type="button" className="link" data-testid="plan-spread" onClick={spread}>{kind === 'instalment' ? '按月平均分' : '自动填写'}</button> : null}
          </div>
        ) : null}
        {rows.map((r, i) => (
          <div key={i} className="instalment" data-testid="plan-row">
            <input type="date" aria-label={`第 ${i + 1} 期日期`} min={today} value={r.dueOn} onChange={(e) => setRow(i, { dueOn: e.target.value })} />
            <input inputMode="decimal" aria-label={`第 ${i + 1} 期金额（元）`} placeholder="金额（元）" value={r.amount} onChange={(e) => setRow(i, { amount: e.target.value.replace(/[^\d.]/g, '') })} />
            {rows.length > 1 ? <button type="button" className="btn ghost icon" aria-label={`删除第 ${i + 1} 期`} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>×</button> : null}
          </div>
        ))}
        {rows.length > 1 || totalFen > 0 ? <div className="small muted" data-testid="plan-total">各期合计 <Money fen={totalFen} /></div> : null}
        {kind === 'instalment' && rows.length < 12 ? <button type="button" className="btn ghost block" onClick={() => setRows((rs) => [...rs, { dueOn: '', amount: '' }])}>+ 增加一期</button> : null}
      </fieldset>
      <label className="field">
        <span>证明材料（选填，一个文件，不超过 5 MB）</span>
        <input type="file" data-testid="plan-file" accept={ATTACHMENT_TYPES} onChange={(e) => {
          const f = e.target.files?.[0] ?? null;
          setFileError(f && f.size > MAX_ATTACHMENT ? '附件不能超过 5 MB' : null);
          setFile(f && f.size <= MAX_ATTACHMENT ? f : null);
        }} />
      </label>
      {fileError ? <ErrorBox error={fileError} /> : null}
      <ErrorBox error={s.error} />
      {s.done ? <Notice testId="plan-done">{s.done}</Notice> : null}
      <button type="submit" className="btn primary block" data-testid="plan-submit" disabled={s.busy}>{s.busy ? '提交中…' : '提交申请'}</button>
    </form>
  );
}

/** 联系物业: promise a date, apply for a deferral or instalments, complain or ask for a repair; my requests. */
export default function Contact({ houseId }: { houseId: number }) {
  const [tab, setTab] = useState<Tab>('ticket');
  const requests = useLoad(() => api.requests(houseId), `requests:${houseId}`);
  const bills = useLoad(() => api.bills(houseId), `bills:${houseId}`);
  const overdueFen = bills.data ? bills.data.periods.filter((p) => p.overdue).reduce((s, p) => s + p.owedFen, 0) : null;
  return (
    <div data-testid="contact" data-house-id={houseId}>
      <div className="segmented" role="tablist">
        {TABS.map(([k, label]) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`contact-tab-${k}`} className={tab === k ? 'on' : ''} onClick={() => setTab(k)}>{label}</button>
        ))}
      </div>
      <Card>
        {tab === 'ticket' ? <TicketForm houseId={houseId} onDone={requests.reload} /> : null}
        {tab === 'promise' ? <PromiseForm houseId={houseId} onDone={requests.reload} /> : null}
        {tab === 'plan' ? <PlanForm houseId={houseId} overdueFen={overdueFen} onDone={requests.reload} /> : null}
      </Card>
      <Card title="我的事项" testId="requests">
        {requests.loading && !requests.data ? <Loading /> : null}
        <ErrorBox error={requests.error} onRetry={requests.reload} />
        {requests.data?.items.length === 0 ? <p className="muted">暂无记录</p> : null}
        <ul className="list">
          {requests.data?.items.map((r) => (
            <li key={`${r.kind}-${r.id}`} data-testid="request-item" data-kind={r.kind} data-status={r.status}>
              <div className="between"><strong>{r.kindLabel}</strong><Badge tone={statusTone(r.status)}>{r.statusLabel}</Badge></div>
              <div className="break" data-testid="request-summary">{r.summary}</div>
              {r.detail ? <div className="small muted break">{r.detail}</div> : null}
              <div className="small muted">{formatTime(r.createdAt)}</div>
              {r.reply ? <div className="reply small" data-testid="request-reply">物业答复：{r.reply}</div> : null}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
