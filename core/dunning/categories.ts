/**
 * The five categories of a household after the first call (业主交费情况分类, domain §4), the outcomes a contact attempt
 * records (《物业费催缴记录表》), and the follow-up each category drives.
 */
export const CATEGORIES = ['will_pay', 'unclear', 'unreachable', 'away', 'refusal'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_LABELS: Record<Category, string> = {
  will_pay: '近期交纳类', unclear: '暂未明确类', unreachable: '无法联系类', away: '异地出差类', refusal: '特殊拒交类',
};

export const OUTCOMES = ['接通', '未接', '关机', '空号', '停机', '错号', '拒接', '承诺缴费', '拒交', '已缴', '已发送', '已送达', '已张贴', '已寄出', '退回', '未找到'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The category an outcome suggests when the collector does not choose one (null: keep the current category; an
 * answered call without a date leaves the category to the collector).
 */
export function categoryOfOutcome(outcome: Outcome): Category | null {
  switch (outcome) {
    case '承诺缴费': return 'will_pay';
    case '未接': case '关机': case '拒接': return 'unclear';
    case '空号': case '停机': case '错号': case '退回': case '未找到': return 'unreachable';
    case '拒交': return 'refusal';
    default: return null;
  }
}

/** Outcomes that mean the attempt reached the owner (a call answered, a letter delivered). */
export const DELIVERED_OUTCOMES: ReadonlySet<Outcome> = new Set(['接通', '承诺缴费', '拒交', '已缴', '已送达', '已张贴']);

/** What each category drives, as follow-up task keys the planner emits (domain §4; R10 for a refusal). */
export const FOLLOW_UPS = {
  promise_check: { label: '承诺到期前一天提醒', channel: 'call' },
  daily_call: { label: '每日致电', channel: 'call' },
  verify_contact: { label: '核实联系方式（合法渠道）', channel: 'visit' },
  service_address_letter: { label: '向送达地址寄出挂号信', channel: 'registered_letter' },
  remote_payment_guide: { label: '发送异地缴费指引', channel: 'sms' },
  supervisor_review: { label: '主管跟进拒交原因并开服务工单', channel: 'call' },
} as const;
export type FollowUp = keyof typeof FOLLOW_UPS;
