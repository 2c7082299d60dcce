// Seed corpora for the libFuzzer targets, from the shared fixture corpus:
// every scenario of tests/fixtures/scenarios is run through the JS API
// (WASM backend, the corpus' deterministic host) and written out as
//   OUT/tasks/<scenario>         the task-sequence form of fuzz_tasks.cc
//   OUT/jcs/<n>                  every request body and plan, plus number edge cases
//   OUT/import/<scenario>        the scenario's final exported state, plus the
//                                issue-17 documents (seq -1, an expires_at of
//                                17729280772323210000, an id counter of 1e300),
//                                and a proposal-bound buy (accept_proposal, its
//                                purchase and a delivery statement), also without
//                                its terms_digest (refused at import since issue 15)
//   OUT/outcomes_http/<n>        outcomes-ledger bodies in fuzz_outcomes_http.cc's form
// Usage: node tests/fuzz/make_seeds.mjs OUT
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as api from '../../js/wasm-node.js';
import { seededRandom } from '../../js/seeded-random.js';
import { DEFAULT_CONFIG, runScenario, scenarioFiles, standInSign } from '../js/lib/scenario-runner.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: make_seeds.mjs OUT');
const dirs = Object.fromEntries(['tasks', 'jcs', 'import', 'outcomes_http'].map((d) => [d, join(out, d)]));
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });

const OPS = {
  sync_plans: 's', check_governance: 'c', report_plan_outcome: 'o', report_plan_adjustment: 'a',
  get_plan_audit_logs: 'l', record_outcome: 'r', list_outcomes: 'i', get_value_summary: 'v',
};
const HOOKS = ['resolve_brand', 'resolve_policies', 'evaluate_policies', 'evaluate_attestation'];
const hookLine = (answers) => 'H' + JSON.stringify(Object.fromEntries(Object.entries(answers)
  .filter(([k]) => HOOKS.includes(k))
  .map(([k, v]) => [k, v && typeof v === 'object' && typeof v.$fail === 'string' ? '$fail' : v])));

let jcsCount = 0, httpCount = 0;
const jcs = (text) => writeFileSync(join(dirs.jcs, String(jcsCount++).padStart(4, '0')), text);
for (const file of scenarioFiles()) {
  const name = basename(file, '.json');
  const { scenario, steps, finalState } = await runScenario(api, file, 'wasm');
  const lines = [];
  if (scenario.config) lines.push('G' + JSON.stringify({ ...DEFAULT_CONFIG, ...scenario.config }));
  if (scenario.hooks) lines.push(hookLine(scenario.hooks));
  let clock = Date.parse('2026-01-01T00:00:00Z');
  for (const { step } of steps) {
    if (step.now_ms !== undefined) clock = step.now_ms;
    if (step.now !== undefined) clock = Date.parse(step.now);
    if (step.advance_ms !== undefined) clock += step.advance_ms;
    lines.push(`N${clock}`);
    if (step.admin) { lines.push('m' + JSON.stringify(step.admin)); continue; }
    if (step.get_task) { lines.push('t' + step.get_task); continue; }
    const auth = step.auth !== undefined ? step.auth : step.as !== undefined ? { agent_url: step.as } : {};
    const body = step.request_text ?? JSON.stringify(step.request ?? null);
    if (body.includes('\n')) continue;  // one call per line
    lines.push(`${OPS[step.task]}${JSON.stringify(auth)}\t${body}`);
    jcs(body);
    for (const plan of step.request?.plans ?? []) jcs(JSON.stringify(plan));
    if (step.task === 'record_outcome') {
      writeFileSync(join(dirs.outcomes_http, String(httpCount++).padStart(4, '0')), (auth.mode === 'bearer' ? 'P' : 'Q') + body);
    } else if (step.task === 'list_outcomes' || step.task === 'get_value_summary') {
      const query = new URLSearchParams(Object.entries(step.request ?? {}).map(([k, v]) => [k, String(v)])).toString();
      writeFileSync(join(dirs.outcomes_http, String(httpCount++).padStart(4, '0')), (step.task === 'list_outcomes' ? 'L' : 'S') + query);
    }
  }
  // fuzz_tasks runs at most 16 calls per input: a scenario becomes several
  // seeds, each its set-up (config, hooks, the first sync) and a window of calls.
  const header = lines.filter((l) => l[0] === 'G' || l[0] === 'H');
  const body = lines.filter((l) => l[0] !== 'G' && l[0] !== 'H');
  const firstCall = body.findIndex((l) => l[0] === 's');
  const setup = firstCall >= 0 ? body.slice(0, firstCall + 1) : [];
  const WINDOW = 24;  // lines: about 12 calls with their clock lines
  for (let start = firstCall + 1, part = 0; start < body.length || part === 0; start += WINDOW, part++) {
    const seed = [...header, ...setup, ...body.slice(start, start + WINDOW)];
    writeFileSync(join(dirs.tasks, `${name}-${part}`), seed.join('\n') + '\n');
  }
  writeFileSync(join(dirs.import, name), finalState);
}

// Numbers that RapidJSON 1.1.0 misread or that sanitizers flagged (issue 10).
// Written as latin1 so that '\xf4' is the single byte 0xF4 (a lone UTF-8 lead byte).
for (const text of ['{"n":0e40}', '{"n":-0.0e999}', '[1' + '0'.repeat(400) + 'e-300]', '{"n":1e309}',
  '"000000015900\xf4', '{"plan_id":"xxxxxxxxxxxx\xf4', '""', '[0.' + '3'.repeat(800) + 'e-5]']) jcs(Buffer.from(text, 'latin1'));

// Out-of-range integers in state documents (issue 17).
const lifecycle = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(dirs.import, '04-full-lifecycle'), 'utf8')));
const variants = {
  'issue17-seq-negative': (s) => { s.seq = -1; },
  'issue17-expires-at-huge': (s) => { s.checks[0].expires_at = 17729280772323210000; },
  'issue17-id-counter-1e300': (s) => { s.id_counters.chk = 1e300; },
};
for (const [name, mutate] of Object.entries(variants)) {
  const doc = structuredClone(lifecycle);
  mutate(doc);
  writeFileSync(join(dirs.import, name), JSON.stringify(doc));
}
// A proposal-bound action (03 §4.4, E4): no scenario accepts a proposal, and
// fuzz_import's seller checks present the action's proposal_id and
// proposal_terms_digest. The second document lacks the action's terms_digest
// (the crash of issue 15, now INVALID_STATE at import).
{
  const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
  const agent = await api.createGovernanceAgent({
    backend: 'wasm', config: DEFAULT_CONFIG, issuer: DEFAULT_CONFIG.issuer, signing: { kid: DEFAULT_CONFIG.signing.kid },
    sign: standInSign, clock: () => Date.parse('2026-03-01T00:00:00Z'), random: seededRandom(1n),
  });
  const call = (task, request, as) => {
    const result = JSON.parse(agent.callRaw(task, request, { agent_url: as }));
    if (result.status !== 'completed') throw new Error(`proposal seed: ${task}: ${JSON.stringify(result)}`);
    return result.response;
  };
  call('sync_plans', { idempotency_key: 'proposal-sync-000001', plans: [{
    plan_id: 'proposal', brand: { domain: 'acme.example' }, objectives: 'Proposal binding.',
    budget: { total: 50000, currency: 'USD', reallocation_unlimited: true }, countries: ['US'],
    channels: { allowed: ['olv', 'ctv'] }, flight: { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' } }] }, BUYER);
  const terms = {
    brand: { domain: 'acme.example' },
    purchases: [{ product_id: 'prod_1', pricing_option_id: 'po_1', pricing: { currency: 'USD' }, budget: 20000,
      start_time: '2026-03-02T00:00:00Z', end_time: '2026-03-30T00:00:00Z' }],
    start_time: '2026-03-02T00:00:00Z', end_time: '2026-03-30T00:00:00Z', total_budget: { amount: 20000, currency: 'USD' },
  };
  const digest = 'sha256:' + createHash('sha256').update(api.canonicalize(terms)).digest('base64url');
  const intent = call('check_governance', {
    caller: BUYER, plan_id: 'proposal', target_agent: SELLER, tool: 'accept_proposal', purchase_type: 'media_buy',
    proposed_commitment: { amount: 20000, currency: 'USD' },
    proposal: { proposal_id: 'prop_1', proposal_kind: 'new_media_buy', proposal_status: 'committed', name: 'Proposal one',
      commercial_terms: terms, terms_digest: digest, expires_at: '2026-03-10T00:00:00Z' },
    payload: { proposal_id: 'prop_1', proposal_terms_digest: digest } }, BUYER);
  const planned = { media_buy_id: 'mb_prop_1', proposal_id: 'prop_1', proposal_terms_digest: digest };
  const purchase = call('check_governance', { caller: SELLER, governance_context: intent.governance_context, phase: 'purchase',
    execution_commitment: { amount: 20000, currency: 'USD' }, planned_delivery: planned }, SELLER);
  if (purchase.verdict !== 'approved') throw new Error(`proposal seed: purchase ${purchase.verdict}`);
  const metrics = { statement_id: 'prop_st_1', sequence: 1, issued_at: '2026-03-08T00:00:00Z',
    reporting_period: { start: '2026-03-01T00:00:00Z', end: '2026-03-08T00:00:00Z' }, cumulative_spend: 5000, currency: 'USD' };
  metrics.statement_digest = api.statementDigest('mb_prop_1', metrics);
  call('check_governance', { caller: SELLER, governance_context: purchase.governance_context, phase: 'delivery',
    planned_delivery: planned, delivery_metrics: metrics }, SELLER);
  const state = agent.exportState();
  agent.dispose();
  writeFileSync(join(dirs.import, 'proposal-binding'), state);
  const half = JSON.parse(state);
  delete half.actions[0].terms_digest;
  writeFileSync(join(dirs.import, 'proposal-binding-no-digest'), JSON.stringify(half));
}
console.log(`seeds: ${scenarioFiles().length} task sequences and states, ${jcsCount} JSON texts, ${httpCount} outcomes bodies -> ${out}`);
