import Mustache from 'mustache';
import { forbiddenWordIn } from '../../../core/legal/wording.ts';
import { PERIOD_LIST, TIME_BARRED_NOTE, type TemplateKind } from '../../../core/notices/vocabulary.ts';

/**
 * Notice and message templates (issue 6 point 1): the documents the seeds name and the SMS texts, with variables in
 * Mustache syntax — `{{house}}`, and a list section `{{#periods}}…{{/periods}}` for every unpaid period. Pure (outside
 * core only because it uses the mustache package): validation and rendering only (plain text, nothing escaped);
 * storage, PDFs and sending come later.
 *
 * The law on what a notice says: every demand lists every unpaid period (R14), names the sender and gives a way to
 * dispute (R51), and threatens nothing (R1–R5, R51); an SMS carries the company's signature (R53); the unit-number-only
 * public notice names no owner (R46) and is off by default.
 */

export { TEMPLATE_KINDS, TEMPLATE_LABELS, type TemplateKind } from '../../../core/notices/vocabulary.ts';

/** Demands: they must list every unpaid period, name the sender and say how to dispute. */
const DEMANDS: ReadonlySet<TemplateKind> = new Set(['payment_notice', 'demand_notice', 'second_demand', 'lawyer_letter']);
const isSms = (k: TemplateKind) => k.startsWith('sms_');
export const IGNORE_IF_PAID = '如已缴纳，请忽略本信息';

/** The variables a template may use; inside {{#periods}}: period, dueDate, amount, lateFee. */
export const VARIABLES = ['company', 'project', 'house', 'owner', 'total', 'totalUpper', 'deadline', 'payWays', 'disputePhone', 'portalUrl', 'date', 'promisedOn',
  'lateFeeRule', 'lawFirm', 'prepaidBalance', 'houses', 'periods', 'hasTimeBarred'] as const;
const PERIOD_VARIABLES = ['period', 'dueDate', 'amount', 'lateFee', 'timeBarred'] as const;

export interface TemplateValues {
  company: string; project: string; house?: string; owner?: string; total?: string; totalUpper?: string; deadline?: string; payWays?: string;
  disputePhone?: string; portalUrl?: string; date?: string; promisedOn?: string; lateFeeRule?: string; lawFirm?: string; prepaidBalance?: string;
  /** The anonymous notice: house numbers only. */
  houses?: string;
  periods?: Array<{ period: string; dueDate: string; amount: string; lateFee?: string; timeBarred?: boolean }>;
  /** Some listed period's limitation has run out (R15): the threat-free sentence for those periods shows. */
  hasTimeBarred?: boolean;
}

export interface NoticeTemplate { kind: TemplateKind; title: string; body: string; enabled: boolean }

const demandFooter = '\n\n如对上述费用有异议，请致电 {{disputePhone}} 或到物业服务中心当面核对，我们将在三个工作日内答复。如已缴纳，请忽略本通知。\n\n{{company}}\n{{date}}';

/** Defaults written from the seeds' wording (温馨提示, 缴款通知书, 催款通知书, the 15th-day SMS). */
export const DEFAULT_TEMPLATES: Record<TemplateKind, Omit<NoticeTemplate, 'kind'>> = {
  warm_tip: {
    title: '温馨提示', enabled: true,
    body: '尊敬的各位业主：\n{{project}}本期物业服务费已开始缴纳，截止日期为 {{deadline}}。物业费用于小区共用部位和设施设备的维护、清洁、绿化、秩序维护，让我们一起把家园建设得更好。\n'
      + '缴费方式：{{payWays}}\n也可扫码登录业主端查询和缴纳：{{portalUrl}}\n感谢您的理解与支持！\n\n{{company}}\n{{date}}',
  },
  payment_notice: {
    title: '物业费缴款通知书', enabled: true,
    body: '尊敬的{{owner}}业主：\n您所有的{{project}}{{house}}应缴纳以下物业服务费用：' + PERIOD_LIST + '\n合计：{{total}}（大写：{{totalUpper}}）\n'
      + '请于 {{deadline}} 前缴纳。逾期的，按合同约定计收滞纳金：{{lateFeeRule}}。\n缴费方式：{{payWays}}\n业主端查询与缴纳：{{portalUrl}}' + demandFooter,
  },
  demand_notice: {
    title: '催款通知书', enabled: true,
    body: '尊敬的{{owner}}业主：\n经核对，您所有的{{project}}{{house}}截至 {{date}} 尚有以下物业服务费用未缴纳：' + PERIOD_LIST + '\n合计：{{total}}（大写：{{totalUpper}}）\n'
      + '请您于 {{deadline}} 前缴纳。如有困难，可与我们协商分期或缓缴。\n缴费方式：{{payWays}}' + demandFooter,
  },
  second_demand: {
    title: '二次催款通知书', enabled: true,
    body: '尊敬的{{owner}}业主：\n我司此前已向您发出《催款通知书》。截至 {{date}}，您所有的{{project}}{{house}}仍有以下物业服务费用未缴纳：' + PERIOD_LIST
      + '\n合计：{{total}}（大写：{{totalUpper}}）\n请您于 {{deadline}} 前缴纳；逾期仍未缴纳的，我司将依法通过法律途径主张权利。' + TIME_BARRED_NOTE + '\n缴费方式：{{payWays}}' + demandFooter,
  },
  lawyer_letter: {
    title: '律师函（草稿）', enabled: true,
    body: '{{owner}}先生/女士：\n{{lawFirm}}受{{company}}委托，就您所有的{{project}}{{house}}欠缴物业服务费一事致函如下：\n截至 {{date}}，欠缴明细：' + PERIOD_LIST
      + '\n合计：{{total}}（大写：{{totalUpper}}）\n请于 {{deadline}} 前缴纳。逾期未缴纳的，委托人将依法提起诉讼。' + TIME_BARRED_NOTE + demandFooter,
  },
  sms_pre_due: { title: '到期前提醒', enabled: true, body: '【{{company}}】尊敬的业主，您{{house}}本期物业费{{total}}将于{{deadline}}到期，可通过业主端{{portalUrl}}缴纳。' + IGNORE_IF_PAID + '。' },
  sms_last_reminder: { title: '滞纳金起算前一天', enabled: true, body: '【{{company}}】温馨提醒：尊敬的{{house}}业主，请您于{{deadline}}前缴纳物业费{{total}}。如您因故不便现场缴纳，可通过业主端{{portalUrl}}或银行转账缴纳。' + IGNORE_IF_PAID + '。' },
  sms_prepaid_used_up: { title: '预存已用完', enabled: true, body: '【{{company}}】尊敬的{{house}}业主，您的物业费预存余额已用完（现余{{prepaidBalance}}），本期应缴{{total}}，请于{{deadline}}前续存或缴纳。' + IGNORE_IF_PAID + '。' },
  sms_monthly: { title: '按月缴费提醒', enabled: true, body: '【{{company}}】尊敬的{{house}}业主，本月物业费{{total}}请于{{deadline}}前缴纳，业主端：{{portalUrl}}。' + IGNORE_IF_PAID + '。' },
  sms_promise: { title: '承诺缴费前提醒', enabled: true, body: '【{{company}}】尊敬的{{house}}业主，您约定于{{promisedOn}}缴纳物业费{{total}}，特此提醒。' + IGNORE_IF_PAID + '。' },
  anonymous_notice: {
    title: '缴费情况公示（不记名）', enabled: false,
    body: '截至 {{date}}，以下房号仍有物业服务费未缴纳：{{houses}}。请相关业主尽快到物业服务中心缴纳；如有异议请致电 {{disputePhone}}。\n{{company}}',
  },
};

export const defaultTemplate = (kind: TemplateKind): NoticeTemplate => ({ kind, ...DEFAULT_TEMPLATES[kind] });

type Token = [string, string, number, number, Token[]?];
/** The names a template uses, top-level and inside {{#periods}}. */
function namesOf(tokens: Token[], inPeriods = false, out: { top: Set<string>; period: Set<string> } = { top: new Set(), period: new Set() }) {
  for (const t of tokens) {
    const [type, name, , , children] = t;
    if (type === 'name' || type === '&' || type === '#' || type === '^') (inPeriods ? out.period : out.top).add(name);
    if (children) namesOf(children, inPeriods || name === 'periods', out);
  }
  return out;
}

type Issue = { field: string; message: string; rule: string | null };

/** Validate an edited template (zh-CN issues naming the field and the rule); a valid one comes back clean. */
export function validateTemplate(kind: TemplateKind, input: { title?: unknown; body?: unknown; enabled?: unknown }): { ok: true; template: NoticeTemplate } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  const add = (field: string, message: string, rule: string | null = null) => issues.push({ field, message, rule });
  const title = typeof input.title === 'string' ? input.title.trim() : '';
  const body = typeof input.body === 'string' ? input.body : '';
  if (!title) add('title', '标题不能为空');
  if (!body.trim()) add('body', '正文不能为空');
  let names = { top: new Set<string>(), period: new Set<string>() };
  try {
    names = namesOf(Mustache.parse(body) as Token[]);
  } catch (e) {
    add('body', `变量格式有误：${(e as Error).message}`);
  }
  for (const n of names.top) if (!(VARIABLES as readonly string[]).includes(n)) add('body', `未知变量 {{${n}}}；可用：${VARIABLES.join('、')}`);
  for (const n of names.period) if (!(PERIOD_VARIABLES as readonly string[]).includes(n) && !(VARIABLES as readonly string[]).includes(n)) add('body', `账期列表中未知变量 {{${n}}}；可用：${PERIOD_VARIABLES.join('、')}`);
  const bad = forbiddenWordIn(`${title}\n${body}`);
  if (bad) add('body', `含有“${bad}”：通知不得威胁、羞辱或涉及第三方`, 'R51');
  if (DEMANDS.has(kind)) {
    if (!names.top.has('periods')) add('body', '催缴文书须逐期列明全部欠费账期（使用 {{#periods}}…{{/periods}}）', 'R14');
    if (!names.top.has('company')) add('body', '须写明发出单位（{{company}}）', 'R51');
    if (!names.top.has('disputePhone')) add('body', '须告知异议渠道（{{disputePhone}}）', 'R51');
    const threatensSuit = /诉讼|起诉|法律途径/.test(body.replace(/\{\{#(hasTimeBarred|timeBarred)\}\}[\s\S]*?\{\{\/\1\}\}/g, ''));
    if (threatensSuit && !names.top.has('hasTimeBarred')) add('body', '提及诉讼的文书须对已过诉讼时效的账期另作说明（使用 {{#hasTimeBarred}}…{{/hasTimeBarred}}）', 'R15');
  }
  if (isSms(kind)) {
    if (!body.includes('【{{company}}】')) add('body', '短信须带公司签名【{{company}}】', 'R53');
    if (body.length > 300) add('body', '短信不超过 300 字');
    if (kind !== 'sms_promise' && !body.includes(IGNORE_IF_PAID)) add('body', `催缴短信须注明“${IGNORE_IF_PAID}”`, 'R51');
  }
  if (kind === 'anonymous_notice') {
    for (const n of ['owner', 'house', 'periods', 'total']) if (names.top.has(n)) add('body', `不记名公示只列房号（{{houses}}），不得出现 {{${n}}}`, 'R46');
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, template: { kind, title, body, enabled: kind === 'anonymous_notice' ? input.enabled === true : input.enabled !== false } };
}

/** Render a template as plain text (nothing is HTML-escaped). */
export function renderTemplate(t: Pick<NoticeTemplate, 'body'>, values: TemplateValues): string {
  return Mustache.render(t.body, values, {}, { escape: (v: unknown) => String(v) });
}
