// A small static file server on 127.0.0.1 for the browser tests: the consumer folder's
// node_modules (the installed package) under /node_modules/, the test pages under /pages/, and
// `/` as a page whose import map resolves `scalekit-mcp` through the package's `browser` export.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const pagesDir = fileURLToPath(new URL('./pages/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
};

/** The package's browser entry as a URL path, read from its package.json exports. */
export function browserEntry(manifest) {
  const target = manifest.exports['.'].browser;
  if (typeof target !== 'string') throw new Error('the package has no "browser" export');
  return `/node_modules/${manifest.name}/${target.replace(/^\.\//, '')}`;
}

function indexPage(entry) {
  const importMap = JSON.stringify({ imports: { 'scalekit-mcp': entry } });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>scalekit-mcp in a browser</title>
<script type="importmap">${importMap}</script>
<script type="module" src="/pages/harness.mjs"></script>
</head><body><p id="status">loading</p></body></html>
`;
}

/** Serves `consumerDir`; resolves {url, close()}. */
export async function startStaticServer({ consumerDir, manifest }) {
  const entry = browserEntry(manifest);
  const served = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    served.push(path);
    try {
      if (path === '/' || path === '/index.html') {
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
        return res.end(indexPage(entry));
      }
      if (path === '/favicon.ico') {
        res.writeHead(204);
        return res.end();
      }
      let base;
      let rel;
      if (path.startsWith('/pages/')) [base, rel] = [pagesDir, path.slice('/pages/'.length)];
      else if (path.startsWith('/node_modules/')) [base, rel] = [join(consumerDir, 'node_modules'), path.slice('/node_modules/'.length)];
      else throw Object.assign(new Error('not found'), { status: 404 });
      const file = normalize(join(base, rel));
      if (!file.startsWith(normalize(base) + (base.endsWith(sep) ? '' : sep))) throw Object.assign(new Error('outside'), { status: 403 });
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch (err) {
      res.writeHead(err.status ?? 404, { 'content-type': 'text/plain' });
      res.end(err.code === 'ENOENT' ? 'not found' : String(err.message));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    entry,
    served: () => [...served],
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
