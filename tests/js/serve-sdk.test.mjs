// Issue 13 acceptance: @adcp/sdk 6.11 (its MCP client over HTTP and its
// governance middleware) completes governed buys against `serve` on
// 127.0.0.1: approved and settled, denied, conditions applied and re-checked,
// and fail-closed for a plan the agent does not know. The orchestrator's
// governance agent is a plain AgentConfig (agent_uri + bearer token); a fake
// seller answers create_media_buy in process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, createRemoteJWKSet } from 'jose';
import { AgentClient } from '@adcp/sdk';
import { TOKENS, startServer } from './lib/server-harness.mjs';
import { fakeSeller } from './lib/fake-seller.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const B = 'https://buyer.example.com';
const plan = (id, budget = {}) => ({ plan_id: id, brand: { domain: 'acme.example' }, objectives: 'SDK over HTTP.',
  budget: { total: 10000, currency: 'USD', reallocation_unlimited: true, ...budget },
  flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' }, countries: ['US'] });
const buy = (amount) => ({ account: { account_id: 'acct_1' }, brand: { domain: 'acme.example' },
  start_time: '2027-03-02T00:00:00Z', end_time: '2027-04-01T00:00:00Z',
  total_budget: { amount, currency: 'USD' },
  packages: [{ product_id: 'prod_ctv', pricing_option_id: 'po_cpm', budget: amount }] });


test(`[${backend}] @adcp/sdk 6.11 governed buys against serve over HTTP`, { timeout: 120_000 }, async () => {
  const server = await startServer({ backend });
  try {
    // The orchestrator's governance agent: a remote MCP agent with the buyer's bearer token.
    const govAgent = { id: 'gov', name: 'adcp-governance', agent_uri: `${server.url}/mcp`, protocol: 'mcp',
      auth_token: TOKENS.buyer };
    const client = (planId, extra = {}) => {
      const seller = fakeSeller();
      const c = AgentClient.fromMCPClient(seller, { governance: { campaign: { agent: govAgent, planId, callerUrl: B,
        maxConditionsIterations: 1 } }, ...extra });
      return { client: c, seller };
    };
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', server.url));

    const { client: c1, seller: s1 } = client('P');
    const synced = await c1.client.syncPlans({ plans: [plan('P'), plan('P50', { per_seller_max_pct: 50 })] });
    assert.equal(synced.status, 'completed', JSON.stringify(synced));
    assert.deepEqual(synced.data.plans.map((p) => p.status), ['active', 'active']);

    // Approved and settled; the token verifies against the server's JWKS.
    const ok = await c1.createMediaBuy(buy(1000));
    assert.equal(ok.status, 'completed', JSON.stringify(ok));
    assert.equal(ok.governance.status, 'approved');
    const { payload } = await compactVerify(ok.governance.governanceContext, jwks,
      { crit: { authorized_commitment: true, authorized_task: true, authorized_payload_hash: true } });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)).authorized_commitment, { amount: 1000, currency: 'USD' });
    assert.equal(ok.governanceOutcome.status, 'accepted');
    assert.equal(ok.governanceOutcome.committedBudget, 1000);
    assert.deepEqual(s1.calls.map((c) => c.name), ['get_adcp_capabilities', 'create_media_buy']);

    // Over budget: denied, the seller is never asked.
    const { client: c2, seller: s2 } = client('P');
    const denied = await c2.createMediaBuy(buy(50000));
    assert.equal(denied.status, 'governance-denied', JSON.stringify(denied));
    assert.equal(denied.governance.status, 'denied');
    assert.ok(!s2.calls.some((c) => c.name === 'create_media_buy'));

    // Over the per-seller cap: the middleware applies the condition, re-checks, and settles at the cap.
    const { client: c3, seller: s3 } = client('P50');
    const capped = await c3.createMediaBuy(buy(8000));
    assert.equal(capped.status, 'completed', JSON.stringify(capped));
    assert.equal(s3.calls.find((c) => c.name === 'create_media_buy').args.total_budget.amount, 5000);
    assert.equal(capped.governanceOutcome.committedBudget, 5000);

    // A plan the agent does not know: fail closed (the 3.0 rendering says denied), no seller call.
    const { client: c4, seller: s4 } = client('NOPE');
    const unknown = await c4.createMediaBuy(buy(100));
    assert.equal(unknown.status, 'governance-denied', JSON.stringify(unknown));
    assert.ok(!s4.calls.some((c) => c.name === 'create_media_buy'));

    // A wrong bearer token: the governance call fails, and the buy does not go through.
    const strangerSeller = fakeSeller();
    const stranger = AgentClient.fromMCPClient(strangerSeller, { governance: { campaign: {
      agent: { ...govAgent, auth_token: 'not-a-token' }, planId: 'P', callerUrl: B } } });
    const refused = await stranger.createMediaBuy(buy(100));
    assert.notEqual(refused.status, 'completed', JSON.stringify(refused));
    assert.ok(!strangerSeller.calls.some((c) => c.name === 'create_media_buy'));

    // The audit (strict 3.0.6 response validation on the client) agrees: 1000 + 5000 committed.
    const { client: c5 } = client('P', { validation: { responses: 'strict' } });
    const logs = await c5.client.getPlanAuditLogs({ plan_ids: ['P', 'P50'] });
    assert.equal(logs.success, true, JSON.stringify(logs.error));
    assert.deepEqual(logs.data.plans.map((p) => p.budget.committed), [1000, 5000]);
  } finally {
    await server.close();
  }
});
