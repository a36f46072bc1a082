import { useEffect, useState, type FormEvent } from 'react';
import { api, type Me, type Privacy } from './api.ts';
import { ErrorBox, Notice } from './ui.tsx';
import { errorText } from './util.ts';

const PHONE = /^1\d{10}$/;

/** Login with the mobile number staff have on file (or any number, to apply for a binding) and an SMS code. */
export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [wait, setWait] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'code' | 'login' | null>(null);
  /** The privacy notice under the form: null = closed. */
  const [privacy, setPrivacy] = useState<Privacy | { error: string } | 'loading' | null>(null);

  useEffect(() => {
    if (wait <= 0) return;
    const t = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(t);
  }, [wait]);

  const phoneOk = PHONE.test(phone);

  async function sendCode() {
    if (!phoneOk) { setError('请输入 11 位手机号'); return; }
    setBusy('code');
    setError(null);
    try {
      const r = await api.sendCode(phone);
      setSentTo(r.sentTo);
      setWait(r.resendAfterSeconds);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  async function login(e: FormEvent) {
    e.preventDefault();
    if (!phoneOk) { setError('请输入 11 位手机号'); return; }
    if (!/^\d{4,8}$/.test(code)) { setError('请输入短信验证码'); return; }
    setBusy('login');
    setError(null);
    try {
      onLogin(await api.login(phone, code));
    } catch (err) {
      setError(errorText(err));
      setBusy(null);
    }
  }

  async function showPrivacy() {
    if (privacy !== null) { setPrivacy(null); return; }
    setPrivacy('loading');
    try {
      setPrivacy(await api.privacy());
    } catch (e) {
      setPrivacy({ error: errorText(e) });
    }
  }

  return (
    <div className="login" data-testid="login">
      <div className="brand">
        <svg width="44" height="44" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="8" fill="#1677ff" /><path d="M8 15 16 8l8 7v9H8z" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinejoin="round" /><path d="M14 24v-5h4v5" stroke="#fff" strokeWidth="2.2" fill="none" /></svg>
        <div>
          <h1>业主服务</h1>
          <p className="muted">查询账单 · 在线缴费 · 联系物业</p>
        </div>
      </div>
      <form className="card" onSubmit={(e) => void login(e)} noValidate>
        <label className="field">
          <span>手机号</span>
          <input data-testid="login-phone" type="tel" inputMode="numeric" autoComplete="tel" maxLength={11} placeholder="请输入手机号"
            value={phone} onChange={(e) => setPhone(e.target.value.replace(/\D/g, '').slice(0, 11))} />
        </label>
        <label className="field">
          <span>验证码</span>
          <div className="inline">
            <input data-testid="login-code" type="text" inputMode="numeric" autoComplete="one-time-code" maxLength={8} placeholder="短信验证码"
              value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 8))} />
            <button type="button" className="btn secondary" data-testid="login-send-code" disabled={busy !== null || wait > 0} onClick={() => void sendCode()}>
              {wait > 0 ? `${wait} 秒后重发` : busy === 'code' ? '发送中…' : sentTo ? '重新获取' : '获取验证码'}
            </button>
          </div>
        </label>
        {sentTo ? <Notice testId="login-sent">验证码已发送至 {sentTo}，5 分钟内有效</Notice> : null}
        <ErrorBox error={error} />
        <button type="submit" className="btn primary block" data-testid="login-submit" disabled={busy !== null}>
          {busy === 'login' ? '登录中…' : '登录'}
        </button>
        <p className="small muted">
          登录即表示您已阅读
          <button type="button" className="link" data-testid="login-privacy" onClick={() => void showPrivacy()}>《个人信息保护说明》</button>
          。仅用于核实身份、查询和缴纳物业费用。
        </p>
        {privacy === 'loading' ? <p className="small muted">加载中…</p> : null}
        {privacy !== null && typeof privacy === 'object' && 'error' in privacy ? <p className="small muted">{privacy.error}</p> : null}
        {privacy !== null && typeof privacy === 'object' && 'sections' in privacy ? (
          <div className="privacy small">
            {privacy.sections.map((s) => <div key={s.title}><h3>{s.title}</h3><p className="pre">{s.body}</p></div>)}
          </div>
        ) : null}
      </form>
    </div>
  );
}
