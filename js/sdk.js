// adcp-governance/sdk: our agent as the governance agent of an @adcp/sdk
// client, in process (no server, no port). @adcp/sdk is an optional peer: this
// file never imports it; the SDK reaches us through the duck-typed in-process
// MCP client it supports (`AgentConfig._inProcessMcpClient`, what
// `AgentClient.fromMCPClient()` builds). 3.0-era request shapes are handled by
// the core (spec 10); the shim only injects the host's identity and maps
// CoreResults to MCP tool results (10 §8.2).

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
