// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports that point "outwards" in the dependency picture (see ARCHITECTURE.md). */
const layer = (forbidden, why) => ({
  'no-restricted-imports': ['error', { patterns: forbidden.map((regex) => ({ regex, message: why })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'data/', 'coverage/', '.e2e-data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    // core is pure: no IO, no clock, no randomness, no framework. Only relative imports inside core.
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: {
      ...layer(['^(?!\\.{1,2}/)', '(^|/)\\.\\./(server|web|bench|e2e|test)(/|$)'], 'core 是纯领域层：只能导入 core 内部模块（不得有 IO、框架或数据库依赖）'),
      'no-restricted-globals': ['error',
        { name: 'process', message: 'core 不得读取进程环境' },
        { name: 'fetch', message: 'core 不得做网络 IO' },
        { name: 'setTimeout', message: 'core 不得依赖计时器' },
        { name: 'setInterval', message: 'core 不得依赖计时器' },
        { name: 'console', message: 'core 不得输出日志' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'core 不得读取时钟：请传入 Clock 或日期参数' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'core 不得读取时钟：请传入 Clock' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'core 不得使用随机数：请传入种子' },
      ],
    },
  },
  {
    files: ['server/db/**/*.ts'],
    rules: layer(['(^|/)(modules|http|cli|entrypoints|jobs)(/|$)', '(^|/)web(/|$)'], 'server/db 只能依赖 core'),
  },
  {
    files: ['server/modules/**/*.ts'],
    rules: layer(['(^|/)(http|cli|entrypoints|jobs)(/|$)', '(^|/)web(/|$)'], 'server/modules 不得依赖 http、cli 或 entrypoints'),
  },
  {
    files: ['server/http/**/*.ts'],
    rules: layer(['(^|/)(entrypoints|cli)(/|$)', '(^|/)db/repositories(/|$)'], 'http 只调用 modules 中的服务，不直接查询仓储'),
  },
  {
    // The CLI is an entry point of its own: it may open the runtime, but queries go through services.
    files: ['server/cli/**/*.ts'],
    rules: layer(['(^|/)http(/|$)', '(^|/)db/repositories(/|$)'], 'cli 只调用 modules 中的服务，不直接查询仓储'),
  },
  {
    files: ['web/src/**/*.{ts,tsx}', 'web/portal/**/*.{ts,tsx}'],
    rules: layer(['(^|/)server(/|$)'], 'web 只通过 HTTP 与服务器通信'),
  },
);
