const t0 = performance.now();
const { createGovernanceAgent } = await import('adcp-governance');
const t1 = performance.now();
const agent = await createGovernanceAgent({ backend: process.argv[2] ?? 'native', issuer: 'https://governance.example.com',
  signing: { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'cold' } });
const t2 = performance.now();
const BUYER = 'https://buyer.example.com';
const sync = agent.syncPlans({ idempotency_key: 'cold-start-sync-0001', plans: [{ plan_id: 'p', brand: { domain: 'b.example' },
  objectives: 'cold start', budget: { total: 1000, currency: 'USD', reallocation_unlimited: true },
  flight: { start: '2025-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, BUYER);
const t3 = performance.now();
const check = agent.checkGovernance({ caller: BUYER, plan_id: 'p', target_agent: 'https://seller.example.com',
  tool: 'create_media_buy', payload: { total_budget: 100 } }, BUYER);
const t4 = performance.now();
console.log([t1-t0,t2-t1,t3-t2,t4-t3,t4-t0].map(x=>x.toFixed(1)).join(' '));
