// adcp-governance/testing on one backend (GOV_BACKEND=native|wasm): the real
// core behind a deterministic test agent — real denials, conditions and human
// review, reproducible tokens, a call log, and @adcp/sdk driving it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, importJWK } from 'jose';
import { AgentClient } from '@adcp/sdk';
import { createTestGovernanceAgent } from '../../js/testing.js';

const backend = process.env.GOV_BACKEND ?? 'native';
const B = 'https://buyer.example/';
const S = 'https://seller.example/mcp';
const plan = (id, budget = {}) => ({ plan_id: id, brand: { domain: 'acme.example' }, objectives: 'Tests.',
  budget: { total: 1000, currency: 'USD', reallocation_unlimited: true, ...budget },
  flight: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' } });
const intent = (id, amount, key = 'k') => ({ adcp_major_version: 3, plan_id: id, caller: B, tool: 'create_media_buy',
  payload: { total_budget: { amount, currency: 'USD' }, idempotency_key: key } });

test(`[${backend}] deterministic: same seed, same bytes; another seed, another key`, async () => {
  const run = async (seed) => {
    const t = await createTestGovernanceAgent({ backend, seed, plans: [plan('P')] });
    const r = t.call('check_governance', intent('P', 100));
    t.dispose();
    return r.response.governance_context;
  };
  const [a, b, c] = [await run(7), await run(7), await run(8)];
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test(`[${backend}] real policy behaviour: approvals, denials, conditions, human review`, async () => {
  const t = await createTestGovernanceAgent({ backend, plans: [plan('P'), plan('CAP', { per_seller_max_pct: 50 }),
    { ...plan('HR'), budget: { total: 1000, currency: 'USD', reallocation_threshold: 100 } }] });
  assert.equal(t.call('check_governance', intent('P', 100)).response.status, 'approved');
  const denied = t.call('check_governance', intent('P', 5000));
  assert.equal(denied.response.status, 'denied');
  assert.equal(denied.response.findings[0].category_id, 'budget_authority');
  const conditions = t.call('check_governance', intent('CAP', 800));
  assert.deepEqual(conditions.response.conditions.map((c) => [c.field, c.required_value]), [['total_budget.amount', 500]]);
  const review = t.call('check_governance', intent('HR', 500, 'first'));
  assert.equal(review.response.status, 'denied');
  const taskId = review.response.task_id;
  assert.match(taskId, /^task_/);
  t.clock.advance(1000);
  assert.equal(t.resolveEscalation(taskId).status, 'completed');
  const claimed = t.call('check_governance', intent('HR', 500, 'second'));
  assert.equal(claimed.response.status, 'approved');
  assert.equal(claimed.response.check_id, review.response.check_id);
  // The unknown plan fails closed, also on the wire.
  const unknown = t.call('check_governance', intent('NOPE', 1));
  assert.equal(unknown.status, 'failed');
  assert.equal(t.agent.toWire(unknown).status, 'denied');
  // Tokens verify against the published key.
  const jwk = t.publicJwk();
  assert.deepEqual(t.jwks(), { keys: [jwk] });
  await compactVerify(claimed.response.governance_context, await importJWK(jwk, jwk.alg),
    { crit: { authorized_commitment: true, authorized_task: true, authorized_payload_hash: true } });
  t.dispose();
});

test(`[${backend}] call log through @adcp/sdk: governed buy, seller execution check, audit`, async () => {
  const t = await createTestGovernanceAgent({ backend, plans: [plan('P')] });
  const seller = {
    transport: {}, getServerCapabilities: () => ({}),
    listTools: async () => ({ tools: [{ name: 'get_adcp_capabilities', inputSchema: { type: 'object' } }, { name: 'create_media_buy', inputSchema: { type: 'object' } }] }),
    async callTool({ name, arguments: args }) {
      const body = name === 'get_adcp_capabilities'
        ? { adcp: { major_versions: [3], idempotency: { supported: true, replay_ttl_seconds: 86400 } }, supported_protocols: ['media_buy'] }
        : { media_buy_id: 'mb_7', packages: [{ package_id: 'p', budget: args.total_budget.amount }] };
      return { content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body };
    },
  };
  const client = AgentClient.fromMCPClient(seller, { governance: { campaign: { agent: t.agentConfig(), planId: 'P', callerUrl: B } } });
  const r = await client.createMediaBuy({ account: { account_id: 'a' }, brand: { domain: 'acme.example' },
    start_time: '2026-03-02T00:00:00Z', end_time: '2026-04-01T00:00:00Z', total_budget: { amount: 300, currency: 'USD' } });
  assert.equal(r.status, 'completed', JSON.stringify(r));
  assert.deepEqual(t.getCallLog().map((c) => c.tool), ['check_governance', 'report_plan_outcome']);
  assert.equal(t.hasGovernanceContext(), false, 'a first 6.11 intent carries no context');
  // The seller, holding the buyer's token, checks its purchase through its own client.
  const sellerClient = t.mcpClient(S);
  const exec = await sellerClient.callTool({ name: 'check_governance', arguments: { adcp_major_version: 3, plan_id: 'P', caller: S,
    governance_context: r.governance.governanceContext, phase: 'purchase',
    planned_delivery: { total_budget: 300, currency: 'USD' }, payload: { media_buy_id: 'mb_7' } } });
  assert.equal(exec.structuredContent.status, 'approved');
  assert.equal(exec.structuredContent.check_type, 'execution');
  assert.equal(t.hasGovernanceContext(), true);
  assert.deepEqual(t.getCallsForTool('check_governance').map((c) => c.identity), [B, S]);
  assert.equal(t.auditLogs(['P']).response.plans[0].budget.committed, 300);
  t.clearCallLog();
  assert.deepEqual(t.getCallLog(), []);
  t.dispose();
});
