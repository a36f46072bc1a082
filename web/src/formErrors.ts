import type { FormInstance } from 'antd';
import { ApiError, errorMessage } from './api.ts';

/**
 * The form item a server field path belongs to: the last segment that names one of the form's items, so that
 * "contact.value" → "value" and "tags.1" → "tags". undefined when none matches.
 */
export function formFieldOf(path: string, fields: readonly string[]): string | undefined {
  const segments = path.split('.');
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    if (fields.includes(s)) return s;
  }
  return undefined;
}

/**
 * A server field message as shown under the form item, which already shows its label: "联系方式（contact.value）：手机号码
 * 格式不正确…" → "手机号码格式不正确…", and a bare path too: "lateFee.dailyRate：输入有误（日费率达到 1%…）" → "日费率达到 1%…"
 * (the generic "输入有误（…）" wrapper is dropped when it carries a detail).
 */
export function fieldMessage(message: string): string {
  const m = /^[^：]{1,40}（[\w.]+）：(.+)$/s.exec(message) ?? /^[\w.]{1,60}：(.+)$/s.exec(message);
  const rest = m?.[1] ?? message;
  return /^输入有误（(.+)）$/s.exec(rest)?.[1] ?? rest;
}

/**
 * Put a failed request's field issues on the form items they name (the values the user typed stay as they are) and
 * return what is left for a form-level alert: issues of fields the form does not have, or the whole message when the
 * server named no field. undefined when everything found a form item.
 */
export function applyServerErrors(form: FormInstance, e: unknown, fields: readonly string[]): string | undefined {
  if (!(e instanceof ApiError) || !e.details?.length) return errorMessage(e);
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  for (const d of e.details) {
    const f = formFieldOf(d.field, fields);
    if (f === undefined) rest.push(d.message);
    else byField.set(f, [...(byField.get(f) ?? []), fieldMessage(d.message)]);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return rest.length ? rest.join('；') : undefined;
}
