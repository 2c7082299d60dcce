// Load and faults against a real `adcp-governance serve` process (issue 13),
// on 127.0.0.1, bounded and self-stopping:
//  - 200 concurrent MCP clients x 50 governed buys on the file store (fsync
//    group): every answer well-formed, every acknowledged decision in the
//    state afterwards, committed budget exactly the acknowledged settlements;
//    throughput and p50/p99 printed;
//  - SIGTERM during load: in-flight calls finish or fail cleanly, exit 0;
//  - SIGKILL during load: after a restart nothing acknowledged is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUYER, SELLER, TOKENS, mcpClient, plan, writeConfig } from './lib/server-harness.mjs';
import * as api from '../../js/node.js';

const backend = process.env.GOV_BACKEND ?? 'native';
const BIN = fileURLToPath(new URL('../../js/bin.js', import.meta.url));
const CLIENTS = Number(process.env.ADCP_LOAD_CLIENTS ?? 200), BUYS = Number(process.env.ADCP_LOAD_BUYS ?? 50);

function startProcess(dir) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', join(dir, 'config.json'),
    '--data-dir', join(dir, 'data'), '--backend', backend], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', () => {});
  return new Promise((ready, failed) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) ready({ child, url: m[1], output: () => out });
    });
    child.on('exit', (code) => failed(new Error(`serve exited ${code}: ${out}`)));
  });
}

const exited = (child) => new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));

// One client's governed buys: intent check, then settlement. Records what was acknowledged.
async function buyer(url, n, id, acks, latencies, stop) {
  let client = null;
  try {
    // Connecting is a call too: a client still connecting when the server
    // drains is refused (503 "Shutting down"), which is a clean failure.
    client = await mcpClient(url, TOKENS.buyer);
    for (let i = 0; i < n && !stop.now; ++i) {
      const amount = 1 + ((id * 31 + i) % 50);
      let t = performance.now();
      const check = (await client.callTool({ name: 'check_governance', arguments: { caller: BUYER, plan_id: 'load',
        target_agent: SELLER, tool: 'create_media_buy', payload: { total_budget: amount } } })).structuredContent;
      latencies.push(performance.now() - t);
      assert.equal(check.verdict, 'approved', JSON.stringify(check));
      const ack = { check_id: check.check_id, token: check.governance_context, amount, key: `load-${id}-${i}-`.padEnd(16, '0') };
      acks.checks.push(ack);
      t = performance.now();
      const outcome = (await client.callTool({ name: 'report_plan_outcome', arguments: outcomeArgs(ack) })).structuredContent;
      latencies.push(performance.now() - t);
      assert.equal(outcome.status, 'completed', JSON.stringify(outcome));
      acks.outcomes.set(ack.key, { ...ack, outcome_id: outcome.outcome_id });
    }
  } catch (e) {
    if (!stop.now) throw e;  // after a stop, calls may fail: cleanly (no answer is an acknowledgement)
    acks.failures += 1;
  } finally {
    await client?.close().catch(() => {});
  }
}
const outcomeArgs = (ack) => ({ idempotency_key: ack.key, plan_id: 'load', check_id: ack.check_id,
  governance_context: ack.token, outcome: 'completed', seller_response: { seller_reference: `mb_${ack.key}` } });

// Opens the data directory in process: every acknowledged check and settlement
// is there; the settlements the stop interrupted, sent again, settle once.
async function verify(dir, acks) {
  const agent = await api.openGovernanceAgent({ backend, issuer: 'https://governance.example.com', log: () => {},
    store: api.fileStore(join(dir, 'data', 'tenants', 'default'), { log: () => {} }) });
  const state = JSON.parse(agent.exportState());
  const checks = new Set(state.checks.map((c) => c.check_id));
  const outcomes = new Set(state.outcomes.map((o) => o.outcome_id));
  for (const a of acks.checks) assert.ok(checks.has(a.check_id), `acknowledged check ${a.check_id} lost`);
  for (const o of acks.outcomes.values()) assert.ok(outcomes.has(o.outcome_id), `acknowledged outcome ${o.outcome_id} lost`);
  let expected = 0;
  for (const a of acks.checks) {
    expected += a.amount;
    if (acks.outcomes.has(a.key)) continue;
    const r = await agent.reportPlanOutcome(outcomeArgs(a), BUYER);
    assert.equal(r.status, 'completed', JSON.stringify(r));
  }
  const audit = await agent.getPlanAuditLogs({ plan_ids: ['load'] }, BUYER);
  assert.equal(audit.response.plans[0].budget.committed, expected, 'committed budget = acknowledged settlements');
  await agent.close();
}

async function seed(url) {
  const client = await mcpClient(url, TOKENS.buyer);
  await client.callTool({ name: 'sync_plans', arguments: { idempotency_key: 'load-test-sync-00001', plans: [plan('load', 1e9)] } });
  await client.close();
}

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

test(`[${backend}] load: ${CLIENTS} concurrent clients x ${BUYS} governed buys on the file store`, { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'adcp-load-'));
  writeConfig(dir, { rate_limit: { per_minute: 1e9, burst: 1e9 } });
  const { child, url } = await startProcess(dir);
  try {
    await seed(url);
    const acks = { checks: [], outcomes: new Map(), failures: 0 };
    const latencies = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => buyer(url, BUYS, id, acks, latencies, {})));
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(acks.outcomes.size, CLIENTS * BUYS);
    console.log(`# load: ${CLIENTS * BUYS} governed buys (${latencies.length} calls) in ${seconds.toFixed(1)} s: ` +
      `${(CLIENTS * BUYS / seconds).toFixed(0)} buys/s, ${(latencies.length / seconds).toFixed(0)} calls/s, ` +
      `p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`);
    // The server's view (Prometheus): fsync and in-server call latency, for the bench notes.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const name of ['adcp_governance_fsync_seconds', 'adcp_governance_call_seconds']) {
      const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"(?:,tool="check_governance")?\\} (\\d+)`, 'gm'))]
        .map((m) => `${m[1]}:${m[2]}`);
      console.log(`# ${name} cumulative buckets ${buckets.join(' ')}`);
    }
    child.kill('SIGTERM');
    assert.deepEqual(await exited(child), { code: 0, signal: null });
    await verify(dir, acks);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const signal of ['SIGTERM', 'SIGKILL']) {
  test(`[${backend}] ${signal} during load: nothing acknowledged is lost`, { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adcp-load-'));
    writeConfig(dir, { rate_limit: { per_minute: 1e9, burst: 1e9 } });
    const { child, url } = await startProcess(dir);
    try {
      await seed(url);
      const acks = { checks: [], outcomes: new Map(), failures: 0 };
      const stop = { now: false };
      const load = Promise.all(Array.from({ length: 50 }, (_, id) => buyer(url, 1e6, id, acks, [], stop)));
      await new Promise((r) => setTimeout(r, 1500));
      stop.now = true;
      child.kill(signal);
      const { code } = await exited(child);
      if (signal === 'SIGTERM') assert.equal(code, 0, 'a graceful stop exits 0');
      await load;
      assert.ok(acks.outcomes.size > 0);
      await verify(dir, acks);
      console.log(`# ${signal}: ${acks.checks.length} checks and ${acks.outcomes.size} settlements acknowledged; ` +
        `${acks.failures} clients saw their call fail cleanly`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
