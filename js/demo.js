// The governance loop on the embedded default plan (`npm start`,
// `npx adcp-governance demo`): an orchestrator syncs a plan and asks for
// approvals (approved, a counterproposal, a denial), the seller confirms
// and reports delivery, the buy settles, the buyer files an observation,
// the seller a credit, the owner accepts it, and the audit log sums it up.
//
// In process (the default) on a fixed clock, or against a running server
// (`demo --url URL --token BUYER_TOKEN --seller-token SELLER_TOKEN`) through
// the official MCP client, each identity with its own bearer token; the
// remote run uses its own plan (a fresh id, a flight around today) so it can
// be repeated against the same server.
import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import { createGovernanceAgent, canonicalize, init } from './node.js';

// What a seller does with a governance token: verify it against the agent's
// published key (node:crypto) and read the claims.
function verifyToken(token, jwk) {
  const [header, claims, signature] = token.split('.');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify(jwk.alg === 'EdDSA' ? null : 'sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('token signature does not verify');
  return JSON.parse(Buffer.from(claims, 'base64url'));
}

export const BUYER = 'https://orchestrator.acme.example';
export const SELLER = 'https://sales.streamco.example';
const OTHER_SELLER = 'https://ads.newsnet.example';

export const DEFAULT_PLAN = {
  plan_id: 'spring_launch',
  brand: { domain: 'acme.example' },
  objectives: 'Awareness for the spring launch in North America.',
  budget: { total: 50000, currency: 'USD', reallocation_threshold: 20000, per_seller_max_pct: 60 },
  flight: { start: '2026-03-01T00:00:00Z', end: '2026-06-01T00:00:00Z' },
  countries: ['US', 'CA'],
  channels: { allowed: ['olv', 'ctv', 'display'] },
};

const money = (n) => `$${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

const DAY = 86_400_000;

/** The demo plan with a flight around `now` (what `serve` seeds, so a real clock is inside it). */
export function livePlan(now = Date.now(), planId = DEFAULT_PLAN.plan_id) {
  const start = new Date(now - 7 * DAY);
  start.setUTCHours(0, 0, 0, 0);
  return { ...DEFAULT_PLAN, plan_id: planId,
    flight: { start: start.toISOString().replace('.000Z', 'Z'), end: new Date(start.getTime() + 120 * DAY).toISOString().replace('.000Z', 'Z') } };
}

// In process: one agent on a clock the demo moves.
async function localSession(backend) {
  let now = Date.parse('2026-03-01T09:00:00Z');
  const agent = await createGovernanceAgent({ backend, issuer: 'https://governance.acme.example', clock: () => now });
  return {
    label: `${agent.backend} backend`, plan: DEFAULT_PLAN, keyPrefix: 'demo',
    call: async (task, request, as) => agent.call(task, request, as),
    publicJwk: async () => agent.publicJwk(),
    now: () => now, advanceTo: (t) => { now = t; },
    close: async () => agent.dispose(),
  };
}

// Against a server: an MCP client per identity; answers are the wire form.
async function remoteSession(url, tokens) {
  await init();  // canonicalize (the statement digest) runs locally
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const clients = {};
  for (const [identity, token] of Object.entries(tokens)) {
    const client = new Client({ name: 'adcp-governance-demo', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients[identity] = client;
  }
  const run = `${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}_${randomUUID().slice(0, 6)}`;
  return {
    label: url, plan: livePlan(Date.now(), `spring_launch_${run}`), keyPrefix: `demo-${run}`,
    async call(task, request, as) {
      const wire = (await clients[as].callTool({ name: task, arguments: request })).structuredContent ?? {};
      return wire.status === 'failed' ? { status: 'failed', errors: wire.errors } : { status: wire.status, response: wire };
    },
    async publicJwk() {
      const jwks = await (await fetch(new URL('/.well-known/jwks.json', url))).json();
      return jwks.keys[0];
    },
    now: () => Date.now(), advanceTo: () => {},
    close: async () => { for (const c of Object.values(clients)) await c.close(); },
  };
}

export async function runDemo({ backend = 'auto', log = console.log, url, token, sellerToken } = {}) {
  if (url && (!token || !sellerToken)) throw new Error('demo --url needs --token BUYER_TOKEN and --seller-token SELLER_TOKEN');
  const session = url ? await remoteSession(url, { [BUYER]: token, [SELLER]: sellerToken }) : await localSession(backend);
  try {
    return await demoLoop(session, log);
  } finally {
    await session.close();
  }
}

async function demoLoop(session, log) {
  const { plan: demoPlan, call } = session;
  const planId = demoPlan.plan_id, key = (name) => `${session.keyPrefix}-${name}`.padEnd(16, '0');
  const step = (title, result, detail = '') => {
    const body = result.response ?? {};
    const status = result.status === 'failed' ? `failed ${result.errors[0].code}` : body.verdict ?? body.outcome_state ?? body.adjustment_state ?? result.status;
    log(`  ${title.padEnd(58)} ${String(status).padEnd(12)} ${detail}`);
    return body;
  };
  log(`adcp-governance demo (${session.label})\n`);
  step(`sync_plans: ${planId}, $50,000, US/CA, olv/ctv/display`,
    await call('sync_plans', { idempotency_key: key('sync-spring-0001'), plans: [demoPlan] }, BUYER), 'version 1');

  const intent = (seller, amount, extra = {}) => call('check_governance', {
    caller: BUYER, plan_id: planId, target_agent: seller, tool: 'create_media_buy',
    payload: { total_budget: amount, geo: { countries: ['US'] }, channels: ['olv'], ...extra } }, BUYER);
  const buy = step('check_governance: StreamCo olv buy, $12,000', await intent(SELLER, 12000));
  const counter = step('check_governance: StreamCo ctv buy, $35,000', await intent(SELLER, 35000, { channels: ['ctv'] }));
  log(`    -> ${counter.conditions?.[0]?.reason ?? counter.explanation}`);
  const retry = step('check_governance: re-check at the counterproposal', await call('check_governance', {
    caller: BUYER, plan_id: planId, target_agent: SELLER, tool: 'create_media_buy',
    consultation_context: counter.consultation_context,
    payload: { total_budget: counter.conditions?.[0]?.required_value ?? 18000, geo: { countries: ['US'] }, channels: ['ctv'] } }, BUYER),
    money(counter.conditions?.[0]?.required_value ?? 0));
  step('check_governance: NewsNet display in Mexico, $10,000', await intent(OTHER_SELLER, 10000, { geo: { countries: ['MX'] }, channels: ['display'] }));

  // The seller verifies the token it received, then confirms the buy.
  const jwk = await session.publicJwk();
  const payload = verifyToken(buy.governance_context, jwk);
  log(`    seller verified the token (${jwk.alg}, kid ${jwk.kid.slice(0, 12)}...): authorized ${money(payload.authorized_commitment.amount)}`);
  session.advanceTo(session.now() + 60_000);
  const purchase = step('check_governance (seller): purchase confirmed at $11,000', await call('check_governance', {
    caller: SELLER, governance_context: buy.governance_context, phase: 'purchase',
    planned_delivery: { media_buy_id: 'mb_7781', total_budget: 11000, currency: 'USD', channels: ['olv'], geo: { countries: ['US'] } } }, SELLER));
  step('report_plan_outcome: completed', await call('report_plan_outcome', {
    idempotency_key: key('outcome-buy-0001'), plan_id: planId, check_id: purchase.check_id,
    governance_context: purchase.governance_context, outcome: 'completed',
    seller_response: { media_buy_id: 'mb_7781', committed_budget: 11000 } }, BUYER), 'committed $11,000');

  // A week of delivery: in process the clock moves on; a server's clock is
  // real, so the remote run reports the week before now (its flight began then).
  const iso = (t) => new Date(t).toISOString().replace('.000Z', 'Z');
  if (session.plan === DEFAULT_PLAN) session.advanceTo(Date.parse('2026-03-07T12:00:00Z'));
  const periodEnd = session.plan === DEFAULT_PLAN ? Date.parse('2026-03-07T00:00:00Z') : Math.floor(session.now() / 60_000) * 60_000 - 60_000;
  const metrics = { statement_id: `streamco_7781_0001`, sequence: 1, issued_at: iso(session.plan === DEFAULT_PLAN ? Date.parse('2026-03-07T01:00:00Z') : periodEnd),
    reporting_period: { start: session.plan.flight.start, end: iso(periodEnd) }, spend: 1800, cumulative_spend: 1800,
    currency: 'USD', geo_distribution: { US: 100 }, channel_distribution: { olv: 100 }, pacing: 'on_track' };
  metrics.statement_digest = 'sha256:' + createHash('sha256')
    .update(canonicalize({ seller_reference: 'mb_7781', delivery_metrics: metrics })).digest('hex');
  const delivery = step('check_governance (seller): delivery statement, $1,800', await call('check_governance', {
    caller: SELLER, governance_context: purchase.governance_context, phase: 'delivery',
    planned_delivery: { media_buy_id: 'mb_7781' }, delivery_metrics: metrics }, SELLER));
  const observation = step('report_plan_outcome: buyer measured $1,795', await call('report_plan_outcome', {
    idempotency_key: key('observation-0001'), plan_id: planId, check_id: delivery.check_id,
    governance_context: delivery.governance_context, outcome: 'delivery',
    delivery: { observation_id: 'acme_obs_1', source: 'buyer_measurement', observed_at: iso(session.plan === DEFAULT_PLAN ? Date.parse('2026-03-07T13:00:00Z') : periodEnd),
      reporting_period: metrics.reporting_period, cumulative_spend: 1795, currency: 'USD' } }, BUYER));
  log(`    -> ${observation.delivery_reconciliation_status}`);
  const outcomeId = (await call('get_plan_audit_logs', { plan_ids: [planId], include_entries: true }, BUYER))
    .response.plans[0].entries.find((e) => e.type === 'outcome').id;
  const credit = step('report_plan_adjustment (seller): credit $250', await call('report_plan_adjustment', {
    idempotency_key: key('adjustment-0001'), action: 'report', plan_id: planId, outcome_id: outcomeId,
    seller_reference: 'mb_7781', seller_adjustment_id: 'streamco_credit_1', adjustment_type: 'credit',
    amount: { amount: 250, currency: 'USD' }, reason: 'Credit for a missed daypart.', effective_at: iso(periodEnd),
    evidence: { evidence_id: 'streamco_cn_1', evidence_type: 'credit_note', digest: 'sha256:' + 'c'.repeat(64), issued_at: iso(periodEnd) } }, SELLER));
  step('report_plan_adjustment (owner): accept', await call('report_plan_adjustment', {
    idempotency_key: key('review-0001'), action: 'review', plan_id: planId,
    adjustment_id: credit.adjustment_id, decision: 'accept' }, BUYER));

  const audit = (await call('get_plan_audit_logs', { plan_ids: [planId] }, BUYER)).response;
  const plan = audit.plans[0];
  const s = plan.summary;
  log('\naudit log summary (get_plan_audit_logs)');
  log(`  budget       authorized ${money(plan.budget.authorized)}, committed ${money(plan.budget.committed)}, ` +
      `net cost ${money(plan.budget.net_cost)}, remaining ${money(plan.budget.remaining)} (${plan.budget.utilization_pct}% used)`);
  log(`  held         ${money(audit.ext?.adcp_governance?.holds?.[0]?.held ?? 0)} by approvals not yet settled`);
  log(`  checks       ${s.checks_performed}: ${s.statuses.approved} approved, ${s.statuses.conditions} conditions, ` +
      `${s.statuses.denied} denied; ${s.findings_count} findings`);
  log(`  outcomes     ${s.outcomes_reported}; adjustments ${s.adjustments_reported} reported, ${s.adjustments_verified} verified`);
  log(`  channels     ${Object.entries(plan.channel_allocation).map(([c, v]) => `${c} ${money(v.committed)}`).join(', ')}`);
  log(`  actions      ${plan.governed_actions.length} governed; delivery ${plan.governed_actions[0].delivery_reconciliation_status}`);
  return { audit, retry };
}
