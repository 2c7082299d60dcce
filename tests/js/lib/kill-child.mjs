// Child of tests/js/kill.test.mjs: governed buys on a fileStore, forever,
// streaming every acknowledged answer to stdout as one JSON line, until the
// parent kills it. argv: DIR FIRST_INDEX FSYNC BACKEND
import * as api from '../../../js/node.js';

const [dir, first, fsync, backend] = process.argv.slice(2);
const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
const agent = await api.openGovernanceAgent({
  backend, issuer: 'https://governance.example.com', id_mode: 'random', log: () => {},
  signing: { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'kill-test' },
  store: api.fileStore(dir, { fsync, snapshotEvery: 40, log: () => {} }),
});
const emit = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const sync = await agent.syncPlans({ idempotency_key: 'kill-test-sync-00001', plans: [{ plan_id: 'p1',
  brand: { domain: 'acme.example' }, objectives: 'Kill test.', budget: { total: 1e9, currency: 'USD', reallocation_unlimited: true },
  flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, BUYER);
if (sync.status !== 'completed') throw new Error(JSON.stringify(sync));
emit({ kind: 'ready' });
for (let i = Number(first); ; ++i) {
  const amount = 1 + (i % 97);
  // The parent learns what is in flight before it happens, so it can retry it.
  emit({ kind: 'attempt', i, amount });
  const c = await agent.checkGovernance({ caller: BUYER, plan_id: 'p1', target_agent: SELLER, tool: 'create_media_buy',
    payload: { total_budget: amount } }, BUYER);
  if (c.response?.verdict !== 'approved') throw new Error(JSON.stringify(c));
  emit({ kind: 'check', i, amount, check_id: c.response.check_id, token: c.response.governance_context });
  const key = `kill-outcome-${String(i).padStart(8, '0')}`;
  const o = await agent.reportPlanOutcome({ idempotency_key: key, plan_id: 'p1', check_id: c.response.check_id,
    governance_context: c.response.governance_context, outcome: 'completed', seller_response: { seller_reference: `mb_${i}` } }, BUYER);
  if (o.status !== 'completed') throw new Error(JSON.stringify(o));
  emit({ kind: 'outcome', i, amount, key, check_id: c.response.check_id, outcome_id: o.response.outcome_id });
}
