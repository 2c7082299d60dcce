// Durability costs (issue 12): governed buys per second in memory and on a
// fileStore with fsync 'always' and 'group' (sequential callers and 64
// concurrent ones), journal bytes per governed buy, and recovery time of a
// data directory holding 100,000 entries. Real Ed25519 signing (the default
// Node signer). Not part of the test suite.
//
//   node bench/durable-bench.mjs [--buys 500] [--entries 100000] [--backend native]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalize, fileStore, memoryStore, openGovernanceAgent } from '../js/node.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const buys = Number(args.buys ?? 500);
const entries = Number(args.entries ?? 100000);
const backend = args.backend ?? 'native';
const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
const SIGNING = { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'bench' };
const log = () => {};

// One governed buy: intent check, completed outcome, delivery check, observation (4 entries).
async function governedBuy(agent, i) {
  const c = (await agent.checkGovernance({ caller: BUYER, plan_id: 'bench', target_agent: SELLER, tool: 'create_media_buy',
    payload: { total_budget: 100 } }, BUYER)).response;
  await agent.reportPlanOutcome({ idempotency_key: `bench-outcome-key-${i}`, plan_id: 'bench', check_id: c.check_id,
    governance_context: c.governance_context, outcome: 'completed', seller_response: { seller_reference: `mb_${i}` } }, BUYER);
  const metrics = { statement_id: `st_${i}`, sequence: 1, issued_at: '2026-01-02T00:00:00Z',
    reporting_period: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }, cumulative_spend: 50, currency: 'USD' };
  metrics.statement_digest = 'sha256:' + createHash('sha256').update(canonicalize({ seller_reference: `mb_${i}`, delivery_metrics: metrics })).digest('hex');
  const d = (await agent.checkGovernance({ caller: SELLER, governance_context: c.governance_context, phase: 'delivery',
    planned_delivery: { media_buy_id: `mb_${i}` }, delivery_metrics: metrics }, SELLER)).response;
  const o = await agent.reportPlanOutcome({ idempotency_key: `bench-observation-key-${i}`, plan_id: 'bench', check_id: d.check_id,
    governance_context: d.governance_context, outcome: 'delivery', delivery: { observation_id: `obs_${i}`,
      source: 'buyer_measurement', observed_at: '2026-01-02T00:00:00Z', reporting_period: metrics.reporting_period,
      cumulative_spend: 50, currency: 'USD' } }, BUYER);
  if (o.status !== 'completed') throw new Error(JSON.stringify(o));
}

async function open(store) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const agent = await openGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING, log,
    clock: () => now++, delivery_reporting_interval_seconds: 0, store });
  await agent.syncPlans({ idempotency_key: 'bench-sync-000000001', plans: [{ plan_id: 'bench', brand: { domain: 'bench.example' },
    objectives: 'bench', budget: { total: 1e15, currency: 'USD', reallocation_unlimited: true },
    flight: { start: '2025-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, BUYER);
  return agent;
}

const dirSize = (dir, prefix) => readdirSync(dir).filter((f) => f.startsWith(prefix)).reduce((s, f) => s + statSync(join(dir, f)).size, 0);

async function throughput(label, makeStore, concurrency) {
  const dir = mkdtempSync(join(tmpdir(), 'adcp-bench-'));
  const agent = await open(makeStore(dir));
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < buys; i = next++) await governedBuy(agent, i);
  }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await agent.close();
  const journal = dirSize(dir, 'journal-');
  rmSync(dir, { recursive: true });
  console.log(`${label.padEnd(34)} ${(buys / seconds).toFixed(0).padStart(7)} governed buys/s` +
    (journal ? `   ${Math.round(journal / buys)} journal bytes per buy` : ''));
}

if (!args.recover) {
  console.log(`backend ${backend}, ${buys} governed buys (4 entries each), real Ed25519 signing`);
  await throughput('memoryStore', () => memoryStore(), 1);
  await throughput('fileStore always, 1 caller', (dir) => fileStore(dir, { fsync: 'always', snapshotEvery: 1e9, log }), 1);
  await throughput('fileStore group, 1 caller', (dir) => fileStore(dir, { fsync: 'group', snapshotEvery: 1e9, log }), 1);
  await throughput('fileStore always, 64 callers', (dir) => fileStore(dir, { fsync: 'always', snapshotEvery: 1e9, log }), 64);
  await throughput('fileStore group, 64 callers', (dir) => fileStore(dir, { fsync: 'group', snapshotEvery: 1e9, log }), 64);
}

// Recovery of `entries` stored entries: the default snapshot policy, the
// journal written with fsync 'never' to build it fast. Each recovery runs in
// a fresh process (a cold heap, as after a crash), three times, with the
// default malloc and with transparent huge pages for malloc
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, a deployment choice on Linux).
if (args.recover) {
  const t0 = process.hrtime.bigint();
  const reopened = await openGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING, log,
    store: fileStore(args.recover, { log }) });
  console.log(Number(process.hrtime.bigint() - t0) / 1e9);
  await reopened.close();
  process.exit(0);
}
{
  const dir = mkdtempSync(join(tmpdir(), 'adcp-bench-'));
  const agent = await open(fileStore(dir, { fsync: 'never', log }));
  for (let i = 0; i < entries / 4; ++i) await governedBuy(agent, i);
  await agent.close();
  const snapshot = dirSize(dir, 'snapshot-'), journal = dirSize(dir, 'journal-');
  const script = fileURLToPath(import.meta.url);
  const recover = (env) => {
    const times = Array.from({ length: 3 }, () => Number(execFileSync(process.execPath, [script, '--recover', dir, '--backend', backend],
      { encoding: 'utf8', env: { ...process.env, ...env } }).trim()));
    return times.sort((a, b) => a - b);
  };
  const plain = recover({}), huge = recover({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  rmSync(dir, { recursive: true });
  const show = (t) => `median ${t[1].toFixed(2)} s (${t.map((x) => x.toFixed(2)).join(' / ')})`;
  console.log(`recovery of ${entries} entries (snapshots ${(snapshot / 1e6).toFixed(1)} MB, journal ${(journal / 1e6).toFixed(1)} MB):`);
  console.log(`  default malloc: ${show(plain)}`);
  console.log(`  GLIBC_TUNABLES=glibc.malloc.hugetlb=1: ${show(huge)}`);
}
