// `serve` (issue 13) as users reach it: the official MCP SDK client over
// HTTP on 127.0.0.1, curl-like fetches, jose verifying tokens against the
// published JWKS. On one backend (GOV_BACKEND).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { BUYER, SELLER, TOKENS, mcpClient, plan, startServer } from './lib/server-harness.mjs';
import { canonicalize, init } from '../../js/node.js';
import { generateKeyFile } from '../../js/keys.js';

const backend = process.env.GOV_BACKEND ?? 'native';
let keyN = 0;
const key = (p = 'serve') => `${p}-test-key-${String(++keyN).padStart(6, '0')}`;
// Human review needs a data-subject contestation contact on the brand (02 §5).
const REVIEWED = { human_review_required: true, brand: { domain: 'acme.example', data_subject_contestation: { email: 'privacy@acme.example' } } };
const call = async (client, name, args) => (await client.callTool({ name, arguments: args })).structuredContent;
const intent = (amount, planId = 'p1') => ({ caller: BUYER, plan_id: planId, target_agent: SELLER, tool: 'create_media_buy',
  payload: { total_budget: amount } });

async function verifyWithJwks(base, token) {
  const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
  return compactVerify(token, createLocalJWKSet(jwks),
    { crit: { authorized_commitment: true, authorized_task: true, authorized_payload_hash: true } });
}

test(`[${backend}] the official MCP client lists the tools and calls every one; a 3.2 lifecycle over HTTP`, async () => {
  await init({ backend });
  const srv = await startServer({ backend });
  try {
    const buyer = await mcpClient(srv.url, TOKENS.buyer);
    const seller = await mcpClient(srv.url, TOKENS.seller);
    const names = (await buyer.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['check_governance', 'get_adcp_capabilities', 'get_plan_audit_logs', 'list_accounts',
      'report_plan_adjustment', 'report_plan_outcome', 'sync_accounts', 'sync_plans']);
    const caps = await call(buyer, 'get_adcp_capabilities', {});
    assert.deepEqual(caps.specialisms, ['governance-spend-authority', 'governance-delivery-monitor']);
    assert.ok(caps.adcp.supported_versions.includes('3.2'));
    assert.equal(caps.adcp.idempotency.supported, true);

    // Accounts.
    const accounts = await call(buyer, 'sync_accounts', { idempotency_key: key(), accounts: [
      { brand: { domain: 'acme.example' }, operator: 'pinnacle-agency.example', billing: 'operator' }] });
    assert.equal(accounts.accounts[0].action, 'created');
    assert.equal(accounts.accounts[0].status, 'active');
    const listed = await call(buyer, 'list_accounts', {});
    assert.equal(listed.accounts.length, 1);
    assert.equal(listed.accounts[0].account_id, accounts.accounts[0].account_id);
    assert.equal((await call(seller, 'list_accounts', {})).accounts.length, 0, 'accounts are the caller\'s own');

    // Plans: a normal one and one that needs human review.
    const sync = await call(buyer, 'sync_plans', { idempotency_key: key(), plans: [plan('p1', 10000),
      plan('reviewed', 10000, REVIEWED)] });
    assert.equal(sync.status, 'completed');
    assert.deepEqual(sync.plans.map((p) => p.status), ['active', 'active']);

    // Intent: approved (token verified against the JWKS), denied, escalated.
    const approved = await call(buyer, 'check_governance', intent(4000));
    assert.equal(approved.verdict, 'approved');
    const { payload, protectedHeader } = await verifyWithJwks(srv.url, approved.governance_context);
    assert.equal(protectedHeader.typ, 'adcp-gov+jws');
    assert.equal(JSON.parse(new TextDecoder().decode(payload)).authorized_commitment.amount, 4000);
    const denied = await buyer.callTool({ name: 'check_governance', arguments: { ...intent(4000), target_agent: 'https://not-approved.example' ,
      plan_id: 'p1', payload: { total_budget: 1e7 } } });
    assert.equal(denied.structuredContent.verdict, 'denied');
    const escalated = await call(buyer, 'check_governance', intent(100, 'reviewed'));
    assert.equal(escalated.status, 'submitted');
    const resolved = await fetch(`${srv.url}/admin`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}` },
      body: JSON.stringify({ op: 'resolve_escalation', task_id: escalated.task_id, decision: 'approve', reviewer: 'cfo@acme.example' }) });
    assert.equal(resolved.status, 200);

    // Seller: purchase confirmation, then a delivery statement with its digest.
    const purchase = await call(seller, 'check_governance', { caller: SELLER, governance_context: approved.governance_context,
      phase: 'purchase', planned_delivery: { media_buy_id: 'mb_http_1', total_budget: 3500, currency: 'USD' } });
    assert.equal(purchase.verdict, 'approved', JSON.stringify(purchase));
    const metrics = { statement_id: 'st_1', sequence: 1, issued_at: '2026-03-02T00:00:00Z',
      reporting_period: { start: '2026-03-01T00:00:00Z', end: '2026-03-02T00:00:00Z' }, cumulative_spend: 500, currency: 'USD' };
    metrics.statement_digest = 'sha256:' + createHash('sha256').update(canonicalize({ seller_reference: 'mb_http_1', delivery_metrics: metrics })).digest('hex');
    const delivery = await call(seller, 'check_governance', { caller: SELLER, governance_context: purchase.governance_context,
      phase: 'delivery', planned_delivery: { media_buy_id: 'mb_http_1' }, delivery_metrics: metrics });
    assert.equal(delivery.verdict, 'approved', JSON.stringify(delivery));

    // Buyer: settle and observe; seller: an adjustment the buyer accepts.
    const settled = await call(buyer, 'report_plan_outcome', { idempotency_key: key(), plan_id: 'p1', check_id: approved.check_id,
      governance_context: approved.governance_context, outcome: 'completed', seller_response: { seller_reference: 'mb_http_1' } });
    assert.equal(settled.committed_budget, 3500);
    const observed = await call(buyer, 'report_plan_outcome', { idempotency_key: key(), plan_id: 'p1', check_id: delivery.check_id,
      governance_context: delivery.governance_context, outcome: 'delivery', delivery: { observation_id: 'obs_1',
        source: 'buyer_measurement', observed_at: '2026-03-02T00:00:00Z', reporting_period: metrics.reporting_period,
        cumulative_spend: 500, currency: 'USD' } });
    assert.equal(observed.delivery_reconciliation_status, 'consistent');
    const adjustment = await call(seller, 'report_plan_adjustment', { idempotency_key: key(), action: 'report', plan_id: 'p1',
      outcome_id: settled.outcome_id, seller_reference: 'mb_http_1', seller_adjustment_id: 'sadj_1', adjustment_type: 'decommitment',
      amount: { amount: 1000, currency: 'USD' }, reason: 'Underdelivery.', effective_at: '2026-03-03T00:00:00Z',
      evidence: { evidence_type: 'decommitment_agreement', evidence_id: 'ev_1', issued_at: '2026-03-03T00:00:00Z',
        digest: 'sha256:' + 'b'.repeat(64) } });
    assert.equal(adjustment.adjustment_state, 'reported', JSON.stringify(adjustment));
    const review = await call(buyer, 'report_plan_adjustment', { idempotency_key: key(), action: 'review', plan_id: 'p1',
      adjustment_id: adjustment.adjustment_id, decision: 'accept', reason: 'Agreed.' });
    assert.equal(review.adjustment_state, 'verified', JSON.stringify(review));

    const audit = await call(buyer, 'get_plan_audit_logs', { plan_ids: ['p1', 'reviewed'], include_entries: true });
    const p1 = audit.plans.find((p) => p.plan_id === 'p1');
    assert.equal(p1.budget.committed, 2500);
    assert.ok(p1.entries.length >= 5);
    // A stranger sees no plan (not found = not yours); failures are isError with adcp_error.
    const stranger = await mcpClient(srv.url, TOKENS.acme, '/t/acme/mcp');
    const hidden = await stranger.callTool({ name: 'get_plan_audit_logs', arguments: { plan_ids: ['p1'] } });
    assert.equal(hidden.isError, true);
    assert.equal(hidden.structuredContent.adcp_error.code, 'PLAN_NOT_FOUND');
    const invalid = await buyer.callTool({ name: 'check_governance', arguments: { plan_id: 7 } });
    assert.equal(invalid.isError, true);
    assert.deepEqual(Object.keys(invalid.structuredContent.adcp_error).sort(), ['code', 'field', 'message', 'recovery']);
    // context is echoed.
    const echoed = await call(buyer, 'get_plan_audit_logs', { plan_ids: ['p1'], context: { trace: 'abc' } });
    assert.deepEqual(echoed.context, { trace: 'abc' });
    await Promise.all([buyer.close(), seller.close(), stranger.close()]);
  } finally {
    await srv.close();
  }
});

test(`[${backend}] keys: tokens verify against /.well-known/jwks.json before and after a rotation; revocations`, async () => {
  const first = await startServer({ backend });
  const dir = first.dir;
  let oldToken;
  try {
    const buyer = await mcpClient(first.url, TOKENS.buyer);
    await call(buyer, 'sync_plans', { idempotency_key: key('rot'), plans: [plan('p1')] });
    oldToken = (await call(buyer, 'check_governance', intent(100))).governance_context;
    await verifyWithJwks(first.url, oldToken);
    await buyer.close();
  } finally {
    await first.close();
  }
  // Rotate: a new current key; the old one stays published as previous.
  const oldKid = decodeProtectedHeader(oldToken).kid;
  const newKeyFile = join(dir, 'new-key.json');
  generateKeyFile(newKeyFile, 'gov-rotated');
  const second = await startServer({ backend, dir, config: { tenants: { default: { signing: { kid: 'gov-rotated',
    private_key_file: newKeyFile, previous: [{ private_key_file: join(dir, 'data', 'tenants', 'default', 'signing-key.json'), kid: oldKid }] } },
    acme: {} } } });
  try {
    const jwks = await (await fetch(`${second.url}/.well-known/jwks.json`)).json();
    assert.deepEqual(jwks.keys.map((k) => k.kid), ['gov-rotated', oldKid]);
    await verifyWithJwks(second.url, oldToken);  // issued before the rotation
    const buyer = await mcpClient(second.url, TOKENS.buyer);
    const fresh = await call(buyer, 'check_governance', intent(100));
    assert.equal(decodeProtectedHeader(fresh.governance_context).kid, 'gov-rotated');
    await verifyWithJwks(second.url, fresh.governance_context);
    // Revoke the old token: listed (signed), and a seller can no longer use it.
    const revoke = await fetch(`${second.url}/admin`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}` },
      body: JSON.stringify({ op: 'revoke_token', governance_context: oldToken, reason: 'test' }) });
    assert.equal(revoke.status, 200);
    const list = await (await fetch(`${second.url}/.well-known/governance-revocations.json`)).json();
    const oldJti = JSON.parse(Buffer.from(oldToken.split('.')[1], 'base64url')).jti;
    assert.deepEqual(list.revoked.map((r) => r.jti), [oldJti]);
    const { payload, protectedHeader } = await compactVerify(list.jws, createLocalJWKSet(jwks));
    assert.equal(protectedHeader.typ, 'adcp-gov-revocation+jws');
    assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)).revoked.map((r) => r.jti), [oldJti]);
    const seller = await mcpClient(second.url, TOKENS.seller);
    const refused = await seller.callTool({ name: 'check_governance', arguments: { caller: SELLER, governance_context: oldToken,
      phase: 'purchase', planned_delivery: { media_buy_id: 'mb_r', total_budget: 100, currency: 'USD' } } });
    assert.equal(refused.isError, true);
    assert.match(refused.structuredContent.adcp_error.message, /revoked/);
    await Promise.all([buyer.close(), seller.close()]);
  } finally {
    await second.close();
  }
});

test(`[${backend}] tenants, auth, health, metrics and the outcomes routes`, async () => {
  const srv = await startServer({ backend });
  try {
    const post = (path, token, body = { jsonrpc: '2.0', id: 1, method: 'tools/list' }) => fetch(`${srv.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const noAuth = await post('/mcp');
    assert.equal(noAuth.status, 401);
    assert.match(noAuth.headers.get('www-authenticate'), /^Bearer realm="adcp-governance"/);
    assert.equal((await post('/mcp', 'wrong-token')).status, 401);
    assert.equal((await post('/mcp', TOKENS.acme)).status, 404, 'a token limited to acme cannot reach the default tenant');
    assert.equal((await post('/t/nope/mcp', TOKENS.buyer)).status, 404, 'unknown tenant');
    assert.equal((await post('/t/acme/mcp', TOKENS.acme)).status, 200);
    // Each tenant is its own agent with its own key.
    const jwksDefault = await (await fetch(`${srv.url}/.well-known/jwks.json`)).json();
    const jwksAcme = await (await fetch(`${srv.url}/t/acme/.well-known/jwks.json`)).json();
    assert.notEqual(jwksDefault.keys[0].x, jwksAcme.keys[0].x);
    const acme = await mcpClient(srv.url, TOKENS.acme, '/t/acme/mcp');
    await call(acme, 'sync_plans', { idempotency_key: key('acme'), plans: [plan('acme-plan')] });
    const buyer = await mcpClient(srv.url, TOKENS.buyer);
    const hidden = await buyer.callTool({ name: 'get_plan_audit_logs', arguments: { plan_ids: ['acme-plan'] } });
    assert.equal(hidden.structuredContent.adcp_error.code, 'PLAN_NOT_FOUND');
    // Health, readiness, metrics.
    assert.deepEqual(await (await fetch(`${srv.url}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${srv.url}/readyz`)).json(), { status: 'ready' });
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, /adcp_governance_calls_total\{tenant="acme",tool="sync_plans",status="completed",verdict=""\} 1/);
    assert.match(metrics, /adcp_governance_fsync_seconds_count \d+/);
    assert.match(metrics, /adcp_governance_holds_outstanding\{tenant="default"\} 0/);
    // The outcomes ledger on the same server, with the internal key.
    const recorded = await fetch(`${srv.url}/api/outcomes`, { method: 'POST', headers: { authorization: 'Bearer outcomes-internal-key',
      'content-type': 'application/json' }, body: JSON.stringify({ outcomeType: 'deal_closed', title: 'Closed', valueUsd: 10, userId: 7 }) });
    assert.equal(recorded.status, 200);
    assert.equal((await fetch(`${srv.url}/api/outcomes`, { method: 'POST', headers: { authorization: 'Bearer nope' },
      body: '{}' })).status, 401);
    const summary = await (await fetch(`${srv.url}/api/outcomes/summary?user_id=7`, { headers: { authorization: 'Bearer outcomes-internal-key' } })).json();
    assert.equal(summary.count, 1);
    // Logs: one line per call, never a secret.
    const logText = JSON.stringify(srv.logs);
    for (const secret of Object.values(TOKENS)) assert.ok(!logText.includes(secret), 'a secret was logged');
    assert.ok(srv.logs.some((l) => l.tool === 'sync_plans' && l.tenant === 'acme' && typeof l.ms === 'number'));
    await Promise.all([acme.close(), buyer.close()]);
  } finally {
    await srv.close();
  }
});

test(`[${backend}] off-protocol human approval: honoured only when verified`, async () => {
  // The approver's Ed25519 key (serve: approvals.public_keys); the buyer holds no such key.
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const approverJwk = publicKey.export({ format: 'jwk' });
  const srv = await startServer({ backend, config: { approvals: { public_keys: [{ ...approverJwk, kid: 'cfo' }],
    references: ['TICKET-42'] } } });
  try {
    const buyer = await mcpClient(srv.url, TOKENS.buyer);
    await call(buyer, 'sync_plans', { idempotency_key: key('appr'), plans: [plan('reviewed', 10000, REVIEWED)] });
    const base = intent(100, 'reviewed');
    // Unverified (a buyer approving itself): ignored with an info finding; the check still goes to review.
    const self = await call(buyer, 'check_governance', { ...base, ext: { human_approval: { approved_by: 'me@buyer.example',
      approved_at: '2026-03-01T00:00:00Z', approval_reference: 'SELF-1' } } });
    assert.equal(self.status, 'submitted');
    // A trusted approval reference: approved, the approval recorded.
    const byReference = await call(buyer, 'check_governance', { ...base, ext: { human_approval: { approved_by: 'cfo@acme.example',
      approved_at: '2026-03-01T00:00:00Z', approval_reference: 'TICKET-42' } } });
    assert.equal(byReference.verdict, 'approved', JSON.stringify(byReference));
    assert.ok(byReference.findings.some((f) => f.category_id === 'human_review' && /verified/.test(f.explanation)));
    // An approval signed by the configured approver key.
    const approval = { approved_by: 'cfo@acme.example', approved_at: '2026-03-01T00:00:00Z', approval_reference: 'SIGNED-7',
      plan_id: 'reviewed' };
    const signed = { ...approval, signature: sign(null, Buffer.from(canonicalize(approval)), privateKey).toString('base64url'), kid: 'cfo' };
    const bySignature = await call(buyer, 'check_governance', { ...base, ext: { human_approval: signed } });
    assert.equal(bySignature.verdict, 'approved', JSON.stringify(bySignature));
    const forged = await call(buyer, 'check_governance', { ...base, ext: { human_approval: { ...signed, approved_by: 'ceo@acme.example' } } });
    assert.equal(forged.status, 'submitted');
    await buyer.close();
  } finally {
    await srv.close();
  }
});

test(`[${backend}] sandbox: any bearer, conformance identities, comply_test_controller`, async () => {
  const srv = await startServer({ backend, cli: { sandbox: true } });
  try {
    assert.ok(srv.logs.some((l) => l.level === 40 && /SANDBOX MODE/.test(l.msg)), 'a loud warning at start');
    const runner = await mcpClient(srv.url, 'storyboard-runner-any-token');
    const tools = (await runner.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes('comply_test_controller'));
    const scenarios = await call(runner, 'comply_test_controller', { scenario: 'list_scenarios' });
    assert.ok(scenarios.scenarios.includes('seed_plan'));
    const seeded = await call(runner, 'comply_test_controller', { scenario: 'seed_plan',
      params: { plan_id: 'gov_acme_q2_2027', fixture: { budget: { total: 30000, currency: 'USD' } } } });
    assert.equal(seeded.success, true);
    const noop = await call(runner, 'comply_test_controller', { scenario: 'seed_product', params: { product_id: 'x' } });
    assert.match(noop.message, /no-op/);
    // The seeded plan belongs to the sandbox buyer; a check acts as its `caller`.
    const check = await call(runner, 'check_governance', { caller: 'https://pinnacle-agency.example', plan_id: 'gov_acme_q2_2027',
      target_agent: 'https://seller.example.com', tool: 'create_media_buy', payload: { total_budget: 1000 } });
    assert.equal(check.verdict, 'approved', JSON.stringify(check));
    const audit = await call(runner, 'get_plan_audit_logs', { plan_ids: ['gov_acme_q2_2027'] });
    assert.equal(audit.plans[0].budget.authorized, 30000);
    await runner.close();
  } finally {
    await srv.close();
  }
});
