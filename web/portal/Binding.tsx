import { useState, type FormEvent } from 'react';
import { api, type Me } from './api.ts';
import { Badge, Card, ErrorBox, Loading, Notice, statusTone } from './ui.tsx';
import { errorText, formatTime, useLoad } from './util.ts';

/** The binding application (staff review it) and the applications sent so far. */
export default function Binding({ me, onChanged }: { me: Me; onChanged: () => void }) {
  const projects = useLoad(() => api.projects(), 'projects');
  const [projectId, setProjectId] = useState('');
  const [building, setBuilding] = useState('');
  const [number, setNumber] = useState('');
  const [ownerName, setOwnerName] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!projectId) { setError('请选择小区'); return; }
    if (!building.trim() || !number.trim()) { setError('请填写楼栋和房号'); return; }
    if (!ownerName.trim()) { setError('请填写业主姓名'); return; }
    setBusy(true);
    setError(null);
    try {
      await api.bind({ projectId: Number(projectId), building: building.trim(), number: number.trim(), ownerName: ownerName.trim(), ...(note.trim() ? { note: note.trim() } : {}) });
      setDone(true);
      setBuilding('');
      setNumber('');
      setNote('');
      onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Card title="申请关联房屋" testId="binding-form">
        {projects.loading ? <Loading /> : null}
        <ErrorBox error={projects.error} onRetry={projects.reload} />
        <form onSubmit={(e) => void submit(e)} noValidate>
          <label className="field">
            <span>小区</span>
            <select data-testid="binding-project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              <option value="">请选择</option>
              {projects.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </label>
          <div className="two">
            <label className="field"><span>楼栋</span><input data-testid="binding-building" value={building} placeholder="如 3栋" onChange={(e) => setBuilding(e.target.value)} /></label>
            <label className="field"><span>房号</span><input data-testid="binding-number" value={number} placeholder="如 1201" onChange={(e) => setNumber(e.target.value)} /></label>
          </div>
          <label className="field"><span>业主姓名</span><input data-testid="binding-owner" value={ownerName} autoComplete="name" onChange={(e) => setOwnerName(e.target.value)} /></label>
          <label className="field"><span>备注（选填）</span><textarea data-testid="binding-note" rows={2} maxLength={200} value={note} placeholder="如：家属代为缴费、新近过户" onChange={(e) => setNote(e.target.value)} /></label>
          <ErrorBox error={error} />
          {done ? <Notice testId="binding-done">申请已提交，物业核实后会通知您。</Notice> : null}
          <button type="submit" className="btn primary block" data-testid="binding-submit" disabled={busy}>{busy ? '提交中…' : '提交申请'}</button>
        </form>
      </Card>
      {me.applications.length > 0 ? (
        <Card title="我的申请" testId="binding-list">
          <ul className="list">
            {me.applications.map((a) => (
              <li key={a.id} data-testid="binding-item" data-status={a.status}>
                <div className="between"><strong>{a.projectName} {a.building} {a.number}</strong><Badge tone={statusTone(a.status)}>{a.statusLabel}</Badge></div>
                <div className="small muted">提交于 {formatTime(a.createdAt)}</div>
                {a.decisionNote ? <div className="small">物业答复：{a.decisionNote}</div> : null}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </>
  );
}
