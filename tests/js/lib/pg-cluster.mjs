// A throwaway PostgreSQL cluster for the tests (issue 14): Debian's
// postgresql binaries, initdb in a temporary directory, listening on
// 127.0.0.1 at a free port (and a unix socket in the same directory), trust
// auth for the local user only. Run as the `postgres` user when the tests
// run as root (initdb refuses root). stop() removes everything.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

function binDir() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed (apt-get install postgresql; .ci/setup does)');
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

const freePort = () => new Promise((done) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => done(port)); });
});

export async function startCluster({ maxConnections = 100 } = {}) {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'adcp-pg-'));
  const pgUser = asRoot ? 'postgres' : userInfo().username;
  if (asRoot) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    const uid = id('-u'), gid = id('-g');
    chownSync(dir, uid, gid);
  }
  const run = (tool, args, opts = {}) => {
    const cmd = asRoot ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', ...opts });
    if (r.status !== 0 && !opts.allowFailure) throw new Error(`${tool} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r;
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', pgUser, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=${maxConnections} ` +
    '-c shared_buffers=64MB -c log_min_messages=warning';
  const start = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start']);
  const stopServer = (mode = 'fast') => run('pg_ctl', ['-D', data, '-w', '-t', '60', '-m', mode, 'stop'], { allowFailure: true });
  start();
  const url = `postgres://${pgUser}@127.0.0.1:${port}/postgres`;
  return {
    url, port, dir,
    /** Stops the server (`immediate`: like a crash) and starts it again after `downMs`. */
    async restart({ mode = 'immediate', downMs = 0 } = {}) {
      stopServer(mode);
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      start();
    },
    stopServer, startServer: start,
    psql: (sql) => run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', pgUser, '-d', 'postgres', '-At', '-c', sql]).stdout,
    stop() {
      stopServer('fast');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
