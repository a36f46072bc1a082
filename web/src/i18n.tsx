import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/** The console is Chinese first; the chrome (menu, header, login) can be switched to English. */
export type Lang = 'zh' | 'en';

const MESSAGES = {
  appName: { zh: '物业收缴', en: 'Wuye Collect' },
  console: { zh: '员工控制台', en: 'Staff console' },
  'menu.home': { zh: '概览', en: 'Overview' },
  'menu.houses': { zh: '房屋档案', en: 'Houses' },
  'menu.owners': { zh: '业主查询', en: 'Owner search' },
  'menu.portalOffice': { zh: '对客端事项', en: 'Owner portal requests' },
  'menu.billing': { zh: '收费', en: 'Billing' },
  'menu.billingSettings': { zh: '收费设置', en: 'Fee settings' },
  'menu.billingRuns': { zh: '出账', en: 'Bill runs' },
  'menu.billingCounter': { zh: '收银台', en: 'Counter' },
  'menu.fundReport': { zh: '资金日报', en: 'Daily fund report' },
  'menu.arrears': { zh: '欠费清单', en: 'Arrears' },
  'menu.approvals': { zh: '审批', en: 'Approvals' },
  'menu.bank': { zh: '银行对账', en: 'Bank reconciliation' },
  'menu.collection': { zh: '催缴', en: 'Collection' },
  'menu.collectionWorklist': { zh: '我的任务', en: 'My worklist' },
  'menu.collectionTasks': { zh: '今日任务', en: "Today's tasks" },
  'menu.collectionCases': { zh: '催缴案件', en: 'Cases' },
  'menu.collectionPlan': { zh: '催缴计划', en: 'Collection plan' },
  'menu.collectionAssignment': { zh: '分户到人', en: 'Assign houses' },
  'menu.collectionReview': { zh: '主管检查', en: 'Daily review' },
  'menu.collectionWeekly': { zh: '催缴周报', en: 'Weekly review' },
  'menu.collectionKpis': { zh: '催缴绩效', en: 'KPIs' },
  'menu.collectionScripts': { zh: '话术与答客问', en: 'Scripts & answers' },
  'menu.collectionTemplates': { zh: '通知模板', en: 'Notice templates' },
  'menu.collectionOutbox': { zh: '发送队列', en: 'Outbox' },
  'menu.collectionPrint': { zh: '打印中心', en: 'Print centre' },
  'menu.collectionPolicy': { zh: '催缴流程设置', en: 'Collection policy' },
  'menu.dataImports': { zh: '数据导入', en: 'Data import' },
  'menu.audit': { zh: '审计日志', en: 'Audit log' },
  'menu.users': { zh: '用户管理', en: 'Users' },
  'header.changePassword': { zh: '修改密码', en: 'Change password' },
  'header.logout': { zh: '退出登录', en: 'Log out' },
  'header.language': { zh: 'English', en: '中文' },
  'login.title': { zh: '员工登录', en: 'Staff login' },
  'login.username': { zh: '用户名', en: 'User name' },
  'login.password': { zh: '密码', en: 'Password' },
  'login.submit': { zh: '登录', en: 'Log in' },
  'login.usernameRequired': { zh: '请输入用户名', en: 'Enter your user name' },
  'login.passwordRequired': { zh: '请输入密码', en: 'Enter your password' },
  'password.current': { zh: '当前密码', en: 'Current password' },
  'password.next': { zh: '新密码', en: 'New password' },
  'password.confirm': { zh: '确认新密码', en: 'Confirm new password' },
  'password.mismatch': { zh: '两次输入的新密码不一致', en: 'The new passwords do not match' },
  'password.rule': { zh: '至少 10 位，须同时包含字母和数字', en: '10+ characters with letters and digits' },
  'password.changed': { zh: '密码已修改，请用新密码重新登录', en: 'Password changed; please log in again' },
  'common.ok': { zh: '确定', en: 'OK' },
  'common.cancel': { zh: '取消', en: 'Cancel' },
  'common.loading': { zh: '加载中…', en: 'Loading…' },
  'common.notFound': { zh: '页面不存在', en: 'Page not found' },
  'common.backHome': { zh: '返回概览', en: 'Back to overview' },
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof MESSAGES;

interface LangContextValue {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey) => string;
}

const LangContext = createContext<LangContextValue | null>(null);
const STORAGE_KEY = 'wuye.lang';

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  }, []);
  const value = useMemo<LangContextValue>(() => ({ lang, setLang, t: (key) => MESSAGES[key][lang] }), [lang, setLang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

export function useLang(): LangContextValue {
  const v = useContext(LangContext);
  if (!v) throw new Error('useLang outside LangProvider');
  return v;
}
