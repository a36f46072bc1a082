import { lazy, Suspense } from 'react';
import { api, type Me, type PortalHouse } from './api.ts';
import { Badge, Card, Loading, Money } from './ui.tsx';
import { go, useLoad } from './util.ts';

const Binding = lazy(() => import('./Binding.tsx'));

/** One house with what it owes now (its bills' total). */
function HouseCard({ house, onPick }: { house: PortalHouse; onPick: (id: number) => void }) {
  const bills = useLoad(() => api.bills(house.houseId), `bills:${house.houseId}`);
  const open = (to: string) => { onPick(house.houseId); go(to); };
  return (
    <section className="card house" data-testid="house-card" data-house-id={house.houseId}>
      <button type="button" className="house-main" data-testid="house-open" onClick={() => open(`/bills/${house.houseId}`)}>
        <span className="house-name">
          <strong>{house.projectName} {house.label}</strong>
          <span className="muted small">{house.ownerName} · {house.areaM2} ㎡</span>
        </span>
        <span className="house-owed">
          {bills.data ? (
            bills.data.owedFen > 0
              ? <><span className="small muted">待缴</span><Money fen={bills.data.owedFen} className="danger" testId="house-owed" /></>
              : <><span className="small muted">待缴</span><Money fen={0} className="ok" testId="house-owed" /></>
          ) : bills.error ? <span className="small danger">加载失败</span> : <span className="small muted">…</span>}
        </span>
      </button>
      <div className="house-links">
        <button type="button" className="link" onClick={() => open(`/bills/${house.houseId}`)}>账单</button>
        <button type="button" className="link" onClick={() => open(`/history/${house.houseId}`)}>缴费记录</button>
        <button type="button" className="link" onClick={() => open(`/standards/${house.houseId}`)}>收费标准</button>
        <button type="button" className="link" onClick={() => open(`/contact/${house.houseId}`)}>联系物业</button>
      </div>
    </section>
  );
}

export function Home({ me, onPick, onChanged }: { me: Me; onPick: (id: number) => void; onChanged: () => void }) {
  if (me.houses.length === 0) {
    return (
      <div data-testid="home-empty">
        <Card title="尚未关联房屋">
          <p>您的手机号 {me.phoneMasked} 还没有与任何房屋关联。请填写下面的申请，物业核实后即可查看账单和在线缴费。</p>
        </Card>
        <Suspense fallback={<Loading />}><Binding me={me} onChanged={onChanged} /></Suspense>
      </div>
    );
  }
  const pending = me.applications.filter((a) => a.status === 'pending');
  return (
    <div data-testid="home">
      <p className="muted small pad">我的房屋（{me.houses.length}）</p>
      {me.houses.map((h) => <HouseCard key={h.houseId} house={h} onPick={onPick} />)}
      {pending.length > 0 ? (
        <Card title="绑定申请">
          {pending.map((a) => <p key={a.id}>{a.projectName} {a.building} {a.number} <Badge tone="warn">{a.statusLabel}</Badge></p>)}
        </Card>
      ) : null}
      <button type="button" className="btn secondary block" onClick={() => go('/bind')}>关联其他房屋</button>
    </div>
  );
}

export function BindingScreen({ me, onChanged }: { me: Me; onChanged: () => void }) {
  return <Suspense fallback={<Loading />}><Binding me={me} onChanged={onChanged} /></Suspense>;
}
