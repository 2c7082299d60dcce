// `adcp-governance serve`: the agent over MCP on node:http (issue 13).
//
//   POST /mcp, /t/{tenant}/mcp        MCP (adcp-governance/mcp), bearer auth
//   GET  /.well-known/jwks.json       current and previous signing keys (per tenant under /t/{tenant})
//   GET  /.well-known/governance-revocations.json   signed list of revoked tokens
//   POST /admin                       admin operations (admin token): resolve_escalation, revoke_token, ...
//   /api/outcomes...                  the outcomes ledger (spec 11), internal key
//   GET  /healthz, /readyz, /metrics  liveness, readiness, Prometheus
//   GET  /, /t/{tenant}/              the dashboard (js/dashboard.js), bearer sign-in
//
// Each tenant is its own durable agent (fileStore under DATA/tenants/NAME, or
// a store from `options.store(tenant)`) with its own signing key. Bearer
// tokens map to agent identities (stored as SHA-256 in the config file;
// compared in constant time); identity never comes from a request body.
// Limits: body size (413), per-identity rate (429 + Retry-After), request
// timeout. SIGTERM: stop accepting, finish in-flight calls, close the
// stores (journal flushed), exit 0. Logs: one JSON line per request (pino),
// never a secret. No protocol rule lives here: the core decides.
import { createServer } from 'node:http';
import { createHash, createPublicKey, randomUUID, timingSafeEqual, verify } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import client from 'prom-client';
import { createMcpHandler, mcpRoute } from './mcp.js';
import { createOutcomesHandler } from './http.js';
import { createDashboardHandler } from './dashboard.js';
import { generateKey, signingKeys } from './keys.js';
import { sandboxTool, sandboxIdentity } from './sandbox.js';

const sha256 = (s) => createHash('sha256').update(s).digest();
const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

// Every configured token is compared (no early exit), each as SHA-256 digests.
function tokenTable(tokens) {
  const entries = tokens.map((t) => ({ ...t, digest: Buffer.from(t.sha256, 'hex') }));
  return (secret) => {
    const digest = sha256(secret);
    let found = null;
    for (const e of entries) if (e.digest.length === 32 && timingSafeEqual(e.digest, digest) && !found) found = e;
    return found;
  };
}

// A token bucket per identity: `perMinute` sustained, `burst` at once.
function rateLimiter({ perMinute = 1200, burst = 200 } = {}) {
  const buckets = new Map();
  return (key, now = Date.now()) => {
    const b = buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 60000) * perMinute);
    b.at = now;
    buckets.set(key, b);
    if (b.tokens >= 1) { b.tokens -= 1; return 0; }
    return Math.ceil(((1 - b.tokens) / perMinute) * 60);  // seconds until a token
  };
}

// Off-protocol human approvals the host vouches for (issue 13): signed by a
// configured approver key -- Ed25519 over the JCS of the approval without
// `signature` and `kid`, which must name the plan -- or carrying a configured
// approval reference. Anything else is ignored by the core with a finding.
function approvalVerifier(approvals, canonicalize) {
  const keys = new Map((approvals.public_keys ?? []).map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]));
  const references = new Set(approvals.references ?? []);
  if (!keys.size && !references.size) return undefined;
  return ({ approval, plan_id }) => {
    if (typeof approval.signature === 'string') {
      const { signature, kid, ...signed } = approval;
      const key = keys.get(kid);
      if (!key || signed.plan_id !== plan_id) return { verified: false };
      return { verified: verify(null, Buffer.from(canonicalize(signed)), key, Buffer.from(signature, 'base64url')) };
    }
    return { verified: typeof approval.approval_reference === 'string' && references.has(approval.approval_reference) };
  };
}

function metricsRegistry() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    calls: new client.Counter({ name: 'adcp_governance_calls_total', help: 'Tool calls by tenant, tool, status and verdict',
      labelNames: ['tenant', 'tool', 'status', 'verdict'], registers: [registry] }),
    latency: new client.Histogram({ name: 'adcp_governance_call_seconds', help: 'Tool call latency (including durability)',
      labelNames: ['tool'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    fsync: new client.Histogram({ name: 'adcp_governance_fsync_seconds', help: 'Journal fsync latency',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [registry] }),
    holds: new client.Gauge({ name: 'adcp_governance_holds_outstanding', help: 'Budget holds counting against plans',
      labelNames: ['tenant'], registers: [registry] }),
    http: new client.Counter({ name: 'adcp_governance_http_responses_total', help: 'HTTP responses by route and status',
      labelNames: ['route', 'status'], registers: [registry] }),
  };
}

/** Reads the config file (JSON) and merges command-line options over it. */
export function loadConfig(options = {}) {
  const file = options.config ? JSON.parse(readFileSync(options.config, 'utf8')) : {};
  const tokens = [...(file.tokens ?? [])];
  for (const spec of options.token ?? []) {  // --token SECRET=AGENT_URL[@tenant,tenant]
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new Error(`--token expects SECRET=AGENT_URL, got ${spec.replace(/^[^=]*/, '***')}`);
    const [agentUrl, tenantList] = spec.slice(eq + 1).split('@');
    tokens.push({ sha256: sha256(spec.slice(0, eq)).toString('hex'), agent_url: agentUrl,
      ...(tenantList ? { tenants: tenantList.split(',') } : {}) });
  }
  const adminTokens = [...(file.admin_tokens ?? [])];
  for (const secret of options.adminToken ?? []) adminTokens.push({ sha256: sha256(secret).toString('hex') });
  return {
    host: options.host ?? file.host ?? '127.0.0.1',
    port: Number(options.port ?? file.port ?? 8080),
    dataDir: options.dataDir ?? file.data_dir ?? './data',
    // PostgreSQL (issue 14): every tenant's journal, snapshots and signing
    // key in one database shared by any number of instances.
    postgres: options.postgres ?? file.postgres ?? process.env.ADCP_POSTGRES_URL,
    postgresSchema: options.postgresSchema ?? file.postgres_schema ?? 'adcp_governance',
    postgresPool: { max: 10, connectionTimeoutMs: 5000, lockTimeoutMs: 10000, snapshotEvery: 1000, ...(file.postgres_pool ?? {}) },
    backend: options.backend ?? file.backend,
    issuer: options.issuer ?? file.issuer,
    fsync: options.fsync ?? file.fsync ?? 'group',
    maxBodyBytes: file.max_body_bytes ?? 1 << 20,
    requestTimeoutMs: file.request_timeout_ms ?? 30000,
    rateLimit: file.rate_limit ?? {},
    tokens, adminTokens,
    tenants: { default: {}, ...(file.tenants ?? {}) },
    approvals: file.approvals ?? {},
    outcomesKeySha256: file.outcomes_internal_key_sha256 ??
      (options.outcomesKey ? sha256(options.outcomesKey).toString('hex') : undefined),
    sandbox: options.sandbox ? { seller: options.sandboxSeller ?? 'https://seller.example.com',
      buyer: options.sandboxBuyer ?? 'https://pinnacle-agency.example' } : null,
    agentConfig: file.agent_config ?? {},
  };
}

/**
 * Starts the server. `api` is the package's Node entry (createGovernanceAgent,
 * openGovernanceAgent, fileStore); `options.store(tenant, dir)` may replace
 * the file store (PostgreSQL).
 */
export async function serve(api, config, options = {}) {
  // Asynchronous writes: a synchronous stdout write per line was ~8% of a
  // loaded server's CPU. Flushed on close.
  const log = options.logger ?? pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: false }));
  const metrics = metricsRegistry();
  const findToken = tokenTable(config.tokens);
  const findAdmin = tokenTable(config.adminTokens);
  const limit = rateLimiter(config.rateLimit);
  if (config.sandbox)
    log.warn({ sandbox: config.sandbox }, 'SANDBOX MODE: any bearer token is accepted and identities come from the ' +
      'conformance rules; never expose this server to real buyers or sellers');

  // Tenants: one durable agent each, opened at start.
  await api.init({ backend: options.backend ?? config.backend ?? 'auto' });
  const approvals = approvalVerifier(config.approvals, api.canonicalize);
  const tenants = new Map();
  const storeLog = (name) => (level, msg, fields) => log[level === 'error' ? 'error' : 'warn']({ tenant: name, ...fields }, msg);
  const postgres = config.postgres && !options.store ? await openPostgres(config, log) : null;
  for (const [name, tenantConfig] of Object.entries(config.tenants)) {
    const dir = join(config.dataDir, 'tenants', name);
    if (!postgres) mkdirSync(dir, { recursive: true });
    const keys = postgres && !tenantConfig.signing?.private_key_file
      ? signingKeys(dir, tenantConfig.signing, await postgres.sharedSigningKey(postgres.pool, config.postgresSchema, name,
        () => generateKey(tenantConfig.signing?.kid)))
      : signingKeys(dir, tenantConfig.signing);
    const store = options.store ? options.store(name, dir)
      : postgres ? postgres.postgresStore({ pool: postgres.pool, schema: config.postgresSchema, tenant: name,
        lockTimeoutMs: config.postgresPool.lockTimeoutMs, statementTimeoutMs: config.postgresPool.statementTimeoutMs ?? 30000,
        snapshotEvery: config.postgresPool.snapshotEvery, log: storeLog(name) })
      : api.fileStore(dir, { fsync: config.fsync, log: storeLog(name), onSync: (ms) => metrics.fsync.observe(ms / 1000) });
    const issuer = tenantConfig.issuer ?? config.issuer ?? `https://governance.${name}.local`;
    const agent = await api.openGovernanceAgent({
      backend: options.backend ?? config.backend ?? 'auto',
      issuer,
      signing: { privateKey: keys.current.privateJwk, kid: keys.current.kid },
      config: { ...config.agentConfig, ...(tenantConfig.config ?? {}) },
      hooks: { ...(options.hooks?.(name) ?? {}),
        ...(approvals ? { verifyHumanApproval: approvals } : {}) },
      store, log: (level, msg, fields) => log[level === 'error' ? 'error' : 'warn']({ tenant: name, ...fields }, msg),
    });
    tenants.set(name, { name, agent, keys, issuer });
    log.info({ tenant: name, dir, kid: keys.current.kid }, 'tenant open');
  }
  const tenantOf = (name) => tenants.get(name ?? 'default') ?? null;

  // Identity: the bearer token's agent URL. Sandbox: any bearer; the
  // conformance rules pick the identity per call (sandbox.js).
  function authenticate(request) {
    const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
    if (!m) return null;
    if (config.sandbox) return { agent_url: config.sandbox.buyer };
    const entry = findToken(m[1]);
    return entry ? { agent_url: entry.agent_url, tenants: entry.tenants,
      ...(entry.reviewer ? { reviewer: entry.reviewer } : {}), ...(Number.isSafeInteger(entry.user_id) ? { user_id: entry.user_id } : {}) } : null;
  }
  const dashboard = createDashboardHandler({ tenantOf, authenticate });

  const mcp = createMcpHandler((tenant) => tenantOf(tenant)?.agent ?? null, {
    authenticate,
    serverInfo: { name: 'adcp-governance', version: options.version ?? '0.1.0' },
    capabilities: (tenant) => {
      const c = { ...config.agentConfig, ...(config.tenants[tenant ?? 'default']?.config ?? {}) };
      const caps = c.aggregation_window_days ? { governance: { aggregation_window_days: c.aggregation_window_days } } : {};
      if (c.replay_ttl_seconds) caps.adcp = { major_versions: [3], supported_versions: ['3.0', '3.1', '3.2'],
        idempotency: { supported: true, replay_ttl_seconds: c.replay_ttl_seconds } };
      if (config.sandbox) caps.compliance_testing = { scenarios: ['seed_plan'] };
      return caps;
    },
    identityFor: config.sandbox ? sandboxIdentity(config.sandbox) : undefined,
    extraTools: config.sandbox ? ['comply_test_controller'] : [],
    extraTool: config.sandbox ? sandboxTool(config.sandbox) : undefined,
    onCall: (e) => {
      metrics.calls.inc({ tenant: e.tenant ?? 'default', tool: e.tool, status: e.status, verdict: e.verdict ?? '' });
      metrics.latency.observe({ tool: e.tool }, e.ms / 1000);
      log.info({ req: e.requestId, tenant: e.tenant ?? 'default', tool: e.tool, identity: e.identity, status: e.status,
        verdict: e.verdict ?? undefined, ms: e.ms }, 'tool call');
    },
  });

  const outcomes = new Map();
  const outcomesFor = (tenant) => {
    if (!outcomes.has(tenant.name)) {
      const digest = config.outcomesKeySha256 ? Buffer.from(config.outcomesKeySha256, 'hex') : null;
      outcomes.set(tenant.name, createOutcomesHandler({
        agent: tenant.agent, basePath: tenant.name === 'default' ? '/api/outcomes' : `/t/${tenant.name}/api/outcomes`,
        // The key is configured as a digest: compare digests in constant time.
        verifyKey: digest ? (given) => timingSafeEqual(sha256(given), digest) : undefined,
        // A bearer token configured with a `user_id` reads (and records) that
        // user's outcomes: the dashboard's value-delivered view.
        resolveSession: (request) => {
          const identity = authenticate(request);
          const allowed = identity && (!identity.tenants || identity.tenants.includes(tenant.name));
          return allowed && identity.user_id !== undefined ? { user_id: identity.user_id, agent_url: identity.agent_url } : null;
        },
      }));
    }
    return outcomes.get(tenant.name);
  };

  let ready = true, draining = false, inFlight = 0;

  async function route(request, url, id) {
    const path = url.pathname;
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') return draining || !ready ? json(503, { status: 'draining' }) : json(200, { status: 'ready' });
    if (path === '/metrics') {
      for (const t of tenants.values()) {
        const stats = await t.agent.admin({ op: 'stats' }).catch(() => null);
        if (stats?.status === 'completed') metrics.holds.set({ tenant: t.name }, stats.response.holds_outstanding);
      }
      return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
    }
    const tenantMatch = /^\/t\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})(\/.*)$/.exec(path);
    const tenantName = tenantMatch ? tenantMatch[1] : null;
    const rest = tenantMatch ? tenantMatch[2] : path;
    if (rest === '/.well-known/jwks.json' || rest === '/.well-known/governance-revocations.json') {
      const tenant = tenantOf(tenantName);
      if (!tenant || request.method !== 'GET') return json(404, { error: 'Not found' });
      if (rest.endsWith('jwks.json')) return json(200, { keys: tenant.keys.jwks() }, { 'cache-control': 'max-age=300' });
      const list = await tenant.agent.admin({ op: 'list_revocations' });
      return json(200, tenant.keys.signRevocations(list.response, tenant.issuer), { 'cache-control': 'max-age=60' });
    }
    if (rest === '/admin') {
      const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
      if (!m || !findAdmin(m[1])) return json(401, { error: 'Unauthorized' }, { 'www-authenticate': 'Bearer realm="adcp-governance-admin"' });
      const tenant = tenantOf(tenantName);
      if (!tenant) return json(404, { error: 'Not found' });
      if (request.method !== 'POST') return json(405, { error: 'Method not allowed' }, { allow: 'POST' });
      const result = await tenant.agent.admin(await request.text());
      return json(result.status === 'failed' ? 400 : 200, result);
    }
    if (rest.startsWith('/api/outcomes')) {
      const tenant = tenantOf(tenantName);
      if (!tenant) return json(404, { error: 'Not found' });
      return outcomesFor(tenant)(request);
    }
    if (mcpRoute(path)) {
      const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
      const key = m ? sha256(m[1]).toString('hex').slice(0, 16) : request.headers.get('x-forwarded-for') ?? 'anonymous';
      const wait = limit(key);
      if (wait > 0) return json(429, { error: 'Too many requests' }, { 'retry-after': String(wait) });
      return mcp(request, { requestId: id });
    }
    const page = dashboard(request, url);
    if (page) return page;
    return options.fallback ? options.fallback(request, url, { tenants, tenantOf, authenticate }) : json(404, { error: 'Not found' });
  }

  const server = createServer({ requestTimeout: config.requestTimeoutMs, headersTimeout: Math.min(config.requestTimeoutMs, 20000) },
    (req, res) => {
      const id = randomUUID();
      const started = Date.now();
      inFlight += 1;
      const finish = (status, body, headers = {}) => {
        res.writeHead(status, headers);
        res.end(body);
        inFlight -= 1;
        metrics.http.inc({ route: routeLabel(req.url), status: String(status) });
        log.info({ req: id, method: req.method, path: req.url?.split('?')[0], status, ms: Date.now() - started }, 'request');
      };
      if (draining) return finish(503, JSON.stringify({ error: 'Shutting down' }), { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > config.maxBodyBytes)
        return finish(413, JSON.stringify({ error: `Body over ${config.maxBodyBytes} bytes` }), { 'content-type': 'application/json', connection: 'close' });
      const chunks = [];
      let size = 0, refused = false;
      req.on('data', (c) => {
        size += c.length;
        if (size > config.maxBodyBytes && !refused) {
          refused = true;
          finish(413, JSON.stringify({ error: `Body over ${config.maxBodyBytes} bytes` }), { 'content-type': 'application/json', connection: 'close' });
          req.destroy();
        } else if (!refused) chunks.push(c);
      });
      req.on('error', () => { if (!refused && !res.headersSent) { refused = true; finish(400, ''); } });
      req.on('end', async () => {
        if (refused) return;
        try {
          const headers = new Headers();
          for (const [name, value] of Object.entries(req.headers)) {
            if (Array.isArray(value)) for (const v of value) headers.append(name, v);
            else if (value !== undefined) headers.set(name, value);
          }
          const url = new URL(req.url, `http://${req.headers.host ?? 'localhost'}`);
          const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
          const request = new Request(url, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
          const response = await route(request, url, id);
          const out = {};
          response.headers.forEach((value, name) => { out[name] = value; });
          finish(response.status, Buffer.from(await response.arrayBuffer()), out);
        } catch (e) {
          log.error({ req: id, err: e?.message }, 'request failed');
          if (!res.headersSent) finish(500, JSON.stringify({ error: 'Internal error' }), { 'content-type': 'application/json' });
        }
      });
    });

  await new Promise((listening, failed) => {
    server.once('error', failed);
    server.listen(config.port, config.host, listening);
  });
  const address = server.address();
  const base = `http://${address.address}:${address.port}`;

  async function close() {
    if (draining) return;
    draining = true;
    log.info({ in_flight: inFlight }, 'draining: no new requests; finishing in-flight calls');
    server.close();
    server.closeIdleConnections?.();
    const deadline = Date.now() + config.requestTimeoutMs;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const t of tenants.values()) await t.agent.close();  // queued calls finish, the journal is synced
    await postgres?.pool.end();
    server.closeAllConnections?.();
    log.info({}, 'stopped');
    log.flush?.();
  }
  return { server, url: base, port: address.port, tenants, close, metrics };
}

// One pool for every tenant's store; the schema migrated once.
async function openPostgres(config, log) {
  const pg = await import('./store-postgres.js');
  const pool = await pg.createPool(config.postgres, { ...config.postgresPool,
    log: (level, msg, fields) => log.warn(fields, msg) });
  await pg.migrate(pool, config.postgresSchema);
  log.info({ schema: config.postgresSchema, pool_max: config.postgresPool.max }, 'PostgreSQL store');
  return { pool, ...pg };
}

function routeLabel(path = '') {
  const p = path.split('?')[0].replace(/^\/t\/[^/]+/, '/t/:tenant');
  if (p.endsWith('/mcp')) return p.startsWith('/t/') ? '/t/:tenant/mcp' : '/mcp';
  if (p.includes('/.well-known/')) return p;
  if (p.includes('/api/outcomes')) return '/api/outcomes';
  return ['/healthz', '/readyz', '/metrics', '/admin', '/t/:tenant/admin'].includes(p) ? p : 'other';
}
