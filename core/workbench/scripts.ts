import { forbiddenWordIn } from '../legal/wording.ts';

/**
 * Call scripts (物业费催缴销讲) and the answer book (收费答客问), issue 5 point 4. The defaults are written from the seeds'
 * training material; a project edits its own copy. Pure: validation and matching only.
 *
 * Scripts use placeholders filled in on the worklist: {公司} {员工} {业主} {房号} {账期} {金额}. Nothing in a script
 * or an answer may threaten, shame or bring in third parties (R1–R5, R49, R51): the validation refuses such words, and
 * every default answer states facts and what the owner can do.
 */

export interface Script { key: string; title: string; text: string }
export interface Answer { key: string; topic: string; keywords: string[]; answer: string }
export interface ScriptBook { scripts: Script[]; answers: Answer[] }

export const PLACEHOLDERS = ['{公司}', '{员工}', '{业主}', '{房号}', '{账期}', '{金额}'] as const;

export const DEFAULT_SCRIPT_BOOK: ScriptBook = {
  scripts: [
    {
      key: 'call_script', title: '首次电话催缴（以提醒为主）',
      text: '{业主}您好！我是{公司}客服{员工}。{房号}（{账期}）的物业服务费已到缴费时间（一月和七月是集中缴费月），共计{金额}，费用明细已投递到您家入户门内，请您注意查收。\n'
        + '想跟您确认一下，您哪天方便来交？\n'
        + '如果您没有时间过来，我们可以预约上门收取，也可以银行转账或线上缴纳。\n'
        + '感谢您对我们工作的支持！',
    },
    {
      key: 'call_script_second', title: '二次电话催缴',
      text: '{业主}您好！我是{公司}客服{员工}。之前和您联系过{房号}（{账期}）物业服务费的事，目前还有{金额}未缴。\n'
        + '请问您这边有什么困难或者对我们的服务有什么意见吗？有问题我们马上登记处理。\n'
        + '您看哪天方便缴纳？可以预约上门、转账或线上缴纳。谢谢您！',
    },
    {
      key: 'promise_check', title: '承诺日前一天提醒',
      text: '{业主}您好！我是{公司}客服{员工}。您之前约定明天缴纳{房号}的物业服务费{金额}，特地提醒您一下。需要我们上门收取或发转账信息给您吗？谢谢！',
    },
    {
      key: 'daily_call', title: '每日致电（暂未明确类、异地出差类）',
      text: '{业主}您好！我是{公司}客服{员工}。打扰您了，想跟您确认一下{房号}（{账期}）物业服务费{金额}的缴纳时间。您在外地的话，可以转账或线上缴纳，我把缴费方式发给您。谢谢！',
    },
    {
      key: 'supervisor_review', title: '主管跟进拒交原因',
      text: '{业主}您好！我是{公司}客服领班{员工}。您反映的问题我们已经登记为服务工单，我会亲自跟进，处理结果会第一时间告诉您。\n'
        + '物业服务费用于全体业主共用部位和设施的维护、清洁、绿化、秩序维护等，问题我们一定解决，也请您理解支持。',
    },
  ],
  answers: [
    {
      key: 'leak_warranty', topic: '房屋质量：质保期内漏水', keywords: ['漏水', '渗水', '防水', '墙裂', '质量', '开裂'],
      answer: '根据《物业管理条例》及房屋买卖相关司法解释，防水工程的保修期为五年，保修期内由建设施工单位负责维修，我们可以帮您联系开发商报修并跟进进度；保修期满后，户内部分由业主自行承担，共用部位可申请专项维修资金。',
    },
    {
      key: 'facilities', topic: '配套设施故障（消防、电梯、门禁、监控、单元门）', keywords: ['电梯', '门禁', '监控', '消防', '单元门', '设施', '坏了'],
      answer: '小区消防、电梯、门禁、监控、单元门等配套设施的质保期为两年，质保期内由建设施工单位免费维修；超过质保期需申请专项维修资金。您反映的故障我们现在登记报修，处理结果会告诉您。',
    },
    {
      key: 'repair_fund', topic: '专项维修资金怎么启动', keywords: ['维修资金', '维修基金', '大修'],
      answer: '专项维修资金按当地物业管理条例规定的条件和流程申请：由符合条件的业主签字，经业委会提交，报房管部门审批后由施工单位修缮。我们可以协助准备材料。',
    },
    {
      key: 'pipes', topic: '管道堵塞、返水', keywords: ['管道', '堵塞', '返水', '下水', '排水'],
      answer: '管道属房屋配套设施，物业负责定期检修、维护、养护；管道为部分业主共有的，维修费用由共有人分摊；因使用不当造成堵塞返水的，损失由使用人承担。我们先安排师傅上门查看。',
    },
    {
      key: 'parking_ownership', topic: '车位、车库归属', keywords: ['车位', '车库', '停车'],
      answer: '根据《民法典》第275、276条：规划用于停放汽车的车位、车库的归属由当事人通过出售、附赠或者出租等方式约定；占用业主共有道路或其他场地用于停放汽车的车位属于业主共有；车位应当首先满足本小区业主的需要。',
    },
    {
      key: 'car_scratch', topic: '车辆剐蹭', keywords: ['剐蹭', '刮', '划痕', '车辆'],
      answer: '签订车辆保管协议的，物业按协议对车辆进行看管；未签订的，车辆属个人财产，由车主妥善管理。发生事故请及时报警、报险，我们全力配合调取监控、提供现场情况。',
    },
    {
      key: 'service_dispute', topic: '物业服务纠纷（保洁、绿化、秩序维护等）', keywords: ['服务', '保洁', '卫生', '绿化', '保安', '态度', '不满意'],
      answer: '感谢您提出意见，我们已登记服务工单并会在约定时间内答复处理结果。物业费用于全体业主共用部位、设施设备的维护和清洁、绿化、秩序维护等，是业主之间共同的约定；对服务有意见，可以向我们或业主委员会反映，也可以依法协商或诉讼解决。',
    },
    {
      key: 'limitation', topic: '诉讼时效', keywords: ['时效', '过期', '三年', '太久'],
      answer: '物业费请求适用三年诉讼时效，自每期费用应缴之日起计算；我们发出书面催告、您确认欠费或部分缴费等情形会使时效重新计算（民法典第188、195条）。我们只就时效内的费用提出请求。',
    },
    {
      key: 'former_owner', topic: '前业主欠费与现业主', keywords: ['前业主', '原业主', '上一任', '前房主', '买的二手', '过户'],
      answer: '原业主在其产权期间的欠费由原业主承担，我们不会向您追缴原业主的欠费；您只需缴纳取得房屋之后的物业服务费。',
    },
    {
      key: 'shops', topic: '沿街商铺', keywords: ['商铺', '门面', '店铺', '底商'],
      answer: '沿街商铺按物业服务合同约定的商业用房收费标准计费，收费标准和依据已在小区公示（明码标价）。商铺的具体问题我们登记后由项目经理专门答复。',
    },
  ],
};

/** The answers whose keywords appear in what the owner said, best match first (a refusal's reason brings up its answer). */
export function answersFor(book: ScriptBook, said: string | null | undefined): Answer[] {
  if (!said) return [];
  return book.answers.map((a) => ({ a, hits: a.keywords.filter((k) => said.includes(k)).length }))
    .filter((x) => x.hits > 0).sort((x, y) => y.hits - x.hits).map((x) => x.a);
}

/** Fill a script's placeholders. */
export function fillScript(text: string, values: Partial<Record<(typeof PLACEHOLDERS)[number], string>>): string {
  return PLACEHOLDERS.reduce((t, p) => t.split(p).join(values[p] ?? p), text);
}

type Issue = { field: string; message: string };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate an edited script book (zh-CN issues naming the field); a valid one comes back clean. */
export function validateScriptBook(input: unknown): { ok: true; book: ScriptBook } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  if (!isRecord(input) || !Array.isArray(input.scripts) || !Array.isArray(input.answers)) return { ok: false, issues: [{ field: '', message: '须包含话术（scripts）与答客问（answers）两个列表' }] };
  const text = (v: unknown, field: string, max: number): string => {
    if (typeof v !== 'string' || !v.trim()) { issues.push({ field, message: '不能为空' }); return ''; }
    if (v.length > max) issues.push({ field, message: `不能超过 ${max} 字` });
    const bad = forbiddenWordIn(v);
    if (bad) issues.push({ field, message: `含有“${bad}”：催缴话术不得威胁、羞辱或涉及第三方（R1–R5、R49、R51）` });
    return v.trim();
  };
  const keys = new Set<string>();
  const key = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || !/^[a-z][a-z0-9_]{1,39}$/.test(v)) { issues.push({ field, message: '标识须为小写字母开头的字母、数字或下划线（2–40 位）' }); return ''; }
    if (keys.has(v)) issues.push({ field, message: `标识“${v}”重复` });
    keys.add(v);
    return v;
  };
  const scripts = input.scripts.map((s: unknown, i) => {
    const r = isRecord(s) ? s : {};
    return { key: key(r.key, `scripts.${i}.key`), title: text(r.title, `scripts.${i}.title`, 60), text: text(r.text, `scripts.${i}.text`, 2000) };
  });
  const answers = input.answers.map((a: unknown, i) => {
    const r = isRecord(a) ? a : {};
    const kws = Array.isArray(r.keywords) ? r.keywords.filter((k): k is string => typeof k === 'string' && k.trim() !== '').map((k) => k.trim()) : [];
    if (kws.length === 0) issues.push({ field: `answers.${i}.keywords`, message: '至少填写一个关键词（业主说到时自动提示此条）' });
    return { key: key(r.key, `answers.${i}.key`), topic: text(r.topic, `answers.${i}.topic`, 60), keywords: kws, answer: text(r.answer, `answers.${i}.answer`, 2000) };
  });
  if (scripts.length === 0) issues.push({ field: 'scripts', message: '至少保留一条话术' });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, book: { scripts, answers } };
}
