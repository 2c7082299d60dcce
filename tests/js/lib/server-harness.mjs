// Starts `serve` in process for the server tests (127.0.0.1, a free port, a
// temporary data directory) and gives MCP clients that authenticate like
// real callers (the official @modelcontextprotocol/sdk client over HTTP).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as api from '../../../js/node.js';
import { loadConfig, serve } from '../../../js/serve.js';

export const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
export const TOKENS = { buyer: 'buyer-secret-token', seller: 'seller-secret-token', acme: 'acme-only-token', admin: 'admin-secret' };
const sha = (s) => createHash('sha256').update(s).digest('hex');

/** A config file with tenants `default` and `acme` and the test tokens. */
export function writeConfig(dir, extra = {}) {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({
    issuer: 'https://governance.example.com',
    tokens: [
      { sha256: sha(TOKENS.buyer), agent_url: BUYER },
      { sha256: sha(TOKENS.seller), agent_url: SELLER },
      { sha256: sha(TOKENS.acme), agent_url: 'https://acme-buyer.example.com', tenants: ['acme'] },
    ],
    admin_tokens: [{ sha256: sha(TOKENS.admin) }],
    outcomes_internal_key_sha256: sha('outcomes-internal-key'),
    tenants: { default: {}, acme: { issuer: 'https://governance.acme.example' } },
    ...extra,
  }));
  return file;
}

export async function startServer({ backend = 'native', dir = mkdtempSync(join(tmpdir(), 'adcp-serve-')), config = {},
  cli = {}, fsync = 'group' } = {}) {
  const file = writeConfig(dir, config);
  const loaded = loadConfig({ config: file, dataDir: join(dir, 'data'), port: 0, fsync, ...cli });
  const lines = [];
  const logger = pino({ base: null }, { write: (l) => lines.push(JSON.parse(l)) });
  const running = await serve(api, loaded, { backend, logger });
  return { ...running, dir, logs: lines };
}

export async function mcpClient(base, token, path = '/mcp') {
  const client = new Client({ name: 'adcp-governance-test', version: '1.0.0' });
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(path, base), { requestInit: { headers } }));
  return client;
}

export const plan = (id = 'p1', total = 100000, extra = {}) => ({ plan_id: id, brand: { domain: 'acme.example' },
  objectives: 'Server test.', budget: { total, currency: 'USD', reallocation_unlimited: true },
  flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' }, ...extra });
