// adcp-governance/sdk: our agent as the governance agent of an @adcp/sdk
// client, in process (no server, no port). @adcp/sdk is an optional peer: this
// file never imports it; the SDK reaches us through the duck-typed in-process
// MCP client it supports (`AgentConfig._inProcessMcpClient`, what
// `AgentClient.fromMCPClient()` builds). 3.0-era request shapes are handled by
// the core (spec 10); the shim only injects the host's identity and maps
// CoreResults to MCP tool results (10 §8.2).

import { z } from 'zod';
import { GOVERNANCE_TOOLS, capabilities, failureResult, toolList, toolResult } from './tools.js';

export { GOVERNANCE_TOOLS };

class GovernanceTaskSubmitted extends Error {
  constructor(taskId) {
    super(`adcp-governance: the check went to human review (task ${taskId}); finish it with admin resolve_escalation`);
    this.name = 'GovernanceTaskSubmitted';
    this.taskId = taskId;
  }
}

/**
 * A duck-typed MCP client that routes tool calls into `agent` as `identity`.
 * Holding it means acting as that identity: make one per caller.
 */
export function createInProcessMcpClient(agent, options = {}) {
  const identity = options.callerUrl ?? options.identity;
  if (!agent || typeof agent.callRaw !== 'function') throw new TypeError('createInProcessMcpClient: an agent is required');
  if (typeof identity !== 'string' || !identity) throw new TypeError('createInProcessMcpClient: `callerUrl` is required');
  const auth = options.protocol ? { agent_url: identity, protocol: options.protocol } : { agent_url: identity };
  const onResult = options.onResult;
  const replayTtl = options.replayTtlSeconds ?? 86400;

  return {
    // Any non-undefined value: fromMCPClient() refuses a client without a transport.
    transport: { kind: 'adcp-governance-in-process' },
    // No task support advertised: the SDK then uses plain callTool.
    getServerCapabilities: () => ({}),
    async listTools() {
      return { tools: toolList([...GOVERNANCE_TOOLS, 'get_adcp_capabilities']) };
    },
    async callTool(params) {
      const name = params?.name;
      const args = params?.arguments ?? {};
      if (name === 'get_adcp_capabilities') return toolResult(capabilities({ replayTtlSeconds: replayTtl }));
      if (!GOVERNANCE_TOOLS.includes(name)) return failureResult('INVALID_REQUEST', `unknown tool ${name}`);
      // JSON.stringify drops `undefined` members (6.11 sends governance_context: undefined).
      const coreResult = JSON.parse(agent.callRaw(name, JSON.stringify(args), auth));
      onResult?.({ tool: name, arguments: args, result: coreResult });
      if (coreResult.status === 'submitted') throw new GovernanceTaskSubmitted(coreResult.task_id);
      const wire = agent.toWire(coreResult);
      return toolResult(wire, coreResult.status === 'failed');
    },
    async close() {},
  };
}

/**
 * An `AgentConfig` for `governance: { campaign: { agent } }` of an @adcp/sdk
 * client, routing every governance call into `agent` as `callerUrl`.
 * Pass the SDK's `AgentClient` to build it the sanctioned way
 * (`AgentClient.fromMCPClient(...).getAgent()`); without it the same shape is
 * built directly, so the package works without the SDK installed.
 */
export function toGovernanceAgentConfig(agent, options = {}) {
  const id = options.agentId ?? 'adcp-governance';
  const name = options.agentName ?? 'adcp-governance';
  const client = createInProcessMcpClient(agent, options);
  if (options.AgentClient?.fromMCPClient) {
    return options.AgentClient.fromMCPClient(client, { agentId: id, agentName: name }).getAgent();
  }
  return { id, name, agent_uri: `adcp-in-process://${id}`, protocol: 'mcp', _inProcessMcpClient: client };
}

export { GovernanceTaskSubmitted };

const PLATFORM_TASKS = { checkGovernance: 'check_governance', syncPlans: 'sync_plans',
  reportPlanOutcome: 'report_plan_outcome', getPlanAuditLogs: 'get_plan_audit_logs' };

/**
 * Our agent as the `campaignGovernance` of an @adcp/sdk (6.11+) server built
 * with `createAdcpServerFromPlatform` (the SDK's `CampaignGovernancePlatform`).
 * The caller's identity is the registry-resolved `ctx.agent.agent_url` (the
 * platform's `agentRegistry`, i.e. the credential), never a request field.
 * Decisions are returned; failures are thrown as the host's `AdcpError`
 * (passed in: this package never imports @adcp/sdk). A 3.0-era check that
 * fails keeps the core's fail-closed `status: "denied"` rendering (spec 10),
 * since 6.11 clients proceed on an error envelope.
 *
 * `report_plan_adjustment` is not on the interface: register the returned
 * `customTools` (`createAdcpServerFromPlatform(platform, { customTools })`);
 * custom tools bypass the framework's agent resolution, so pass the same
 * `agentRegistry` here for them to identify the caller.
 *
 * @param agent  an in-memory or durable agent
 * @param {{AdcpError: Function, agentRegistry?: {resolve: Function}, protocol?: '3.0'|'3.1'|'3.2'}} options
 *   `protocol`: the dialect of the SDK host's schemas (default '3.0', @adcp/sdk 6.11)
 */
export function toCampaignGovernancePlatform(agent, options = {}) {
  // The SDK host validates requests and responses against its AdCP version
  // (6.11: 3.0.6), so the core is told the transport's dialect (spec 10 D5);
  // a request's own markers still win.
  const { AdcpError, agentRegistry, protocol = '3.0' } = options;
  if (!agent || typeof agent.callRaw !== 'function') throw new TypeError('toCampaignGovernancePlatform: an agent is required');
  if (typeof AdcpError !== 'function') throw new TypeError('toCampaignGovernancePlatform: options.AdcpError (from @adcp/sdk/server) is required');
  const unauthenticated = () => new AdcpError('AUTH_REQUIRED', { recovery: 'correctable',
    message: 'the caller could not be identified from its credential (configure the platform agentRegistry)' });

  async function run(task, request, agentUrl) {
    if (typeof agentUrl !== 'string' || !agentUrl) throw unauthenticated();
    const coreResult = JSON.parse(await agent.callRaw(task, JSON.stringify(request ?? {}), { agent_url: agentUrl, protocol }));
    const wire = agent.toWire(coreResult);
    if (coreResult.status !== 'failed' || (task === 'check_governance' && wire.status === 'denied')) return wire;
    const error = coreResult.errors?.[0] ?? { code: 'SERVICE_UNAVAILABLE', message: 'no answer', recovery: 'transient' };
    throw new AdcpError(error.code, { message: error.message, recovery: error.recovery,
      ...(error.field !== undefined && { field: error.field }) });
  }

  const platform = {};
  for (const [method, task] of Object.entries(PLATFORM_TASKS))
    platform[method] = (request, ctx) => run(task, request, ctx?.agent?.agent_url);

  platform.customTools = {
    report_plan_adjustment: {
      description: 'Report or review a post-settlement adjustment.',
      annotations: { readOnlyHint: false, idempotentHint: true },
      // The MCP SDK passes arguments only to tools with an input schema: an
      // open object (every key kept), since the core validates the request.
      inputSchema: z.looseObject({}),
      handler: async (args, extra) => {
        // As the framework resolves ctx.agent (serve() keeps the credential in authInfo.extra).
        const authInfo = extra?.authInfo;
        const credential = authInfo?.credential ?? authInfo?.extra?.credential;
        const resolved = agentRegistry && authInfo && await agentRegistry.resolve({
          ...(credential !== undefined && { credential }),
          ...(authInfo.extra !== undefined && { extra: authInfo.extra }),
        });
        if (!resolved?.agent_url)
          return failureResult('AUTH_REQUIRED', 'the caller could not be identified from its credential (pass agentRegistry)');
        const coreResult = JSON.parse(await agent.callRaw('report_plan_adjustment', JSON.stringify(args ?? {}),
          { agent_url: resolved.agent_url }));
        return toolResult(agent.toWire(coreResult), coreResult.status === 'failed');
      },
    },
  };
  return platform;
}
