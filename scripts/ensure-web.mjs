// `npm start` builds the console and the owner portal once (web/dist) if missing or older than their sources.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dist = 'web/dist/portal/index.html';
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stale = !existsSync(dist) || Math.max(newest('web/src'), newest('web/portal'), newest('core')) > statSync(dist).mtimeMs;
if (stale) {
  console.log('正在构建管理后台与业主对客端（web/dist）…');
  execSync('npm run build:web', { stdio: 'inherit' });
}
