// README's main job (`npm start` = `adcp-governance start`): the server on
// the embedded default seeds the demo plan once, writes demo credentials it
// never prints, and `demo --url` runs the governance loop against it through
// a real MCP client, on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BIN = fileURLToPath(new URL('../../js/bin.js', import.meta.url));
const backend = process.env.GOV_BACKEND ?? 'native';

function start(dir) {
  const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dir, '--port', '0', '--backend', backend],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((ready, failed) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (/try +npx adcp-governance demo/.test(out)) ready({ child, out, url: /serving .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)[1] });
    });
    child.on('exit', (code) => failed(new Error(`start exited ${code}: ${out}`)));
  });
}
const stop = (child) => new Promise((done) => { child.on('exit', (code) => done(code)); child.kill('SIGTERM'); });

test(`[${backend}] npm start: seeded server, demo over MCP, restart keeps the data`, { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'adcp-start-'));
  try {
    const first = await start(dir);
    assert.match(first.out, /MCP +http:\/\/127\.0\.0\.1:\d+\/mcp/);
    assert.match(first.out, /JWKS +http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/);
    assert.match(first.out, /seeded +the demo plan spring_launch/);
    const credentials = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8'));
    assert.equal(statSync(join(dir, 'demo-credentials.json')).mode & 0o777, 0o600);
    for (const secret of Object.values(credentials)) assert.ok(!first.out.includes(secret), 'a secret was printed');

    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'demo', '--url', `${first.url}/mcp`,
      '--credentials', join(dir, 'demo-credentials.json')]);
    assert.match(stdout, /check_governance: StreamCo olv buy, \$12,000 +approved/);
    assert.match(stdout, /check_governance: NewsNet display in Mexico, \$10,000 +denied/);
    assert.match(stdout, /seller verified the token/);
    assert.match(stdout, /report_plan_adjustment \(owner\): accept +verified/);
    assert.match(stdout, /committed \$11,000, net cost \$10,750, remaining \$39,000/);
    // Without credentials the server refuses the demo (401 from the MCP endpoint).
    await assert.rejects(promisify(execFile)(process.execPath, [BIN, 'demo', '--url', `${first.url}/mcp`, '--token', 'nope',
      '--seller-token', 'nope']));
    assert.equal(await stop(first.child), 0);

    // A restart reads the data back: no second seed.
    const second = await start(dir);
    assert.doesNotMatch(second.out, /seeded/);
    assert.equal(await stop(second.child), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
