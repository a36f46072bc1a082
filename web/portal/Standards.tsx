import { api } from './api.ts';
import { Card, ErrorBox, Loading, Row } from './ui.tsx';
import { formatTime, useLoad } from './util.ts';

/** 收费标准: the published standards (明码标价), the cost composition and what the office sent this owner. */
export default function Standards({ houseId }: { houseId: number }) {
  const std = useLoad(() => api.standards(houseId), `standards:${houseId}`);
  const notices = useLoad(() => api.notices(houseId), `notices:${houseId}`);
  if (std.loading && !std.data) return <Loading />;
  if (!std.data) return <ErrorBox error={std.error} onRetry={std.reload} />;
  const s = std.data;
  return (
    <div data-testid="standards" data-house-id={houseId}>
      <Card title="收费标准（明码标价）" testId="standards-items">
        <p className="small muted">{s.company} · {s.project}</p>
        {s.items.length === 0 ? <p className="muted">暂无公示的收费标准</p> : null}
        <ul className="list">
          {s.items.map((it, i) => (
            <li key={`${it.name}-${i}`} data-testid="standard-item">
              <div className="between"><strong>{it.name}</strong><span className="strong">{it.unit}</span></div>
              <div className="small muted">{[it.object, it.method, it.priceForm].filter(Boolean).join(' · ')} · {it.effectiveFrom} 起执行</div>
              {it.note ? <div className="small muted">{it.note}</div> : null}
              {it.basis ? <div className="small">收费依据：{it.basis}</div> : null}
            </li>
          ))}
        </ul>
      </Card>
      {s.costComposition.length > 0 ? (
        <Card title="物业服务成本构成" testId="standards-costs">
          <ul className="list">
            {s.costComposition.map((c) => (
              <li key={c.item} data-testid="cost-item">
                <div className="between"><span>{c.item}</span><span>{c.pct}</span></div>
                <div className="bar" aria-hidden="true"><span style={{ width: `${Math.max(0, Math.min(100, c.pctBp / 100))}%` }} /></div>
                {c.note ? <div className="small muted">{c.note}</div> : null}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {s.serviceContent ? <Card title="服务内容"><p className="pre small">{s.serviceContent}</p></Card> : null}
      {s.footer ? <Card title="说明"><p className="pre small">{s.footer}</p></Card> : null}
      {s.hotline ? (
        <Card>
          <Row label="价格举报电话"><a className="link" href={`tel:${s.hotline.replace(/[^\d+-]/g, '')}`}>{s.hotline}</a></Row>
          <p className="small muted">对收费有疑问，可先到物业服务中心查阅收费依据，或通过“联系物业”提出。</p>
        </Card>
      ) : null}
      <Card title="物业通知" testId="standards-notices">
        {notices.loading && !notices.data ? <Loading /> : null}
        <ErrorBox error={notices.error} onRetry={notices.reload} />
        {notices.data?.items.length === 0 ? <p className="muted">暂无通知</p> : null}
        <ul className="list">
          {notices.data?.items.map((n) => (
            <li key={n.id} data-testid="notice-item">
              <details>
                <summary><strong>{n.title}</strong><span className="small muted"> {n.channel} · {formatTime(n.sentAt)}</span></summary>
                <p className="pre small">{n.content}</p>
              </details>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
