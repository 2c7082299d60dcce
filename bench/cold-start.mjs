// One cold start (bench/perf-bench.mjs runs it in fresh processes): from
// importing the package as users do (its "node" entry, dist/node.mjs, built
// by .ci/build) to the first answered call (a plan synced, then a governed
// check signed with Ed25519). Prints milliseconds.
//
//   node bench/cold-start.mjs native|wasm
const t0 = performance.now();
const { createGovernanceAgent } = await import('adcp-governance');
const agent = await createGovernanceAgent({ backend: process.argv[2] ?? 'native', issuer: 'https://governance.example.com',
  signing: { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'cold' } });
const BUYER = 'https://buyer.example.com';
const sync = agent.syncPlans({ idempotency_key: 'cold-start-sync-0001', plans: [{ plan_id: 'p', brand: { domain: 'b.example' },
  objectives: 'cold start', budget: { total: 1000, currency: 'USD', reallocation_unlimited: true },
  flight: { start: '2025-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, BUYER);
const check = agent.checkGovernance({ caller: BUYER, plan_id: 'p', target_agent: 'https://seller.example.com',
  tool: 'create_media_buy', payload: { total_budget: 100 } }, BUYER);
const ms = performance.now() - t0;
if (sync.status !== 'completed' || check.response?.decision !== 'approved' && check.response?.verdict !== 'approved') {
  console.error(JSON.stringify({ sync, check }).slice(0, 500));
  process.exit(1);
}
console.log(ms.toFixed(2));
