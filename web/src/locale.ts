import type { Locale } from 'antd/es/locale/index.js';
import zhCNModule from 'antd/es/locale/zh_CN.js';
import enUSModule from 'antd/es/locale/en_US.js';

/**
 * antd ships its locales as modules whose .d.ts TypeScript reads as CommonJS, so under NodeNext a default import is
 * typed as the whole module. At runtime (Vite) it is the locale itself, or a {default} wrapper: accept both.
 */
function unwrap(m: unknown): Locale {
  const inner = (m as { default?: unknown }).default;
  return (inner && typeof inner === 'object' && 'locale' in inner ? inner : m) as Locale;
}

export const zhCN: Locale = unwrap(zhCNModule);
export const enUS: Locale = unwrap(enUSModule);
