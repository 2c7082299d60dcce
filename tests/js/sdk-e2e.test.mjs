// Spec 10 §9 E2E: @adcp/sdk 6.11.0 (from npm) drives our agent in process as
// the governance agent of an orchestrator's AgentClient, on one backend
// (GOV_BACKEND=native|wasm). A fake seller answers create_media_buy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, importJWK } from 'jose';
import { AgentClient } from '@adcp/sdk';
import { createGovernanceAgent } from '../../js/node.js';
import { toGovernanceAgentConfig } from '../../js/sdk.js';
import { fakeSeller } from './lib/fake-seller.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const B = 'https://buyer.example/';
const NOW = Date.parse('2026-03-01T00:00:00.000Z');
const plan = (id, budget = {}) => ({ plan_id: id, brand: { domain: 'acme.example' }, objectives: 'E2E.',
  budget: { total: 10000, currency: 'USD', reallocation_unlimited: true, ...budget },
  flight: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' }, countries: ['US'] });
const buy = (amount) => ({ account: { account_id: 'acct_1' }, brand: { domain: 'acme.example' },
  start_time: '2026-03-02T00:00:00Z', end_time: '2026-04-01T00:00:00Z',
  total_budget: { amount, currency: 'USD' },
  packages: [{ product_id: 'prod_ctv', pricing_option_id: 'po_cpm', budget: amount }] });


async function setup() {
  const agent = await createGovernanceAgent({ backend, issuer: 'https://governance.example.com', id_mode: 'sequential',
    clock: () => NOW });
  const coreCalls = [];
  const govAgent = toGovernanceAgentConfig(agent, { callerUrl: B, AgentClient, agentId: 'gov', agentName: 'gov',
    onResult: (c) => coreCalls.push(c) });
  const client = (planId, extra = {}) => {
    const seller = fakeSeller(() => 'mb_1');
    const c = AgentClient.fromMCPClient(seller, { governance: { campaign: { agent: govAgent, planId, callerUrl: B,
      maxConditionsIterations: 1 } }, ...extra });
    return { client: c, seller };
  };
  return { agent, govAgent, client, coreCalls };
}

test(`[${backend}] @adcp/sdk 6.11 orchestrator: sync, approve, settle, deny, conditions, strict audit, fail closed`, async () => {
  const { agent, govAgent, client, coreCalls } = await setup();
  assert.equal(govAgent.agent_uri, 'adcp-in-process://gov');
  assert.equal(govAgent.protocol, 'mcp');

  // 1. syncPlans through the SDK client.
  const { client: c1, seller: s1 } = client('P');
  const synced = await c1.client.syncPlans({ plans: [plan('P'), plan('P50', { per_seller_max_pct: 50 })] });
  assert.equal(synced.status, 'completed', JSON.stringify(synced));
  assert.equal(synced.data.plans[0].status, 'active');

  // 2. A governed buy: approved by our agent, token verifies, outcome settles.
  const ok = await c1.createMediaBuy(buy(1000));
  assert.equal(ok.status, 'completed', JSON.stringify(ok));
  assert.equal(ok.governance.checkId, 'chk_00000001');
  assert.equal(ok.governance.status, 'approved');
  assert.equal(typeof ok.governance.expiresAt, 'string');
  const jwk = agent.publicJwk();
  const { payload } = await compactVerify(ok.governance.governanceContext, await importJWK(jwk, jwk.alg),
    { crit: { authorized_commitment: true, authorized_task: true, authorized_payload_hash: true } });
  const claims = JSON.parse(new TextDecoder().decode(payload));
  assert.deepEqual(claims.authorized_commitment, { amount: 1000, currency: 'USD' });
  assert.equal(claims.aud, undefined, 'a 6.11 intent names no seller: the token is unbound (10 §3.6)');
  assert.deepEqual(JSON.parse(JSON.stringify(ok.governanceOutcome)), { outcomeId: 'out_00000001', status: 'accepted', committedBudget: 1000,
    planSummary: { totalCommitted: 1000, budgetRemaining: 9000 } });
  assert.deepEqual(s1.calls.map((c) => c.name), ['get_adcp_capabilities', 'create_media_buy']);
  // What reached the core: a 3.0 intent and a 3.0 outcome.
  assert.deepEqual(coreCalls.map((c) => [c.tool, c.result.protocol]), [['sync_plans', '3.0'], ['check_governance', '3.0'],
    ['report_plan_outcome', '3.0']]);

  // The audit log agrees.
  const audit = agent.getPlanAuditLogs({ plan_ids: ['P'], adcp_version: '3.2' }, B);
  assert.equal(audit.response.plans[0].budget.committed, 1000);
  assert.equal(audit.response.plans[0].governed_actions[0].seller_reference, 'mb_1');

  // 3. Over budget: governance-denied, the seller is never called, no outcome.
  const { client: c2, seller: s2 } = client('P');
  const denied = await c2.createMediaBuy(buy(50000));
  assert.equal(denied.status, 'governance-denied', JSON.stringify(denied));
  assert.equal(denied.governance.status, 'denied');
  assert.ok(!s2.calls.some((c) => c.name === 'create_media_buy'));
  assert.equal(denied.governanceOutcome, undefined);

  // 4. Over the per-seller cap: conditions applied by the middleware, settled at the cap.
  coreCalls.length = 0;
  const { client: c3, seller: s3 } = client('P50');
  const capped = await c3.createMediaBuy(buy(8000));
  assert.equal(capped.status, 'completed', JSON.stringify(capped));
  const checks = coreCalls.filter((c) => c.tool === 'check_governance');
  assert.equal(checks.length, 2);
  assert.equal(checks[0].result.response.status, 'conditions');
  assert.match(checks[1].arguments.governance_context, /^consult_/);
  assert.equal(checks[1].arguments.payload.total_budget.amount, 5000);
  assert.equal(s3.calls.find((c) => c.name === 'create_media_buy').args.total_budget.amount, 5000);
  assert.equal(capped.governanceOutcome.committedBudget, 5000);

  // 5. The 3.0 audit projection passes the client's strict 3.0.6 response validation.
  const { client: c4 } = client('P', { validation: { responses: 'strict' } });
  const logs = await c4.client.getPlanAuditLogs({ plan_ids: ['P'], include_entries: true });
  assert.equal(logs.success, true, JSON.stringify(logs.error));
  assert.equal(logs.data.plans[0].budget.committed, 1000);
  assert.ok(logs.data.plans[0].entries.every((e) => e.verdict === undefined));

  // 6. A plan the agent does not know fails closed.
  const { client: c5, seller: s5 } = client('NOPE');
  const unknown = await c5.createMediaBuy(buy(100));
  assert.equal(unknown.status, 'governance-denied', JSON.stringify(unknown));
  assert.equal(unknown.governance.checkId, '');
  assert.ok(!s5.calls.some((c) => c.name === 'create_media_buy'));
  assert.equal(unknown.governanceOutcome, undefined);
  agent.dispose();
});
