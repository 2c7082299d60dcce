// adcp-governance/testing: a governance agent for sellers' and orchestrators'
// tests. Unlike the SDK's always-approving test agent it is the real core: plans are
// enforced (denials, conditions, human review), tokens are real Ed25519 JWS
// over the true plan_hash, audit logs have the spec's shape. Deterministic:
// a fixed clock you advance, a seeded random source and a seeded signing key,
// sequential ids; and a call log of everything that reached it.
import { createGovernanceAgent } from './node.js';
import { seededRandom } from './seeded-random.js';
import { createInProcessMcpClient, toGovernanceAgentConfig } from './sdk.js';

const DEFAULT_NOW = Date.parse('2026-01-01T00:00:00.000Z');

const toMs = (t) => (typeof t === 'number' ? t : Date.parse(t));
const base64url = (bytes) => Buffer.from(bytes).toString('base64url');

/**
 * @param {object} [options]
 * @param {'auto'|'native'|'wasm'} [options.backend]
 * @param {object[]} [options.plans]        synced at creation, owned by `callerUrl`
 * @param {string} [options.callerUrl]     the orchestrator identity (default https://buyer.example/)
 * @param {number|string} [options.now]    start of the clock (default 2026-01-01T00:00:00.000Z)
 * @param {number} [options.seed]          seeds ids' randomness and the signing key (default 1)
 * @param {string} [options.issuer]
 * Any other createGovernanceAgent option (hooks, default_mode, budget_holds, ...) passes through.
 */
export async function createTestGovernanceAgent(options = {}) {
  const { plans = [], callerUrl = 'https://buyer.example/', now = DEFAULT_NOW, seed = 1,
    issuer = 'https://governance.test', ...rest } = options;
  let clockMs = toMs(now);
  const keyBytes = seededRandom(BigInt(seed) ^ 0x5EEDn)(32);
  const agent = await createGovernanceAgent({
    id_mode: 'sequential', ...rest, issuer,
    signing: { kid: `test-governance-${seed}`, privateKey: base64url(keyBytes), ...(rest.signing ?? {}) },
    clock: () => clockMs, random: seededRandom(seed),
  });
  const log = [];
  const record = (identity) => ({ tool, arguments: args, result }) =>
    log.push({ tool, identity, arguments: structuredClone(args), result, at: new Date(clockMs).toISOString() });

  if (plans.length) {
    const r = agent.syncPlans({ idempotency_key: `test-governance-sync-${seed}`, plans }, callerUrl);
    if (r.status !== 'completed') throw new Error(`createTestGovernanceAgent: plans rejected: ${JSON.stringify(r.errors)}`);
  }

  return {
    agent,
    callerUrl,
    /** An @adcp/sdk AgentConfig for `governance.campaign.agent`, acting as `identity`. */
    agentConfig(identity = callerUrl, more = {}) {
      return toGovernanceAgentConfig(agent, { agentId: 'test-governance', agentName: 'Test governance agent', ...more,
        callerUrl: identity, onResult: record(identity) });
    },
    /** A duck-typed in-process MCP client acting as `identity` (e.g. a seller's URL). */
    mcpClient(identity = callerUrl) {
      return createInProcessMcpClient(agent, { callerUrl: identity, onResult: record(identity) });
    },
    /** Calls a task directly as `identity` (logged like the others). */
    call(tool, args, identity = callerUrl) {
      const result = agent.call(tool, args, identity);
      record(identity)({ tool, arguments: args, result });
      return result;
    },
    publicJwk: () => agent.publicJwk(),
    jwks: () => ({ keys: [agent.publicJwk()] }),
    getCallLog: () => log.slice(),
    getCallsForTool: (tool) => log.filter((c) => c.tool === tool),
    /** Whether any logged call to `tool` carried a string governance_context. */
    hasGovernanceContext: (tool = 'check_governance') =>
      log.some((c) => c.tool === tool && typeof c.arguments?.governance_context === 'string'),
    clearCallLog: () => { log.length = 0; },
    clock: {
      now: () => clockMs,
      advance: (ms) => { clockMs += ms; return clockMs; },
      set: (t) => { clockMs = toMs(t); return clockMs; },
    },
    /** Human review decision (what a reviewer's console would send). */
    resolveEscalation: (taskId, decision = 'approve', reviewer = 'reviewer@test') =>
      agent.admin({ op: 'resolve_escalation', task_id: taskId, decision, reviewer }),
    auditLogs: (planIds, identity = callerUrl) =>
      agent.getPlanAuditLogs({ plan_ids: planIds, include_entries: true, adcp_version: '3.2' }, identity),
    dispose: () => agent.dispose(),
  };
}
