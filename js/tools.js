// The agent's MCP tools, shared by the in-process client (adcp-governance/sdk)
// and the HTTP server (adcp-governance/mcp): tool list, capabilities, and the
// mapping of a CoreResult to an MCP tool result. No protocol rule lives here:
// the core validates, decides and renders (spec 10 `toWire` included).

export const TASK_TOOLS = ['sync_plans', 'check_governance', 'report_plan_outcome', 'report_plan_adjustment',
  'get_plan_audit_logs', 'sync_accounts', 'list_accounts'];
export const GOVERNANCE_TOOLS = TASK_TOOLS.slice(0, 5);

export const TOOL_DESCRIPTIONS = {
  get_adcp_capabilities: 'Protocols and features this agent supports.',
  sync_plans: 'Register or update campaign governance plans.',
  check_governance: 'Check an intended action (buyer) or a planned delivery (seller) against a governance plan.',
  report_plan_outcome: 'Report the outcome of a governed action (settles committed budget).',
  report_plan_adjustment: 'Report or review a post-settlement adjustment.',
  get_plan_audit_logs: 'Budget state, governed actions and the audit trail of plans.',
  sync_accounts: 'Register the advertiser accounts (brand, operator, billing) governed plans are bought for.',
  list_accounts: 'The accounts of the authenticated agent.',
  comply_test_controller: 'Sandbox only: seed fixtures for the conformance storyboards.',
};

// Annotations: a check is recorded (audit), so it is not read-only.
const ANNOTATIONS = {
  get_adcp_capabilities: { readOnlyHint: true },
  sync_plans: { readOnlyHint: false, idempotentHint: true },
  check_governance: { readOnlyHint: false },
  report_plan_outcome: { readOnlyHint: false },
  report_plan_adjustment: { readOnlyHint: false, idempotentHint: true },
  get_plan_audit_logs: { readOnlyHint: true },
  sync_accounts: { readOnlyHint: false, idempotentHint: true },
  list_accounts: { readOnlyHint: true },
  comply_test_controller: { readOnlyHint: false },
};

/** tools/list: the core validates arguments, so input schemas stay open. */
export function toolList(names) {
  return names.map((name) => ({
    name, description: TOOL_DESCRIPTIONS[name], annotations: ANNOTATIONS[name],
    inputSchema: { type: 'object', properties: {}, additionalProperties: true },
  }));
}

/** get_adcp_capabilities (AdCP 3.x): governance, its specialisms and limits. */
export function capabilities({ replayTtlSeconds = 86400, aggregationWindowDays = null, sandbox = false } = {}) {
  const caps = {
    adcp: { major_versions: [3], supported_versions: ['3.0', '3.1', '3.2'],
      idempotency: { supported: true, replay_ttl_seconds: replayTtlSeconds } },
    supported_protocols: ['governance'],
    specialisms: ['governance-spend-authority', 'governance-delivery-monitor'],
    experimental_features: ['governance.campaign'],
  };
  if (aggregationWindowDays) caps.governance = { aggregation_window_days: aggregationWindowDays };
  if (sandbox) caps.compliance_testing = { scenarios: ['seed_plan'] };
  return caps;
}

/** An MCP tool result: structured content plus its text. */
export function toolResult(wire, isError = false) {
  const out = { content: [{ type: 'text', text: JSON.stringify(wire) }], structuredContent: wire };
  if (isError) out.isError = true;
  return out;
}

/** A failure as both AdCP error shapes (`errors[]` and `adcp_error`, which @adcp/sdk reads). */
export function failureResult(code, message, field) {
  const error = field === undefined ? { code, message, recovery: code === 'SERVICE_UNAVAILABLE' ? 'transient' : 'correctable' }
    : { code, message, recovery: 'correctable', field };
  return toolResult({ status: 'failed', errors: [error], adcp_error: error }, true);
}

/**
 * Runs a task tool on `agent` (in-memory or durable) as `auth` and maps the
 * CoreResult: completed and submitted answers as structured content, failures
 * with `isError` (the core's wire form keeps a 3.0 client's fail-closed
 * `status: "denied"`). Returns {result, coreResult}.
 */
export async function callTaskTool(agent, name, args, auth) {
  // JSON.stringify drops `undefined` members (6.11 sends governance_context: undefined).
  const coreResult = JSON.parse(await agent.callRaw(name, JSON.stringify(args ?? {}), auth));
  const wire = agent.toWire(coreResult);
  return { result: toolResult(wire, coreResult.status === 'failed'), coreResult };
}
