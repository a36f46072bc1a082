import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, onUnauthenticated, PortalError, type Me } from './api.ts';
import { BillsScreen } from './Bills.tsx';
import { BindingScreen, Home } from './Home.tsx';
import { Login } from './Login.tsx';
import { ErrorBox, Loading } from './ui.tsx';
import { errorText, go, useRoute } from './util.ts';

// Secondary screens load on first use: the first paint needs the login, the houses and the bills only.
const Pay = lazy(() => import('./Pay.tsx'));
const OrderScreen = lazy(() => import('./Order.tsx'));
const History = lazy(() => import('./History.tsx'));
const Standards = lazy(() => import('./Standards.tsx'));
const Contact = lazy(() => import('./Contact.tsx'));
const Mine = lazy(() => import('./Mine.tsx'));

const HOUSE_KEY = 'portal.house';
const HOUSE_SCREENS = new Set(['bills', 'pay', 'history', 'standards', 'contact']);
const TITLES: Record<string, string> = {
  '': '我的房屋', bills: '账单', pay: '缴费', orders: '支付结果', history: '缴费记录', standards: '收费标准', contact: '联系物业', me: '我的', bind: '关联房屋',
};

function storedHouse(): number | null {
  try {
    const v = Number(localStorage.getItem(HOUSE_KEY));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

function Icon({ d }: { d: string }) {
  return <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path d={d} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" /></svg>;
}
const ICONS = {
  home: 'M3 11 12 4l9 7v9h-6v-6H9v6H3z',
  bills: 'M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6',
  contact: 'M4 5h16v11H9l-5 4z',
  me: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c1-4 4-6 8-6s7 2 8 6',
};

function Tab({ to, label, icon, on, testId }: { to: string; label: string; icon: string; on: boolean; testId: string }) {
  return (
    <a href={`#${to}`} className={on ? 'on' : ''} aria-current={on ? 'page' : undefined} data-testid={testId}>
      <Icon d={icon} />
      <span>{label}</span>
    </a>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [meError, setMeError] = useState<string | null>(null);
  const [house, setHouse] = useState<number | null>(storedHouse);
  const route = useRoute();

  const refresh = useCallback(() => {
    setMeError(null);
    api.me().then(setMe, (e: unknown) => {
      if (e instanceof PortalError && e.status === 401) setMe(null);
      else setMeError(errorText(e));
    });
  }, []);

  useEffect(() => {
    onUnauthenticated(() => setMe(null));
    refresh();
  }, [refresh]);

  const pick = useCallback((id: number) => {
    setHouse(id);
    try {
      localStorage.setItem(HOUSE_KEY, String(id));
    } catch {
      // No storage: the choice lasts for this page only.
    }
  }, []);

  const [screen = '', arg = ''] = route.path;
  const routeHouse = HOUSE_SCREENS.has(screen) ? Number(arg) : null;
  useEffect(() => {
    if (routeHouse && me?.houses.some((h) => h.houseId === routeHouse)) pick(routeHouse);
  }, [routeHouse, me, pick]);
  useEffect(() => {
    window.scrollTo(0, 0);
    document.title = `${TITLES[screen] ?? '业主服务'} · 业主服务`;
  }, [screen, arg]);

  if (me === undefined) {
    return meError ? <div className="page"><ErrorBox error={meError} onRetry={refresh} /></div> : <div className="page"><Loading /></div>;
  }
  if (me === null) return <Login onLogin={setMe} />;

  const current = me.houses.find((h) => h.houseId === house)?.houseId ?? me.houses[0]?.houseId ?? null;
  const mine = (id: number | null) => id !== null && me.houses.some((h) => h.houseId === id);

  let body: ReactNode;
  if (routeHouse !== null && !mine(routeHouse)) {
    body = (
      <div className="card" data-testid="not-mine">
        <p>无法查看这套房屋：它没有关联到您的手机号。</p>
        <button type="button" className="btn secondary block" onClick={() => go('/')}>返回我的房屋</button>
      </div>
    );
  } else if (screen === 'bills' && routeHouse) body = <BillsScreen key={routeHouse} houseId={routeHouse} />;
  else if (screen === 'pay' && routeHouse) body = <Pay houseId={routeHouse} periods={(route.query.get('periods') ?? '').split(',').filter(Boolean)} />;
  else if (screen === 'history' && routeHouse) body = <History houseId={routeHouse} />;
  else if (screen === 'standards' && routeHouse) body = <Standards houseId={routeHouse} />;
  else if (screen === 'contact' && routeHouse) body = <Contact key={routeHouse} houseId={routeHouse} />;
  else if (screen === 'orders' && arg) body = <OrderScreen outTradeNo={arg} />;
  else if (screen === 'me') body = <Mine me={me} onLogout={() => { setMe(null); go('/'); }} />;
  else if (screen === 'bind') body = <BindingScreen me={me} onChanged={refresh} />;
  else body = <Home me={me} onPick={pick} onChanged={refresh} />;

  const sub = ['pay', 'orders', 'history', 'standards', 'bind'].includes(screen);
  // From an order the way back is the bills, not the payment provider's page the browser came from.
  const back = () => {
    if (screen === 'orders') go(current !== null ? `/bills/${current}` : '/');
    else if (window.history.length > 1) window.history.back();
    else go('/');
  };
  const houseLabel = routeHouse ? me.houses.find((h) => h.houseId === routeHouse) : null;

  return (
    <div className="app">
      <header className="top">
        {sub ? <button type="button" className="back" aria-label="返回" data-testid="back" onClick={back}>‹</button> : null}
        <h1>{TITLES[screen] ?? '业主服务'}</h1>
        {houseLabel ? <span className="top-house">{houseLabel.label}</span> : null}
      </header>
      <main className="page">
        <Suspense fallback={<Loading />}>{body}</Suspense>
      </main>
      <nav className="tabs" aria-label="主菜单">
        <Tab to="/" label="首页" icon={ICONS.home} on={screen === '' || screen === 'bind'} testId="tab-home" />
        <Tab to={current !== null ? `/bills/${current}` : '/'} label="账单" icon={ICONS.bills} on={['bills', 'pay', 'orders', 'history', 'standards'].includes(screen)} testId="tab-bills" />
        <Tab to={current !== null ? `/contact/${current}` : '/'} label="联系物业" icon={ICONS.contact} on={screen === 'contact'} testId="tab-contact" />
        <Tab to="/me" label="我的" icon={ICONS.me} on={screen === 'me'} testId="tab-me" />
      </nav>
    </div>
  );
}
