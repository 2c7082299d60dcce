// Issue 10 and 17 regressions through the JS API on one backend
// (GOV_BACKEND=native|wasm): strings that end inside a character, numbers
// RapidJSON 1.1.0 misread, overflow naming the field, and damaged state
// documents refused with a structured error. (Raw byte sequences that end
// inside a UTF-8 character cannot be expressed as JS strings; the C++ suite,
// native and WASM, feeds those bytes to the core directly.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../js/node.js';

const backend = process.env.GOV_BACKEND ?? 'native';
const BUYER = 'https://buyer.example.com';
const plan = (total) =>
  `{"plan_id":"p1","brand":{"domain":"acme.example"},"objectives":"Hostile.","budget":{"total":${total},"currency":"USD","reallocation_unlimited":true},"flight":{"start":"2026-01-01T00:00:00Z","end":"2026-12-31T00:00:00Z"}}`;

async function agent() {
  return api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', clock: () => 1767225600000 });
}

test(`[${backend}] texts ending inside a string or a surrogate pair fail cleanly`, async () => {
  const a = await agent();
  await api.init({ backend });
  const before = a.exportState();
  for (const text of ['{"plan_id":"xxxxxxxxxxxx\uD83D', '"000000015900\uDBFF', '{"plan_id":"\u00e9', '"\uD800"', '{"a":"\uDC00"}']) {
    for (const task of ['sync_plans', 'check_governance', 'report_plan_outcome', 'report_plan_adjustment',
      'get_plan_audit_logs', 'record_outcome', 'list_outcomes', 'get_value_summary']) {
      const auth = ['record_outcome', 'list_outcomes', 'get_value_summary'].includes(task) ? { mode: 'session', user_id: 7 } : BUYER;
      const r = JSON.parse(a.callRaw(task, text, auth));
      const complete = text.endsWith('"') || text.endsWith('}');
      if (complete && r.status !== 'failed') continue;  // U+FFFD in a valid request (list_outcomes ignores unknown keys)
      assert.equal(r.status, 'failed', `${task} ${JSON.stringify(text)}`);
      if (!complete) assert.equal(r.errors[0].code, 'INVALID_REQUEST', JSON.stringify(r));  // unparseable (08 §2)
      assert.equal(r.errors[0].recovery, 'correctable');
    }
    // An unterminated text is an error; a lone surrogate in a complete one
    // reaches the core as U+FFFD on both backends.
    if (text.endsWith('"') || text.endsWith('}')) assert.equal(api.canonicalize(text), text.toWellFormed());
    else assert.throws(() => api.canonicalize(text), TypeError);
  }
  assert.equal(a.exportState(), before);
  a.dispose();
});

test(`[${backend}] zeros with large exponents are 0; long numbers are read as JSON.parse reads them`, async () => {
  await api.init({ backend });
  for (const n of ['0e40', '0.0e40', '-0e40', '0E+400', '0e999999999999999999'])
    assert.equal(api.canonicalize(`{"n":${n}}`), '{"n":0}', n);
  for (const n of ['1' + '0'.repeat(400) + 'e-300', '0.' + '3'.repeat(2000) + 'e-5', '2.4703282292062328e-324',
    '1.7976931348623158e308', '9007199254740993', '123456789012345678901234567890'])
    assert.equal(api.canonicalize(`[${n}]`), JSON.stringify([JSON.parse(n)]), n);
  // sync_plans reads "total": 0e40 as 0 (a budget the schema rejects), never 2.4e21.
  const a = await agent();
  const r = JSON.parse(a.callRaw('sync_plans', `{"idempotency_key":"hostile-js-key-0001","plans":[${plan('0e40')}]}`, BUYER));
  if (r.status === 'completed') assert.equal(a.getPlanAuditLogs({ plan_ids: ['p1'] }, BUYER).response.plans[0].budget.authorized, 0);
  else assert.equal(r.errors[0].field, 'plans[0].budget.total');
  a.dispose();
});

test(`[${backend}] a number that overflows a double fails naming the field, nothing changes`, async () => {
  const a = await agent();
  const before = a.exportState();
  for (const total of ['1e400', '-1e309', '1' + '0'.repeat(400), '1000000000000000000001e308']) {
    const r = JSON.parse(a.callRaw('sync_plans', `{"idempotency_key":"hostile-js-key-0002","plans":[${plan(total)}]}`, BUYER));
    assert.equal(r.status, 'failed');
    assert.deepEqual({ code: r.errors[0].code, field: r.errors[0].field, recovery: r.errors[0].recovery },
      { code: 'INVALID_REQUEST', field: 'plans[0].budget.total', recovery: 'correctable' });
    assert.throws(() => a.canonicalize(`{"n":${total}}`), TypeError);
  }
  assert.equal(a.exportState(), before);
  a.dispose();
});

test(`[${backend}] a damaged state document is refused with INVALID_STATE naming the field`, async () => {
  const a = await agent();
  a.syncPlans({ idempotency_key: 'hostile-js-key-0003', plans: [JSON.parse(plan(1000))] }, BUYER);
  const check = a.checkGovernance({ caller: BUYER, plan_id: 'p1', target_agent: 'https://seller.example.com',
    tool: 'create_media_buy', payload: { total_budget: 100 } }, BUYER);
  assert.equal(check.response.verdict, 'approved');
  const stateText = a.exportState();
  const state = JSON.parse(stateText);
  a.dispose();
  const cases = [
    ['seq', (s) => { s.seq = -1; }],
    ['seq', (s) => { s.seq = 1e300; }],
    ['checks[0].expires_at', (s) => { s.checks[0].expires_at = 17729280772323210000; }],
    ['id_counters.chk', (s) => { s.id_counters.chk = 1e300; }],
    ['checks[0].verdict', (s) => { s.checks[0].verdict = 'maybe'; }],
    ['actions[0].plan', (s) => { s.actions[0].plan = 7; }],
  ];
  for (const [field, mutate] of cases) {
    const doc = structuredClone(state);
    mutate(doc);
    await assert.rejects(api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', state: doc }),
      (e) => e instanceof TypeError && e.code === 'INVALID_STATE' && e.field === field && e.recovery === 'terminal' &&
        e.message.includes(field), field);
  }
  // The undamaged document still restores, byte for byte.
  const restored = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', state: stateText });
  assert.equal(restored.exportState(), stateText);
  restored.dispose();
});
