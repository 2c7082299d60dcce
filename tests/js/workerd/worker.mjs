// A worker for workerd: the package's edge entry (the .wasm imported as a
// compiled module, @noble/curves signing), one agent per isolate, serving
// calls over fetch: POST / {task, request, auth} -> CoreResult JSON.
// Also the outcomes ledger's HTTP handler (adcp-governance/http) under /api/outcomes,
// and the MCP handler (adcp-governance/mcp) at /mcp with two bearer tokens.
// Bundled with esbuild as wrangler would; core.wasm stays a separate module.
import { createGovernanceAgent, planHash } from '../../../js/edge.js';
import { createOutcomesHandler } from '../../../js/http.js';
import { createMcpHandler } from '../../../js/mcp.js';

// Test credentials only: identity comes from the bearer token, never the body.
const IDENTITIES = { 'buyer-token': 'https://buyer.example.com', 'seller-token': 'https://seller.example.com' };

let agent = null, outcomes = null, mcp = null;
async function getAgent() {
  agent ??= await createGovernanceAgent({ issuer: 'https://governance.example.com', id_mode: 'sequential' });
  return agent;
}

export default {
  async fetch(request) {
    const a = await getAgent();
    const url = new URL(request.url);
    if (url.pathname.startsWith('/api/outcomes')) {
      outcomes ??= createOutcomesHandler({
        agent: a, internalApiKey: 'edge-internal-key',
        resolveSession: (r) => (r.headers.get('cookie') === 'session=u42' ? { user_id: 42, agent_url: 'https://buyer.example.com' } : null),
      });
      return outcomes(request);
    }
    if (url.pathname === '/mcp') {
      mcp ??= createMcpHandler(a, {
        authenticate: (r) => {
          const agentUrl = IDENTITIES[(r.headers.get('authorization') ?? '').replace(/^Bearer /, '')];
          return agentUrl ? { agent_url: agentUrl } : null;
        },
      });
      return mcp(request);
    }
    if (request.method === 'GET' && url.pathname === '/jwk') return Response.json(a.publicJwk());
    if (request.method === 'POST' && url.pathname === '/plan-hash') return new Response(planHash(await request.text()));
    if (request.method !== 'POST') return new Response('not found', { status: 404 });
    const { task, request: body, auth } = await request.json();
    return new Response(a.callRaw(task, body, auth), { headers: { 'content-type': 'application/json' } });
  },
};
