// A seeded server for the dashboard test and bench (issue 16): the demo
// loop through MCP (the orchestrator and the seller with their own tokens),
// a plan with a history of `buys` governed buys across three channels with
// mix targets, a plan whose checks go to human review with one pending
// escalation, and value-delivered records in the outcomes ledger.
import { createHash } from 'node:crypto';
import { BUYER as DEMO_BUYER, SELLER as DEMO_SELLER, runDemo } from '../../../js/demo.js';

export const DASH_TOKENS = { owner: 'owner-dashboard-token', agent: 'owner-machine-token', seller: 'demo-seller-token', other: 'other-owner-token' };
const sha = (s) => createHash('sha256').update(s).digest('hex');
const DAY = 86_400_000;

/** Config members for startServer: the owner's reviewer (outcomes user 42), the owner's agent, the seller, another owner. */
export const dashboardConfig = () => ({
  rate_limit: { per_minute: 1e9, burst: 1e9 },
  tokens: [{ sha256: sha(DASH_TOKENS.owner), agent_url: DEMO_BUYER, user_id: 42, reviewer: 'jane@acme.example' },
    { sha256: sha(DASH_TOKENS.agent), agent_url: DEMO_BUYER },  // the buying agent's own token: not a reviewer
    { sha256: sha(DASH_TOKENS.seller), agent_url: DEMO_SELLER },
    { sha256: sha(DASH_TOKENS.other), agent_url: 'https://other-agency.example', user_id: 7 }],
});

function flight(now) {
  const start = new Date(now - 30 * DAY);
  start.setUTCHours(0, 0, 0, 0);
  return { start: start.toISOString().replace('.000Z', 'Z'), end: new Date(start.getTime() + 90 * DAY).toISOString().replace('.000Z', 'Z') };
}

export async function seedDashboard(running, { buys = 1000 } = {}) {
  await runDemo({ url: `${running.url}/mcp`, token: DASH_TOKENS.owner, sellerToken: DASH_TOKENS.seller, log: () => {} });
  const agent = running.tenants.get('default').agent;
  const now = Date.now();
  const history = { plan_id: 'history', brand: { domain: 'acme.example' }, objectives: 'Always-on video.',
    budget: { total: 10 * buys * 120, currency: 'USD', reallocation_unlimited: true }, flight: flight(now),
    channels: { allowed: ['olv', 'ctv', 'display'], mix_targets: { olv: { min_pct: 20, max_pct: 50 }, ctv: { min_pct: 10, max_pct: 40 },
      display: { max_pct: 30 } } } };
  const review = { plan_id: 'review', brand: { domain: 'acme.example', data_subject_contestation: { email: 'dpo@acme.example' } },
    objectives: 'Sensitive audience; every buy reviewed.', budget: { total: 20000, currency: 'USD', reallocation_unlimited: true },
    flight: flight(now),
    human_review_required: true };
  const sync = await agent.syncPlans({ idempotency_key: 'dashboard-seed-sync-01', plans: [history, review] }, DEMO_BUYER);
  if (sync.status !== 'completed') throw new Error(JSON.stringify(sync));
  const channels = ['olv', 'olv', 'ctv', 'display', 'olv', 'ctv'];
  for (let i = 0; i < buys; ++i) {
    const amount = 50 + (i % 7) * 10;
    const c = await agent.checkGovernance({ caller: DEMO_BUYER, plan_id: 'history', target_agent: DEMO_SELLER, tool: 'create_media_buy',
      payload: { total_budget: amount, channels: [channels[i % channels.length]] } }, DEMO_BUYER);
    if (c.response?.verdict !== 'approved') throw new Error(`buy ${i}: ${JSON.stringify(c)}`);
    if (i % 10 === 9) continue;  // one in ten stays unsettled: a hold
    const o = await agent.reportPlanOutcome({ idempotency_key: `dash-seed-${String(i).padStart(10, '0')}`, plan_id: 'history',
      check_id: c.response.check_id, governance_context: c.response.governance_context, outcome: 'completed',
      seller_response: { seller_reference: `mb_hist_${i}` } }, DEMO_BUYER);
    if (o.status !== 'completed') throw new Error(JSON.stringify(o));
  }
  const pending = await agent.checkGovernance({ caller: DEMO_BUYER, plan_id: 'review', target_agent: DEMO_SELLER, tool: 'create_media_buy',
    payload: { total_budget: 4000, channels: ['ctv'] } }, DEMO_BUYER);
  if (pending.status !== 'submitted') throw new Error(JSON.stringify(pending));
  // Value delivered: the owner's outcomes-ledger records (user 42).
  for (const [i, plan] of ['history', 'history', 'review'].entries()) {
    const r = await fetch(`${running.url}/api/outcomes`, { method: 'POST', headers: { authorization: `Bearer ${DASH_TOKENS.owner}`,
      'content-type': 'application/json' }, body: JSON.stringify({ outcomeType: 'deal_closed', title: `Deal ${i + 1}`, valueUsd: 1000 * (i + 1),
      metadata: { plan_id: plan } }) });
    if (r.status !== 200) throw new Error(`outcome ${i}: ${r.status} ${await r.text()}`);
  }
  return { pendingTask: pending.task_id };
}
