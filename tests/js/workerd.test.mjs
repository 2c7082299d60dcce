// The WASM build in workerd (from npm) on 127.0.0.1: a worker imports the
// .wasm module, serves a governed buy over fetch; tokens verify with jose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SHARED_DIR } from './lib/schemas.mjs';
import { bundleWorker, freePort, root, startWorkerd } from './lib/workerd.mjs';

function config(dir, port) {
  const rel = (p) => relative(dir, p);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "w/worker.mjs", esModule = embed "w/worker.mjs"),
    (name = "dist/core.wasm", wasm = embed "${rel(join(root, 'dist/core.wasm'))}"),
  ],
  compatibilityDate = "2025-01-01",
);
`;
}

test('workerd: a governed buy over fetch', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(root, 'build', 'workerd-'));
  const port = await freePort();
  bundleWorker('tests/js/workerd/worker.mjs', dir);
  writeFileSync(join(dir, 'config.capnp'), config(dir, port));
  const { proc, output } = await startWorkerd(join(dir, 'config.capnp'), port);
  try {
    const base = `http://127.0.0.1:${port}`;
    const call = async (task, request, auth) => {
      const res = await fetch(base, { method: 'POST', body: JSON.stringify({ task, request, auth }) });
      return res.json();
    };
    const buyer = { agent_url: 'https://buyer.example.com' };
    const seller = { agent_url: 'https://seller.example.com' };
    const sync = await call('sync_plans', { idempotency_key: 'workerd-sync-000001', plans: [{ plan_id: 'edge',
      brand: { domain: 'acme.example' }, objectives: 'Edge.', budget: { total: 1000, currency: 'USD', reallocation_unlimited: true },
      flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, buyer);
    assert.equal(sync.status, 'completed', JSON.stringify(sync) + output());
    const check = await call('check_governance', { caller: buyer.agent_url, plan_id: 'edge', target_agent: seller.agent_url,
      tool: 'create_media_buy', payload: { total_budget: 300 } }, buyer);
    assert.equal(check.response.verdict, 'approved', JSON.stringify(check));
    const purchase = await call('check_governance', { caller: seller.agent_url, governance_context: check.response.governance_context,
      phase: 'purchase', planned_delivery: { media_buy_id: 'mb_edge', total_budget: 250, currency: 'USD' } }, seller);
    assert.equal(purchase.response.verdict, 'approved');
    const outcome = await call('report_plan_outcome', { idempotency_key: 'workerd-outcome-0001', plan_id: 'edge',
      check_id: purchase.response.check_id, governance_context: purchase.response.governance_context, outcome: 'completed',
      seller_response: { media_buy_id: 'mb_edge' } }, buyer);
    assert.equal(outcome.response.committed_budget, 250);
    const audit = await call('get_plan_audit_logs', { plan_ids: ['edge'] }, buyer);
    assert.equal(audit.response.plans[0].budget.committed, 250);
    // Tokens signed inside workerd (@noble/curves) verify with jose.
    const jwk = await (await fetch(`${base}/jwk`)).json();
    for (const token of [check.response.governance_context, purchase.response.governance_context]) {
      const { payload } = await compactVerify(token, await importJWK(jwk, jwk.alg),
        { crit: { authorized_commitment: true, authorized_task: true, authorized_payload_hash: true } });
      assert.equal(JSON.parse(new TextDecoder().decode(payload)).sub, 'gb_00000001');
    }
    // The outcomes ledger's HTTP handler inside workerd (11 §1–§5).
    const outcomes = async (method, path, headers = {}, body) => {
      const res = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    const deal = { outcomeType: 'deal_closed', title: 'Edge deal', valueUsd: 125, agentId: 1, metadata: { plan_id: 'edge' } };
    assert.deepEqual(await outcomes('POST', '/api/outcomes', {}, deal), { status: 401, body: { error: 'Unauthorized' } });
    assert.deepEqual(await outcomes('POST', '/api/outcomes', { authorization: 'Bearer nope' }, deal),
      { status: 401, body: { error: 'Unauthorized' } });
    assert.deepEqual(await outcomes('POST', '/api/outcomes', { authorization: 'Bearer edge-internal-key' }, { ...deal, userId: 42 }),
      { status: 200, body: { ok: true } });
    const mine = await outcomes('POST', '/api/outcomes', { cookie: 'session=u42' }, { ...deal, title: 'Edge deal 2' });
    assert.equal(mine.status, 200);
    assert.match(mine.body.id, /^ocr_/);
    const badType = await outcomes('POST', '/api/outcomes', { cookie: 'session=u42' }, { ...deal, outcomeType: 'nope' });
    assert.deepEqual([badType.status, badType.body.code], [400, 'INVALID_OUTCOME_TYPE']);
    const list = await outcomes('GET', '/api/outcomes?limit=1', { cookie: 'session=u42' });
    assert.deepEqual(list.body.outcomes.map((o) => [o.id, o.title, o.user_id]), [[mine.body.id, 'Edge deal 2', 42]]);
    assert.equal((await outcomes('GET', '/api/outcomes', { authorization: 'Bearer edge-internal-key' })).status, 401);
    const summary = await outcomes('GET', '/api/outcomes/summary', { cookie: 'session=u42' });
    assert.deepEqual(summary.body.plans, [{ plan_id: 'edge', currency: 'USD', committed: 250, value_usd: 250, value_to_spend: 1 }]);
    // The MCP handler inside workerd: the official MCP client lists the tools and runs a governed buy.
    const mcp = async (token) => {
      const client = new Client({ name: 'workerd-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base),
        { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      return client;
    };
    const [mcpBuyer, mcpSeller] = [await mcp('buyer-token'), await mcp('seller-token')];
    const { tools } = await mcpBuyer.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['check_governance', 'get_adcp_capabilities', 'get_plan_audit_logs',
      'list_accounts', 'report_plan_adjustment', 'report_plan_outcome', 'sync_accounts', 'sync_plans']);
    const tool = async (client, name, args) => (await client.callTool({ name, arguments: args })).structuredContent;
    assert.equal((await tool(mcpBuyer, 'sync_plans', { idempotency_key: 'workerd-mcp-sync-01', plans: [{ plan_id: 'edge-mcp',
      brand: { domain: 'acme.example' }, objectives: 'Edge MCP.', budget: { total: 1000, currency: 'USD', reallocation_unlimited: true },
      flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] })).plans[0].status, 'active');
    const intent = await tool(mcpBuyer, 'check_governance', { caller: buyer.agent_url, plan_id: 'edge-mcp',
      target_agent: seller.agent_url, tool: 'create_media_buy', payload: { total_budget: 400 } });
    assert.equal(intent.verdict, 'approved', JSON.stringify(intent));
    const tooMuch = await tool(mcpBuyer, 'check_governance', { caller: buyer.agent_url, plan_id: 'edge-mcp',
      target_agent: seller.agent_url, tool: 'create_media_buy', payload: { total_budget: 5000 } });
    assert.equal(tooMuch.verdict, 'denied', JSON.stringify(tooMuch));
    const execution = await tool(mcpSeller, 'check_governance', { caller: seller.agent_url,
      governance_context: intent.governance_context, phase: 'purchase',
      planned_delivery: { media_buy_id: 'mb_edge_mcp', total_budget: 400, currency: 'USD' } });
    assert.equal(execution.verdict, 'approved', JSON.stringify(execution));
    const settled = await tool(mcpBuyer, 'report_plan_outcome', { idempotency_key: 'workerd-mcp-outcome1', plan_id: 'edge-mcp',
      check_id: execution.check_id, governance_context: execution.governance_context, outcome: 'completed',
      seller_response: { media_buy_id: 'mb_edge_mcp' } });
    assert.equal(settled.committed_budget, 400, JSON.stringify(settled));
    const mcpAudit = await tool(mcpBuyer, 'get_plan_audit_logs', { plan_ids: ['edge-mcp'] });
    assert.equal(mcpAudit.plans[0].budget.committed, 400);
    // The seller's identity is the seller's token: it cannot read the buyer's plan.
    const notYours = await mcpSeller.callTool({ name: 'get_plan_audit_logs', arguments: { plan_ids: ['edge-mcp'] } });
    assert.equal(notYours.isError, true);
    assert.equal(notYours.structuredContent.adcp_error.code, 'PLAN_NOT_FOUND', JSON.stringify(notYours.structuredContent));
    const noToken = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json',
      accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    assert.equal(noToken.status, 401);
    assert.match(noToken.headers.get('www-authenticate') ?? '', /^Bearer /);
    await mcpBuyer.close();
    await mcpSeller.close();
    // The plan-hash vectors inside workerd.
    const vdir = join(SHARED_DIR, 'adcp', 'test-vectors', 'plan-hash');
    for (const f of readdirSync(vdir)) {
      const v = JSON.parse(readFileSync(join(vdir, f), 'utf8'));
      const h = await (await fetch(`${base}/plan-hash`, { method: 'POST', body: JSON.stringify(v.plan_as_supplied) })).text();
      assert.equal(h, v.expected.plan_hash, f);
    }
  } finally {
    proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
