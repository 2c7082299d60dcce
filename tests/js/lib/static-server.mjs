// A small static file server on 127.0.0.1 for the browser test: the package
// at /, ../shared at /shared (read at test time, never copied).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED_DIR } from './schemas.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.wasm': 'application/wasm' };

// `aliases`: {urlPath: repoPath} served instead of the file at urlPath
// (a bundled app that relocates core.wasm); `requests` records every path.
export function serveStatic({ aliases = {}, requests = [] } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    const path = normalize(decodeURIComponent(aliases[url.pathname] ?? url.pathname));
    const file = path.startsWith('/shared/') ? join(SHARED_DIR, path.slice('/shared/'.length)) : join(ROOT, path);
    if (!file.startsWith(ROOT) && !file.startsWith(SHARED_DIR)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, port: server.address().port })));
}
