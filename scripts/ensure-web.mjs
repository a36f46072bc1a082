// `npm start` builds the console once (web/dist) if it is missing or older than its sources.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dist = 'web/dist/index.html';
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stale = !existsSync(dist) || newest('web/src') > statSync(dist).mtimeMs;
if (stale) {
  console.log('正在构建管理后台（web/dist）…');
  execSync('npm run build:web', { stdio: 'inherit' });
}
