// get_plan_audit_logs as a plan's history grows (issue 15's audit goals):
// the whole answer (every governed action, schema-complete), the plan
// figures and summary alone (ext.adcp_governance.governed_actions.limit 0),
// a page of 100 governed actions (first, and one deep in the history through
// its cursor) and a page of 100 entries. Median of repeated calls through
// the JS API; history = governed buys (intent check + completed outcome)
// with a cheap signer (building 100,000 buys with Ed25519 would only make
// the bench slower). Not part of the test suite.
//
//   node bench/audit-bench.mjs [--sizes 0,10000,100000] [--backends native,wasm]
import { createHash } from 'node:crypto';
import { createGovernanceAgent } from '../js/node.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const sizes = (args.sizes ?? '0,10000,100000').split(',').map(Number);
const backends = (args.backends ?? 'native,wasm').split(',');
const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
const sign = (input) => createHash('sha512').update(input).digest('base64url');

function median(fn, runs) {
  const times = [];
  let out;
  for (let i = 0; i < runs; ++i) {
    const t = process.hrtime.bigint();
    out = fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], out };
}

const audit = (agent, ext, extra = {}) => agent.callRaw('get_plan_audit_logs',
  { plan_ids: ['bench'], ...extra, ...(ext ? { ext: { adcp_governance: ext } } : {}) }, { agent_url: BUYER });

console.log('backend   buys    whole answer        summary alone   100 actions (first)  100 actions (deep)  100 entries (deep)');
for (const backend of backends) {
  for (const buys of sizes) {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const agent = await createGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: { kid: 'bench' },
      sign, clock: () => now });
    agent.syncPlans({ idempotency_key: 'audit-bench-sync-0001', plans: [{ plan_id: 'bench', brand: { domain: 'bench.example' },
      objectives: 'bench', budget: { total: 1e15, currency: 'USD', reallocation_unlimited: true },
      flight: { start: '2025-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, BUYER);
    for (let i = 0; i < buys; ++i) {
      const c = agent.checkGovernance({ caller: BUYER, plan_id: 'bench', target_agent: SELLER, tool: 'create_media_buy',
        payload: { total_budget: 100, account: { account_id: `acc_${i % 97}` } } }, BUYER).response;
      agent.reportPlanOutcome({ idempotency_key: `audit-bench-${String(i).padStart(10, '0')}`, plan_id: 'bench', check_id: c.check_id,
        governance_context: c.governance_context, outcome: 'completed', seller_response: { seller_reference: `mb_${i}` } }, BUYER);
      now += 1;
    }
    const whole = median(() => audit(agent), buys >= 100000 ? 3 : 7);
    const alone = median(() => audit(agent, { governed_actions: { limit: 0 } }), 51);
    const first = median(() => audit(agent, { governed_actions: { limit: 100 } }), 51);
    // A cursor half-way through the history: page forward from the first page's cursor until there.
    let deepActions = first, deepEntries = null;
    const firstPage = JSON.parse(first.out);
    let cursor = firstPage.response.ext?.adcp_governance?.action_pages?.[0]?.next_cursor;
    if (cursor) {
      const big = JSON.parse(audit(agent, { governed_actions: { limit: 1000, after: cursor } })).response.ext?.adcp_governance?.action_pages?.[0]?.next_cursor;
      cursor = big ?? cursor;
      deepActions = median(() => audit(agent, { governed_actions: { limit: 100, after: cursor } }), 51);
    }
    const entriesFirst = JSON.parse(audit(agent, { governed_actions: { limit: 0 }, entries: { limit: 1000 } }, { include_entries: true }));
    const entriesCursor = entriesFirst.response.ext?.adcp_governance?.pages?.[0]?.next_cursor;
    deepEntries = median(() => audit(agent, { governed_actions: { limit: 0 }, entries: { limit: 100, ...(entriesCursor ? { after: entriesCursor } : {}) } },
      { include_entries: true }), 51);
    const kb = (r) => `${(r.out.length / 1024).toFixed(r.out.length < 10240 ? 1 : 0)} KB`;
    console.log(`${backend.padEnd(8)} ${String(buys).padStart(6)}  ${whole.ms.toFixed(2).padStart(8)} ms ${kb(whole).padStart(8)}` +
      `  ${alone.ms.toFixed(3).padStart(8)} ms  ${first.ms.toFixed(3).padStart(12)} ms  ${deepActions.ms.toFixed(3).padStart(12)} ms` +
      `  ${deepEntries.ms.toFixed(3).padStart(12)} ms`);
    agent.dispose();
  }
}
