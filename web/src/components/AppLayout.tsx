import { useState, type ReactNode } from 'react';
import { App as AntApp, Button, Layout, Menu, Space, Tag, Typography, type MenuProps } from 'antd';
import { AccountBookOutlined, AuditOutlined, HomeOutlined, LogoutOutlined, KeyOutlined, SearchOutlined, SettingOutlined, TeamOutlined, TranslationOutlined, DashboardOutlined, FileDoneOutlined, DollarOutlined, PieChartOutlined, WarningOutlined, CheckSquareOutlined, PhoneOutlined, ScheduleOutlined, ProfileOutlined, ApartmentOutlined, UnorderedListOutlined, ClusterOutlined, CarryOutOutlined, FileSearchOutlined, ReadOutlined, BarChartOutlined, TrophyOutlined, FileTextOutlined, SendOutlined, PrinterOutlined, BankOutlined, ImportOutlined, MessageOutlined } from '@ant-design/icons';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { IMPORT_PERMISSIONS } from '../imports.ts';
import { useLang, type MessageKey } from '../i18n.tsx';
import { ChangePasswordModal } from './ChangePasswordModal.tsx';

interface MenuEntry {
  key: string;
  path: string;
  label: MessageKey;
  icon: ReactNode;
  /** Shown with this permission, or with any of several. */
  permission?: string | readonly string[];
  /** Other pages that belong to this entry (selected while they are shown). */
  also?: string[];
}

/** A titled group of entries (a sub-menu), shown when the user may see at least one of them. */
interface MenuGroup {
  key: string;
  label: MessageKey;
  icon: ReactNode;
  children: MenuEntry[];
}

const MENU: Array<MenuEntry | MenuGroup> = [
  { key: 'home', path: '/', label: 'menu.home', icon: <DashboardOutlined /> },
  { key: 'houses', path: '/houses', label: 'menu.houses', icon: <HomeOutlined /> },
  { key: 'owners', path: '/owners', label: 'menu.owners', icon: <SearchOutlined /> },
  { key: 'portal-office', path: '/portal-office', label: 'menu.portalOffice', icon: <MessageOutlined />, permission: 'owner.read' },
  {
    key: 'billing', label: 'menu.billing', icon: <AccountBookOutlined />, children: [
      { key: 'billing-settings', path: '/billing/settings', also: ['/billing/price-notice'], label: 'menu.billingSettings', icon: <SettingOutlined />, permission: 'billing.read' },
      { key: 'billing-runs', path: '/billing/runs', label: 'menu.billingRuns', icon: <FileDoneOutlined />, permission: 'billing.read' },
      { key: 'billing-counter', path: '/billing/counter', label: 'menu.billingCounter', icon: <DollarOutlined />, permission: 'payment.record' },
      { key: 'billing-fund-report', path: '/billing/fund-report', label: 'menu.fundReport', icon: <PieChartOutlined />, permission: 'billing.read' },
      { key: 'billing-arrears', path: '/billing/arrears', label: 'menu.arrears', icon: <WarningOutlined />, permission: 'billing.read' },
      { key: 'billing-approvals', path: '/billing/approvals', label: 'menu.approvals', icon: <CheckSquareOutlined />, permission: 'billing.read' },
      { key: 'billing-bank', path: '/billing/bank', label: 'menu.bank', icon: <BankOutlined />, permission: 'payment.record' },
    ],
  },
  {
    key: 'collection', label: 'menu.collection', icon: <PhoneOutlined />, children: [
      { key: 'collection-worklist', path: '/collection/worklist', label: 'menu.collectionWorklist', icon: <CarryOutOutlined />, permission: 'dunning.act' },
      { key: 'collection-tasks', path: '/collection/tasks', label: 'menu.collectionTasks', icon: <ScheduleOutlined />, permission: 'dunning.read' },
      { key: 'collection-cases', path: '/collection/cases', label: 'menu.collectionCases', icon: <UnorderedListOutlined />, permission: 'dunning.read' },
      { key: 'collection-review', path: '/collection/review', label: 'menu.collectionReview', icon: <FileSearchOutlined />, permission: 'assignment.manage' },
      { key: 'collection-weekly', path: '/collection/weekly', label: 'menu.collectionWeekly', icon: <BarChartOutlined />, permission: 'assignment.manage' },
      { key: 'collection-kpis', path: '/collection/kpis', label: 'menu.collectionKpis', icon: <TrophyOutlined />, permission: 'assignment.manage' },
      { key: 'collection-assignment', path: '/collection/assignment', label: 'menu.collectionAssignment', icon: <ClusterOutlined />, permission: 'assignment.manage' },
      { key: 'collection-scripts', path: '/collection/scripts', label: 'menu.collectionScripts', icon: <ReadOutlined />, permission: 'dunning.read' },
      { key: 'collection-templates', path: '/collection/templates', label: 'menu.collectionTemplates', icon: <FileTextOutlined />, permission: 'dunning.read' },
      { key: 'collection-outbox', path: '/collection/outbox', label: 'menu.collectionOutbox', icon: <SendOutlined />, permission: 'dunning.read' },
      { key: 'collection-print', path: '/collection/print', label: 'menu.collectionPrint', icon: <PrinterOutlined />, permission: 'dunning.read' },
      { key: 'collection-plan', path: '/collection/plan', label: 'menu.collectionPlan', icon: <ProfileOutlined />, permission: 'dunning.read' },
      { key: 'collection-policy', path: '/collection/policy', label: 'menu.collectionPolicy', icon: <ApartmentOutlined />, permission: 'dunning.read' },
    ],
  },
  { key: 'data-imports', path: '/data/imports', label: 'menu.dataImports', icon: <ImportOutlined />, permission: IMPORT_PERMISSIONS },
  { key: 'audit', path: '/audit', label: 'menu.audit', icon: <AuditOutlined />, permission: 'audit.read' },
  { key: 'users', path: '/users', label: 'menu.users', icon: <TeamOutlined />, permission: 'user.manage' },
];

const isGroup = (m: MenuEntry | MenuGroup): m is MenuGroup => 'children' in m;
const LEAVES: MenuEntry[] = MENU.flatMap((m) => (isGroup(m) ? m.children : [m]));

/** The entry whose path is the longest prefix of the address (/houses/12 → houses); the overview otherwise. */
function selectedKey(pathname: string): string {
  const hits = LEAVES.filter((m) => m.path !== '/' && [m.path, ...(m.also ?? [])].some((p) => pathname === p || pathname.startsWith(`${p}/`)));
  return hits.sort((a, b) => b.path.length - a.path.length)[0]?.key ?? 'home';
}

/**
 * The console frame: the role-dependent menu on the left, who is logged in and the account actions on top. The frame is
 * marked app-chrome / app-content so that a printable page can hide it in its @media print rules.
 */
export function AppLayout() {
  const { me, can, logout } = useAuth();
  const { t, lang, setLang } = useLang();
  const { message } = AntApp.useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  // On a phone (below md) the menu folds away completely and the header keeps icons only (collectors on visits).
  const [narrow, setNarrow] = useState(false);

  const allowed = (m: MenuEntry) => m.permission === undefined || (typeof m.permission === 'string' ? can(m.permission) : m.permission.some(can));
  const entry = (m: MenuEntry) => ({
    key: m.key,
    icon: m.icon,
    label: <Link to={m.path} data-testid={`menu-${m.key}`}>{t(m.label)}</Link>,
  });
  const items: MenuProps['items'] = MENU.flatMap((m) => {
    if (!isGroup(m)) return allowed(m) ? [entry(m)] : [];
    const children = m.children.filter(allowed).map(entry);
    return children.length ? [{ key: m.key, icon: m.icon, label: <span data-testid={`menugroup-${m.key}`}>{t(m.label)}</span>, children }] : [];
  });

  async function doLogout() {
    try {
      await logout();
      void navigate('/', { replace: true });
    } catch (e) {
      void message.error(errorMessage(e));
    }
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        className="app-chrome" collapsible collapsed={collapsed} onCollapse={setCollapsed} width={200} theme="dark"
        style={{ height: '100vh', position: 'sticky', top: 0 }}
        breakpoint="md" collapsedWidth={narrow ? 0 : 80} onBreakpoint={(broken) => { setNarrow(broken); setCollapsed(broken); }} zeroWidthTriggerStyle={{ top: 12 }}
      >
        {/* The menu scrolls on its own above the collapse trigger: a long menu never makes the page taller. */}
        <div style={{ height: 'calc(100vh - 48px)', overflowY: 'auto' }}>
          <div style={{ color: '#fff', fontWeight: 600, fontSize: collapsed ? 14 : 18, padding: '16px 20px', whiteSpace: 'nowrap', overflow: 'hidden' }}>
            {collapsed ? '物' : t('appName')}
          </div>
          <Menu
            theme="dark" mode="inline" selectedKeys={[selectedKey(location.pathname)]} defaultOpenKeys={MENU.filter(isGroup).map((g) => g.key)} items={items}
            onClick={() => { if (narrow) setCollapsed(true); }} data-testid="main-menu"
          />
        </div>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="app-chrome" style={{ background: '#fff', padding: narrow ? '0 8px 0 48px' : '0 24px', display: 'flex', alignItems: 'center', justifyContent: 'space-between', borderBottom: '1px solid #f0f0f0' }}>
          {!narrow && <Typography.Text type="secondary">{t('console')}</Typography.Text>}
          <Space size={narrow ? 'small' : 'middle'}>
            <span data-testid="current-user">
              <Typography.Text strong data-testid="current-user-name">{me?.displayName}</Typography.Text>
              {me && <Tag color="blue" style={{ marginLeft: 8 }} data-testid="current-user-role">{me.roleLabel}</Tag>}
            </span>
            <Button size="small" icon={<KeyOutlined />} onClick={() => setPasswordOpen(true)} data-testid="change-password" title={t('header.changePassword')}>{!narrow && t('header.changePassword')}</Button>
            <Button size="small" icon={<LogoutOutlined />} onClick={() => void doLogout()} data-testid="logout" title={t('header.logout')}>{!narrow && t('header.logout')}</Button>
            <Button size="small" type="text" icon={<TranslationOutlined />} onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} data-testid="lang-switch">
              {!narrow && t('header.language')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content className="app-content" style={{ margin: narrow ? 8 : 16 }}>
          <div className="app-content-inner" style={{ background: '#fff', padding: narrow ? 12 : 24, borderRadius: 8, minHeight: 360 }}>
            <Outlet />
          </div>
        </Layout.Content>
      </Layout>
      <ChangePasswordModal open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </Layout>
  );
}
