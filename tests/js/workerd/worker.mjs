// A worker for workerd: the package's edge entry (the .wasm imported as a
// compiled module, @noble/curves signing), one agent per isolate, serving
// calls over fetch: POST / {task, request, auth} -> CoreResult JSON.
// Bundled with esbuild as wrangler would; core.wasm stays a separate module.
import { createGovernanceAgent, planHash } from '../../../js/edge.js';

let agent = null;
async function getAgent() {
  agent ??= await createGovernanceAgent({ issuer: 'https://governance.example.com', id_mode: 'sequential' });
  return agent;
}

export default {
  async fetch(request) {
    const a = await getAgent();
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/jwk') return Response.json(a.publicJwk());
    if (request.method === 'POST' && url.pathname === '/plan-hash') return new Response(planHash(await request.text()));
    if (request.method !== 'POST') return new Response('not found', { status: 404 });
    const { task, request: body, auth } = await request.json();
    return new Response(a.callRaw(task, body, auth), { headers: { 'content-type': 'application/json' } });
  },
};
