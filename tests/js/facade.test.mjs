// The JS facade on one backend (GOV_BACKEND=native|wasm): signing and
// public JWKs (verified with jose), hooks, errors, utilities, validate,
// callTool, state restore, dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { compactVerify, importJWK, decodeProtectedHeader } from 'jose';
import * as api from '../../js/node.js';
import { createFacade } from '../../js/facade.js';
import { platform as nodePlatform } from '../../js/node.js';
import { createNobleSigner } from '../../js/signer-noble.js';
import { SHARED_DIR } from './lib/schemas.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const BUYER = 'https://buyer.example.com';
const SELLER = 'https://seller.example.com';
const plan = (id = 'p1', extra = {}) => ({
  plan_id: id, brand: { domain: 'acme.example' }, objectives: 'Facade tests.',
  budget: { total: 1000, currency: 'USD', reallocation_unlimited: true },
  flight: { start: '2026-01-01T00:00:00Z', end: '2026-12-31T00:00:00Z' }, ...extra,
});
let keyN = 0;
const key = () => `facade-test-key-${String(++keyN).padStart(6, '0')}`;
const intent = (amount, extra = {}) => ({
  caller: BUYER, plan_id: 'p1', target_agent: SELLER, tool: 'create_media_buy', payload: { total_budget: amount }, ...extra,
});

async function agentWith(options = {}, facade = api) {
  const agent = await facade.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', ...options });
  assert.equal(agent.backend, backend);
  const r = agent.syncPlans({ idempotency_key: key(), plans: [plan()] }, BUYER);
  assert.equal(r.status, 'completed', JSON.stringify(r));
  return agent;
}

async function verifyToken(agent, token) {
  const jwk = agent.publicJwk();
  assert.equal(jwk.adcp_use, 'governance-signing');
  assert.deepEqual(jwk.key_ops, ['verify']);
  const { kid, alg } = decodeProtectedHeader(token);
  assert.equal(kid, jwk.kid);
  assert.equal(alg, jwk.alg);
  const { payload } = await compactVerify(token, await importJWK(jwk, jwk.alg), { crit: {
    authorized_commitment: true, authorized_task: true, authorized_payload_hash: true } });
  return JSON.parse(new TextDecoder().decode(payload));
}

test(`[${backend}] tokens from the default Node signer (node:crypto Ed25519) verify with jose`, async () => {
  const agent = await agentWith();
  const r = agent.checkGovernance(intent(100), BUYER);
  assert.equal(r.response.verdict, 'approved');
  const claims = await verifyToken(agent, r.response.governance_context);
  assert.equal(claims.iss, 'https://governance.example.com');
  assert.deepEqual(claims.authorized_commitment, { amount: 100, currency: 'USD' });
  // An execution token of the same action verifies too.
  const e = agent.checkGovernance({ caller: SELLER, governance_context: r.response.governance_context, phase: 'purchase',
    planned_delivery: { media_buy_id: 'mb_1', total_budget: 90, currency: 'USD' } }, SELLER);
  assert.equal(e.response.verdict, 'approved');
  assert.equal((await verifyToken(agent, e.response.governance_context)).phase, 'purchase');
  agent.dispose();
});

test(`[${backend}] a configured key (base64url seed), a kid, ES256, and the @noble/curves signer`, async () => {
  const seed = Buffer.alloc(32, 9).toString('base64url');
  for (const [label, facade, signing] of [
    ['node EdDSA', api, { kid: 'k-ed', privateKey: seed }],
    ['node ES256', api, { kid: 'k-es', alg: 'ES256' }],
    ['noble EdDSA', createFacade({ ...nodePlatform, createSigner: createNobleSigner }), { kid: 'k-noble', privateKey: seed }],
    ['noble ES256', createFacade({ ...nodePlatform, createSigner: createNobleSigner }), { alg: 'ES256', privateKey: seed }],
  ]) {
    const agent = await agentWith({ signing }, facade);
    const r = agent.checkGovernance(intent(50), BUYER);
    const claims = await verifyToken(agent, r.response.governance_context);
    assert.equal(claims.authorized_task, 'create_media_buy', label);
    agent.dispose();
  }
  // The same seed gives the same public key in both signers.
  const a = await agentWith({ signing: { kid: 'k', privateKey: seed } });
  const b = await agentWith({ signing: { kid: 'k', privateKey: seed } }, createFacade({ ...nodePlatform, createSigner: createNobleSigner }));
  assert.equal(a.publicJwk().x, b.publicJwk().x);
  assert.equal(a.publicJwk().kid, 'k');
});

test(`[${backend}] a host sign function (KMS style) and unsigned test tokens`, async () => {
  const seen = [];
  const agent = await agentWith({ signing: { kid: 'kms-1' }, sign: (input, alg, kid) => { seen.push([alg, kid]); return Buffer.alloc(64, 1).toString('base64url'); } });
  const r = agent.checkGovernance(intent(10), BUYER);
  assert.equal(r.response.verdict, 'approved');
  assert.deepEqual(seen, [['EdDSA', 'kms-1']]);
  assert.equal(agent.publicJwk(), null);  // no public key given
  await assert.rejects(api.createGovernanceAgent({ backend, issuer: 'https://g.example', sign: () => '' }), TypeError);
  const unsigned = await agentWith({ allow_unsigned_tokens: true });
  const t = unsigned.checkGovernance(intent(10), BUYER).response.governance_context;
  assert.equal(decodeProtectedHeader(t).alg, 'none');
  assert.ok(t.endsWith('.'));
});

test(`[${backend}] change sets are opt-in: written down with changeSets or onChange, applied by a twin`, async () => {
  // Default (an in-memory agent nobody persists): nothing is written down, the state still counts the change.
  const plain = await agentWith();
  assert.equal(plain.lastChangeSet(), null);
  const counted = JSON.parse(plain.exportState()).changes;
  assert.equal(counted, 1);
  // changeSets: true -> the sync's change set; onChange sees the same text.
  const seen = [];
  const producer = await agentWith({ changeSets: true, onChange: (c) => seen.push(c) });
  const changeSet = producer.lastChangeSet();
  assert.equal(typeof changeSet, 'string');
  assert.deepEqual(JSON.parse(changeSet).after, { changes: 1, seq: JSON.parse(producer.exportState()).seq });
  assert.deepEqual(seen, [changeSet]);
  // onChange alone turns them on.
  const observed = [];
  await agentWith({ onChange: (c) => observed.push(c) });
  assert.equal(observed.length, 1);
  // A read changes nothing: no change set.
  producer.getPlanAuditLogs({ plan_ids: ['p1'] }, BUYER);
  assert.equal(producer.lastChangeSet(), null);
  // The twin that applies it equals the producer (and the plain agent's state, counter included).
  const twin = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com' });
  twin.applyChangeSet(changeSet);
  assert.equal(twin.exportState(), producer.exportState());
  for (const a of [plain, producer, twin]) a.dispose();
});

// Issue 15: an audit entry reads its seq from its record, so a record
// becomes final once. A change set that finalizes a final check or outcome
// again (no agent writes one) is refused, not applied with a second seq.
test(`[${backend}] a change set that finalizes a final check or outcome again is INVALID_CHANGE_SET`, async () => {
  const refinalized = async (make) => {
    const agent = await agentWith({ changeSets: true });
    const last = JSON.parse(make(agent));
    const again = last.ops.find((o) => o.op === 'finalize_check' || o.op === 'finalize_outcome');
    assert.ok(again, JSON.stringify(last.ops.map((o) => o.op)));
    const set = { format: last.format, format_version: last.format_version,
      before: last.after, after: { changes: last.after.changes + 1, seq: last.after.seq + 1 }, ops: [again] };
    try {
      assert.throws(() => agent.applyChangeSet(JSON.stringify(set)),
        (e) => e.code === 'INVALID_CHANGE_SET' && e.field === again.op.slice('finalize_'.length));
    } finally {
      agent.dispose();
    }
  };
  await refinalized((agent) => {
    const r = agent.checkGovernance(intent(100), BUYER);
    assert.equal(r.response.verdict, 'approved', JSON.stringify(r));
    return agent.lastChangeSet();
  });
  await refinalized((agent) => {
    const c = agent.checkGovernance(intent(100), BUYER).response;
    const o = agent.reportPlanOutcome({ idempotency_key: key(), plan_id: 'p1', check_id: c.check_id,
      governance_context: c.governance_context, outcome: 'completed', seller_response: { seller_reference: 'mb_1' } }, BUYER);
    assert.equal(o.status, 'completed', JSON.stringify(o));
    return agent.lastChangeSet();
  });
});

// Issue 15: the token index keeps 32 bits of a token's digest and confirms a
// match against the check's own token, so a check's token is set once. A
// change set that approves an approved check again, or mints a token for a
// check that has one (no agent writes either), is refused.
test(`[${backend}] a change set that issues a second token for a check is INVALID_CHANGE_SET`, async () => {
  for (const which of ['approve_intent', 'mint_token']) {
    const agent = await agentWith({ changeSets: true });
    try {
      const r = agent.checkGovernance(intent(100), BUYER);
      assert.equal(r.response.verdict, 'approved', JSON.stringify(r));
      const last = JSON.parse(agent.lastChangeSet());
      const approve = last.ops.find((o) => o.op === 'approve_intent');
      assert.ok(approve, JSON.stringify(last.ops.map((o) => o.op)));
      const op = which === 'approve_intent' ? approve
        : { op: 'mint_token', check: approve.check, token: approve.token.replace(/.$/, 'A'), expires_at: approve.expires_at, body: '{}' };
      const set = { format: last.format, format_version: last.format_version,
        before: last.after, after: { changes: last.after.changes + 1, seq: last.after.seq }, ops: [op] };
      const before = agent.exportState();
      assert.throws(() => agent.applyChangeSet(JSON.stringify(set)), (e) => e.code === 'INVALID_CHANGE_SET' && e.field === 'check', which);
      assert.equal(agent.exportState(), before, which);
    } finally {
      agent.dispose();
    }
  }
});

test(`[${backend}] construction errors are TypeErrors`, async () => {
  await assert.rejects(api.createGovernanceAgent({ backend }), TypeError);
  await assert.rejects(api.createGovernanceAgent({ backend, issuer: 'http://plain.example' }), /https/);
  await assert.rejects(api.createGovernanceAgent({ backend, issuer: 'https://g.example', intent_token_ttl_seconds: 5000 }), TypeError);
  await assert.rejects(api.createGovernanceAgent({ backend, issuer: 'https://g.example', state: '{"not":"state"}' }), TypeError);
});

test(`[${backend}] a state restores from its UTF-8 bytes as from its text; damaged bytes are INVALID_STATE`, async () => {
  const agent = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com' });
  await agent.syncPlans({ idempotency_key: 'bytes-sync-00000001', plans: [{ plan_id: 'p-bytes', brand: { domain: 'bytes.example' },
    objectives: 'Bytes – café.', budget: { total: 1000, currency: 'EUR', reallocation_unlimited: true },
    flight: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' } }] }, 'https://buyer.example.com');
  const text = agent.exportState();
  agent.dispose();
  const restored = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', state: Buffer.from(text, 'utf8') });
  assert.equal(restored.exportState(), text);
  restored.dispose();
  const view = new TextEncoder().encode(`xx${text}`).subarray(2);  // a view into a larger buffer
  const fromView = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', state: view });
  assert.equal(fromView.exportState(), text);
  fromView.dispose();
  const bytes = Buffer.from(text, 'utf8');
  bytes[bytes.indexOf('caf') + 3] = 0xff;  // not UTF-8 any more
  await assert.rejects(api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', state: bytes }),
    (e) => e instanceof TypeError && e.code === 'INVALID_STATE');
});

// Issue 15: the WASM binding moves texts with TextEncoder and TextDecoder
// instead of Embind's byte loops; both backends must carry every character.
test(`[${backend}] texts cross the binding whole: non-ASCII, astral, U+0000 and U+2028 in requests, answers, hooks and state`, async () => {
  const odd = 'café – 😀 \u0000 \u2028 \ud7ff\ue000 \ufffd 日本';
  const agent = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', clock: () => 1767225600000,
    hooks: { resolveBrand: () => ({ resolvable: true, industries: [odd] }) } });  // a hook's answer crosses too
  const r = agent.syncPlans({ idempotency_key: key(), plans: [plan('p-odd', { objectives: odd })] }, BUYER);
  assert.equal(r.status, 'completed', JSON.stringify(r));
  const audit = agent.getPlanAuditLogs({ plan_ids: ['p-odd'] }, BUYER);
  assert.equal(audit.status, 'completed');
  const text = agent.exportState();
  const stored = JSON.parse(text).plans[0];
  assert.equal(JSON.parse(stored.revisions[0].plan).objectives, odd);  // opaque values are JSON text in a state document
  assert.deepEqual(JSON.parse(stored.brand).industries, [odd]);
  assert.equal(api.canonicalize({ s: odd }), `{"s":${JSON.stringify(odd)}}`);
  for (const state of [text, Buffer.from(text, 'utf8')]) {
    const restored = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', state });
    assert.equal(restored.exportState(), text);
    assert.deepEqual(restored.getPlanAuditLogs({ plan_ids: ['p-odd'] }, BUYER), audit);
    restored.dispose();
  }
  agent.dispose();
});

test(`[${backend}] what is not JSON is a TypeError before any backend sees it; no change set is reported twice`, async () => {
  const seen = [];
  const agent = await agentWith({ onChange: (changeSet) => seen.push(changeSet) });
  assert.equal(seen.length, 1);  // the sync
  const before = agent.exportState();
  for (const wrong of [() => {}, Symbol('s')]) {
    assert.throws(() => agent.checkGovernance(wrong, BUYER), TypeError);
    assert.throws(() => agent.admin(wrong), TypeError);
    assert.throws(() => agent.getPlanAuditLogs({ plan_ids: ['p1'] }, wrong), TypeError);
  }
  assert.throws(() => agent.admin(undefined), TypeError);
  assert.throws(() => agent.callRaw(7, {}, BUYER), TypeError);
  assert.equal(seen.length, 1);
  assert.equal(agent.exportState(), before);
  agent.dispose();
});

// Below the facade each binding defends itself: the add-on throws a
// TypeError, the WASM binding answers (a throw would unwind through WASM
// frames) and reports no stale change set afterwards.
test(`[${backend}] the backend handle refuses a non-string argument and goes on`, async () => {
  const core = await nodePlatform.loadBackend(backend);
  const handle = new core.CoreAgent(JSON.stringify({ issuer: 'https://governance.example.com', allow_unsigned_tokens: true, change_sets: true }),
    { nowMs: () => 1767225600000, randomBytes: (n) => new Uint8Array(n).fill(7) }, '');
  assert.equal(handle.error(), '');
  const sync = JSON.parse(handle.call('sync_plans', JSON.stringify({ idempotency_key: key(), plans: [plan()] }), JSON.stringify({ agent_url: BUYER })));
  assert.equal(sync.status, 'completed', JSON.stringify(sync));
  assert.notEqual(handle.lastChangeSet(), '');
  const before = handle.exportState();
  for (const [task, request, auth] of [['sync_plans', 42, '{}'], ['sync_plans', null, '{}'], [7, '{}', '{}'], ['sync_plans', '{}', {}],
    ['sync_plans', new TextEncoder().encode('{}'), '{}']]) {
    if (backend === 'native') {
      assert.throws(() => handle.call(task, request, auth), TypeError);
      continue;
    }
    const answer = JSON.parse(handle.call(task, request, auth));
    assert.deepEqual([answer.status, answer.errors[0].code, answer.errors[0].recovery], ['failed', 'INVALID_ARGUMENT', 'correctable']);
    assert.equal(handle.lastChangeSet(), '');
  }
  assert.equal(handle.exportState(), before);
  const audit = JSON.parse(handle.call('get_plan_audit_logs', JSON.stringify({ plan_ids: ['p1'] }), JSON.stringify({ agent_url: BUYER })));
  assert.equal(audit.status, 'completed', JSON.stringify(audit));
  core.dispose(handle);
});

test(`[${backend}] hooks: objects in and out, throwing or async hooks fail the call and change nothing`, async () => {
  let brandSeen = null;
  const agent = await api.createGovernanceAgent({
    backend, issuer: 'https://governance.example.com', id_mode: 'sequential',
    hooks: {
      resolveBrand: (brand) => { brandSeen = brand; return { resolvable: true, industries: ['banking'] }; },
      evaluatePolicies: (ctx) => { if (ctx.amount > 500) throw new Error('policy engine down'); return { findings: [] }; },
    },
  });
  const s = agent.syncPlans({ idempotency_key: key(), plans: [plan('p1', { brand: { domain: 'acme.example', data_subject_contestation: { email: 'dpo@acme.example' } }, custom_policies: [{ policy_id: 'c', enforcement: 'must', policy: 'x' }] })] }, BUYER);
  assert.equal(s.status, 'completed');
  assert.deepEqual(brandSeen, { domain: 'acme.example', data_subject_contestation: { email: 'dpo@acme.example' } });
  const before = agent.exportState();
  const r = agent.checkGovernance(intent(600), BUYER);
  assert.equal(r.status, 'failed');
  assert.equal(r.errors[0].code, 'SERVICE_UNAVAILABLE');
  assert.match(r.errors[0].message, /policy engine down/);
  assert.equal(agent.exportState(), before);
  // industry banking triggers human review: submitted.
  assert.equal(agent.checkGovernance(intent(100), BUYER).status, 'submitted');
  const asyncAgent = await api.createGovernanceAgent({ backend, issuer: 'https://g.example', clock: async () => Date.now() });
  const a = asyncAgent.syncPlans({ idempotency_key: key(), plans: [plan()] }, BUYER);
  assert.equal(a.errors[0].code, 'SERVICE_UNAVAILABLE');
  assert.match(a.errors[0].message, /synchronous/);
});

test(`[${backend}] validate, utilities and callTool`, async () => {
  await api.init({ backend });
  const bad = api.validate('syncPlans', { idempotency_key: 'x', plans: [] });
  assert.equal(bad.status, 'failed');
  assert.equal(bad.errors[0].field, 'idempotency_key');
  assert.deepEqual(api.validate('report_plan_outcome', { idempotency_key: 'valid-key-00000001', plan_id: 'p', outcome: 'failed', check_id: 'c', governance_context: 't', error: {} }),
    { status: 'completed', response: { valid: true } });
  assert.equal(api.validate('check_governance', { caller: BUYER, plan_id: 'p' }).errors[0].field, 'tool');
  assert.equal(api.validate('no_such_task', {}).errors[0].code, 'INVALID_REQUEST');
  const dir = join(SHARED_DIR, 'adcp', 'test-vectors', 'plan-hash');
  for (const f of readdirSync(dir)) {
    const v = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    assert.equal(api.planHash(v.plan_as_supplied), v.expected.plan_hash, f);
    assert.equal(api.canonicalize(v.expected.preimage), v.expected.jcs_bytes, f);
  }
  assert.equal(api.canonicalize('{"b":1e21,"a":-0}'), '{"a":0,"b":1e+21}');
  assert.throws(() => api.canonicalize('{"a":1,"a":2}'), TypeError);
  assert.equal(api.payloadHash({ idempotency_key: 'gov-vector-0000001', account: { account_id: 'acc_1' }, amount: 1, governance_context: 'ignored', context: { trace_id: 'ignored' } }),
    'OrcCZzXfg4C0qPeOQje78UxK_cohzFsL0mdxxvdIUVc');
  assert.match(api.statementDigest('mb', { statement_id: 's' }), /^sha256:[0-9a-f]{64}$/);
  const agent = await agentWith();
  const wire = agent.callTool('get_plan_audit_logs', { plan_ids: ['p1'] }, BUYER);
  assert.equal(wire.status, 'completed');
  assert.equal(wire.plans[0].plan_id, 'p1');
  const failed = agent.callTool('get_plan_audit_logs', { plan_ids: ['nope'] }, BUYER);
  assert.equal(failed.status, 'failed');
  assert.deepEqual(failed.adcp_error, failed.errors[0]);
});

test(`[${backend}] state restore continues the agent, replays included; dispose ends it`, async () => {
  const agent = await agentWith({ id_mode: 'sequential', clock: () => 1767225600000 });
  const req = { idempotency_key: 'restore-test-key-0001', plans: [plan('p2')] };
  const first = agent.syncPlans(req, BUYER);
  const state = agent.exportState();
  agent.dispose();
  assert.throws(() => agent.syncPlans(req, BUYER), /disposed/);
  const restored = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', id_mode: 'sequential',
    clock: () => 1767225600000, state });
  assert.equal(restored.exportState(), state);
  const again = restored.syncPlans(req, BUYER);
  assert.equal(again.replayed, true);
  assert.deepEqual(again.response.plans, first.response.plans);
});

test('the CommonJS entry loads the same API', async () => {
  const require = createRequire(import.meta.url);
  const cjs = require('../../js/node.cjs');
  const agent = await cjs.createGovernanceAgent({ backend, issuer: 'https://governance.example.com' });
  assert.equal(agent.backend, backend);
  assert.equal(cjs.planHash({ a: 1 }), api.planHash({ a: 1 }));
});
