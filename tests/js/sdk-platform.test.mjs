// Issue 13 §4: our agent as an @adcp/sdk 6.11 `CampaignGovernancePlatform`
// (toCampaignGovernancePlatform), hosted by the SDK's own
// createAdcpServerFromPlatform + serve() on 127.0.0.1 with bearer keys and a
// buyer-agent registry; called over HTTP by the official MCP client. The
// caller's identity comes from its key, report_plan_adjustment is a custom tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { AdcpError, BuyerAgentRegistry, createAdcpServerFromPlatform, createIdempotencyStore, createInMemoryTaskRegistry, InMemoryStateStore, memoryBackend, serve,
  verifyApiKey } from '@adcp/sdk/server';
import { createGovernanceAgent } from '../../js/node.js';
import { toCampaignGovernancePlatform } from '../../js/sdk.js';
import { mcpClient } from './lib/server-harness.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
// verifyApiKey stamps credential.key_id = the first 32 hex digits of SHA-256(token).
const keyId = (token) => createHash('sha256').update(token).digest('hex').slice(0, 32);
const KEYS = { [keyId('buyer-key')]: BUYER, [keyId('seller-key')]: SELLER };

test(`[${backend}] @adcp/sdk createAdcpServerFromPlatform hosts toCampaignGovernancePlatform over HTTP`, { timeout: 120_000 }, async () => {
  const agent = await createGovernanceAgent({ backend, issuer: 'https://governance.example.com' });
  const agentRegistry = BuyerAgentRegistry.bearerOnly({
    resolveByCredential: async (credential) => (credential.kind === 'api_key' && KEYS[credential.key_id]
      ? { agent_url: KEYS[credential.key_id], display_name: credential.key_id, status: 'active', billing_capabilities: new Set(['operator']) }
      : null),
  });
  const campaignGovernance = toCampaignGovernancePlatform(agent, { AdcpError, agentRegistry });
  const platform = {
    capabilities: { specialisms: ['governance-spend-authority', 'governance-delivery-monitor'], config: {} },
    agentRegistry,
    accounts: { resolution: 'derived', resolve: async () => ({ id: 'governance', name: 'Governance', status: 'active', ctx_metadata: {} }) },
    campaignGovernance,
  };
  const idempotency = createIdempotencyStore({ backend: memoryBackend(), ttlSeconds: 86_400 });
  let url;
  const http = serve(() => createAdcpServerFromPlatform(platform, { name: 'gov-platform-test', version: '1.0.0',
    idempotency, taskRegistry: createInMemoryTaskRegistry(), stateStore: new InMemoryStateStore(),
    // Replays are scoped per authenticated caller (the key's identity).
    resolveIdempotencyPrincipal: (ctx) => ctx.agent?.agent_url ?? ctx.authInfo?.clientId,
    customTools: campaignGovernance.customTools }), {
    port: 0, onListening: (u) => { url = u; },
    authenticate: verifyApiKey({ keys: { 'buyer-key': { principal: 'buyer' }, 'seller-key': { principal: 'seller' } } }),
  });
  if (!url) await once(http, 'listening');
  url ??= `http://127.0.0.1:${http.address().port}/mcp`;
  const base = new URL(url).origin;
  try {
    const buyer = await mcpClient(base, 'buyer-key'), seller = await mcpClient(base, 'seller-key');
    const tool = async (client, name, args) => client.callTool({ name, arguments: args });
    const { tools } = await buyer.listTools();
    for (const name of ['sync_plans', 'check_governance', 'report_plan_outcome', 'get_plan_audit_logs', 'report_plan_adjustment'])
      assert.ok(tools.some((t) => t.name === name), `${name} listed`);

    const synced = await tool(buyer, 'sync_plans', { idempotency_key: 'platform-sync-000001', plans: [{ plan_id: 'pp',
      brand: { domain: 'acme.example' }, objectives: 'Platform.', budget: { total: 1000, currency: 'USD', reallocation_unlimited: true },
      flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] });
    assert.equal(synced.structuredContent.plans[0].status, 'active', JSON.stringify(synced));

    // The SDK host validates requests against AdCP 3.0.6, so callers speak the
    // 3.0 dialect (what 6.11 clients send); the core answers in it (spec 10).
    const buy = (amount) => ({ account: { account_id: 'acct_1' }, brand: { domain: 'acme.example' },
      start_time: '2027-03-02T00:00:00Z', end_time: '2027-04-01T00:00:00Z', total_budget: { amount, currency: 'USD' },
      packages: [{ product_id: 'prod_ctv', pricing_option_id: 'po_cpm', budget: amount }] });
    const intent = (await tool(buyer, 'check_governance', { plan_id: 'pp', caller: BUYER, tool: 'create_media_buy',
      payload: buy(600) })).structuredContent;
    assert.equal(intent.status, 'approved', JSON.stringify(intent));
    const denied = await tool(buyer, 'check_governance', { plan_id: 'pp', caller: BUYER, tool: 'create_media_buy',
      payload: buy(5000) });
    assert.equal(denied.structuredContent.status, 'denied', JSON.stringify(denied.structuredContent));
    // A plan the agent does not know fails closed: a 3.0 denial, not an error 6.11 would proceed on.
    const unknown = await tool(buyer, 'check_governance', { plan_id: 'nope', caller: BUYER, tool: 'create_media_buy',
      payload: buy(10) });
    assert.equal(unknown.structuredContent.status, 'denied', JSON.stringify(unknown.structuredContent));
    // The seller's execution check binds the intent's token to the seller (its key's identity).
    const execution = (await tool(seller, 'check_governance', { plan_id: 'pp', caller: SELLER, phase: 'purchase',
      governance_context: intent.governance_context, planned_delivery: { total_budget: 600, currency: 'USD' } })).structuredContent;
    assert.equal(execution.status, 'approved', JSON.stringify(execution));
    const outcome = (await tool(buyer, 'report_plan_outcome', { idempotency_key: 'platform-outcome-001', plan_id: 'pp',
      check_id: execution.check_id, governance_context: execution.governance_context, outcome: 'completed',
      seller_response: { media_buy_id: 'mb_p' } })).structuredContent;
    assert.equal(outcome.committed_budget, 600, JSON.stringify(outcome));

    // The custom tool: a seller's adjustment report, identified by its key.
    const adjustment = await tool(seller, 'report_plan_adjustment', { idempotency_key: 'platform-adjust-0001', action: 'report',
      plan_id: 'pp', outcome_id: outcome.outcome_id, seller_reference: 'mb_p', seller_adjustment_id: 'sadj_1',
      adjustment_type: 'decommitment', amount: { amount: 100, currency: 'USD' }, reason: 'Underdelivery.',
      effective_at: '2027-03-03T00:00:00Z', evidence: { evidence_type: 'decommitment_agreement', evidence_id: 'ev_1',
        issued_at: '2027-03-03T00:00:00Z', digest: 'sha256:' + 'b'.repeat(64) } });
    assert.equal(adjustment.structuredContent.adjustment_state, 'reported', JSON.stringify(adjustment.structuredContent));
    // The same report under the buyer's key: the buyer is not the action's seller (not found = not yours).
    const asBuyer = await tool(buyer, 'report_plan_adjustment', { idempotency_key: 'platform-adjust-0002', action: 'report',
      plan_id: 'pp', outcome_id: outcome.outcome_id, seller_reference: 'mb_p', seller_adjustment_id: 'sadj_2',
      adjustment_type: 'decommitment', amount: { amount: 100, currency: 'USD' }, reason: 'Underdelivery.',
      effective_at: '2027-03-03T00:00:00Z', evidence: { evidence_type: 'decommitment_agreement', evidence_id: 'ev_2',
        issued_at: '2027-03-03T00:00:00Z', digest: 'sha256:' + 'c'.repeat(64) } });
    assert.equal(asBuyer.isError, true);
    assert.equal(asBuyer.structuredContent.adcp_error.code, 'REFERENCE_NOT_FOUND');

    // Failures are AdcpErrors: a plan that is not the caller's reads as not found.
    const notYours = await tool(seller, 'get_plan_audit_logs', { plan_ids: ['pp'] });
    assert.equal(notYours.isError, true);
    assert.equal(notYours.structuredContent.adcp_error.code, 'PLAN_NOT_FOUND', JSON.stringify(notYours.structuredContent));
    const audit = (await tool(buyer, 'get_plan_audit_logs', { plan_ids: ['pp'] })).structuredContent;
    assert.equal(audit.plans[0].budget.committed, 600, JSON.stringify(audit));
    await buyer.close(); await seller.close();
  } finally {
    http.close();
    agent.dispose();
  }
});
