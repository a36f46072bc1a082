/**
 * Words that have no place in anything said or sent to an owner about arrears: threats of cutting services, shaming,
 * bringing in employers, colleagues or family, false legal threats (R1–R5, R49, R51). Scripts, answers and notice
 * templates are refused when they contain one.
 */
export const FORBIDDEN_WORDING = [
  '停水', '停电', '停气', '停暖', '断水', '断电', '门禁卡', '停用门禁', '曝光', '公示姓名', '黑名单', '单位领导', '联系您单位', '您的同事', '您的家人', '亲戚',
  '上征信', '拘留', '坐牢',
] as const;

/** The first forbidden word in a text, if any. */
export const forbiddenWordIn = (text: string): string | undefined => FORBIDDEN_WORDING.find((w) => text.includes(w));
