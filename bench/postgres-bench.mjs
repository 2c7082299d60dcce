// PostgreSQL scale-out bench (issue 14): governed buys per second and call
// latency (p50/p99) through `serve --postgres` with one and three instances
// (MCP clients over 127.0.0.1), the file store for comparison, and how long
// an instance takes to catch up after another instance wrote 10,000 change
// sets. Starts its own throwaway cluster (or uses ADCP_POSTGRES_URL).
//
//   node bench/postgres-bench.mjs [--backend native|wasm] [--clients 24] [--buys 1200] [--catch-up 10000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUYER, SELLER, TOKENS, mcpClient, plan, writeConfig } from '../tests/js/lib/server-harness.mjs';
import { startCluster } from '../tests/js/lib/pg-cluster.mjs';
import * as api from '../js/node.js';
import { createPool, postgresStore } from '../js/store-postgres.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const backend = args.backend ?? 'native';
const CLIENTS = Number(args.clients ?? 24), BUYS = Number(args.buys ?? 1200), CATCH_UP = Number(args['catch-up'] ?? 10000);
const BIN = fileURLToPath(new URL('../js/bin.js', import.meta.url));
const SIGNING = { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'bench' };

const cluster = process.env.ADCP_POSTGRES_URL ? null : await startCluster();
const url = process.env.ADCP_POSTGRES_URL ?? cluster.url;
let schemas = 0;

function startInstance(dir, extra) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--config', join(dir, 'config.json'),
    '--data-dir', join(dir, 'data'), '--backend', backend, ...extra], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  return new Promise((ready, failed) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) ready({ child, url: m[1] });
    });
    child.on('exit', (code) => failed(new Error(`serve exited ${code}: ${out}`)));
  });
}

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

// CLIENTS MCP clients spread over the instances run BUYS governed buys
// (intent check, then the completed outcome) in total.
async function load(label, instances, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'adcp-pg-bench-'));
  writeConfig(dir, { rate_limit: { per_minute: 1e9, burst: 1e9 } });
  const running = [];
  for (let i = 0; i < instances; ++i) running.push(await startInstance(dir, extra));
  try {
    const seeder = await mcpClient(running[0].url, TOKENS.buyer);
    await seeder.callTool({ name: 'sync_plans', arguments: { idempotency_key: 'bench-sync-0000001', plans: [plan('bench', 1e9)] } });
    await seeder.close();
    const latencies = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async (_, id) => {
      const client = await mcpClient(running[id % instances].url, TOKENS.buyer);
      for (let i = next++; i < BUYS; i = next++) {
        let t = performance.now();
        const check = (await client.callTool({ name: 'check_governance', arguments: { caller: BUYER, plan_id: 'bench',
          target_agent: SELLER, tool: 'create_media_buy', payload: { total_budget: 1 + (i % 50) } } })).structuredContent;
        latencies.push(performance.now() - t);
        if (check.verdict !== 'approved') throw new Error(JSON.stringify(check));
        t = performance.now();
        const o = (await client.callTool({ name: 'report_plan_outcome', arguments: { idempotency_key: `bench-${String(i).padStart(10, '0')}`,
          plan_id: 'bench', check_id: check.check_id, governance_context: check.governance_context, outcome: 'completed',
          seller_response: { seller_reference: `mb_${i}` } } })).structuredContent;
        latencies.push(performance.now() - t);
        if (o.outcome_state !== 'accepted') throw new Error(JSON.stringify(o));
      }
      await client.close();
    }));
    const seconds = (performance.now() - started) / 1000;
    console.log(`${label.padEnd(34)} ${(BUYS / seconds).toFixed(0).padStart(6)} governed buys/s   ` +
      `call p50 ${percentile(latencies, 0.5).toFixed(1)} ms  p99 ${percentile(latencies, 0.99).toFixed(1)} ms`);
  } finally {
    for (const r of running) r.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

// Instance B writes CATCH_UP change sets while A is idle; A's next call
// catches up on all of them. Then a cold start from snapshot + journal.
async function catchUp() {
  const schema = `bench_${process.pid}_${++schemas}`;
  const pool = await createPool(url, { max: 4 });
  const open = () => api.openGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING, log: () => {},
    store: postgresStore({ pool, schema, snapshotEvery: 1000, log: () => {} }) });
  const a = await open(), b = await open();
  await a.syncPlans({ idempotency_key: 'bench-sync-0000002', plans: [plan('bench', 1e9)] }, BUYER);
  let written = 0;
  const t0 = performance.now();
  for (let i = 0; written < CATCH_UP; ++i) {
    const c = await b.checkGovernance({ caller: BUYER, plan_id: 'bench', target_agent: SELLER, tool: 'create_media_buy',
      payload: { total_budget: 1 + (i % 50) } }, BUYER);
    written += 1;
    if (written >= CATCH_UP) break;
    await b.reportPlanOutcome({ idempotency_key: `bench-catch-${String(i).padStart(10, '0')}`, plan_id: 'bench', check_id: c.response.check_id,
      governance_context: c.response.governance_context, outcome: 'completed', seller_response: { seller_reference: `mb_${i}` } }, BUYER);
    written += 1;
  }
  const writeSeconds = (performance.now() - t0) / 1000;
  let t = performance.now();
  const audit = await a.getPlanAuditLogs({ plan_ids: ['bench'] }, BUYER);
  const caughtUp = performance.now() - t;
  if (a.exportState() !== b.exportState()) throw new Error('catch-up diverged');
  t = performance.now();
  const c = await open();
  const cold = performance.now() - t;
  console.log(`one instance writing (in process)   ${(written / writeSeconds).toFixed(0).padStart(6)} change sets/s`);
  console.log(`catch-up on ${written} change sets    ${caughtUp.toFixed(0).padStart(6)} ms (the next call of the idle instance; ` +
    `committed ${audit.response.plans[0].budget.committed})`);
  console.log(`cold start (snapshot + journal)     ${cold.toFixed(0).padStart(6)} ms`);
  await Promise.all([a.close(), b.close(), c.close()]);
  await pool.end();
}

console.log(`# PostgreSQL bench, ${backend}, ${CLIENTS} MCP clients, ${BUYS} governed buys per run (127.0.0.1)`);
try {
  await load('fileStore, 1 instance (group)', 1);
  await load('postgres, 1 instance', 1, ['--postgres', url, '--postgres-schema', `bench_${process.pid}_${++schemas}`]);
  const shared = `bench_${process.pid}_${++schemas}`;
  await load('postgres, 3 instances', 3, ['--postgres', url, '--postgres-schema', shared]);
  await catchUp();
} finally {
  cluster?.stop();
}
