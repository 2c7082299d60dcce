// The outcomes ledger over HTTP (spec 11 §1–§2) through a real Node http
// server on 127.0.0.1, on one backend (GOV_BACKEND=native|wasm): bearer vs
// session, 401/400/409/500 bodies, listing and paging, the value summary
// joined with a real settlement, persistence failures, facade methods.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createGovernanceAgent } from '../../js/node.js';
import { createOutcomesHandler, toNodeListener } from '../../js/http.js';

const backend = process.env.GOV_BACKEND ?? 'native';
const KEY = 'internal-key-7f3a9c';
const BUYER = 'https://buyer.example.com';
// Sessions as a cookie app would have them: cookie value -> user.
const SESSIONS = { 'sess-alice': 1, 'sess-bob': 2, 'sess-buyer': { user_id: 3, agent_url: BUYER } };

let now = Date.parse('2026-07-01T00:00:00Z');
let agent, server, base, persistFails = false;
const journal = [];

before(async () => {
  agent = await createGovernanceAgent({ backend, issuer: 'https://governance.example.com', clock: () => now,
    id_mode: 'sequential' });
  const handler = createOutcomesHandler({
    agent, internalApiKey: KEY,
    resolveSession: (request) => SESSIONS[/(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1]] ?? null,
    persist: (entry) => { if (persistFails) throw new Error('disk full'); journal.push(entry); },
  });
  server = createServer(toNodeListener(handler));
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => { server?.close(); agent?.dispose(); });

async function http(method, path, { body, bearer, session, raw } = {}) {
  const headers = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (session) headers.cookie = `theme=dark; session=${session}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

test(`[${backend}] bearer records: {ok:true} only, user and agent from the body (11 §2–§3)`, async () => {
  const r = await http('POST', '/api/outcomes', { bearer: KEY,
    body: { outcomeType: 'deal_closed', title: 'Closed the Q3 deal', valueUsd: 2500, agentId: 9, userId: 1 } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { ok: true });
  assert.equal(journal.at(-1).auth.mode, 'bearer');
});

test(`[${backend}] session records get an id; a body userId is ignored (11 §2–§3)`, async () => {
  const r = await http('POST', '/api/outcomes', { session: 'sess-alice',
    body: { outcomeType: 'broadcast_complete', title: 'Mix on baseFM', userId: 2 } });
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, true);
  assert.match(r.body.id, /^ocr_\d{8}$/);
  const bob = await http('GET', '/api/outcomes', { session: 'sess-bob' });
  assert.ok(!bob.body.outcomes.some((o) => o.id === r.body.id), 'recorded for the session user, not the body userId');
  const alice = await http('GET', '/api/outcomes?limit=1', { session: 'sess-alice' });
  assert.deepEqual(Object.keys(alice.body.outcomes[0]),
    ['id', 'user_id', 'agent_id', 'outcome_type', 'title', 'description', 'value_usd', 'metadata', 'created_at']);
  assert.equal(alice.body.outcomes[0].id, r.body.id);
  assert.equal(alice.body.outcomes[0].user_id, 1);
});

test(`[${backend}] 401 without a valid bearer or session, state untouched`, async () => {
  const before = agent.exportState();
  for (const opts of [{}, { bearer: 'wrong-key' }, { bearer: `${KEY}x` }, { session: 'sess-nobody' }]) {
    const r = await http('POST', '/api/outcomes', { ...opts, body: { outcomeType: 'deal_closed', title: 'x' } });
    assert.equal(r.status, 401, JSON.stringify(opts));
    assert.deepEqual(r.body, { error: 'Unauthorized' });
  }
  assert.equal((await http('GET', '/api/outcomes', { bearer: KEY })).status, 401, 'listing needs a session (11 §4)');
  assert.equal((await http('GET', '/api/outcomes')).status, 401);
  assert.equal((await http('GET', '/api/outcomes/summary?user_id=1')).status, 401);
  assert.equal(agent.exportState(), before);
});

test(`[${backend}] 400 bodies carry error, code and field (11 §2)`, async () => {
  const before = agent.exportState();
  const bad = await http('POST', '/api/outcomes', { bearer: KEY, body: { outcomeType: 'sale', title: 'x' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'INVALID_OUTCOME_TYPE');
  assert.equal(bad.body.field, 'outcomeType');
  assert.match(bad.body.error, /^Invalid outcome_type/);
  const long = await http('POST', '/api/outcomes', { session: 'sess-alice',
    body: { outcomeType: 'task_complete', title: '\u{1F600}'.repeat(100) + 'a' } });
  assert.deepEqual([long.status, long.body.code, long.body.field], [400, 'VALIDATION_ERROR', 'title']);
  const notJson = await http('POST', '/api/outcomes', { bearer: KEY, raw: '{"outcomeType":' });
  assert.deepEqual([notJson.status, notJson.body.code], [400, 'INVALID_REQUEST']);
  const limit = await http('GET', '/api/outcomes?limit=0', { session: 'sess-alice' });
  assert.deepEqual([limit.status, limit.body.field], [400, 'limit']);
  const summary = await http('GET', '/api/outcomes/summary', { bearer: KEY });
  assert.deepEqual([summary.status, summary.body.field], [400, 'user_id']);
  assert.equal(agent.exportState(), before);
});

test(`[${backend}] idempotent retries replay; a changed body is 409 (11 §3)`, async () => {
  const body = { outcomeType: 'negotiation_complete', title: 'Rate card', idempotencyKey: 'http-retry-key-000001' };
  const first = await http('POST', '/api/outcomes', { session: 'sess-bob', body });
  const again = await http('POST', '/api/outcomes', { session: 'sess-bob', body });
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, first.body);
  const changed = await http('POST', '/api/outcomes', { session: 'sess-bob', body: { ...body, title: 'Other' } });
  assert.equal(changed.status, 409);
  assert.equal(changed.body.code, 'IDEMPOTENCY_CONFLICT');
  assert.equal(changed.body.field, undefined);
  const list = await http('GET', '/api/outcomes', { session: 'sess-bob' });
  assert.equal(list.body.outcomes.filter((o) => o.title === 'Rate card').length, 1);
});

test(`[${backend}] limit default 20, clamp to 50, paging with before (11 §4)`, async () => {
  for (let i = 0; i < 55; ++i) {
    now += 1000;
    const r = await http('POST', '/api/outcomes', { bearer: KEY, body: { outcomeType: 'task_complete', title: `t${i}`, userId: 7 } });
    assert.equal(r.status, 200);
  }
  SESSIONS['sess-seven'] = 7;
  const page1 = await http('GET', '/api/outcomes', { session: 'sess-seven' });
  assert.equal(page1.body.outcomes.length, 20);
  assert.deepEqual(page1.body.outcomes.slice(0, 2).map((o) => o.title), ['t54', 't53']);
  const clamped = await http('GET', '/api/outcomes?limit=200', { session: 'sess-seven' });
  assert.equal(clamped.body.outcomes.length, 50);
  const page2 = await http('GET', `/api/outcomes?before=${page1.body.outcomes.at(-1).id}`, { session: 'sess-seven' });
  assert.deepEqual(page2.body.outcomes.map((o) => o.title), Array.from({ length: 20 }, (_, i) => `t${34 - i}`));
  const foreign = await http('GET', `/api/outcomes?before=${page1.body.outcomes[0].id}`, { session: 'sess-alice' });
  assert.deepEqual([foreign.status, foreign.body.field], [400, 'before']);
});

test(`[${backend}] value summary joined with a real settlement (11 §5)`, async () => {
  const sync = agent.syncPlans({ idempotency_key: 'http-sync-00000001', plans: [{ plan_id: 'q3', brand: { domain: 'acme.example' },
    objectives: 'Q3.', budget: { total: 10000, currency: 'USD', reallocation_unlimited: true },
    flight: { start: '2026-01-01T00:00:00Z', end: '2026-12-31T00:00:00Z' } }] }, BUYER);
  assert.equal(sync.status, 'completed');
  const check = agent.checkGovernance({ caller: BUYER, plan_id: 'q3', target_agent: 'https://seller.example.com',
    tool: 'create_media_buy', payload: { total_budget: 4000 } }, BUYER);
  assert.equal(check.response.verdict, 'approved');
  const settled = agent.reportPlanOutcome({ idempotency_key: 'http-outcome-000001', plan_id: 'q3', check_id: check.response.check_id,
    governance_context: check.response.governance_context, outcome: 'completed',
    seller_response: { media_buy_id: 'mb_q3', committed_budget: 4000 } }, BUYER);
  assert.equal(settled.response.committed_budget, 4000);
  for (const v of [1000, 500.5])
    assert.equal((await http('POST', '/api/outcomes', { session: 'sess-buyer',
      body: { outcomeType: 'deal_closed', title: 'Deal', valueUsd: v, agentId: 4, metadata: { plan_id: 'q3' } } })).status, 200);
  const s = await http('GET', '/api/outcomes/summary', { session: 'sess-buyer' });
  assert.equal(s.status, 200);
  assert.deepEqual(s.body, { user_id: 3, count: 2, value_usd: 1500.5,
    by_outcome_type: { deal_closed: { count: 2, value_usd: 1500.5 } }, by_agent_id: { 4: { count: 2, value_usd: 1500.5 } },
    plans: [{ plan_id: 'q3', currency: 'USD', committed: 4000, value_usd: 1500.5, value_to_spend: 0.375 }] });
  // Bearer callers without an orchestrator identity see the link but no budget.
  const b = await http('GET', '/api/outcomes/summary?user_id=3', { bearer: KEY });
  assert.deepEqual(b.body.plans, [{ plan_id: 'q3', currency: null, committed: null, value_usd: 1500.5, value_to_spend: null }]);
  // The facade methods answer the same.
  assert.deepEqual(agent.getValueSummary({}, { mode: 'session', user_id: 3, agent_url: BUYER }).response, s.body);
});

test(`[${backend}] a failed persist is 500 and not acknowledged; a keyed retry persists it`, async () => {
  const body = { outcomeType: 'content_published', title: 'Post', idempotencyKey: 'http-persist-key-0001' };
  const count = journal.length;
  persistFails = true;
  const failed = await http('POST', '/api/outcomes', { bearer: KEY, body: { ...body, userId: 1 } });
  assert.equal(failed.status, 500);
  assert.deepEqual(failed.body, { error: 'Failed to record outcome' });
  const stillFailing = await http('POST', '/api/outcomes', { bearer: KEY, body: { ...body, userId: 1 } });
  assert.equal(stillFailing.status, 500, 'a replay does not acknowledge an unpersisted record');
  persistFails = false;
  const retried = await http('POST', '/api/outcomes', { bearer: KEY, body: { ...body, userId: 1 } });
  assert.equal(retried.status, 200);
  assert.equal(journal.length, count + 1);
  assert.equal(journal.at(-1).request.title, 'Post');
});

test(`[${backend}] unknown routes 404, wrong methods 405`, async () => {
  assert.equal((await http('GET', '/api/other', { bearer: KEY })).status, 404);
  const r = await http('DELETE', '/api/outcomes', { bearer: KEY });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, POST');
  assert.equal((await http('POST', '/api/outcomes/summary', { bearer: KEY, body: {} })).status, 405);
});

test(`[${backend}] validate('record_outcome') applies the core's body rules client-side`, () => {
  const ok = agent.validate('record_outcome', { outcomeType: 'deal_closed', title: 'x'.repeat(200) });
  assert.equal(ok.status, 'completed');
  const long = agent.validate('record_outcome', { outcomeType: 'deal_closed', title: 'x'.repeat(201) });
  assert.deepEqual([long.status, long.errors[0].code, long.errors[0].field], ['failed', 'VALIDATION_ERROR', 'title']);
  const type = agent.validate('record_outcome', { outcomeType: 'deal', title: 'x' });
  assert.equal(type.errors[0].code, 'INVALID_OUTCOME_TYPE');
});
