/**
 * Generated names, addresses and contact values for the demo data. Everything is assembled from generic parts with the
 * seeded generator: no real person, no real address. Contact values come from ranges that reach nobody:
 * - mobiles 144 + 8 digits (11-digit 144 numbers are not issued for voice; 144 is used only for 13-digit IoT numbers),
 * - landlines in the unused area code 0999,
 * - e-mail on the reserved domain example.com (RFC 2606),
 * - WeChat ids wx_ + letters.
 */
import { weights, type Rng } from './random.ts';

// Common surnames, roughly weighted by frequency; a few two-character surnames are rare on purpose.
const SURNAMES = weights<string>([
  ['王', 72], ['李', 72], ['张', 68], ['刘', 55], ['陈', 45], ['杨', 32], ['黄', 25], ['赵', 22], ['吴', 21], ['周', 21],
  ['徐', 17], ['孙', 16], ['马', 15], ['朱', 14], ['胡', 13], ['郭', 12], ['何', 12], ['林', 11], ['高', 11], ['罗', 11],
  ['郑', 10], ['梁', 10], ['谢', 8], ['宋', 8], ['唐', 8], ['许', 7], ['韩', 7], ['冯', 7], ['邓', 7], ['曹', 6],
  ['彭', 6], ['曾', 6], ['肖', 6], ['田', 6], ['董', 5], ['袁', 5], ['潘', 5], ['于', 5], ['蒋', 5], ['蔡', 5],
  ['余', 5], ['杜', 4], ['叶', 4], ['程', 4], ['苏', 4], ['魏', 4], ['吕', 4], ['丁', 4], ['任', 4], ['沈', 4],
  ['姚', 3], ['卢', 3], ['姜', 3], ['崔', 3], ['钟', 3], ['谭', 3], ['陆', 3], ['汪', 3], ['范', 3], ['金', 3],
  ['石', 3], ['廖', 3], ['贾', 3], ['夏', 3], ['韦', 3], ['付', 3], ['方', 3], ['白', 3], ['邹', 2], ['孟', 2],
  ['熊', 2], ['秦', 2], ['邱', 2], ['江', 2], ['尹', 2], ['薛', 2], ['闫', 2], ['段', 2], ['雷', 2], ['侯', 2],
  ['龙', 2], ['史', 2], ['陶', 2], ['黎', 2], ['贺', 2], ['顾', 2], ['毛', 2], ['郝', 2], ['龚', 2], ['邵', 2],
  ['欧阳', 0.6], ['司马', 0.2], ['上官', 0.2], ['诸葛', 0.2], ['东方', 0.1], ['皇甫', 0.1], ['慕容', 0.1], ['司徒', 0.2],
]);

const GIVEN = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平',
  '刚', '桂', '英', '华', '玉', '兰', '红', '梅', '建', '国', '文', '志', '海', '燕', '林', '辉', '鹏', '宇', '浩', '凯',
  '佳', '欣', '怡', '婷', '雪', '琳', '晨', '阳', '俊', '博', '子', '轩', '睿', '思', '雨', '晓', '云', '嘉', '欢', '宁',
  '峰', '斌', '波', '亮', '彬', '飞', '鑫', '丹', '萍', '颖', '倩', '慧', '莉', '蓉', '凤', '春', '新', '永', '德', '荣',
  '成', '祥', '瑞', '安', '昌', '兴', '振', '玲', '琴', '珍', '雅', '晶', '婧', '琪', '璐', '冰', '清', '泽', '旭', '昊',
] as const;

/** A generated personal name: surname + 1–2 given-name characters. */
export function personName(rng: Rng): string {
  const surname = rng.weighted(SURNAMES);
  const given = rng.chance(0.72) ? rng.pick(GIVEN) + rng.pick(GIVEN) : rng.pick(GIVEN);
  return surname + given;
}

// Fictional provinces and cities: plausible words, no real administrative division intended.
const PROVINCES = ['江南省', '河西省', '岭东省', '云中省', '海陵省', '淮北省', '秦川省', '湘东省'] as const;
const CITY_STEMS = ['临江', '清河', '云川', '东陵', '望海', '青石', '白鹭', '南屏', '长汀', '栖霞', '平湖', '柳川', '安澜', '金溪', '玉泉', '桐乡'] as const;
const DISTRICTS = ['河东区', '河西区', '城南区', '城北区', '高新区', '新城区', '滨湖区', '开发区', '经开区', '老城区', '东湖区', '西山区'] as const;
const ROAD_STEMS = ['学府', '建设', '文化', '和平', '长安', '青年', '迎宾', '民主', '光明', '滨河', '新华', '朝阳', '锦江', '复兴', '春风', '振兴', '望江', '科技', '银杏', '梧桐'] as const;
const ROAD_KINDS = weights<string>([['路', 6], ['大道', 2], ['街', 3], ['大街', 1]]);

const BRAND_CHARS = [
  '恒', '瑞', '华', '泰', '鑫', '盛', '通', '达', '宏', '信', '德', '隆', '丰', '安', '嘉', '源', '鼎', '汇', '创', '启',
  '银', '昌', '兴', '远', '和', '益', '正', '立', '佳', '美', '锐', '博', '骏', '晟', '祥', '顺', '诚', '合', '联', '众',
] as const;
const INDUSTRIES = weights<string>([
  ['贸易', 5], ['商贸', 4], ['餐饮管理', 3], ['科技', 4], ['信息技术', 2], ['投资', 2], ['文化传播', 2], ['医药', 1],
  ['服饰', 1], ['教育咨询', 1], ['建材', 1], ['电子', 1], ['物流', 1], ['广告', 1], ['食品', 1], ['家居', 1],
]);

/** A generated organisation name such as 临川恒瑞贸易有限公司. */
export function organisationName(rng: Rng): string {
  const place = rng.chance(0.5) ? rng.pick(CITY_STEMS) : '';
  const kind = rng.chance(0.85) ? '有限公司' : rng.pick(['有限责任公司', '股份有限公司', '商行']);
  return place + rng.pick(BRAND_CHARS) + rng.pick(BRAND_CHARS) + rng.weighted(INDUSTRIES) + kind;
}

const PROJECT_HEADS = [
  '和', '锦绣', '滨江', '翠湖', '金色', '阳光', '紫荆', '云顶', '碧水', '翡翠', '书香', '春晓', '幸福', '龙湖', '枫林',
  '盛世', '嘉禾', '御景', '香樟', '绿城', '明珠', '星河', '江南', '锦华', '润园', '世纪', '东方', '怡景', '半岛', '清风',
] as const;
const PROJECT_TAILS = weights<string>([
  ['园', 3], ['花园', 5], ['华庭', 4], ['家园', 4], ['名苑', 3], ['雅居', 2], ['新城', 2], ['公馆', 2], ['苑', 2],
  ['府', 2], ['湾', 2], ['小区', 3], ['嘉园', 2], ['水岸', 1], ['山庄', 1], ['国际社区', 1], ['一品', 1], ['城', 1],
]);

/** A generated residential project name such as 锦绣华庭 or 滨江花园. */
export function projectName(rng: Rng): string {
  return rng.pick(PROJECT_HEADS) + rng.weighted(PROJECT_TAILS);
}

export interface Locality { province: string; city: string; district: string }

/** A generated province/city/district triple. */
export function locality(rng: Rng): Locality {
  return { province: rng.pick(PROVINCES), city: `${rng.pick(CITY_STEMS)}市`, district: rng.pick(DISTRICTS) };
}

/** A street address in a locality: 江南省临江市河东区学府路88号. */
export function streetAddress(rng: Rng, where: Locality): string {
  return `${where.province}${where.city}${where.district}${rng.pick(ROAD_STEMS)}${rng.weighted(ROAD_KINDS)}${rng.int(1, 399)}号`;
}

/** A postal address somewhere else (owners living in another city), down to the flat. */
export function postalAddress(rng: Rng): string {
  const where = locality(rng);
  const tail = rng.chance(0.7)
    ? `${rng.pick(PROJECT_HEADS)}${rng.weighted(PROJECT_TAILS)}${rng.int(1, 30)}栋${rng.int(1, 3)}单元${rng.int(1, 30)}${String(rng.int(1, 4)).padStart(2, '0')}室`
    : `${rng.int(1, 30)}楼${rng.int(1, 20)}室`;
  return streetAddress(rng, where) + tail;
}

/** 144 + 8 digits: an 11-digit number in a range that reaches no person. */
export function demoMobile(rng: Rng): string {
  return `144${rng.digits(8)}`;
}

/** 0999-xxxxxxxx: an unused area code. Stored in the normalised form normalizeLandline returns. */
export function demoLandline(rng: Rng): string {
  return `0999-${rng.int(2, 8)}${rng.digits(7)}`;
}

/** An address on the reserved domain example.com. */
export function demoEmail(rng: Rng): string {
  return `${rng.letters(rng.int(3, 8))}${rng.chance(0.6) ? rng.digits(rng.int(2, 4)) : ''}@example.com`;
}

/** wx_ + 6–12 letters (a valid WeChat id: starts with a letter, 6–20 characters). */
export function demoWechat(rng: Rng): string {
  return `wx_${rng.letters(rng.int(6, 12))}`;
}
