// `adcp-governance run --data-dir DIR` (issue 12): the package CLI on a
// fileStore; a second run goes on from the first one's durable state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../js/bin.js', import.meta.url));
const BUYER = 'https://buyer.example.com';
const lines = (steps) => steps.map((s) => JSON.stringify(s)).join('\n') + '\n';

test('run --data-dir: durable across runs, one CoreResult per step', () => {
  const dir = mkdtempSync(join(tmpdir(), 'adcp-cli-'));
  const data = join(dir, 'data');
  const first = join(dir, 'first.jsonl'), second = join(dir, 'second.jsonl');
  writeFileSync(first, lines([
    { now: '2026-02-01T00:00:00Z', task: 'sync_plans', as: BUYER, request: { idempotency_key: 'cli-run-sync-000001', plans: [{
      plan_id: 'p1', brand: { domain: 'acme.example' }, objectives: 'CLI.', budget: { total: 1000, currency: 'USD', reallocation_unlimited: true },
      flight: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' } }] } },
    { task: 'check_governance', as: BUYER, request: { caller: BUYER, plan_id: 'p1', target_agent: 'https://seller.example.com',
      tool: 'create_media_buy', payload: { total_budget: 300 } }, save: { check: 'response.check_id', token: 'response.governance_context' } },
    { task: 'report_plan_outcome', as: BUYER, request: { idempotency_key: 'cli-run-outcome-0001', plan_id: 'p1', check_id: '${check}',
      governance_context: '${token}', outcome: 'completed', seller_response: { seller_reference: 'mb_1' } } },
  ]));
  writeFileSync(second, lines([
    { now: '2026-02-02T00:00:00Z', task: 'get_plan_audit_logs', as: BUYER, request: { plan_ids: ['p1'] } },
    { task: 'check_governance', as: BUYER, request: { caller: BUYER, plan_id: 'p1', target_agent: 'https://seller.example.com',
      tool: 'create_media_buy', payload: { total_budget: 800 } } },
  ]));
  const run = (file) => execFileSync(process.execPath, [BIN, 'run', file, '--data-dir', data], { encoding: 'utf8' })
    .trim().split('\n').map((l) => JSON.parse(l));
  const a = run(first);
  assert.deepEqual(a.map((r) => r.status), ['completed', 'completed', 'completed']);
  assert.equal(a[2].response.committed_budget, 300);
  const b = run(second);
  assert.equal(b[0].response.plans[0].budget.committed, 300, 'the second run sees the first run\'s settlement');
  assert.equal(b[1].response.verdict, 'conditions', '300 committed + 800 exceeds the 1000 budget: a counterproposal');
  const files = readdirSync(data);
  assert.ok(files.some((f) => f.startsWith('journal-')) && files.includes('signing-key.json'), files.join(' '));
  assert.equal(statSync(join(data, 'signing-key.json')).mode & 0o777, 0o600);
  rmSync(dir, { recursive: true });
});
