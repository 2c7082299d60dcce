// Types of adcp-governance/sdk. Structural on purpose: no import of @adcp/sdk
// (an optional peer), so the package type-checks without it.
import type { GovernanceAgent, CoreResult } from './index.js';

export const GOVERNANCE_TOOLS: readonly ['sync_plans', 'check_governance', 'report_plan_outcome',
  'report_plan_adjustment', 'get_plan_audit_logs'];

/** The MCP tool result the SDK reads (`structuredContent` is the wire form, 3.0 bodies for 3.0-era clients). */
export interface InProcessToolResult {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent: Record<string, unknown>;
  isError?: true;
}

/** A duck-typed MCP client: what `AgentConfig._inProcessMcpClient` / `AgentClient.fromMCPClient()` accept. */
export interface InProcessMcpClient {
  transport: unknown;
  getServerCapabilities(): Record<string, never>;
  listTools(): Promise<{ tools: Array<{ name: string; description?: string; inputSchema: Record<string, unknown> }> }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<InProcessToolResult>;
  close(): Promise<void>;
}

export interface InProcessOptions {
  /** The identity every call is made as (the host resolved it; never taken from arguments). */
  callerUrl: string;
  /** Transport hint for the core's dialect detection (10 §1.1). */
  protocol?: '3.0' | '3.1' | '3.2';
  replayTtlSeconds?: number;
  /** Sees every call and its CoreResult (logging, swallowed-outcome reporting). */
  onResult?(entry: { tool: string; arguments: Record<string, unknown>; result: CoreResult }): void;
}

export function createInProcessMcpClient(agent: GovernanceAgent, options: InProcessOptions): InProcessMcpClient;

/** The AgentConfig shape @adcp/sdk (6.11 … 14.x) routes in process. */
export interface InProcessAgentConfig {
  id: string;
  name: string;
  agent_uri: string;
  protocol: 'mcp';
  _inProcessMcpClient: InProcessMcpClient;
}

/** For `governance: { campaign: { agent: toGovernanceAgentConfig(agent, { callerUrl }) , planId, callerUrl } }`. */
export function toGovernanceAgentConfig(agent: GovernanceAgent, options: InProcessOptions & {
  agentId?: string;
  agentName?: string;
  /** The SDK's AgentClient class: builds the config through `AgentClient.fromMCPClient()`. */
  AgentClient?: { fromMCPClient(client: unknown, options: { agentId: string; agentName: string }): { getAgent(): unknown } };
}): InProcessAgentConfig;

/** Thrown when a (3.2) check goes to human review: in-process clients cannot poll tasks. */
export class GovernanceTaskSubmitted extends Error {
  readonly taskId: string;
}

/**
 * Our agent as the `campaignGovernance` of an @adcp/sdk (6.11+) server
 * (`createAdcpServerFromPlatform`): the SDK's `CampaignGovernancePlatform`
 * methods, plus `customTools.report_plan_adjustment` for
 * `createAdcpServerFromPlatform(platform, { customTools })`.
 * Identity: `ctx.agent.agent_url` (the platform's agentRegistry); failures
 * are thrown as the host's AdcpError.
 */
export interface GovernancePlatformOptions {
  /** `AdcpError` from `@adcp/sdk/server`. */
  AdcpError: new (code: string, options: { message: string; recovery?: string; field?: string }) => Error;
  /** The platform's buyer-agent registry: custom tools bypass the framework's agent resolution. */
  agentRegistry?: { resolve(input: { credential?: unknown; extra?: Record<string, unknown> }): Promise<{ agent_url: string } | null> };
  /** The dialect of the SDK host's schemas (default '3.0': @adcp/sdk 6.11 validates against 3.0.6). */
  protocol?: '3.0' | '3.1' | '3.2';
}

type PlatformContext = { agent?: { agent_url: string } };

export interface CampaignGovernanceAdapter {
  checkGovernance(request: Record<string, unknown>, ctx: PlatformContext): Promise<Record<string, unknown>>;
  syncPlans(request: Record<string, unknown>, ctx: PlatformContext): Promise<Record<string, unknown>>;
  reportPlanOutcome(request: Record<string, unknown>, ctx: PlatformContext): Promise<Record<string, unknown>>;
  getPlanAuditLogs(request: Record<string, unknown>, ctx: PlatformContext): Promise<Record<string, unknown>>;
  customTools: {
    report_plan_adjustment: {
      description: string;
      annotations: Record<string, boolean>;
      inputSchema: unknown;
      handler(args: Record<string, unknown>, extra: { authInfo?: Record<string, unknown> }): Promise<InProcessToolResult>;
    };
  };
}

export function toCampaignGovernancePlatform(agent: GovernanceAgent | import('./index.js').DurableGovernanceAgent,
  options: GovernancePlatformOptions): CampaignGovernanceAdapter;
