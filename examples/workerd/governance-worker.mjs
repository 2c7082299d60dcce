// The governance agent at the edge (issue 14): one Durable Object per tenant,
// its ledger in the object's SQLite storage (durableObjectStore), served over
// MCP at /t/{tenant}/mcp. Bundle it as wrangler does (esbuild, `workerd`
// condition; core.wasm stays a separate module) and run it with workerd
// (config.capnp beside this file) or deploy it with wrangler.
//
// Bindings:
//   TENANTS   Durable Object namespace of class GovernanceTenant (SQLite storage)
//   TOKENS    JSON {"<sha256 hex of a bearer token>": {"agent_url": "...", "tenants": ["acme", ...]}}
//   ISSUER    optional: the issuer URL prefix (default https://governance.<tenant>.edge)
//   SNAPSHOT_EVERY  optional: change sets between snapshots (default 500)
//   SIGNING_KEY  optional secret: a base64url Ed25519 seed; else each tenant
//             generates one on first use and keeps it in its storage
//
// Why this is safe: an object runs one request's JavaScript at a time and the
// agent queues calls, so a tenant's budget decisions are made in order; each
// change set is written inside the request and workerd holds the response
// until the write is durable; on wake the object recovers from its snapshot
// and journal before it takes a request (blockConcurrencyWhile).
import { openGovernanceAgent, durableObjectStore } from 'adcp-governance';
import { createMcpHandler } from 'adcp-governance/mcp';

const TENANT = /^\/t\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})(\/.*)$/;
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// The tenant's signing key: the configured secret, or one generated on first
// use and kept in the object's storage (so tokens verify across restarts).
function signingKey(ctx, env) {
  if (env.SIGNING_KEY) return { privateKey: env.SIGNING_KEY, kid: env.SIGNING_KID ?? 'edge-1' };
  const sql = ctx.storage.sql;
  sql.exec('CREATE TABLE IF NOT EXISTS signing_key (id INTEGER PRIMARY KEY CHECK (id = 1), kid TEXT NOT NULL, seed TEXT NOT NULL)');
  let row = [...sql.exec('SELECT kid, seed FROM signing_key')][0];
  if (!row) {
    row = { kid: `edge-${new Date().toISOString().slice(0, 10)}`, seed: base64url(crypto.getRandomValues(new Uint8Array(32))) };
    sql.exec('INSERT INTO signing_key (id, kid, seed) VALUES (1, ?, ?)', row.kid, row.seed);
  }
  return { privateKey: row.seed, kid: row.kid };
}

export class GovernanceTenant {
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
    this.ready = null;
  }

  // Opened on the first request (the object learns its tenant name from it),
  // before any other request runs.
  open(tenant) {
    this.ready ??= this.ctx.blockConcurrencyWhile(async () => {
      this.tenant = tenant;
      this.agent = await openGovernanceAgent({
        issuer: this.env.ISSUER ? `${this.env.ISSUER}/${tenant}` : `https://governance.${tenant}.edge`,
        signing: signingKey(this.ctx, this.env),
        store: durableObjectStore(this.ctx, { snapshotEvery: Number(this.env.SNAPSHOT_EVERY ?? 500),
          ...(this.env.SNAPSHOT_PART_CHARS ? { partChars: Number(this.env.SNAPSHOT_PART_CHARS) } : {}) }),
        log: (level, message, fields) => console.log(JSON.stringify({ level, msg: message, tenant, ...fields })),
      });
      const tokens = JSON.parse(this.env.TOKENS ?? '{}');
      this.mcp = createMcpHandler((name) => (name === tenant ? this.agent : null), {
        // Identity comes only from the bearer token (stored as SHA-256).
        authenticate: async (request) => {
          const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
          if (!m) return null;
          const digest = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(m[1])));
          const entry = tokens[digest];
          return entry ? { agent_url: entry.agent_url, tenants: entry.tenants } : null;
        },
      });
    });
    return this.ready;
  }

  async fetch(request) {
    const url = new URL(request.url);
    const [, tenant, rest] = TENANT.exec(url.pathname) ?? [];
    if (!tenant) return Response.json({ error: 'Not found' }, { status: 404 });
    await this.open(tenant);
    if (rest === '/.well-known/jwks.json' && request.method === 'GET')
      return Response.json({ keys: [{ ...this.agent.publicJwk(), use: 'sig', alg: 'EdDSA' }] });
    if (rest === '/mcp' || rest === '/mcp/') return this.mcp(request);
    return Response.json({ error: 'Not found' }, { status: 404 });
  }
}

export default {
  // The router: one object per tenant, named by the URL (never by the body).
  async fetch(request, env) {
    const m = TENANT.exec(new URL(request.url).pathname);
    if (!m) return Response.json({ error: 'Not found' }, { status: 404 });
    return env.TENANTS.get(env.TENANTS.idFromName(m[1])).fetch(request);
  },
};
