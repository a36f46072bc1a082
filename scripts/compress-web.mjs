// After `vite build`: a Brotli (.br) and a gzip (.gz) copy of every text asset in web/dist, made once at build time, so
// that the server sends compressed files (@fastify/static preCompressed) without compressing per request. Owners on a
// slow mobile connection get the portal's JavaScript at its compressed size.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = process.argv[2] ?? 'web/dist';
let files = 0;
let before = 0;
let after = 0;
function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(js|css|html|svg|json|txt)$/.test(e.name)) {
      const body = readFileSync(p);
      if (body.length < 1024) continue;
      const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
      writeFileSync(`${p}.br`, br);
      writeFileSync(`${p}.gz`, gzipSync(body, { level: 9 }));
      files++;
      before += body.length;
      after += br.length;
    }
  }
}
walk(root);
console.log(`compressed ${files} files in ${root}: ${(before / 1024).toFixed(0)} KB → ${(after / 1024).toFixed(0)} KB (Brotli)`);
