// The edge example (issue 14) in workerd on 127.0.0.1: one Durable Object
// per tenant (examples/workerd/governance-worker.mjs) with SQLite storage on
// a local disk service (snapshots every 16 change sets, every record split
// into rows of 101 UTF-16 units, and a plan whose objectives are emoji, so
// parts meet surrogate pairs and the restart recovers from parts). 30
// concurrent $5 checks on one object against $100 -> exactly 20 approvals; after workerd is killed (SIGKILL) and started
// again on the same disk, the ledger is intact (same audit, same signing
// key, acknowledged tokens still settle, nothing over-committed); another
// tenant is another object and sees nothing of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { bundleWorker, freePort, root, startWorkerd } from './lib/workerd.mjs';

const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
const sha = (s) => createHash('sha256').update(s).digest('hex');
const TOKENS = { [sha('buyer-token')]: { agent_url: BUYER }, [sha('beta-token')]: { agent_url: BUYER, tenants: ['beta'] } };

function setup(dir, port) {
  bundleWorker('examples/workerd/governance-worker.mjs', dir);
  mkdirSync(join(dir, 'do'));
  const rel = (p) => relative(dir, p);
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "do-disk", disk = (path = "${join(dir, 'do')}", writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "w/worker.mjs", esModule = embed "w/worker.mjs"),
    (name = "dist/core.wasm", wasm = embed "${rel(join(root, 'dist/core.wasm'))}"),
  ],
  compatibilityDate = "2025-01-01",
  durableObjectNamespaces = [ (className = "GovernanceTenant", uniqueKey = "adcp-governance-test", enableSql = true) ],
  durableObjectStorage = (localDisk = "do-disk"),
  bindings = [
    (name = "TENANTS", durableObjectNamespace = "GovernanceTenant"),
    (name = "TOKENS", text = ${JSON.stringify(JSON.stringify(TOKENS))}),
    (name = "SNAPSHOT_EVERY", text = "16"),
    (name = "SNAPSHOT_PART_CHARS", text = "101"),
  ],
);
`);
}

async function client(port, tenant, token = 'buyer-token') {
  const c = new Client({ name: 'workerd-do-test', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(`/t/${tenant}/mcp`, `http://127.0.0.1:${port}`),
    { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return c;
}
const tool = async (c, name, args) => (await c.callTool({ name, arguments: args })).structuredContent;
const intent = (amount) => ({ caller: BUYER, plan_id: 'p100', target_agent: SELLER, tool: 'create_media_buy', payload: { total_budget: amount } });
const heldOf = (audit) => audit.ext?.adcp_governance?.holds?.find((h) => h.plan_id === 'p100')?.held ?? 0;

test('workerd: a Durable Object per tenant keeps its ledger across a restart and never over-commits', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(root, 'build', 'workerd-do-'));
  const port = await freePort();
  setup(dir, port);
  let run = await startWorkerd(join(dir, 'config.capnp'), port);
  try {
    const acme = await client(port, 'acme');
    assert.equal((await tool(acme, 'sync_plans', { idempotency_key: 'do-sync-0000000001', plans: [{ plan_id: 'p100',
      brand: { domain: 'acme.example' }, objectives: `Edge ${'🚀📈'.repeat(60)}`, budget: { total: 100, currency: 'USD', reallocation_unlimited: true },
      flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] })).plans[0].status, 'active', run.output());
    // 30 concurrent checks on one object, each from its own client.
    const clients = await Promise.all(Array.from({ length: 30 }, () => client(port, 'acme')));
    const checks = await Promise.all(clients.map((c) => tool(c, 'check_governance', intent(5))));
    await Promise.all(clients.map((c) => c.close()));
    const approved = checks.filter((c) => c.verdict === 'approved');
    assert.equal(approved.length, 20, checks.map((c) => c.verdict ?? JSON.stringify(c)).join(' '));
    assert.equal(checks.filter((c) => c.verdict === 'denied').length, 10);
    // Settle five: committed 25, held 75.
    const settle = (via, c, i) => tool(via, 'report_plan_outcome', { idempotency_key: `do-settle-${String(i).padStart(8, '0')}`,
      plan_id: 'p100', check_id: c.check_id, governance_context: c.governance_context, outcome: 'completed',
      seller_response: { seller_reference: `mb_${i}` } });
    for (let i = 0; i < 5; ++i) assert.equal((await settle(acme, approved[i], i)).outcome_state, 'accepted');
    const before = await tool(acme, 'get_plan_audit_logs', { plan_ids: ['p100'] });
    assert.equal(before.plans[0].budget.committed, 25);
    assert.equal(heldOf(before), 75);
    const jwksBefore = await (await fetch(`http://127.0.0.1:${port}/t/acme/.well-known/jwks.json`)).json();
    await acme.close();

    // Kill workerd, start it again on the same disk.
    run.proc.kill('SIGKILL');
    await new Promise((r) => run.proc.once('exit', r));
    run = await startWorkerd(join(dir, 'config.capnp'), port);
    const again = await client(port, 'acme');
    const after = await tool(again, 'get_plan_audit_logs', { plan_ids: ['p100'] });
    assert.deepEqual(after.plans[0].budget, before.plans[0].budget, 'the ledger survived the restart');
    assert.equal(heldOf(after), 75);
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/t/acme/.well-known/jwks.json`)).json(), jwksBefore, 'same signing key');
    // Nothing left to approve; an acknowledged approval still settles; a settled one replays.
    assert.equal((await tool(again, 'check_governance', intent(5))).verdict, 'denied');
    assert.equal((await settle(again, approved[5], 5)).outcome_state, 'accepted');
    assert.equal((await settle(again, approved[0], 0)).replayed, true);
    assert.equal((await tool(again, 'get_plan_audit_logs', { plan_ids: ['p100'] })).plans[0].budget.committed, 30);
    await again.close();
    // Another tenant is another object: it has no such plan (and the beta-only token cannot reach acme).
    const beta = await client(port, 'beta', 'beta-token');
    const notThere = await beta.callTool({ name: 'get_plan_audit_logs', arguments: { plan_ids: ['p100'] } });
    assert.equal(notThere.structuredContent.adcp_error.code, 'PLAN_NOT_FOUND');
    await beta.close();
    const denied = await fetch(`http://127.0.0.1:${port}/t/acme/mcp`, { method: 'POST', headers: { authorization: 'Bearer beta-token',
      'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    assert.equal(denied.status, 404, 'not yours = not found');
  } finally {
    run.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
