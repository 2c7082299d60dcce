// adcp-governance/mcp: the agent over MCP (streamable HTTP, stateless, JSON
// responses) as a fetch handler -- Request in, Response out -- for Node
// (through toNodeListener), workerd and Deno. Built on
// @modelcontextprotocol/sdk's web-standard transport; every rule is the
// core's (validation, decisions, 3.0-era dialects, rendering).
//
//   const handler = createMcpHandler({ tenants: { default: agent, acme: acmeAgent } },
//     { authenticate: (request) => ({ agent_url: 'https://buyer.example' }) });
//
// Routes: POST /mcp (the default tenant) and POST /t/{tenant}/mcp. Identity
// comes only from `authenticate(request, tenant)` (the host's credential):
// null answers 401 with WWW-Authenticate; an unknown tenant and one the
// credential may not use both answer 404 (not found = not yours).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { TASK_TOOLS, callTaskTool, capabilities, failureResult, toolList, toolResult } from './tools.js';

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** /mcp -> {tenant: null}; /t/{tenant}/mcp -> {tenant}; anything else -> null. */
export function mcpRoute(pathname) {
  if (pathname === '/mcp' || pathname === '/mcp/') return { tenant: null };
  const m = /^\/t\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/mcp\/?$/.exec(pathname);
  return m ? { tenant: m[1] } : null;
}

/**
 * @param {object|Function} target  an agent; or {tenants: {name: agent}, defaultTenant?}; or
 *   (tenant: string|null) => agent | null | Promise<...>
 * @param {object} options
 * @param {(request: Request, tenant: string|null) => ({agent_url: string, tenants?: string[]} | null | Promise<...>)} options.authenticate
 * @param {(tenant: string|null) => object} [options.capabilities]  get_adcp_capabilities extras per tenant
 * @param {(tool: string, args: object, context: object) => Promise<object|null>} [options.extraTool]
 *   tools beyond the agent's (sandbox: comply_test_controller); return null for unknown names
 * @param {string[]} [options.extraTools]  their names, for tools/list
 * @param {(tool: string, args: object, identity: object) => object} [options.identityFor]
 *   the identity of one call (sandbox conformance mode); default: the request's
 * @param {(event: object) => void} [options.onCall]  after each tool call: {tenant, tool, identity, status, verdict, ms}
 * @param {{name: string, version: string}} [options.serverInfo]
 */
export function createMcpHandler(target, options = {}) {
  const { authenticate, onCall, extraTool, extraTools = [], identityFor } = options;
  if (typeof authenticate !== 'function') throw new TypeError('createMcpHandler: options.authenticate is required');
  const serverInfo = options.serverInfo ?? { name: 'adcp-governance', version: '0.1.0' };
  const resolveAgent = typeof target === 'function' ? target
    : target?.tenants ? (tenant) => target.tenants[tenant ?? target.defaultTenant ?? 'default'] ?? null
    : (tenant) => (tenant === null ? target : null);

  // One validator for every request's Server: the SDK builds a new Ajv per
  // Server otherwise, which was most of a stateless request's CPU time.
  const jsonSchemaValidator = options.jsonSchemaValidator ?? new AjvJsonSchemaValidator();

  function mcpServer(agent, tenant, requestIdentity, requestId, overloaded) {
    const server = new Server(serverInfo, { capabilities: { tools: {} }, jsonSchemaValidator });
    const names = ['get_adcp_capabilities', ...TASK_TOOLS, ...extraTools];
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolList(names) }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const { name, arguments: args = {} } = request.params;
      const identity = identityFor ? identityFor(name, args, requestIdentity) : requestIdentity;
      const started = Date.now();
      let result, coreResult = null;
      if (name === 'get_adcp_capabilities') {
        result = toolResult({ ...capabilities(), ...(options.capabilities?.(tenant) ?? {}) });
      } else if (TASK_TOOLS.includes(name)) {
        try {
          ({ result, coreResult } = await callTaskTool(agent, name, args, { agent_url: identity.agent_url }));
          const busy = coreResult?.status === 'failed' && coreResult.errors?.[0]?.code === 'SERVICE_UNAVAILABLE'
            ? coreResult.errors[0].retry_after : undefined;
          if (busy) overloaded.retryAfter = Math.max(overloaded.retryAfter ?? 0, busy);
        } catch (e) {
          result = failureResult('SERVICE_UNAVAILABLE', `the agent could not answer: ${e?.message ?? e}`);
        }
      } else {
        result = extraTool ? await extraTool(name, args, { agent, tenant, identity }) : null;
        if (!result) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${name}`);
      }
      onCall?.({ requestId, tenant, tool: name, identity: identity.agent_url, ms: Date.now() - started,
        status: coreResult?.status ?? (result.isError ? 'failed' : 'completed'),
        verdict: coreResult?.response?.verdict ?? coreResult?.response?.status ?? null, coreResult });
      return result;
    });
    return server;
  }

  return async function handle(request, { requestId } = {}) {
    const url = new URL(request.url);
    const route = mcpRoute(url.pathname);
    if (!route) return json(404, { error: 'Not found' });
    if (request.method !== 'POST')
      return json(405, { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless (POST only)' }, id: null },
        { allow: 'POST' });
    const identity = await authenticate(request, route.tenant);
    if (!identity) {
      return json(401, { error: 'Unauthorized' },
        { 'www-authenticate': 'Bearer realm="adcp-governance", error="invalid_token"' });
    }
    const allowed = !identity.tenants || identity.tenants.includes(route.tenant ?? 'default');
    const agent = allowed ? await resolveAgent(route.tenant) : null;
    if (!agent) return json(404, { error: 'Not found' });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    // A call the store was too busy to run (no pooled connection, the
    // tenant's lock not granted in time: SERVICE_UNAVAILABLE with
    // retry_after) is answered 503 + Retry-After, so clients and balancers
    // back off instead of piling on; nothing ran and nothing was stored.
    const overloaded = {};
    const server = mcpServer(agent, route.tenant, identity, requestId, overloaded);
    await server.connect(transport);
    try {
      const response = await transport.handleRequest(request);
      if (overloaded.retryAfter === undefined) return response;
      return json(503, { jsonrpc: '2.0', error: { code: -32000, message: 'Service unavailable: the store is busy; retry later' }, id: null },
        { 'retry-after': String(Math.ceil(overloaded.retryAfter)) });
    } finally {
      server.close().catch(() => {});
    }
  };
}
