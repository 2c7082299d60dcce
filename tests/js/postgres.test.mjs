// Scale-out on PostgreSQL (issue 14), against a throwaway cluster this file
// starts itself (Debian's postgresql, initdb in a temporary directory, on
// 127.0.0.1) and `adcp-governance serve --postgres URL` processes on
// 127.0.0.1, called with the official MCP client:
//  - three instances, one database: 30 concurrent $5 intent checks against a
//    $100 plan -> exactly 20 approvals, and committed + held never exceeds
//    $100 in any durable state (every journal prefix replayed);
//  - 10 concurrent identical outcome reports across instances -> one
//    settlement, nine replays; the same key with another body -> conflict;
//  - SIGKILL one instance mid-load: the others go on, nothing acknowledged
//    is lost; a Postgres restart mid-load: calls fail cleanly (structured
//    SERVICE_UNAVAILABLE or 503) during the outage, succeed after;
//  - a held tenant lock and an exhausted pool answer 503 + Retry-After;
//  - in process: catch-up between agents, a corrupt journal row is refused.
// Bounded: every load runs for a fixed number of calls or seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BUYER, SELLER, TOKENS, mcpClient, plan, writeConfig } from './lib/server-harness.mjs';
import { startCluster } from './lib/pg-cluster.mjs';
import * as api from '../../js/node.js';
import { createPool, postgresStore } from '../../js/store-postgres.js';

const backend = process.env.GOV_BACKEND ?? 'native';
const BIN = fileURLToPath(new URL('../../js/bin.js', import.meta.url));
const SIGNING = { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'pg-test' };
let cluster;
let schemaCount = 0;

before(async () => { cluster = await startCluster(); });
after(() => cluster?.stop());

// A fresh schema per test: tests do not see each other's ledgers.
const freshSchema = () => `t${process.pid}_${++schemaCount}`;

function startInstance(dir, schema, extra = []) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', join(dir, 'config.json'),
    '--data-dir', join(dir, 'data'), '--backend', backend, '--postgres', cluster.url, '--postgres-schema', schema, ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  return new Promise((ready, failed) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) ready({ child, url: m[1], output: () => out });
    });
    child.on('exit', (code, signal) => failed(new Error(`serve exited ${code ?? signal}: ${out}`)));
  });
}

async function startInstances(n, configExtra = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'adcp-pg-serve-'));
  writeConfig(dir, { rate_limit: { per_minute: 1e9, burst: 1e9 }, ...configExtra });
  const schema = freshSchema();
  const instances = [];
  for (let i = 0; i < n; ++i) instances.push(await startInstance(dir, schema));
  return { dir, schema, instances,
    stop() { for (const i of instances) i.child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); } };
}

const call = async (client, name, args) => (await client.callTool({ name, arguments: args })).structuredContent;
const intent = (planId, amount) => ({ caller: BUYER, plan_id: planId, target_agent: SELLER, tool: 'create_media_buy',
  payload: { total_budget: amount } });
const outcomeArgs = (planId, ack) => ({ idempotency_key: ack.key, plan_id: planId, check_id: ack.check_id,
  governance_context: ack.token, outcome: 'completed', seller_response: { seller_reference: `mb_${ack.key}` } });

// Every durable state of the tenant, in order: the journal replayed change
// set by change set into an in-memory agent; `visit(agent, seq)` after each.
async function replayJournal(schema, tenant, visit) {
  const pool = new pg.Pool({ connectionString: cluster.url, max: 1 });
  const rows = (await pool.query(`SELECT seq, change_set FROM "${schema}".journal WHERE tenant = $1 ORDER BY seq`, [tenant])).rows;
  await pool.end();
  const agent = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING });
  for (const row of rows) {
    agent.applyChangeSet(row.change_set);
    visit(agent, Number(row.seq));
  }
  agent.dispose();
  return rows.length;
}

// committed + held of a plan (held: the holds the audit reports, spec 03 §5).
function exposure(agent, planId) {
  const audit = agent.getPlanAuditLogs({ plan_ids: [planId] }, BUYER);
  const held = audit.response.ext?.adcp_governance?.holds?.find((h) => h.plan_id === planId)?.held ?? 0;
  return { committed: audit.response.plans[0].budget.committed, held };
}

test(`[${backend}] three instances, one database: exactly 20 of 30 $5 checks approved on $100; never over-committed`,
  { timeout: 180_000 }, async () => {
    const run = await startInstances(3);
    try {
      const clients = await Promise.all(run.instances.map((i) => mcpClient(i.url, TOKENS.buyer)));
      assert.equal((await call(clients[0], 'sync_plans', { idempotency_key: 'pg-sync-000000001', plans: [plan('p100', 100)] })).plans[0].status, 'active');
      // 30 concurrent checks spread over the instances; each approval is
      // settled on the next instance (so instances catch up on each other).
      const verdicts = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
        const check = await call(clients[i % 3], 'check_governance', intent('p100', 5));
        if (check.verdict === 'approved') {
          const o = await call(clients[(i + 1) % 3], 'report_plan_outcome', outcomeArgs('p100',
            { key: `pg-settle-${String(i).padStart(8, '0')}`, check_id: check.check_id, token: check.governance_context }));
          assert.equal(o.outcome_state, 'accepted', JSON.stringify(o));
        }
        return check.verdict ?? JSON.stringify(check);
      }));
      const approved = verdicts.filter((v) => v === 'approved').length;
      assert.equal(approved, 20, verdicts.join(' '));
      assert.ok(verdicts.every((v) => v === 'approved' || v === 'denied'), verdicts.join(' '));
      // Every instance sees the same ledger: $100 committed.
      for (const client of clients) {
        const audit = await call(client, 'get_plan_audit_logs', { plan_ids: ['p100'] });
        assert.equal(audit.plans[0].budget.committed, 100);
      }
      // At no durable moment did committed + held exceed $100.
      let peak = 0;
      const states = await replayJournal(run.schema, 'default', (agent) => {
        if (!agent.exportState().includes('"p100"')) return;
        const { committed, held } = exposure(agent, 'p100');
        peak = Math.max(peak, committed + held);
        assert.ok(committed + held <= 100 + 1e-9, `committed ${committed} + held ${held} exceeds $100`);
      });
      assert.equal(peak, 100);
      assert.ok(states >= 1 + 30 + 20, `journal: ${states} change sets`);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      run.stop();
    }
  });

test(`[${backend}] the same outcome report on three instances at once settles once; another body conflicts`,
  { timeout: 120_000 }, async () => {
    const run = await startInstances(3);
    try {
      const clients = await Promise.all(run.instances.map((i) => mcpClient(i.url, TOKENS.buyer)));
      await call(clients[0], 'sync_plans', { idempotency_key: 'pg-sync-000000002', plans: [plan('p1', 1000)] });
      const check = await call(clients[1], 'check_governance', intent('p1', 40));
      assert.equal(check.verdict, 'approved');
      const ack = { key: 'pg-same-key-000000001', check_id: check.check_id, token: check.governance_context };
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(clients[i % 3], 'report_plan_outcome', outcomeArgs('p1', ack))));
      assert.equal(answers.filter((a) => a.outcome_state === 'accepted' && !a.replayed).length, 1, JSON.stringify(answers));
      assert.equal(answers.filter((a) => a.outcome_state === 'accepted' && a.replayed === true).length, 9, JSON.stringify(answers));
      assert.equal(new Set(answers.map((a) => a.outcome_id)).size, 1);
      const conflict = await clients[2].callTool({ name: 'report_plan_outcome', arguments: { ...outcomeArgs('p1', ack),
        seller_response: { seller_reference: 'another-body' } } });
      assert.equal(conflict.isError, true);
      assert.equal(conflict.structuredContent.adcp_error.code, 'IDEMPOTENCY_CONFLICT');
      const audit = await call(clients[0], 'get_plan_audit_logs', { plan_ids: ['p1'] });
      assert.equal(audit.plans[0].budget.committed, 40, 'settled once');
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      run.stop();
    }
  });

// A buyer's governed buys against one instance until `stop`; acknowledged
// answers recorded. A failed call must be clean: SERVICE_UNAVAILABLE in the
// result, or the HTTP call refused (the instance is gone) / answered 503.
async function buyer(url, id, acks, stop, { retryOutcome = false } = {}) {
  const client = await mcpClient(url, TOKENS.buyer).catch(() => null);
  if (!client) return;
  const clean = (e) => /fetch failed|ECONNREFUSED|ECONNRESET|other side closed|503|terminated|socket/i.test(`${e?.message} ${e?.cause?.code ?? ''}`);
  try {
    for (let i = 0; !stop.now; ++i) {
      const amount = 1 + ((id * 7 + i) % 20);
      let check;
      try {
        check = await client.callTool({ name: 'check_governance', arguments: intent('load', amount) });
      } catch (e) {
        assert.ok(clean(e), `unclean failure: ${e?.message}`);
        acks.failures += 1;
        if (stop.instanceGone?.(url)) return;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (check.isError) {
        assert.equal(check.structuredContent.adcp_error.code, 'SERVICE_UNAVAILABLE', JSON.stringify(check.structuredContent));
        acks.failures += 1;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      assert.equal(check.structuredContent.verdict, 'approved', JSON.stringify(check.structuredContent));
      const ack = { check_id: check.structuredContent.check_id, token: check.structuredContent.governance_context, amount,
        key: `pg-load-${id}-${i}-`.padEnd(16, '0') };
      acks.checks.push(ack);
      for (;;) {
        let o;
        try {
          o = await client.callTool({ name: 'report_plan_outcome', arguments: outcomeArgs('load', ack) });
        } catch (e) {
          assert.ok(clean(e), `unclean failure: ${e?.message}`);
          acks.failures += 1;
          return;  // the instance is gone: the verifier settles it
        }
        if (!o.isError) { acks.outcomes.set(ack.key, o.structuredContent.outcome_id); break; }
        assert.equal(o.structuredContent.adcp_error.code, 'SERVICE_UNAVAILABLE', JSON.stringify(o.structuredContent));
        acks.failures += 1;
        if (!retryOutcome || stop.now) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await client.close().catch(() => {});
  }
}

// In process, on the database: every acknowledged check and settlement is
// there; the settlements an interruption left unacknowledged, sent again,
// settle once; committed = the amounts of all acknowledged checks.
async function verify(schema, acks) {
  const agent = await api.openGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING, log: () => {},
    store: postgresStore({ connectionString: cluster.url, schema, log: () => {} }) });
  const state = JSON.parse(agent.exportState());
  const checks = new Set(state.checks.map((c) => c.check_id));
  const outcomes = new Set(state.outcomes.map((o) => o.outcome_id));
  for (const a of acks.checks) assert.ok(checks.has(a.check_id), `acknowledged check ${a.check_id} lost`);
  for (const id of acks.outcomes.values()) assert.ok(outcomes.has(id), `acknowledged outcome ${id} lost`);
  let expected = 0;
  for (const a of acks.checks) {
    expected += a.amount;
    const r = await agent.reportPlanOutcome(outcomeArgs('load', a), BUYER);
    assert.equal(r.status, 'completed', JSON.stringify(r));
    if (acks.outcomes.has(a.key)) assert.equal(r.response.replayed, true, 'an acknowledged settlement replays');
  }
  const audit = await agent.getPlanAuditLogs({ plan_ids: ['load'] }, BUYER);
  assert.equal(audit.response.plans[0].budget.committed, expected, 'committed budget = acknowledged settlements');
  await agent.close();
}

test(`[${backend}] SIGKILL one of three instances mid-load: the others go on, nothing acknowledged is lost`,
  { timeout: 180_000 }, async () => {
    const run = await startInstances(3);
    try {
      const seeder = await mcpClient(run.instances[0].url, TOKENS.buyer);
      await call(seeder, 'sync_plans', { idempotency_key: 'pg-sync-000000003', plans: [plan('load', 1e9)] });
      await seeder.close();
      const acks = { checks: [], outcomes: new Map(), failures: 0 };
      const killed = run.instances[0];
      const stop = { now: false, instanceGone: (url) => url === killed.url &&
        (killed.child.exitCode !== null || killed.child.signalCode !== null) };
      const load = Promise.all(Array.from({ length: 24 }, (_, id) => buyer(run.instances[id % 3].url, id, acks, stop)));
      await new Promise((r) => setTimeout(r, 1500));
      killed.child.kill('SIGKILL');
      const before = acks.outcomes.size;
      await new Promise((r) => setTimeout(r, 2000));
      stop.now = true;
      await load;
      assert.ok(acks.outcomes.size > before + 10, `the others went on: ${before} -> ${acks.outcomes.size} settlements`);
      await verify(run.schema, acks);
      console.log(`# SIGKILL: ${acks.checks.length} checks, ${acks.outcomes.size} settlements acknowledged; ` +
        `${acks.failures} calls failed cleanly`);
    } finally {
      run.stop();
    }
  });

test(`[${backend}] a PostgreSQL restart mid-load: calls fail cleanly during the outage and succeed after`,
  { timeout: 180_000 }, async () => {
    const run = await startInstances(2);
    try {
      const seeder = await mcpClient(run.instances[0].url, TOKENS.buyer);
      await call(seeder, 'sync_plans', { idempotency_key: 'pg-sync-000000004', plans: [plan('load', 1e9)] });
      await seeder.close();
      const acks = { checks: [], outcomes: new Map(), failures: 0 };
      const stop = { now: false };
      const load = Promise.all(Array.from({ length: 12 }, (_, id) => buyer(run.instances[id % 2].url, id, acks, stop, { retryOutcome: true })));
      await new Promise((r) => setTimeout(r, 1000));
      const beforeOutage = acks.outcomes.size;
      await cluster.restart({ mode: 'immediate', downMs: 1500 });
      const afterRestart = acks.outcomes.size;
      const restarted = Date.now();
      while (acks.outcomes.size <= afterRestart + 10 && Date.now() - restarted < 20_000) await new Promise((r) => setTimeout(r, 100));
      console.log(`# ${acks.outcomes.size - afterRestart} settlements within ${Date.now() - restarted} ms of the restart`);
      stop.now = true;
      await load;
      assert.ok(beforeOutage > 0, 'calls succeeded before the outage');
      assert.ok(acks.failures > 0, 'calls failed during the outage');
      assert.ok(acks.outcomes.size > afterRestart + 10, `calls succeed after the restart: ${afterRestart} -> ${acks.outcomes.size}\n` +
        run.instances.map((i) => i.output().slice(-3000)).join('\n'));
      await verify(run.schema, acks);
      console.log(`# Postgres restart: ${acks.checks.length} checks, ${acks.outcomes.size} settlements acknowledged; ` +
        `${acks.failures} calls failed cleanly during the outage`);
    } finally {
      run.stop();
    }
  });

test(`[${backend}] a tenant lock held elsewhere and an exhausted pool answer 503 + Retry-After, not a hang`,
  { timeout: 120_000 }, async () => {
    const run = await startInstances(1, { postgres_pool: { max: 1, connectionTimeoutMs: 300, lockTimeoutMs: 1500 } });
    const holder = new pg.Client({ connectionString: cluster.url });
    try {
      const { url } = run.instances[0];
      const client = await mcpClient(url, TOKENS.buyer);
      await call(client, 'sync_plans', { idempotency_key: 'pg-sync-000000005', plans: [plan('p1', 1000)] });
      const acme = await mcpClient(url, TOKENS.acme, '/t/acme/mcp');
      // Hold the default tenant's lock (as a stuck instance would).
      await holder.connect();
      const { lockKey } = await import('../../js/store-postgres.js');
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`adcp-governance ${run.schema}/default`)]);
      const started = Date.now();
      const mcpBody = (name, args) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
      const post = (path, token, name, args) => fetch(new URL(path, url), { method: 'POST', body: mcpBody(name, args),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } });
      // The default tenant's call waits for the lock (holding the pool's only connection) ...
      const locked = post('/mcp', TOKENS.buyer, 'check_governance', intent('p1', 5));
      await new Promise((r) => setTimeout(r, 200));
      // ... so acme's call finds no connection: 503 at once.
      const exhausted = await post('/t/acme/mcp', TOKENS.acme, 'get_plan_audit_logs', { plan_ids: ['p1'] });
      assert.equal(exhausted.status, 503);
      assert.equal(exhausted.headers.get('retry-after'), '1');
      const lockedResponse = await locked;
      assert.equal(lockedResponse.status, 503, 'the lock was not granted in time');
      assert.equal(lockedResponse.headers.get('retry-after'), '1');
      assert.ok(Date.now() - started < 10_000, 'bounded waits');
      await holder.query('ROLLBACK');
      // Free again: both tenants answer.
      assert.equal((await call(client, 'check_governance', intent('p1', 5))).verdict, 'approved');
      const acmeAudit = await acme.callTool({ name: 'get_plan_audit_logs', arguments: { plan_ids: ['p1'] } });
      assert.notEqual(acmeAudit.structuredContent?.adcp_error?.code, 'SERVICE_UNAVAILABLE', JSON.stringify(acmeAudit));
      await client.close();
      await acme.close();
    } finally {
      await holder.end().catch(() => {});
      run.stop();
    }
  });

test(`[${backend}] in process: agents catch up on each other; a corrupt journal row is refused, never applied`,
  { timeout: 60_000 }, async () => {
    const schema = freshSchema();
    const pool = await createPool(cluster.url, { max: 4 });
    const logs = [];
    const log = (level, msg, fields) => logs.push({ level, msg, ...fields });
    const open = () => api.openGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING, log,
      store: postgresStore({ pool, schema, tenant: 'acme', snapshotEvery: 4, log }) });
    const a = await open(), b = await open();
    try {
      await a.syncPlans({ idempotency_key: 'pg-sync-000000006', plans: [plan('p1', 1000)] }, BUYER);
      const checks = [];
      for (let i = 0; i < 6; ++i) checks.push(await (i % 2 ? a : b).checkGovernance(intent('p1', 10), BUYER));
      assert.ok(checks.every((c) => c.response.verdict === 'approved'));
      // Each saw the other's writes before its own: the same state.
      await a.getPlanAuditLogs({ plan_ids: ['p1'] }, BUYER);
      await b.getPlanAuditLogs({ plan_ids: ['p1'] }, BUYER);
      assert.equal(a.exportState(), b.exportState());
      await new Promise((r) => setTimeout(r, 200));  // snapshots are written beside the calls
      assert.ok(Number((await pool.query(`SELECT count(*) FROM "${schema}".snapshots`)).rows[0].count) >= 1, 'a snapshot was written');
      // A third agent opens from the newest snapshot plus the journal.
      const c = await open();
      assert.equal(c.exportState(), a.exportState());
      // b writes; the row is corrupted before a reads it: a refuses it.
      const next = await b.checkGovernance(intent('p1', 10), BUYER);
      assert.equal(next.response.verdict, 'approved');
      const before = a.exportState();
      await pool.query(`UPDATE "${schema}".journal SET change_set = replace(change_set, '"amount":10', '"amount":1') WHERE seq = (SELECT max(seq) FROM "${schema}".journal)`);
      const refused = await a.checkGovernance(intent('p1', 10), BUYER);
      assert.equal(refused.status, 'failed');
      assert.equal(refused.errors[0].code, 'SERVICE_UNAVAILABLE');
      assert.match(logs.map((l) => l.message ?? '').join(' ') + JSON.stringify(refused), /checksum/);
      assert.equal(a.exportState(), before, 'nothing applied');
      await c.close();
    } finally {
      await a.close();
      await b.close();
      await pool.end();
    }
  });

test(`[${backend}] the primary key guards the ledger: a seq another writer took aborts the call, never forks`,
  { timeout: 60_000 }, async () => {
    const schema = freshSchema();
    const pool = await createPool(cluster.url, { max: 3 });
    try {
      const store = postgresStore({ pool, schema, tenant: 'fork', log: () => {} });
      assert.equal((await store.open()).seq, 0);
      const tx = await store.begin(0);
      // A writer that skipped the lock (a bug, or a hand-written script) takes seq 1 first.
      await pool.query(`INSERT INTO "${schema}".journal (tenant, seq, change_set, checksum) VALUES ('fork', 1, '{"other":1}', 'x')`);
      await tx.append('{"mine":1}', 1);
      await assert.rejects(tx.commit(1), (e) => e.recovery === 'transient' && /not committed/.test(e.message));
      assert.equal(store.needsRecovery(), true);
      const rows = (await pool.query(`SELECT seq, change_set FROM "${schema}".journal WHERE tenant = 'fork'`)).rows;
      assert.deepEqual(rows.map((r) => [Number(r.seq), r.change_set]), [[1, '{"other":1}']], 'one record per seq');
      await store.close();
    } finally {
      await pool.end();
    }
  });
