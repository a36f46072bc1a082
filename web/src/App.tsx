import { lazy, Suspense, type ReactNode } from 'react';
import { App as AntApp, Button, ConfigProvider, Result, Spin } from 'antd';
import { BrowserRouter, Link, Navigate, Route, Routes } from 'react-router-dom';
import { AuthProvider, useAuth } from './auth.tsx';
import { useLang } from './i18n.tsx';
import { IMPORT_PERMISSIONS } from './imports.ts';
import { enUS, zhCN } from './locale.ts';
import { AppLayout } from './components/AppLayout.tsx';
import { LoginPage } from './pages/LoginPage.tsx';

// Route pages are loaded on demand so that the first page (login or overview) stays small.
const HomePage = lazy(() => import('./pages/HomePage.tsx'));
const HousesPage = lazy(() => import('./pages/HousesPage.tsx'));
const HouseDetailPage = lazy(() => import('./pages/HouseDetailPage.tsx'));
const OwnerSearchPage = lazy(() => import('./pages/OwnerSearchPage.tsx'));
const AuditPage = lazy(() => import('./pages/AuditPage.tsx'));
const UsersPage = lazy(() => import('./pages/UsersPage.tsx'));
const BillingSettingsPage = lazy(() => import('./pages/BillingSettingsPage.tsx'));
const BillingRunsPage = lazy(() => import('./pages/BillingRunsPage.tsx'));
const CounterPage = lazy(() => import('./pages/CounterPage.tsx'));
const FundReportPage = lazy(() => import('./pages/FundReportPage.tsx'));
const ArrearsPage = lazy(() => import('./pages/ArrearsPage.tsx'));
const PriceNoticePage = lazy(() => import('./pages/PriceNoticePage.tsx'));
const ApprovalsPage = lazy(() => import('./pages/ApprovalsPage.tsx'));
const CollectionCasesPage = lazy(() => import('./pages/CollectionCasesPage.tsx'));
const DunningPlanPage = lazy(() => import('./pages/DunningPlanPage.tsx'));
const AssignmentPage = lazy(() => import('./pages/AssignmentPage.tsx'));
const WorklistPage = lazy(() => import('./pages/WorklistPage.tsx'));
const ReviewPage = lazy(() => import('./pages/ReviewPage.tsx'));
const ScriptsPage = lazy(() => import('./pages/ScriptsPage.tsx'));
const WeeklyReportPage = lazy(() => import('./pages/WeeklyReportPage.tsx'));
const KpiPage = lazy(() => import('./pages/KpiPage.tsx'));
const DunningPolicyPage = lazy(() => import('./pages/DunningPolicyPage.tsx'));
const HouseCollectionPage = lazy(() => import('./pages/HouseCollectionPage.tsx'));
const HouseEvidencePage = lazy(() => import('./pages/HouseEvidencePage.tsx'));
const NoticeTemplatesPage = lazy(() => import('./pages/NoticeTemplatesPage.tsx'));
const OutboxPage = lazy(() => import('./pages/OutboxPage.tsx'));
const PrintCenterPage = lazy(() => import('./pages/PrintCenterPage.tsx'));
const ImportsPage = lazy(() => import('./pages/ImportsPage.tsx'));
const BankPage = lazy(() => import('./pages/BankPage.tsx'));
const PortalOfficePage = lazy(() => import('./pages/PortalOfficePage.tsx'));

export function App() {
  const { lang } = useLang();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 6 } }}>
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <Gate />
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

function Loading() {
  const { t } = useLang();
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin description={t('common.loading')}><div style={{ height: 40 }} /></Spin>
    </div>
  );
}

function NotFound() {
  const { t } = useLang();
  return <Result status="404" title="404" subTitle={t('common.notFound')} extra={<Link to="/"><Button type="primary">{t('common.backHome')}</Button></Link>} />;
}

function Forbidden() {
  return <Result status="403" title="403" subTitle="当前角色无权访问此页面" extra={<Link to="/"><Button type="primary">返回概览</Button></Link>} />;
}

/** One permission, or any of several. */
function RequirePermission({ permission, children }: { permission: string | readonly string[]; children: ReactNode }) {
  const { can } = useAuth();
  return (typeof permission === 'string' ? can(permission) : permission.some(can)) ? children : <Forbidden />;
}

/** Logged out: the login page, whatever the address. Logged in: the console. */
function Gate() {
  const { me, checking, checkError } = useAuth();
  if (checking) return <Loading />;
  if (!me) return <LoginPage notice={checkError} />;
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<Page><HomePage /></Page>} />
        <Route path="houses" element={<Page><HousesPage /></Page>} />
        <Route path="houses/:id" element={<Page><HouseDetailPage /></Page>} />
        <Route path="houses/:id/collection" element={<RequirePermission permission="dunning.read"><Page><HouseCollectionPage /></Page></RequirePermission>} />
        <Route path="houses/:id/evidence" element={<RequirePermission permission="dunning.read"><Page><HouseEvidencePage /></Page></RequirePermission>} />
        <Route path="owners" element={<Page><OwnerSearchPage /></Page>} />
        <Route path="portal-office" element={<RequirePermission permission="owner.read"><Page><PortalOfficePage /></Page></RequirePermission>} />
        <Route path="billing" element={<Navigate to="/billing/runs" replace />} />
        <Route path="billing/settings" element={<RequirePermission permission="billing.read"><Page><BillingSettingsPage /></Page></RequirePermission>} />
        <Route path="billing/price-notice" element={<RequirePermission permission="billing.read"><Page><PriceNoticePage /></Page></RequirePermission>} />
        <Route path="billing/runs" element={<RequirePermission permission="billing.read"><Page><BillingRunsPage /></Page></RequirePermission>} />
        <Route path="billing/counter" element={<RequirePermission permission="payment.record"><Page><CounterPage /></Page></RequirePermission>} />
        <Route path="billing/fund-report" element={<RequirePermission permission="billing.read"><Page><FundReportPage /></Page></RequirePermission>} />
        <Route path="billing/arrears" element={<RequirePermission permission="billing.read"><Page><ArrearsPage /></Page></RequirePermission>} />
        <Route path="billing/approvals" element={<RequirePermission permission="billing.read"><Page><ApprovalsPage /></Page></RequirePermission>} />
        <Route path="billing/bank" element={<RequirePermission permission="payment.record"><Page><BankPage /></Page></RequirePermission>} />
        <Route path="collection" element={<Navigate to="/collection/tasks" replace />} />
        <Route path="collection/tasks" element={<RequirePermission permission="dunning.read"><Page><CollectionCasesPage mode="tasks" /></Page></RequirePermission>} />
        <Route path="collection/cases" element={<RequirePermission permission="dunning.read"><Page><CollectionCasesPage mode="all" /></Page></RequirePermission>} />
        <Route path="collection/worklist" element={<RequirePermission permission="dunning.act"><Page><WorklistPage /></Page></RequirePermission>} />
        <Route path="collection/scripts" element={<RequirePermission permission="dunning.read"><Page><ScriptsPage /></Page></RequirePermission>} />
        <Route path="collection/templates" element={<RequirePermission permission="dunning.read"><Page><NoticeTemplatesPage /></Page></RequirePermission>} />
        <Route path="collection/outbox" element={<RequirePermission permission="dunning.read"><Page><OutboxPage /></Page></RequirePermission>} />
        <Route path="collection/print" element={<RequirePermission permission="dunning.read"><Page><PrintCenterPage /></Page></RequirePermission>} />
        <Route path="collection/kpis" element={<RequirePermission permission="assignment.manage"><Page><KpiPage /></Page></RequirePermission>} />
        <Route path="collection/weekly" element={<RequirePermission permission="assignment.manage"><Page><WeeklyReportPage /></Page></RequirePermission>} />
        <Route path="collection/review" element={<RequirePermission permission="assignment.manage"><Page><ReviewPage /></Page></RequirePermission>} />
        <Route path="collection/assignment" element={<RequirePermission permission="assignment.manage"><Page><AssignmentPage /></Page></RequirePermission>} />
        <Route path="collection/plan" element={<RequirePermission permission="dunning.read"><Page><DunningPlanPage /></Page></RequirePermission>} />
        <Route path="collection/policy" element={<RequirePermission permission="dunning.read"><Page><DunningPolicyPage /></Page></RequirePermission>} />
        <Route path="data" element={<Navigate to="/data/imports" replace />} />
        <Route path="data/imports" element={<RequirePermission permission={IMPORT_PERMISSIONS}><Page><ImportsPage /></Page></RequirePermission>} />
        <Route path="audit" element={<RequirePermission permission="audit.read"><Page><AuditPage /></Page></RequirePermission>} />
        <Route path="users" element={<RequirePermission permission="user.manage"><Page><UsersPage /></Page></RequirePermission>} />
        <Route path="login" element={<Navigate to="/" replace />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}
