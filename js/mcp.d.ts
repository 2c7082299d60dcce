// Types of adcp-governance/mcp: the agent over MCP (streamable HTTP,
// stateless, JSON responses) as a fetch handler for Node, workerd and Deno.
import type { DurableGovernanceAgent, GovernanceAgent, JsonObject } from './index.js';

export type McpAgent = GovernanceAgent | DurableGovernanceAgent;

/** Who is calling, resolved by the host from its credential (never from the body). */
export interface McpIdentity {
  agent_url: string;
  /** When set, the tenants this credential may use (`default` for /mcp). */
  tenants?: string[];
}

export interface McpCallEvent {
  requestId?: string;
  tenant: string | null;
  tool: string;
  identity: string;
  ms: number;
  status: 'completed' | 'submitted' | 'failed';
  verdict: string | null;
  coreResult: JsonObject | null;
}

export interface McpHandlerOptions {
  /** The credential check: null answers 401 with WWW-Authenticate. */
  authenticate(request: Request, tenant: string | null): McpIdentity | null | Promise<McpIdentity | null>;
  /** get_adcp_capabilities extras per tenant (e.g. `governance.aggregation_window_days`). */
  capabilities?(tenant: string | null): JsonObject;
  /** Tools beyond the agent's (the sandbox's comply_test_controller); null for unknown names. */
  extraTool?(tool: string, args: JsonObject, context: { agent: McpAgent; tenant: string | null; identity: McpIdentity }):
    Promise<{ content: Array<{ type: 'text'; text: string }>; structuredContent?: JsonObject; isError?: boolean } | null>;
  extraTools?: string[];
  /** The identity of one call (sandbox conformance mode); default: the request's. */
  identityFor?(tool: string, args: JsonObject, identity: McpIdentity): McpIdentity;
  onCall?(event: McpCallEvent): void;
  serverInfo?: { name: string; version: string };
  /** The MCP SDK's JSON-schema validator (default: one shared Ajv validator). */
  jsonSchemaValidator?: unknown;
}

export type McpTarget =
  | McpAgent
  | { tenants: Record<string, McpAgent>; defaultTenant?: string }
  | ((tenant: string | null) => McpAgent | null | Promise<McpAgent | null>);

/** POST /mcp (default tenant) and POST /t/{tenant}/mcp; unknown and forbidden tenants both answer 404. */
export function createMcpHandler(target: McpTarget, options: McpHandlerOptions):
  (request: Request, context?: { requestId?: string }) => Promise<Response>;

/** /mcp -> {tenant: null}; /t/{tenant}/mcp -> {tenant}; anything else -> null. */
export function mcpRoute(pathname: string): { tenant: string | null } | null;
