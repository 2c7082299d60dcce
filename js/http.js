// The outcomes ledger over HTTP (spec 11 §1–§2): a fetch-style handler,
// `(Request) => Promise<Response>`, for Node's http server (via
// toNodeListener), workerd and other edge runtimes. It resolves identity
// (internal API key or session) and maps CoreResults to the seed's status
// codes and bodies; every rule lives in the core.
//
//   POST /api/outcomes           record_outcome     bearer or session
//   GET  /api/outcomes?limit=&before=   list_outcomes   session
//   GET  /api/outcomes/summary?user_id= get_value_summary  session, or bearer with user_id
//
// Runtime-neutral: only fetch-API globals (Request, Response, URL,
// TextEncoder, crypto.subtle), so the same file runs in Node and at the edge.

const encoder = new TextEncoder();

// Constant-time key check. node:crypto's timingSafeEqual does not exist at
// the edge, so both sides are hashed (equal length, hiding the key's length)
// and compared without early exit.
async function sameSecret(given, expected) {
  const [a, b] = await Promise.all([given, expected].map((s) => crypto.subtle.digest('SHA-256', encoder.encode(s))));
  const x = new Uint8Array(a), y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; ++i) diff |= x[i] ^ y[i];
  return diff === 0;
}

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

// CoreResult error -> HTTP status (11 §2).
function statusFor(code) {
  if (code === 'UNAUTHORIZED') return 401;
  if (code === 'IDEMPOTENCY_CONFLICT' || code === 'IDEMPOTENCY_EXPIRED') return 409;
  if (code === 'SERVICE_UNAVAILABLE') return 503;
  return 400;
}

function failure(result) {
  const e = result.errors[0];
  if (e.code === 'UNAUTHORIZED') return json(401, { error: 'Unauthorized' });
  const body = { error: e.message, code: e.code };
  if (e.field !== undefined) body.field = e.field;
  return json(statusFor(e.code), body);
}

/**
 * @param {object} options
 * @param {object} options.agent            a GovernanceAgent (createGovernanceAgent)
 * @param {string} [options.internalApiKey] the key internal services send as `Authorization: Bearer <key>`
 * @param {(key: string) => boolean | Promise<boolean>} [options.verifyKey] instead of internalApiKey: checks a
 *        presented key (e.g. against a stored digest, in constant time)
 * @param {(request: Request) => (number | {user_id: number, agent_url?: string} | null | Promise<...>)} [options.resolveSession]
 *        the signed-in user of a request (cookie session), or null
 * @param {string} [options.bearerAgentUrl] orchestrator identity of bearer callers (value-summary joins)
 * @param {(entry: {task: string, request: object, auth: object, result: object}) => void | Promise<void>} [options.persist]
 *        called after each new record, before it is acknowledged; a throw answers 500 "Failed to record outcome"
 * @param {string} [options.basePath] default '/api/outcomes'
 */
export function createOutcomesHandler(options) {
  const { agent, internalApiKey, verifyKey, resolveSession, bearerAgentUrl, persist, basePath = '/api/outcomes' } = options ?? {};
  if (!agent || typeof agent.callRaw !== 'function') throw new TypeError('createOutcomesHandler: options.agent is required');
  if (internalApiKey !== undefined && (typeof internalApiKey !== 'string' || internalApiKey.length === 0))
    throw new TypeError('createOutcomesHandler: internalApiKey must be a non-empty string');

  const unpersisted = new Map();  // keyed records whose persist() failed, by principal and key

  // Host-resolved auth (11 §2): a valid bearer key, else a session, else none.
  async function authenticate(request) {
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const keyOk = match && (verifyKey ? await verifyKey(match[1].trim())
      : internalApiKey !== undefined && (await sameSecret(match[1].trim(), internalApiKey)));
    if (keyOk) {
      return bearerAgentUrl ? { mode: 'bearer', agent_url: bearerAgentUrl } : { mode: 'bearer' };
    }
    const session = resolveSession ? await resolveSession(request) : null;
    if (typeof session === 'number') return { mode: 'session', user_id: session };
    if (session && typeof session === 'object' && typeof session.user_id === 'number') {
      return session.agent_url ? { mode: 'session', user_id: session.user_id, agent_url: session.agent_url }
                                : { mode: 'session', user_id: session.user_id };
    }
    return null;
  }

  async function route(request, url) {
    const path = url.pathname.replace(/\/+$/, '');
    const isList = path === basePath, isSummary = path === `${basePath}/summary`;
    if (!isList && !isSummary) return json(404, { error: 'Not found' });
    const allowed = isList ? ['GET', 'POST'] : ['GET'];
    if (!allowed.includes(request.method)) return json(405, { error: 'Method not allowed' }, { allow: allowed.join(', ') });

    const auth = await authenticate(request);
    if (!auth) return json(401, { error: 'Unauthorized' });

    if (request.method === 'POST') {
      const body = await request.text();  // the core parses (and rejects) it, within its size limit
      const result = JSON.parse(await agent.callRaw('record_outcome', body, auth));  // durable agents answer async
      if (result.status !== 'completed') return failure(result);
      if (persist) {
        const request = JSON.parse(body);
        // A keyed retry of a record whose persistence failed persists it now,
        // so a replay never acknowledges what was not stored.
        const retryKey = typeof request.idempotencyKey === 'string'
          ? `${auth.mode}:${auth.user_id ?? ''}:${request.idempotencyKey}` : null;
        const entry = result.replayed ? unpersisted.get(retryKey) : { task: 'record_outcome', request, auth, result };
        if (entry) {
          try {
            await persist(entry);
            if (retryKey) unpersisted.delete(retryKey);
          } catch {
            if (retryKey) unpersisted.set(retryKey, entry);
            return json(500, { error: 'Failed to record outcome' });
          }
        }
      }
      return json(200, result.response);
    }
    // Query parameters go to the core as strings; it accepts digit strings (11 §1).
    const query = {};
    const names = isList ? ['limit', 'before'] : ['user_id'];
    for (const name of names) if (url.searchParams.has(name)) query[name] = url.searchParams.get(name);
    const result = JSON.parse(await agent.callRaw(isList ? 'list_outcomes' : 'get_value_summary', query, auth));
    return result.status === 'completed' ? json(200, result.response) : failure(result);
  }

  return async function handle(request) {
    let url;
    try {
      url = new URL(request.url);
    } catch {
      return json(400, { error: 'Bad request' });
    }
    try {
      return await route(request, url);
    } catch {
      // A disposed agent, a throwing resolver: never a crash, never an acknowledgement.
      return json(500, { error: request.method === 'POST' ? 'Failed to record outcome' : 'Internal error' });
    }
  };
}

/**
 * Adapts a fetch-style handler to Node's `http.createServer` listener.
 * @param {(request: Request) => Promise<Response>} handler
 */
export function toNodeListener(handler) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => { res.statusCode = 400; res.end(); });
    req.on('end', async () => {
      try {
        const host = req.headers.host ?? 'localhost';
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (Array.isArray(value)) for (const v of value) headers.append(name, v);
          else if (value !== undefined) headers.set(name, value);
        }
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
        const request = new Request(`http://${host}${req.url}`, {
          method: req.method, headers, body: hasBody ? new Uint8Array(Buffer.concat(chunks)) : undefined,
        });
        const response = await handler(request);
        res.statusCode = response.status;
        response.headers.forEach((value, name) => res.setHeader(name, value));
        res.end(new Uint8Array(await response.arrayBuffer()));
      } catch {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: 'Internal error' }));
      }
    });
  };
}
