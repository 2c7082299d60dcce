// workerd plumbing shared by the workerd tests: a free loopback port, the
// worker bundled as wrangler does (esbuild, `workerd` condition; core.wasm
// stays a separate Wasm module, workerd cannot compile from bytes), and a
// workerd process that answers (404 on an unknown path) before it returns.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WORKERD = join(root, 'node_modules', '.bin', 'workerd');

export const freePort = () => new Promise((done) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => done(port)); });
});

/** Bundles `entry` (a path under the repository) to DIR/w/worker.mjs. */
export function bundleWorker(entry, dir) {
  execFileSync(join(root, 'node_modules', '.bin', 'esbuild'), [join(root, entry), '--bundle',
    '--format=esm', '--platform=neutral', '--conditions=workerd,worker,browser', '--main-fields=browser,module,main',
    '--external:*.wasm', `--outfile=${join(dir, 'w', 'worker.mjs')}`, '--log-level=warning']);
}

/** Starts `workerd serve CONFIG` and waits until 127.0.0.1:PORT answers; {proc, output()}. */
export async function startWorkerd(config, port) {
  const proc = spawn(WORKERD, ['serve', config, '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  for (let i = 0; i < 150; ++i) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/nope`)).status === 404) return { proc, output: () => output };
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  proc.kill('SIGKILL');
  throw new Error(`workerd did not start:\n${output}`);
}
