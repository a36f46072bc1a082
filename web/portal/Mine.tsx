import { useState, type FormEvent } from 'react';
import { api, dataCopyUrl, type DataRequestKind, type Me, type Preferences } from './api.ts';
import { Badge, Card, ErrorBox, Loading, Notice, Row, statusTone } from './ui.tsx';
import { errorText, formatTime, go, useLoad } from './util.ts';

const CHANNELS: Array<[keyof Pick<Preferences, 'sms' | 'email' | 'wechat'>, string]> = [['sms', '短信'], ['email', '电子邮件'], ['wechat', '微信']];
const RIGHTS: Array<[DataRequestKind, string]> = [['copy', '查阅、复制我的信息'], ['correction', '更正我的信息'], ['deletion', '删除我的信息'], ['explanation', '解释说明处理规则']];

function PreferencesCard() {
  const prefs = useLoad(() => api.preferences(), 'preferences');
  const [saved, setSaved] = useState<Preferences | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState(false);
  const current = saved ?? prefs.data;

  async function toggle(key: 'sms' | 'email' | 'wechat') {
    if (!current) return;
    const next = { ...current, [key]: !current[key] };
    setBusy(true);
    setError(null);
    setOk(false);
    try {
      setSaved(await api.savePreferences(next));
      setOk(true);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="联系偏好" testId="preferences">
      <p className="small muted">选择物业可以通过哪些方式提醒您缴费。</p>
      {prefs.loading && !prefs.data ? <Loading /> : null}
      <ErrorBox error={prefs.error} onRetry={prefs.reload} />
      {current ? CHANNELS.map(([k, label]) => (
        <label key={k} className="switch-row">
          <span>{label}</span>
          <input type="checkbox" role="switch" className="switch" data-testid={`pref-${k}`} checked={current[k]} disabled={busy} onChange={() => void toggle(k)} />
        </label>
      )) : null}
      <ErrorBox error={error} />
      {ok ? <Notice testId="pref-saved">已保存</Notice> : null}
      <p className="small muted" data-testid="pref-formal">挂号信和上门送达仍是正式催告方式，不受以上设置影响。</p>
    </Card>
  );
}

function DataRightsCard() {
  const list = useLoad(() => api.dataRequests(), 'data-requests');
  const [kind, setKind] = useState<DataRequestKind>('copy');
  const [detail, setDetail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (kind === 'correction' && !detail.trim()) { setError('请说明要更正或补充的内容'); return; }
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await api.createDataRequest({ kind, detail: detail.trim() });
      setDetail('');
      setDone(true);
      list.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="我的个人信息权利" testId="data-rights">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>申请事项</span>
          <select data-testid="data-kind" value={kind} onChange={(e) => setKind(e.target.value as DataRequestKind)}>
            {RIGHTS.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </select>
        </label>
        <label className="field">
          <span>{kind === 'correction' ? '具体内容' : '说明（选填）'}</span>
          <textarea data-testid="data-detail" rows={3} maxLength={1000} value={detail}
            placeholder={kind === 'correction' ? '如：我的手机号已更换为…' : kind === 'deletion' ? '请说明要删除的信息' : ''} onChange={(e) => setDetail(e.target.value)} />
        </label>
        <ErrorBox error={error} />
        {done ? <Notice testId="data-done">申请已提交，物业将在 15 个工作日内处理。</Notice> : null}
        <button type="submit" className="btn primary block" data-testid="data-submit" disabled={busy}>{busy ? '提交中…' : '提交申请'}</button>
      </form>
      {list.loading && !list.data ? <Loading /> : null}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data && list.data.items.length > 0 ? (
        <ul className="list">
          {list.data.items.map((r) => (
            <li key={r.id} data-testid="data-request" data-status={r.status}>
              <div className="between"><strong>{r.kindLabel}</strong><Badge tone={statusTone(r.status)}>{r.statusLabel}</Badge></div>
              {r.detail ? <div className="small break">{r.detail}</div> : null}
              <div className="small muted">{formatTime(r.createdAt)}</div>
              {r.reply ? <div className="reply small">物业答复：{r.reply}</div> : null}
              {r.hasCopy ? <a className="btn secondary block" data-testid="data-copy" href={dataCopyUrl(r.id)} download={`我的信息-${r.id}.json`}>下载我的信息副本</a> : null}
              {r.copyExpiresAt ? <div className="small muted" data-testid="data-copy-expiry">副本保留至 {formatTime(r.copyExpiresAt)}，之后删除</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

function PrivacyCard() {
  const privacy = useLoad(() => api.privacy(), 'privacy');
  return (
    <Card title="个人信息保护说明" testId="privacy" extra={privacy.data ? <span className="small muted">版本 {privacy.data.version}</span> : undefined}>
      {privacy.loading && !privacy.data ? <Loading /> : null}
      <ErrorBox error={privacy.error} onRetry={privacy.reload} />
      {privacy.data?.sections.map((s) => (
        <details key={s.title} className="privacy-section">
          <summary>{s.title}</summary>
          <p className="pre small">{s.body}</p>
        </details>
      ))}
    </Card>
  );
}

/** 我的: the account, its houses, privacy, contact preferences, data rights and logout. */
export default function Mine({ me, onLogout }: { me: Me; onLogout: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <div data-testid="mine">
      <Card>
        <Row label="登录手机号"><span data-testid="mine-phone">{me.phoneMasked}</span></Row>
        <Row label="已关联房屋">{me.houses.length} 套</Row>
        <button type="button" className="btn ghost block" onClick={() => go('/bind')}>关联其他房屋 / 查看申请</button>
      </Card>
      <PreferencesCard />
      <DataRightsCard />
      <PrivacyCard />
      <button type="button" className="btn danger block" data-testid="logout" disabled={busy} onClick={() => {
        setBusy(true);
        void api.logout().catch(() => undefined).finally(onLogout);
      }}>退出登录</button>
    </div>
  );
}
