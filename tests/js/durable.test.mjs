// Durable agents on fileStore (issue 12), on one backend (GOV_BACKEND):
// reopen, snapshots and their rotation, torn and corrupt journal tails,
// corrupt snapshots, gaps, store faults (ENOSPC / EIO / EACCES on append and
// on snapshot, with fsync 'always' and 'group'), group commit, the
// single-writer lock across processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../../js/node.js';
import { faultyFs } from './lib/faulty-fs.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';
const SIGNING = { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'durable-test' };
const plan = { plan_id: 'p1', brand: { domain: 'acme.example' }, objectives: 'Durable.',
  budget: { total: 1e6, currency: 'USD', reallocation_unlimited: true },
  flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } };
const quiet = () => {};
const logs = [];
const record = (level, msg, fields) => logs.push({ level, msg, ...fields });

const tempDir = () => mkdtempSync(join(tmpdir(), 'adcp-durable-'));
function open(dir, storeOptions = {}, agentOptions = {}) {
  return api.openGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING, id_mode: 'sequential',
    clock: () => 1767225600000, log: quiet, store: api.fileStore(dir, { log: record, ...storeOptions }), ...agentOptions });
}
const intent = (amount) => ({ caller: BUYER, plan_id: 'p1', target_agent: SELLER, tool: 'create_media_buy',
  payload: { total_budget: amount } });

// A store with `n` governed buys; returns the exported state after each change set (index = seq).
async function build(dir, n, storeOptions = {}) {
  const agent = await open(dir, storeOptions);
  const states = [null];
  const track = () => states.push(agent.exportState());
  assert.equal((await agent.syncPlans({ idempotency_key: 'durable-sync-000001', plans: [plan] }, BUYER)).status, 'completed');
  track();
  for (let i = 0; i < n; ++i) {
    const c = await agent.checkGovernance(intent(10 + i), BUYER);
    assert.equal(c.response.verdict, 'approved');
    track();
    const o = await agent.reportPlanOutcome({ idempotency_key: `durable-outcome-${String(i).padStart(6, '0')}`, plan_id: 'p1',
      check_id: c.response.check_id, governance_context: c.response.governance_context, outcome: 'completed',
      seller_response: { seller_reference: `mb_${i}` } }, BUYER);
    assert.equal(o.status, 'completed', JSON.stringify(o));
    track();
  }
  await agent.close();
  return states;
}

test(`[${backend}] reopen restores the state byte for byte; snapshots rotate the journal`, async () => {
  const dir = tempDir();
  const states = await build(dir, 12, { snapshotEvery: 5 });
  const files = readdirSync(dir).sort();
  assert.ok(files.filter((f) => f.startsWith('snapshot-')).length === 2, files.join(' '));  // newest two kept
  assert.ok(!files.includes('journal-00000000000000000001.log'), 'journal before the previous snapshot removed');
  const agent = await open(dir, { snapshotEvery: 5 });
  assert.equal(agent.exportState(), states.at(-1));
  // It goes on from there.
  assert.equal((await agent.checkGovernance(intent(1), BUYER)).response.verdict, 'approved');
  await agent.close();
  rmSync(dir, { recursive: true });
});

test(`[${backend}] a torn or corrupt journal tail loses only the record being written`, async () => {
  const dir = tempDir();
  const states = await build(dir, 6);  // 13 change sets, no snapshot
  const journal = join(dir, 'journal-00000000000000000001.log');
  const bytes = readFileSync(journal);
  // Frame boundaries: 24-byte header + payload.
  const ends = [];
  for (let at = 0; at < bytes.length;) { at += 24 + bytes.readUInt32LE(at + 12); ends.push(at); }
  assert.equal(ends.length, 13);
  const cuts = new Set();
  for (let k = 0; k < 60; ++k) cuts.add(ends[10] + Math.floor((ends[12] - ends[10]) * (k + 0.5) / 60));  // inside the last two records
  cuts.add(ends[11]);
  let checked = 0;
  for (const cut of cuts) {
    const copy = tempDir();
    cpSync(dir, copy, { recursive: true });
    truncateSync(join(copy, 'journal-00000000000000000001.log'), cut);
    const complete = ends.filter((e) => e <= cut).length;
    const agent = await open(copy);
    assert.equal(agent.exportState(), states[complete], `cut at ${cut}`);
    await agent.close();
    rmSync(copy, { recursive: true });
    ++checked;
  }
  assert.ok(checked >= 50);
  // Bit flips in the last record: it is dropped (it was the one being written), never applied.
  for (let k = 0; k < 20; ++k) {
    const copy = tempDir();
    cpSync(dir, copy, { recursive: true });
    const file = join(copy, 'journal-00000000000000000001.log');
    const b = readFileSync(file);
    const at = ends[11] + 1 + Math.floor((b.length - ends[11] - 2) * k / 20);
    b[at] ^= 1 << (k % 8);
    writeFileSync(file, b);
    logs.length = 0;
    const agent = await open(copy);
    assert.equal(agent.exportState(), states[12], `flip at ${at}`);
    assert.ok(logs.some((l) => /torn or corrupt/.test(l.msg)), 'the truncation is logged');
    await agent.close();
    rmSync(copy, { recursive: true });
  }
  // A flip in an earlier record, with good ones after it: a hard error, nothing skipped.
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  const file = join(copy, 'journal-00000000000000000001.log');
  const b = readFileSync(file);
  b[ends[4] + 40] ^= 4;
  writeFileSync(file, b);
  await assert.rejects(open(copy), /corrupt at offset \d+ and valid records follow/);
  rmSync(copy, { recursive: true });
  rmSync(dir, { recursive: true });
});

test(`[${backend}] a corrupt snapshot falls back to the previous one; a gap is a hard error`, async () => {
  const dir = tempDir();
  const states = await build(dir, 8, { snapshotEvery: 4 });
  const snaps = readdirSync(dir).filter((f) => f.startsWith('snapshot-')).sort();
  assert.equal(snaps.length, 2);
  const newest = join(dir, snaps[1]);
  const b = readFileSync(newest);
  b[b.length - 10] ^= 0xff;
  writeFileSync(newest, b);
  logs.length = 0;
  const agent = await open(dir, { snapshotEvery: 4 });
  assert.equal(agent.exportState(), states.at(-1));
  assert.ok(logs.some((l) => /snapshot is corrupt/.test(l.msg)));
  await agent.close();
  // Remove a journal segment between the snapshots and the end: a gap.
  const segments = readdirSync(dir).filter((f) => f.startsWith('journal-')).sort();
  rmSync(join(dir, snaps[1]));
  rmSync(join(dir, segments.at(-2)));
  await assert.rejects(open(dir), /journal starts at change set|expected|gap/);
  rmSync(dir, { recursive: true });
});

test(`[${backend}] recovery reads only the journal after the snapshot; a fallback reads, and checks, the older records`, async () => {
  const dir = tempDir();
  const states = await build(dir, 8, { snapshotEvery: 4 });
  const snaps = readdirSync(dir).filter((f) => f.startsWith('snapshot-')).sort();
  const newestSeq = Number(snaps[1].slice(9, -5));
  const segments = readdirSync(dir).filter((f) => f.startsWith('journal-')).sort();
  const covered = segments.filter((f, i) => i + 1 < segments.length && Number(segments[i + 1].slice(8, -4)) <= newestSeq + 1);
  assert.ok(covered.length >= 1, segments.join(' '));
  // A flipped byte in a record the newest snapshot holds but the older one
  // does not: not read, recovery is unaffected.
  const olderSeq = Number(snaps[0].slice(9, -5));
  const file = join(dir, covered.at(-1));
  const b = readFileSync(file);
  let at = 0;
  while (at < b.length && Number(b.readBigUInt64LE(at + 4)) <= olderSeq) at += 24 + b.readUInt32LE(at + 12);
  assert.ok(at < b.length && Number(b.readBigUInt64LE(at + 4)) <= newestSeq, `a record after ${olderSeq} in ${covered.at(-1)}`);
  b[at + 30] ^= 4;
  writeFileSync(file, b);
  const fallback = tempDir();
  cpSync(dir, fallback, { recursive: true });
  const agent = await open(dir, { snapshotEvery: 4 });
  assert.equal(agent.exportState(), states.at(-1));
  await agent.close();
  // Without that snapshot the older records are needed: the flip is found, nothing is skipped.
  const snapshot = join(fallback, snaps[1]);
  const s = readFileSync(snapshot);
  s[s.length - 10] ^= 0xff;
  writeFileSync(snapshot, s);
  await assert.rejects(open(fallback, { snapshotEvery: 4 }), /corrupt at offset \d+ and valid records follow|is corrupt/);
  rmSync(fallback, { recursive: true });
  rmSync(dir, { recursive: true });
});

for (const mode of ['always', 'group']) {
  test(`[${backend}] store faults (fsync ${mode}): SERVICE_UNAVAILABLE, memory equals the durable state, then success`, async () => {
    const dir = tempDir();
    const faulty = faultyFs();
    const agent = await open(dir, { fsync: mode, fs: faulty.fs, snapshotEvery: 1e9 });
    await agent.syncPlans({ idempotency_key: 'durable-sync-000001', plans: [plan] }, BUYER);
    for (const [op, code] of [['write', 'ENOSPC'], ['sync', 'EIO'], ['write', 'EACCES']]) {
      const durable = agent.exportState();
      faulty.inject(op, code, /journal-/);
      const failed = await agent.checkGovernance(intent(5), BUYER);
      assert.equal(failed.status, 'failed');
      assert.deepEqual({ code: failed.errors[0].code, recovery: failed.errors[0].recovery },
        { code: 'SERVICE_UNAVAILABLE', recovery: 'transient' });
      assert.match(failed.errors[0].message, new RegExp(code));
      assert.equal(agent.exportState(), durable, `${op} ${code}: memory went back to the durable state`);
      faulty.clear();
      const ok = await agent.checkGovernance(intent(5), BUYER);
      assert.equal(ok.response.verdict, 'approved', `${op} ${code}: the next call succeeds`);
    }
    // Snapshot faults: the explicit snapshot fails with a structured error; calls go on.
    faulty.inject('write', 'ENOSPC', /snapshot-/);
    await assert.rejects(agent.snapshot(), (e) => e.code === 'SERVICE_UNAVAILABLE' && e.recovery === 'transient');
    assert.equal((await agent.checkGovernance(intent(7), BUYER)).response.verdict, 'approved');
    faulty.inject('rename', 'EIO', /snapshot-/);
    await assert.rejects(agent.snapshot(), (e) => e.code === 'SERVICE_UNAVAILABLE');
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file left');
    faulty.clear();
    await agent.snapshot();
    const final = agent.exportState();
    await agent.close();
    const reopened = await open(dir, { fsync: mode });
    assert.equal(reopened.exportState(), final);
    await reopened.close();
    rmSync(dir, { recursive: true });
  });
}

test(`[${backend}] a snapshot is written beside the calls: callers do not wait for its file`, async () => {
  const dir = tempDir();
  const faulty = faultyFs();
  const agent = await open(dir, { fs: faulty.fs, snapshotEvery: 1e9 });
  await agent.syncPlans({ idempotency_key: 'durable-sync-000001', plans: [plan] }, BUYER);
  for (let i = 0; i < 3; ++i) await agent.checkGovernance(intent(1 + i), BUYER);  // change sets 1..4
  const slowDisk = faulty.hold('sync', /snapshot-/);
  const snapshot = agent.snapshot();
  await slowDisk.reached;  // exported at change set 4; its file waits for fsync
  for (let i = 0; i < 5; ++i)
    assert.equal((await agent.checkGovernance(intent(10 + i), BUYER)).response.verdict, 'approved', 'calls go on');
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.snap')), 'the snapshot is not in place before it is durable');
  slowDisk.release();
  await snapshot;
  const files = readdirSync(dir).sort();
  assert.ok(files.includes('snapshot-00000000000000000004.snap'), files.join(' '));  // the state it exported
  assert.ok(files.includes('journal-00000000000000000010.log'), files.join(' '));   // the new segment: after the calls
  await agent.checkGovernance(intent(20), BUYER);
  const final = agent.exportState();
  await agent.close();
  const reopened = await open(dir);
  assert.equal(reopened.exportState(), final, 'snapshot 4 + the journal after it = the state');
  await reopened.close();
  rmSync(dir, { recursive: true });
});

test(`[${backend}] a snapshot that comes due while another is written is taken after it, not skipped`, async () => {
  const dir = tempDir();
  const faulty = faultyFs();
  const agent = await open(dir, { fs: faulty.fs, snapshotEvery: 3 });
  const slowDisk = faulty.hold('sync', /snapshot-/);
  await agent.syncPlans({ idempotency_key: 'durable-sync-000001', plans: [plan] }, BUYER);
  for (let i = 0; i < 2; ++i) await agent.checkGovernance(intent(1 + i), BUYER);  // change sets 2, 3: due
  await slowDisk.reached;  // the snapshot of change set 3 waits for its fsync
  for (let i = 0; i < 4; ++i) await agent.checkGovernance(intent(10 + i), BUYER);  // 4..7: due again meanwhile
  slowDisk.release();
  const final = agent.exportState();
  await agent.close();
  const files = readdirSync(dir).sort();
  assert.deepEqual(files.filter((f) => f.startsWith('snapshot-')),
    ['snapshot-00000000000000000003.snap', 'snapshot-00000000000000000007.snap'], files.join(' '));
  // Rotated at 7; segment 1 holds 4..7 (written during the first snapshot), which a fallback to snapshot 3 needs.
  assert.deepEqual(files.filter((f) => f.startsWith('journal-')),
    ['journal-00000000000000000001.log', 'journal-00000000000000000008.log'], files.join(' '));
  const reopened = await open(dir);
  assert.equal(reopened.exportState(), final, 'snapshot 7 = the state');
  await reopened.close();
  rmSync(dir, { recursive: true });
});

test(`[${backend}] a store that always asks for a snapshot gets one per change set at most, and close() returns`, async () => {
  // The GovernanceStore interface does not say shouldSnapshot() turns false
  // after a snapshot: the chain must still end (one snapshot per change set
  // made since the last, none once calls stop).
  const snapshots = [];
  const store = { ...api.memoryStore(), kind: 'eager', shouldSnapshot: () => true,
    async snapshot(text, at) { snapshots.push(at); } };
  const agent = await api.openGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: SIGNING,
    id_mode: 'sequential', clock: () => 1767225600000, log: quiet, store });
  await agent.syncPlans({ idempotency_key: 'durable-sync-000001', plans: [plan] }, BUYER);
  for (let i = 0; i < 3; ++i) await agent.checkGovernance(intent(1 + i), BUYER);
  await new Promise((resolve) => setTimeout(resolve, 50));  // a spinning chain would starve this timer
  await agent.close();
  assert.ok(snapshots.length >= 1 && snapshots.length <= 4, `snapshots at ${snapshots.join(' ')}`);
  assert.deepEqual(snapshots, [...new Set(snapshots)].sort((a, b) => a - b), 'each at a later change set');
  assert.equal(snapshots.at(-1), 4, 'the last one covers every change set');
});

test(`[${backend}] group commit: concurrent calls share fsyncs, every answer is durable`, async () => {
  const dir = tempDir();
  const faulty = faultyFs();
  const agent = await open(dir, { fsync: 'group', fs: faulty.fs });
  await agent.syncPlans({ idempotency_key: 'durable-sync-000001', plans: [plan] }, BUYER);
  const before = faulty.stats.syncs, writesBefore = faulty.stats.writes;
  // A slow disk, deterministically: the first fsync is held until every
  // call has written its change set (on a fast disk each fsync could finish
  // before the next call arrives, and nothing would be shared).
  const slow = faulty.hold('sync', /journal-/);
  const pending = Promise.all(Array.from({ length: 50 }, (_, i) => agent.checkGovernance(intent(1 + i), BUYER)));
  await slow.reached;
  for (let i = 0; i < 500 && faulty.stats.writes - writesBefore < 50; ++i) await new Promise((r) => setTimeout(r, 10));
  assert.equal(faulty.stats.writes - writesBefore, 50, 'every call wrote while the fsync was pending');
  slow.release();
  const results = await pending;
  assert.ok(results.every((r) => r.response?.verdict === 'approved'));
  const syncs = faulty.stats.syncs - before;
  assert.ok(syncs < 50, `${syncs} fsyncs for 50 calls`);
  assert.ok(syncs <= 3, `${syncs} fsyncs: the calls that arrived during one fsync share the next`);
  const final = agent.exportState();
  await agent.close();
  const reopened = await open(dir);
  assert.equal(reopened.exportState(), final);
  await reopened.close();
  rmSync(dir, { recursive: true });
});

test(`[${backend}] one writer: a second process fails at open naming the holder; a dead holder's lock is taken over`, async () => {
  const dir = tempDir();
  await build(dir, 1);
  const holder = spawn(process.execPath, ['-e', `
    import(${JSON.stringify(new URL('../../js/node.js', import.meta.url).href)}).then(async (api) => {
      await api.openGovernanceAgent({ backend: ${JSON.stringify(backend)}, issuer: 'https://governance.example.com',
        store: api.fileStore(${JSON.stringify(dir)}), log: () => {} });
      console.log('ready');
      setInterval(() => {}, 1000);
    });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((ready) => holder.stdout.on('data', (d) => String(d).includes('ready') && ready()));
  await assert.rejects(open(dir), (e) => e.code === 'ELOCKED' && e.message.includes(`pid ${holder.pid}`));
  holder.kill('SIGKILL');
  await new Promise((gone) => holder.on('exit', gone));
  logs.length = 0;
  const agent = await open(dir);
  assert.ok(logs.some((l) => /stale lock/.test(l.msg)));
  await agent.close();
  rmSync(dir, { recursive: true });
});
