// The native CLI (issue "Core foundation" §7, "check_governance"
// acceptance): plan-hash vectors, a governance loop signed by libsodium
// whose tokens verify with node:crypto, reproducible runs and state files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { SHARED_DIR } from './lib/schemas.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = process.env.ADCP_CLI ?? join(root, 'build', 'adcp-governance');
const tmp = mkdtempSync(join(tmpdir(), 'adcp-cli-'));
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });
const lines = (out) => out.trim().split('\n').map((l) => JSON.parse(l));

test('07 §2 every plan_hash vector reproduces through `adcp-governance plan-hash`', () => {
  const dir = join(SHARED_DIR, 'adcp', 'test-vectors', 'plan-hash');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.equal(files.length, 11);
  for (const f of files) {
    const vector = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const planFile = join(tmp, f);
    writeFileSync(planFile, JSON.stringify(vector.plan_as_supplied, null, 2));
    assert.equal(cli('plan-hash', planFile).trim(), vector.expected.plan_hash, f);
    const preimageFile = join(tmp, 'preimage-' + f);
    writeFileSync(preimageFile, JSON.stringify(vector.expected.preimage, null, 2));
    assert.equal(cli('jcs', preimageFile).trim(), vector.expected.jcs_bytes, f);
  }
});

test('03 §10 the governance loop: approval, conditions and denial, tokens verify against the public JWK', () => {
  const keyFile = join(tmp, 'signing.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64url') + '\n');
  const jwk = JSON.parse(cli('public-jwk', '--signing-key', keyFile, '--kid', 'cli-test'));
  assert.equal(jwk.kty, 'OKP');
  assert.equal(jwk.crv, 'Ed25519');
  assert.equal(jwk.kid, 'cli-test');
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  const results = lines(cli('run', join(root, 'examples', 'governance-loop.jsonl'), '--signing-key', keyFile,
    '--kid', 'cli-test', '--issuer', 'https://governance.acme.example'));
  const verdicts = results.map((r) => r.response?.verdict).filter(Boolean);
  for (const v of ['approved', 'conditions', 'denied']) assert.ok(verdicts.includes(v), `a ${v} check`);
  const tokens = results.map((r) => r.response?.governance_context).filter(Boolean);
  assert.ok(tokens.length >= 4);
  for (const token of tokens) {
    const [h, c, s] = token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    assert.deepEqual([header.alg, header.kid, header.typ], ['EdDSA', 'cli-test', 'adcp-gov+jws']);
    assert.ok(verify(null, Buffer.from(`${h}.${c}`), key, Buffer.from(s, 'base64url')), 'signature verifies');
    assert.equal(JSON.parse(Buffer.from(c, 'base64url')).iss, 'https://governance.acme.example');
    // A flipped bit fails.
    const sig = Buffer.from(s, 'base64url');
    sig[0] ^= 1;
    assert.ok(!verify(null, Buffer.from(`${h}.${c}`), key, sig));
  }
  const audit = results.at(-1).response.plans[0];
  assert.equal(audit.budget.gross_committed, 11000);
  assert.equal(audit.budget.adjustments_verified, 250);
  assert.equal(audit.summary.statuses.approved, 4);
  assert.equal(audit.summary.statuses.conditions, 1);
  assert.equal(audit.summary.statuses.denied, 1);
});

test('README determinism: --seed and a fixed clock reproduce a run byte for byte; state files continue it', () => {
  const keyFile = join(tmp, 'fixed.key');
  writeFileSync(keyFile, Buffer.alloc(32, 7).toString('base64url'));
  const args = ['run', join(root, 'examples', 'governance-loop.jsonl'), '--signing-key', keyFile, '--seed', '42'];
  const stateFile = join(tmp, 'state.json');
  const a = cli(...args, '--state-out', stateFile);
  const b = cli(...args);
  assert.equal(a, b);
  // Re-sending the last keyed call (same clock) against the saved state replays it.
  const all = readFileSync(join(root, 'examples', 'governance-loop.jsonl'), 'utf8').split('\n');
  const review = JSON.parse(all.find((l) => l.includes('loop-review-0001')));
  review.now = '2026-03-07T12:00:00Z';
  review.request.adjustment_id = 'adj_unused';  // differs: must not replay ...
  const callFile = join(tmp, 'replay.jsonl');
  writeFileSync(callFile, JSON.stringify(review) + '\n');
  const [conflict] = lines(cli('run', callFile, '--signing-key', keyFile, '--state-in', stateFile));
  assert.equal(conflict.errors[0].code, 'IDEMPOTENCY_CONFLICT');
  const original = JSON.parse(all.find((l) => l.includes('loop-review-0001')));
  original.now = '2026-03-07T12:00:00Z';
  original.request.adjustment_id = JSON.parse(a.trim().split('\n').at(-3)).response.adjustment_id;  // ... the same does
  writeFileSync(callFile, JSON.stringify(original) + '\n');
  const [replay] = lines(cli('run', callFile, '--signing-key', keyFile, '--state-in', stateFile));
  assert.equal(replay.replayed, true);
  assert.equal(replay.response.replayed, true);
});

// Issue 11: one step language (js/step-language.json) for both CLIs and both
// scenario runners. Every corpus scenario runs through the native CLI
// (libsodium signer) and the package CLI on WASM with the same key and seed:
// every expect / state_unchanged holds on both, and their outputs are
// byte-identical.
test('one step language: every corpus scenario passes its checks through the native CLI and the package CLI alike', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seedFile = join(tmp, 'steps.seed'), jwkFile = join(tmp, 'steps.jwk.json'), configFile = join(tmp, 'steps-config.json');
  writeFileSync(seedFile, jwk.d);
  writeFileSync(jwkFile, JSON.stringify(jwk));
  writeFileSync(configFile, JSON.stringify({ id_mode: 'sequential' }));  // the corpus' ids
  const common = ['--config', configFile, '--kid', 'k1', '--seed', '7', '--issuer', 'https://governance.example.com'];
  const dir = join(root, 'tests', 'fixtures', 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 10);
  for (const f of files) {
    const native = cli('run', join(dir, f), '--signing-key', seedFile, ...common);
    const js = execFileSync(process.execPath, [join(root, 'js', 'bin.js'), 'run', join(dir, f), '--signing-key', jwkFile,
      '--backend', 'wasm', ...common], { encoding: 'utf8' });
    assert.ok(native.trim().split('\n').length >= 3, f);
    assert.equal(js, native, f);
  }
});

test('one step language: a failed check exits 1 with the same message from both CLIs', () => {
  const file = join(tmp, 'failing.jsonl');
  writeFileSync(file, [
    JSON.stringify({ now: '2026-01-01T00:00:00Z', task: 'get_plan_audit_logs', as: 'https://buyer.example.com',
      request: { plan_ids: ['nope'] }, expect: { status: 'completed' }, note: 'an unknown plan fails' }),
    JSON.stringify({ task: 'sync_plans', as: 'https://buyer.example.com', requst: {} }),
  ].join('\n') + '\n');
  const runOf = (cmd, args) => {
    try {
      execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { status: 0 };
    } catch (e) {
      return { status: e.status, stderr: e.stderr };
    }
  };
  const native = runOf(CLI, ['run', file]);
  const js = runOf(process.execPath, [join(root, 'js', 'bin.js'), 'run', file]);
  assert.equal(native.status, 1);
  assert.equal(js.status, 1);
  assert.equal(native.stderr, 'line 1: $.status: expected "completed", got "failed"\nline 2: unknown step key "requst"\n');
  assert.equal(js.stderr, native.stderr);
});
