// Bad input over HTTP (issue 13): oversized bodies, malformed JSON-RPC,
// unknown tools and tenants, missing and wrong tokens, wrong methods and
// content types, a slow client. Each gets the right status and error, the
// server stays up, and the state does not change. Raw requests on
// 127.0.0.1 (fetch and node:net), as curl would send them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { TOKENS, mcpClient, plan, startServer } from './lib/server-harness.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rpc = (method, params, id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });

test(`[${backend}] 60 hostile HTTP requests: the right status, no crash, state unchanged`, async () => {
  const srv = await startServer({ backend, config: { max_body_bytes: 64 * 1024 } });
  try {
    const buyer = await mcpClient(srv.url, TOKENS.buyer);
    await buyer.callTool({ name: 'sync_plans', arguments: { idempotency_key: 'bad-input-sync-00001', plans: [plan()] } });
    const stateBefore = srv.tenants.get('default').agent.exportState();
    const auth = { authorization: `Bearer ${TOKENS.buyer}` };
    const cases = [];
    const add = (name, request, expect) => cases.push({ name, request, expect });
    const post = (path, body, headers = { ...JSON_HEADERS, ...auth }) => ({ path, method: 'POST', headers, body });
    const tool = (name, args) => rpc('tools/call', { name, arguments: args });

    // Transport and auth.
    add('no token', post('/mcp', rpc('tools/list'), JSON_HEADERS), { status: 401, header: 'www-authenticate' });
    add('wrong token', post('/mcp', rpc('tools/list'), { ...JSON_HEADERS, authorization: 'Bearer nope' }), { status: 401 });
    add('basic auth', post('/mcp', rpc('tools/list'), { ...JSON_HEADERS, authorization: 'Basic YTpi' }), { status: 401 });
    add('empty bearer', post('/mcp', rpc('tools/list'), { ...JSON_HEADERS, authorization: 'Bearer ' }), { status: 401 });
    add('token of another tenant', post('/mcp', rpc('tools/list'), { ...JSON_HEADERS, authorization: `Bearer ${TOKENS.acme}` }), { status: 404 });
    add('unknown tenant', post('/t/ghost/mcp', rpc('tools/list')), { status: 404 });
    add('tenant name too long', post(`/t/${'x'.repeat(80)}/mcp`, rpc('tools/list')), { status: 404 });
    add('an encoded slash in the tenant', post('/t/a%2F..%2Fdefault/mcp', rpc('tools/list')), { status: 404 });
    add('unknown route', post('/mcpx', rpc('tools/list')), { status: 404 });
    add('GET on /mcp (stateless: no SSE stream)', { path: '/mcp', method: 'GET', headers: auth }, { status: 405 });
    add('DELETE on /mcp', { path: '/mcp', method: 'DELETE', headers: auth }, { status: 405 });
    add('body over the limit', post('/mcp', tool('check_governance', { pad: 'x'.repeat(70 * 1024) })), { status: 413 });
    add('declared length over the limit', { path: '/mcp', method: 'POST', headers: { ...JSON_HEADERS, ...auth, 'content-length': String(10 << 20) }, body: '{}', raw: true }, { status: 413 });
    add('text/plain content type', post('/mcp', rpc('tools/list'), { ...auth, 'content-type': 'text/plain', accept: 'application/json, text/event-stream' }), { status: 415 });
    add('no accept header', post('/mcp', rpc('tools/list'), { ...auth, 'content-type': 'application/json' }), { status: 406 });
    // Malformed JSON-RPC: the transport answers JSON-RPC errors.
    for (const [name, body] of [['not JSON', '{'], ['empty body', ''], ['a number', '42'], ['null', 'null'],
      ['no jsonrpc version', JSON.stringify({ id: 1, method: 'tools/list' })], ['wrong version', JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'tools/list' })],
      ['method not a string', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 7 })],
      ['deep nesting', '['.repeat(5000) + ']'.repeat(5000)], ['NUL bytes', '\u0000\u0000']])
      add(`malformed: ${name}`, post('/mcp', body), { status: 400 });
    add('unknown method', post('/mcp', rpc('tools/destroy')), { status: 200, rpcError: -32601 });
    add('a method with a lone surrogate', post('/mcp', '{"jsonrpc":"2.0","id":1,"method":"\\ud800"}'), { status: 200, rpcError: -32601 });
    add('unknown tool', post('/mcp', tool('drop_tables', {})), { status: 200, rpcError: -32602 });
    // The MCP SDK rejects params that fail its request schema as -32603 (it wraps the zod error).
    add('tool name not a string', post('/mcp', rpc('tools/call', { name: 42, arguments: {} })), { status: 200, rpcError: [-32602, -32603] });
    add('arguments not an object', post('/mcp', rpc('tools/call', { name: 'sync_plans', arguments: [1, 2] })), { status: 200, rpcError: [-32602, -32603] });
    // Task input: the core's structured errors as isError results.
    const coreCases = [
      ['sync_plans', {}, 'INVALID_REQUEST'], ['sync_plans', { plans: 'x', idempotency_key: 'bad-input-key-00002' }, 'INVALID_REQUEST'],
      ['sync_plans', { idempotency_key: 'short', plans: [plan()] }, 'INVALID_REQUEST'],
      ['sync_plans', { idempotency_key: 'bad-input-sync-00001', plans: [plan('p1', 5)] }, 'IDEMPOTENCY_CONFLICT'],
      ['check_governance', {}, 'VALIDATION_ERROR'], ['check_governance', { plan_id: 7 }, 'VALIDATION_ERROR'],
      ['check_governance', { caller: 'https://buyer.example.com', plan_id: 'ghost', target_agent: 'https://s.example', tool: 'create_media_buy', payload: {} }, 'PLAN_NOT_FOUND'],
      ['check_governance', { caller: 'https://evil.example', plan_id: 'p1', target_agent: 'https://s.example', tool: 'create_media_buy', payload: {} }, 'PERMISSION_DENIED'],
      ['check_governance', { caller: 'https://buyer.example.com', governance_context: 'forged.token.value', phase: 'purchase', planned_delivery: {} }, 'VALIDATION_ERROR'],
      // 1e400 is Infinity, which JSON carries as null: the core refuses the null.
      ['check_governance', { caller: 'https://buyer.example.com', plan_id: 'p1', target_agent: 'https://s.example', tool: 'create_media_buy', payload: { total_budget: 1e400 } }, 'VALIDATION_ERROR'],
      ['report_plan_outcome', {}, 'VALIDATION_ERROR'], ['report_plan_outcome', { plan_id: 'p1', check_id: 'chk_x', idempotency_key: 'bad-input-key-00003', outcome: 'completed' }, 'VALIDATION_ERROR'],
      ['report_plan_adjustment', {}, 'VALIDATION_ERROR'], ['report_plan_adjustment', { action: 'explode', idempotency_key: 'bad-input-key-00004' }, 'VALIDATION_ERROR'],
      ['get_plan_audit_logs', {}, 'INVALID_REQUEST'], ['get_plan_audit_logs', { plan_ids: [] }, 'INVALID_REQUEST'],
      ['get_plan_audit_logs', { plan_ids: ['someone-elses'] }, 'PLAN_NOT_FOUND'],
      ['sync_accounts', {}, 'VALIDATION_ERROR'], ['sync_accounts', { idempotency_key: 'bad-input-key-00005', accounts: [{ brand: {}, operator: 'x', billing: 'me' }] }, 'VALIDATION_ERROR'],
      ['list_accounts', { pagination: { max_results: 0 } }, 'VALIDATION_ERROR'], ['list_accounts', { pagination: { cursor: 'acc_nope' } }, 'VALIDATION_ERROR'],
    ];
    for (const [name, args, code] of coreCases) add(`${name}: ${code}`, post('/mcp', tool(name, args)), { status: 200, code });
    // Admin and well-known routes.
    add('admin without a token', { path: '/admin', method: 'POST', headers: {}, body: '{"op":"stats"}' }, { status: 401 });
    add('admin with a buyer token', { path: '/admin', method: 'POST', headers: auth, body: '{"op":"stats"}' }, { status: 401 });
    add('admin op that is not JSON', { path: '/admin', method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}` }, body: '{' }, { status: 400 });
    add('admin unknown op', { path: '/admin', method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}` }, body: '{"op":"rm -rf"}' }, { status: 400 });
    add('POST on jwks', { path: '/.well-known/jwks.json', method: 'POST', headers: {}, body: '{}' }, { status: 404 });
    add('jwks of an unknown tenant', { path: '/t/ghost/.well-known/jwks.json', method: 'GET', headers: {} }, { status: 404 });
    add('outcomes without auth', { path: '/api/outcomes', method: 'POST', headers: {}, body: '{}' }, { status: 401 });
    add('outcomes with a buyer MCP token', { path: '/api/outcomes', method: 'POST', headers: auth, body: '{}' }, { status: 401 });
    add('outcomes summary with a bad user id', { path: '/api/outcomes/summary?user_id=abc', method: 'GET', headers: { authorization: 'Bearer outcomes-internal-key' } }, { status: 400 });
    add('outcomes with malformed JSON', { path: '/api/outcomes', method: 'POST', headers: { authorization: 'Bearer outcomes-internal-key' }, body: '{"outcomeType":' }, { status: 400 });

    assert.ok(cases.length >= 50, `${cases.length} cases`);
    for (const c of cases) {
      const { status, headers, text } = c.request.raw ? await rawRequest(srv.port, c.request) : await fetchRequest(srv.url, c.request);
      assert.equal(status, c.expect.status, `${c.name}: ${text.slice(0, 200)}`);
      if (c.expect.header) assert.ok(headers.get(c.expect.header), `${c.name}: ${c.expect.header}`);
      if (c.expect.rpcError) assert.ok([c.expect.rpcError].flat().includes(JSON.parse(text).error?.code), `${c.name}: ${text.slice(0, 200)}`);
      if (c.expect.code) {
        const result = JSON.parse(text).result;
        assert.equal(result?.isError, true, `${c.name}: ${text.slice(0, 200)}`);
        assert.equal(result.structuredContent.adcp_error.code, c.expect.code, `${c.name}: ${text.slice(0, 300)}`);
        for (const k of ['message', 'recovery']) assert.equal(typeof result.structuredContent.adcp_error[k], 'string');
      }
    }
    // A slow client (headers never finished) is cut off; the server goes on.
    const slow = connect(srv.port, '127.0.0.1');
    slow.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    slow.destroy();
    assert.equal(srv.tenants.get('default').agent.exportState(), stateBefore, 'no hostile request changed the state');
    assert.equal((await buyer.listTools()).tools.length, 8, 'the server still serves');
    await buyer.close();
  } finally {
    await srv.close();
  }
});

async function fetchRequest(base, { path, method, headers, body }) {
  const r = await fetch(`${base}${path}`, { method, headers, body });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

// A request whose headers fetch would correct (a lying content-length).
function rawRequest(port, { path, method, headers, body }) {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('error', fail);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1]);
      done({ status, headers: new Headers(), text: data.split('\r\n\r\n')[1] ?? '' });
    });
    const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(lines.join('\r\n') + '\r\n\r\n' + body);
  });
}
