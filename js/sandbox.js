// `serve --sandbox` (never the default): what the upstream storyboard runner
// needs to grade this server. It sends one bearer for two roles, so in the
// sandbox a call's identity follows the conformance rules instead of a
// credential: a check_governance call acts as its `caller`, a
// report_plan_adjustment with action "report" as the sandbox seller, anything
// else as the sandbox buyer. comply_test_controller seeds plans
// (`seed_plan`); other `seed_*` scenarios are accepted as no-ops that say so.
import { toolResult } from './tools.js';

/** The identity of one sandbox call (see above). */
export function sandboxIdentity({ seller, buyer }) {
  return (tool, args) => {
    if (tool === 'check_governance' && typeof args?.caller === 'string') return { agent_url: args.caller };
    if (tool === 'report_plan_adjustment' && args?.action === 'report') return { agent_url: seller };
    return { agent_url: buyer };
  };
}

const SCENARIOS = ['list_scenarios', 'seed_plan', 'seed_product', 'seed_pricing_option', 'seed_creative', 'seed_media_buy',
  'seed_creative_format'];

// A plan from a storyboard fixture: its fields, with what sync_plans requires filled in.
function planFromFixture(planId, fixture) {
  const now = new Date();
  const plan = { plan_id: planId, brand: { domain: 'acme-outdoor.example' }, objectives: `Sandbox plan ${planId}.`, ...fixture };
  plan.plan_id = planId;
  plan.budget = { currency: 'USD', reallocation_unlimited: true, ...(fixture.budget ?? {}) };
  if (plan.budget.total === undefined) plan.budget.total = 100000;
  if (plan.budget.reallocation_threshold !== undefined) delete plan.budget.reallocation_unlimited;
  plan.flight = fixture.flight ?? { start: new Date(now.getFullYear(), 0, 1).toISOString(),
    end: new Date(now.getFullYear() + 2, 0, 1).toISOString() };
  return plan;
}

/** The comply_test_controller tool (an extraTool of createMcpHandler). */
export function sandboxTool({ buyer }) {
  const seeded = new Map();
  return async (name, args, { agent, tenant }) => {
    if (name !== 'comply_test_controller') return null;
    const scenario = args?.scenario;
    const fail = (error, detail) => toolResult({ success: false, error, error_detail: detail }, true);
    if (typeof scenario !== 'string') return fail('INVALID_PARAMS', 'Missing required field: scenario');
    if (scenario === 'list_scenarios') return toolResult({ success: true, scenarios: SCENARIOS });
    if (!SCENARIOS.includes(scenario)) return fail('UNKNOWN_SCENARIO', `Scenario not supported: ${scenario}`);
    if (scenario !== 'seed_plan')
      return toolResult({ success: true, message: `${scenario} accepted as a no-op: a governance agent keeps no ${scenario.slice(5)}s` });
    const planId = args?.params?.plan_id;
    if (typeof planId !== 'string' || !planId) return fail('INVALID_PARAMS', 'seed_plan requires params.plan_id');
    const fixture = args.params.fixture ?? {};
    if (typeof fixture !== 'object' || Array.isArray(fixture)) return fail('INVALID_PARAMS', 'params.fixture must be an object');
    const key = `${tenant ?? 'default'}:${planId}`, canonical = JSON.stringify(fixture);
    if (seeded.has(key) && seeded.get(key) !== canonical)
      return fail('INVALID_PARAMS', `Fixture for ${planId} diverges from the previously seeded fixture`);
    const r = await agent.syncPlans({ idempotency_key: `sandbox-seed-${planId}`.padEnd(16, '0').slice(0, 255),
      plans: [planFromFixture(planId, fixture)] }, buyer);
    if (r.status !== 'completed' && r.errors?.[0]?.code !== 'IDEMPOTENCY_CONFLICT')
      return fail('INVALID_PARAMS', r.errors?.[0]?.message ?? 'seed_plan failed');
    const replay = seeded.has(key);
    seeded.set(key, canonical);
    return toolResult({ success: true, message: replay ? 'Fixture re-seeded (equivalent)' : 'Fixture seeded' });
  };
}
