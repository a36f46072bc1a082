import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real server (child process) and a real Chromium (playwright-core, the system browser — no
 * download). One file at a time in one fork: they share a port range, a browser and a lot of memory.
 */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    env: { TZ: 'UTC' },
  },
});
