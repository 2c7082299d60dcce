// The governance dashboard (issue 16): a page for plan owners, their
// reviewers, finance and compliance, served by `serve` at `/` and
// `/t/{tenant}/`. The page reads only the server's public API -- MCP
// `get_plan_audit_logs` (summary alone, burn, paged governed actions), the
// outcomes ledger (`/api/outcomes`, value summary) -- plus three owner-scoped
// routes here, each one core admin operation run for the caller's own
// identity (from the bearer token, never from the body):
//
//   GET  {base}/api/dashboard/plans                      admin list_plans {owner}
//   GET  {base}/api/dashboard/escalations                admin list_escalations {owner}
//   POST {base}/api/dashboard/escalations/{task_id}      admin resolve_escalation, then getTask
//        {decision: "approve" | "reject", reason?}       reviewer tokens only (config `reviewer`)
//
// A task that is not a pending review on the caller's plans answers 404,
// the same as one that does not exist. Static files (the page, its script
// and style, uPlot) are shipped in the package; nothing comes from a CDN.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ASSETS = {
  'index.html': ['text/html; charset=utf-8', new URL('./dashboard/index.html', import.meta.url)],
  'app.js': ['text/javascript; charset=utf-8', new URL('./dashboard/app.js', import.meta.url)],
  'app.css': ['text/css; charset=utf-8', new URL('./dashboard/app.css', import.meta.url)],
  'uplot.js': ['text/javascript; charset=utf-8', require.resolve('uplot/dist/uPlot.iife.min.js')],
  'uplot.css': ['text/css; charset=utf-8', require.resolve('uplot/dist/uPlot.min.css')],
};
const cache = new Map();
function asset(name) {
  if (!cache.has(name)) cache.set(name, readFileSync(ASSETS[name][1]));
  return new Response(cache.get(name), { headers: { 'content-type': ASSETS[name][0], 'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff' } });
}

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });

/**
 * @param {object} options
 * @param {(tenant: string|null) => ({agent} | null)} options.tenantOf
 * @param {(request: Request) => ({agent_url: string, tenants?: string[], reviewer?: string} | null)} options.authenticate
 * @returns {(request: Request, url: URL) => Promise<Response> | null}  null: not a dashboard route
 */
export function createDashboardHandler({ tenantOf, authenticate }) {
  // Page security: the page and its own files only (no inline script).
  const pageHeaders = { 'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'" };

  async function api(request, tenantName, rest) {
    const identity = await authenticate(request);
    if (!identity) return json(401, { error: 'Unauthorized' }, { 'www-authenticate': 'Bearer realm="adcp-governance"' });
    const allowed = !identity.tenants || identity.tenants.includes(tenantName ?? 'default');
    const tenant = allowed ? tenantOf(tenantName) : null;
    if (!tenant) return json(404, { error: 'Not found' });
    const owner = identity.agent_url;
    const admin = async (op) => {
      const r = await tenant.agent.admin(op);
      return r.status === 'completed' ? json(200, r.response) : json(r.errors?.[0]?.code === 'SERVICE_UNAVAILABLE' ? 503 : 400, { error: r.errors?.[0]?.message });
    };
    if (rest === '/plans' && request.method === 'GET') {
      const r = await tenant.agent.admin({ op: 'list_plans', owner });
      if (r.status !== 'completed') return json(503, { error: r.errors?.[0]?.message });
      return json(200, { ...r.response, can_review: Boolean(identity.reviewer) });
    }
    if (rest === '/escalations' && request.method === 'GET') return admin({ op: 'list_escalations', owner });
    const m = /^\/escalations\/([A-Za-z0-9_.:-]{1,128})$/.exec(rest);
    if (m && request.method === 'POST') {
      let body;
      try { body = await request.json(); } catch { return json(400, { error: 'body must be JSON' }); }
      if (!body || (body.decision !== 'approve' && body.decision !== 'reject'))
        return json(400, { error: 'decision must be "approve" or "reject"', field: 'decision' });
      if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 2000))
        return json(400, { error: 'reason must be a string of at most 2000 characters', field: 'reason' });
      // Only a reviewer's token (configured with `reviewer`: a person, not
      // the buying agent whose checks are under review), and only a pending
      // review on one of the caller's plans; anything else: not found.
      if (!identity.reviewer) return json(404, { error: 'Not found' });
      const pending = await tenant.agent.admin({ op: 'list_escalations', owner });
      if (pending.status !== 'completed') return json(503, { error: 'unavailable' });
      if (!pending.response.escalations.some((e) => e.task_id === m[1])) return json(404, { error: 'Not found' });
      const resolved = await tenant.agent.admin({ op: 'resolve_escalation', task_id: m[1], decision: body.decision,
        reviewer: identity.reviewer ?? owner, ...(body.reason ? { reason: body.reason } : {}) });
      if (resolved.status !== 'completed') return json(409, { error: resolved.errors?.[0]?.message, code: resolved.errors?.[0]?.code });
      return json(200, { task_id: m[1], task: await tenant.agent.getTask(m[1]) });
    }
    return json(404, { error: 'Not found' });
  }

  return function handle(request, url) {
    const path = url.pathname;
    const tenantMatch = /^\/t\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})(\/.*)?$/.exec(path);
    const tenantName = tenantMatch ? tenantMatch[1] : null;
    const rest = tenantMatch ? tenantMatch[2] ?? '' : path;
    if ((rest === '/' || rest === '') && request.method === 'GET') {
      if (rest === '' && tenantMatch) return Response.redirect(new URL(`${path}/`, url), 308);
      if (!tenantOf(tenantName)) return json(404, { error: 'Not found' });
      const r = asset('index.html');
      for (const [k, v] of Object.entries(pageHeaders)) r.headers.set(k, v);
      return r;
    }
    if (path === '/favicon.ico') return new Response(null, { status: 204 });
    const file = /^\/dashboard\/([a-z]+\.(?:js|css))$/.exec(path);
    if (file && ASSETS[file[1]] && request.method === 'GET') return asset(file[1]);
    if (rest.startsWith('/api/dashboard/')) return api(request, tenantName, rest.slice('/api/dashboard'.length));
    return null;
  };
}
