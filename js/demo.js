// The governance loop on the embedded default plan (`npm start`,
// `npx adcp-governance demo`): an orchestrator syncs a plan and asks for
// approvals (approved, a counterproposal, a denial), the seller confirms
// and reports delivery, the buy settles, the buyer files an observation,
// the seller a credit, the owner accepts it, and the audit log sums it up.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createGovernanceAgent, canonicalize } from './node.js';

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

const BUYER = 'https://orchestrator.acme.example';
const SELLER = 'https://sales.streamco.example';
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

export async function runDemo({ backend = 'auto', log = console.log } = {}) {
  let now = Date.parse('2026-03-01T09:00:00Z');
  const agent = await createGovernanceAgent({ backend, issuer: 'https://governance.acme.example', clock: () => now });
  const step = (title, result, detail = '') => {
    const body = result.response ?? {};
    const status = result.status === 'failed' ? `failed ${result.errors[0].code}` : body.verdict ?? body.outcome_state ?? body.adjustment_state ?? result.status;
    log(`  ${title.padEnd(58)} ${String(status).padEnd(12)} ${detail}`);
    return body;
  };
  log(`adcp-governance demo (${agent.backend} backend)\n`);
  step('sync_plans: spring_launch, $50,000, US/CA, olv/ctv/display',
    agent.syncPlans({ idempotency_key: 'demo-sync-spring-0001', plans: [DEFAULT_PLAN] }, BUYER), 'version 1');

  const intent = (seller, amount, extra = {}) => agent.checkGovernance({
    caller: BUYER, plan_id: 'spring_launch', target_agent: seller, tool: 'create_media_buy',
    payload: { total_budget: amount, geo: { countries: ['US'] }, channels: ['olv'], ...extra } }, BUYER);
  const buy = step('check_governance: StreamCo olv buy, $12,000', intent(SELLER, 12000));
  const counter = step('check_governance: StreamCo ctv buy, $35,000', intent(SELLER, 35000, { channels: ['ctv'] }));
  log(`    -> ${counter.conditions?.[0]?.reason ?? counter.explanation}`);
  const retry = step('check_governance: re-check at the counterproposal', agent.checkGovernance({
    caller: BUYER, plan_id: 'spring_launch', target_agent: SELLER, tool: 'create_media_buy',
    consultation_context: counter.consultation_context,
    payload: { total_budget: counter.conditions?.[0]?.required_value ?? 18000, geo: { countries: ['US'] }, channels: ['ctv'] } }, BUYER),
    money(counter.conditions?.[0]?.required_value ?? 0));
  step('check_governance: NewsNet display in Mexico, $10,000', intent(OTHER_SELLER, 10000, { geo: { countries: ['MX'] }, channels: ['display'] }));

  // The seller verifies the token it received, then confirms the buy.
  const jwk = agent.publicJwk();
  const payload = verifyToken(buy.governance_context, jwk);
  log(`    seller verified the token (${jwk.alg}, kid ${jwk.kid.slice(0, 12)}...): authorized ${money(payload.authorized_commitment.amount)}`);
  now += 60_000;
  const purchase = step('check_governance (seller): purchase confirmed at $11,000', agent.checkGovernance({
    caller: SELLER, governance_context: buy.governance_context, phase: 'purchase',
    planned_delivery: { media_buy_id: 'mb_7781', total_budget: 11000, currency: 'USD', channels: ['olv'], geo: { countries: ['US'] } } }, SELLER));
  step('report_plan_outcome: completed', agent.reportPlanOutcome({
    idempotency_key: 'demo-outcome-buy-0001', plan_id: 'spring_launch', check_id: purchase.check_id,
    governance_context: purchase.governance_context, outcome: 'completed',
    seller_response: { media_buy_id: 'mb_7781', committed_budget: 11000 } }, BUYER), 'committed $11,000');

  now = Date.parse('2026-03-07T12:00:00Z');
  const metrics = { statement_id: 'streamco_7781_0001', sequence: 1, issued_at: '2026-03-07T01:00:00Z',
    reporting_period: { start: '2026-03-01T00:00:00Z', end: '2026-03-07T00:00:00Z' }, spend: 1800, cumulative_spend: 1800,
    currency: 'USD', geo_distribution: { US: 100 }, channel_distribution: { olv: 100 }, pacing: 'on_track' };
  metrics.statement_digest = 'sha256:' + createHash('sha256')
    .update(canonicalize({ seller_reference: 'mb_7781', delivery_metrics: metrics })).digest('hex');
  const delivery = step('check_governance (seller): delivery statement, $1,800', agent.checkGovernance({
    caller: SELLER, governance_context: purchase.governance_context, phase: 'delivery',
    planned_delivery: { media_buy_id: 'mb_7781' }, delivery_metrics: metrics }, SELLER));
  const observation = step('report_plan_outcome: buyer measured $1,795', agent.reportPlanOutcome({
    idempotency_key: 'demo-observation-0001', plan_id: 'spring_launch', check_id: delivery.check_id,
    governance_context: delivery.governance_context, outcome: 'delivery',
    delivery: { observation_id: 'acme_obs_1', source: 'buyer_measurement', observed_at: '2026-03-07T13:00:00Z',
      reporting_period: metrics.reporting_period, cumulative_spend: 1795, currency: 'USD' } }, BUYER));
  log(`    -> ${observation.delivery_reconciliation_status}`);
  const outcomeId = agent.getPlanAuditLogs({ plan_ids: ['spring_launch'], include_entries: true }, BUYER)
    .response.plans[0].entries.find((e) => e.type === 'outcome').id;
  const credit = step('report_plan_adjustment (seller): credit $250', agent.reportPlanAdjustment({
    idempotency_key: 'demo-adjustment-0001', action: 'report', plan_id: 'spring_launch', outcome_id: outcomeId,
    seller_reference: 'mb_7781', seller_adjustment_id: 'streamco_credit_1', adjustment_type: 'credit',
    amount: { amount: 250, currency: 'USD' }, reason: 'Credit for a missed daypart.', effective_at: '2026-03-07T00:00:00Z',
    evidence: { evidence_id: 'streamco_cn_1', evidence_type: 'credit_note', digest: 'sha256:' + 'c'.repeat(64), issued_at: '2026-03-07T00:00:00Z' } }, SELLER));
  step('report_plan_adjustment (owner): accept', agent.reportPlanAdjustment({
    idempotency_key: 'demo-review-0001', action: 'review', plan_id: 'spring_launch',
    adjustment_id: credit.adjustment_id, decision: 'accept' }, BUYER));

  const audit = agent.getPlanAuditLogs({ plan_ids: ['spring_launch'] }, BUYER).response;
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
  agent.dispose();
  return { audit, retry };
}
