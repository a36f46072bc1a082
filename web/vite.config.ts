import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = 'http://127.0.0.1:3000';

/**
 * Shared chunks are named after the module rolldown happened to pick (e.g. "api" for a chunk that is mostly antd).
 * Name a chunk that is mostly node_modules after its biggest package instead, e.g. "antd-table".
 */
function vendorChunkName(ids: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)(?:[\\/](?:es|lib)[\\/]([^\\/.]+))?/.exec(id);
    if (!m?.[1]) continue;
    const pkg = m[1].replace(/^@/, '').replace(/[\\/]/g, '-');
    const key = pkg === 'antd' && m[2] ? `antd-${m[2]}` : pkg;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const vendored = [...counts.values()].reduce((a, b) => a + b, 0);
  if (vendored * 2 <= ids.length) return undefined;
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The staff console: built into web/dist and served by the server at `/`. In dev, /api and /healthz go to the server. */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // Two pages: the staff console (/) and the owner portal (/portal/, web/dist/portal/index.html), which shares no
      // console or antd code: its initial JavaScript is React and its own screens only (≤ 150 KB gzip, scripts/portal-size.mjs).
      input: { main: fileURLToPath(new URL('./index.html', import.meta.url)), portal: fileURLToPath(new URL('./portal/index.html', import.meta.url)) },
      output: {
        chunkFileNames: (chunk) => `assets/${(chunk.isDynamicEntry ? undefined : vendorChunkName(chunk.moduleIds)) ?? chunk.name}-[hash].js`,
        // Stable, cacheable vendor chunks; each route page stays in its own small chunk (React.lazy).
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 2 },
            // The console's router apart from React: the owner portal loads React but no router.
            { name: 'react-router', test: /node_modules[\\/](react-router|react-router-dom|cookie|set-cookie-parser)[\\/]/, priority: 2 },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': { target: api, changeOrigin: false },
    },
  },
});
