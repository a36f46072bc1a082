import { describe, expect, it } from 'vitest';
import { answersFor, DEFAULT_SCRIPT_BOOK, fillScript, validateScriptBook } from './scripts.ts';

describe('call scripts and the answer book (收费答客问)', () => {
  it('the defaults follow the seeds\' script and cover the answer book\'s topics, and are valid', () => {
    const first = DEFAULT_SCRIPT_BOOK.scripts.find((s) => s.key === 'call_script')!;
    for (const point of ['您好', '集中缴费月', '哪天方便', '预约上门', '转账', '感谢']) expect(first.text).toContain(point);
    expect(DEFAULT_SCRIPT_BOOK.answers.map((a) => a.key)).toEqual(['leak_warranty', 'facilities', 'repair_fund', 'pipes', 'parking_ownership', 'car_scratch', 'service_dispute', 'limitation', 'former_owner', 'shops']);
    expect(validateScriptBook(DEFAULT_SCRIPT_BOOK)).toEqual({ ok: true, book: DEFAULT_SCRIPT_BOOK });
  });

  it('a refusal\'s reason brings up its answer, best match first', () => {
    expect(answersFor(DEFAULT_SCRIPT_BOOK, '卫生间漏水两年了开发商不管，不交')[0]!.key).toBe('leak_warranty');
    expect(answersFor(DEFAULT_SCRIPT_BOOK, '我的车位被占了，车还被剐蹭').map((a) => a.key)).toEqual(['parking_ownership', 'car_scratch']);
    expect(answersFor(DEFAULT_SCRIPT_BOOK, '房子是从原业主手里买的二手房').map((a) => a.key)).toEqual(['former_owner']);
    expect(answersFor(DEFAULT_SCRIPT_BOOK, '没钱')).toEqual([]);
    expect(answersFor(DEFAULT_SCRIPT_BOOK, null)).toEqual([]);
  });

  it('fills the placeholders and leaves unknown ones visible', () => {
    expect(fillScript('{业主}您好！我是{公司}客服{员工}，{房号}欠{金额}。', { '{业主}': '张先生', '{公司}': '锦华物业', '{员工}': '小王', '{房号}': '1栋 1-1-101' }))
      .toBe('张先生您好！我是锦华物业客服小王，1栋 1-1-101欠{金额}。');
  });

  it('refuses threats and third parties in an edited book, naming the field, and empty or duplicate entries', () => {
    const bad = {
      scripts: [{ key: 'call_script', title: '首次', text: '再不交就停水停电' }, { key: 'call_script', title: '', text: '好' }],
      answers: [{ key: 'x1', topic: '单位', keywords: [], answer: '我们会联系您单位领导' }],
    };
    const v = validateScriptBook(bad);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.issues).toEqual(expect.arrayContaining([
      { field: 'scripts.0.text', message: '含有“停水”：催缴话术不得威胁、羞辱或涉及第三方（R1–R5、R49、R51）' },
      { field: 'scripts.1.key', message: '标识“call_script”重复' },
      { field: 'scripts.1.title', message: '不能为空' },
      { field: 'answers.0.keywords', message: '至少填写一个关键词（业主说到时自动提示此条）' },
      { field: 'answers.0.answer', message: '含有“单位领导”：催缴话术不得威胁、羞辱或涉及第三方（R1–R5、R49、R51）' },
    ]));
    expect(validateScriptBook({ scripts: 'x' })).toMatchObject({ ok: false });
  });
});
