// fileStore(dir): the embedded default store (issue 12), modelled on the
// write-ahead logs of SQLite and PostgreSQL: nothing is acknowledged before
// it is durable, and recovery is tested by killing the process.
//
// dir/
//   LOCK                               the single writer: {pid, host, since}
//   journal-<first seq>.log            change sets, one frame each, in order
//   snapshot-<seq>.snap                exportState at change set <seq>
//
// Frame (journal and snapshot): magic "AGJ1" / "AGS1" (4 bytes), seq (u64
// LE), payload length (u32 LE), the first 8 bytes of SHA-256(payload), then
// the payload (UTF-8 JSON). node:crypto's SHA-256 stands in for a CRC: it is
// built in, fast, and catches every torn or flipped byte we test for.
//
// append() writes the frame at the journal's durable end and fsyncs before
// it resolves ('always'), or shares fsyncs with concurrent appends ('group',
// for servers: an fsync starts at once when none runs, and the appends that
// arrive meanwhile share the next one). 'never' skips fsync (tests only:
// UNSAFE, a crash can lose acknowledged records). A failed write or fsync
// leaves the durable end where it was: the next append truncates what the
// failed one may have left. Snapshots: written to a temporary file, fsynced,
// renamed, directory fsynced; then a new journal segment starts and files
// older than the previous snapshot are removed (the newest two snapshots and
// the journal since the older one stay, so a corrupt snapshot falls back to
// the previous one plus the journal).
//
// Recovery: the newest snapshot whose frame checks, then every journal frame
// after it, in sequence. A torn or corrupt tail (no valid frame after it) is
// truncated at the last good record and logged; a bad frame followed by good
// ones, a gap or an out-of-order sequence is a hard error that names the
// file and offset: acknowledged records are never skipped.
import * as nodeFs from 'node:fs/promises';
import { nodeCrypto } from './node-builtins.js';
import { hostname } from 'node:os';
import { join } from 'node:path';

const JOURNAL = 'AGJ1', SNAPSHOT = 'AGS1', HEADER = 24;
const pad = (n) => String(n).padStart(20, '0');
const journalName = (seq) => `journal-${pad(seq)}.log`;
const snapshotName = (seq) => `snapshot-${pad(seq)}.snap`;

function checksum(payload) {
  return nodeCrypto().createHash('sha256').update(payload).digest().subarray(0, 8);
}

export function encodeFrame(magic, seq, text) {
  const payload = Buffer.from(text, 'utf8');
  const frame = Buffer.alloc(HEADER + payload.length);
  frame.write(magic, 0, 'latin1');
  frame.writeBigUInt64LE(BigInt(seq), 4);
  frame.writeUInt32LE(payload.length, 12);
  checksum(payload).copy(frame, 16);
  payload.copy(frame, HEADER);
  return frame;
}

// The frame header at `offset` ({seq, end}) without checking the payload:
// recovery walks the frames a snapshot already covers this way (their
// checksums cost time and guard nothing: they are not applied). A bad
// header there is still found: the walk lands on no valid frame.
function frameHeader(magic, buffer, offset) {
  if (offset + HEADER > buffer.length || buffer.toString('latin1', offset, offset + 4) !== magic) return null;
  const end = offset + HEADER + buffer.readUInt32LE(offset + 12);
  return end <= buffer.length ? { seq: Number(buffer.readBigUInt64LE(offset + 4)), end } : null;
}

// The frame at `offset` ({seq, payload, end}; the payload is a view of
// `buffer`), or null when it is torn or corrupt.
export function decodeFrame(magic, buffer, offset) {
  const header = frameHeader(magic, buffer, offset);
  if (!header) return null;
  const payload = buffer.subarray(offset + HEADER, header.end);
  if (!checksum(payload).equals(buffer.subarray(offset + 16, offset + 24))) return null;
  return { seq: header.seq, payload, end: header.end };
}

function hasValidFrameAfter(buffer, offset) {
  for (let at = buffer.indexOf(JOURNAL, offset + 1, 'latin1'); at >= 0; at = buffer.indexOf(JOURNAL, at + 1, 'latin1'))
    if (decodeFrame(JOURNAL, buffer, at)) return true;
  return false;
}

const storeError = (message, cause) =>
  Object.assign(new Error(message), { code: cause?.code ?? 'EIO', recovery: 'transient', cause });

/**
 * @param {string} dir
 * @param {object} [options]
 * @param {'always'|'group'|'never'} [options.fsync]  default 'always'
 * @param {number} [options.snapshotEvery]  change sets between snapshots (default 10000)
 * @param {number} [options.snapshotBytes]  journal bytes between snapshots (default 64 MiB)
 * @param {object} [options.fs]  a node:fs/promises stand-in (fault injection)
 * @param {(ms: number) => void} [options.onSync]  each journal fsync's duration (metrics)
 * @param {(level: string, message: string, fields?: object) => void} [options.log]
 */
export function fileStore(dir, options = {}) {
  const { fsync = 'always', snapshotEvery = 10000, snapshotBytes = 64 << 20, fs = nodeFs, onSync = () => {},
    log = (level, message, fields) => console.error(JSON.stringify({ level, msg: message, ...fields })) } = options;
  if (!['always', 'group', 'never'].includes(fsync)) throw new TypeError(`fileStore: fsync must be always, group or never`);
  if (fsync === 'never') log('warn', 'fileStore fsync "never" is UNSAFE: a crash can lose acknowledged records', { dir });

  let handle = null, segment = null;   // the active journal segment
  let durableEnd = 0, seq = 0;         // bytes and last sequence known durable
  let writtenEnd = 0, writtenSeq = 0;  // including appends whose group fsync is pending
  let dirty = false;                   // a failed append may have left bytes after durableEnd
  let sinceSnapshot = { count: 0, bytes: 0 };
  let snapshots = [];                  // sequence numbers, ascending
  let group = null;                    // appends waiting for the next fsync: {promise, resolve, reject, startEnd, startSeq, end, seq}
  let syncing = null;                  // the group whose fsync is running
  let broken = false;                  // an append failed: no more until recover()
  let locked = false;

  async function syncDir() {
    const d = await fs.open(dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
  }

  async function lock() {
    const path = join(dir, 'LOCK');
    const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
    for (let attempt = 0; attempt < 2; ++attempt) {
      try {
        const h = await fs.open(path, 'wx');
        try { await h.writeFile(me); await h.sync(); } finally { await h.close(); }
        locked = true;
        return;
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
        let holder = {};
        try { holder = JSON.parse(await fs.readFile(path, 'utf8')); } catch { /* a lock being written */ }
        let alive = holder.host !== hostname();  // another host: assume alive
        if (!alive && Number.isInteger(holder.pid)) {
          try { process.kill(holder.pid, 0); alive = true; } catch (k) { alive = k.code === 'EPERM'; }
        }
        if (alive || attempt > 0)
          throw Object.assign(new Error(`fileStore: ${dir} is locked by pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}` +
            ` since ${holder.since ?? '?'} (one writer per data directory)`), { code: 'ELOCKED', holder });
        log('warn', 'removing the stale lock of a process that is gone', { dir, holder });
        await fs.unlink(path).catch(() => {});
      }
    }
  }

  async function listing() {
    const names = await fs.readdir(dir);
    const parse = (prefix, suffix) => names.filter((n) => n.startsWith(prefix) && n.endsWith(suffix))
      .map((n) => Number(n.slice(prefix.length, -suffix.length))).filter(Number.isSafeInteger).sort((a, b) => a - b);
    for (const n of names.filter((n) => n.endsWith('.tmp'))) await fs.unlink(join(dir, n)).catch(() => {});
    return { journals: parse('journal-', '.log'), snapshots: parse('snapshot-', '.snap') };
  }

  // Newest snapshot whose frame checks (falling back to older ones).
  async function readSnapshot(candidates) {
    for (const s of [...candidates].reverse()) {
      const buffer = await fs.readFile(join(dir, snapshotName(s)));
      const frame = decodeFrame(SNAPSHOT, buffer, 0);
      // The snapshot goes to the core as bytes: no 100 MB JS string to decode
      // and encode again (and none near V8's string length limit).
      if (frame && frame.seq === s && frame.end === buffer.length) return { seq: s, bytes: frame.payload };
      log('error', 'snapshot is corrupt; falling back to the previous one and the journal', { file: snapshotName(s) });
    }
    return { seq: 0, bytes: null };
  }

  // Every journal frame after `from`, checked for order; a torn tail is cut.
  async function readJournal(journals, from, limit = Infinity) {
    const changeSets = [];
    let last = from, end = 0;
    for (let i = 0; i < journals.length; ++i) {
      const name = journalName(journals[i]);
      // A segment is named after its first change set, and starts only once
      // every change set before it is durable: a missing segment is a gap,
      // even when the segment after it is still empty.
      if (journals[i] > last + 1 && journals[i] > from + 1 && last < limit)
        throw new Error(`fileStore: ${name} starts at change set ${journals[i]} but the journal before it ends at ${last}` +
          ' (a gap): refusing to recover');
      // A segment the snapshot covers entirely (the next one starts at or
      // before the snapshot's next change set) is not read at all.
      if (i + 1 < journals.length && journals[i + 1] <= from + 1) continue;
      const buffer = await fs.readFile(join(dir, name));
      let offset = 0;
      while (offset < buffer.length && last < limit) {
        const header = frameHeader(JOURNAL, buffer, offset);
        if (header && header.seq <= from && header.seq >= 1) {
          offset = header.end;
          continue;
        }
        const frame = decodeFrame(JOURNAL, buffer, offset);
        if (!frame) {
          if (i < journals.length - 1 || hasValidFrameAfter(buffer, offset))
            throw new Error(`fileStore: ${name} is corrupt at offset ${offset} and valid records follow: refusing to` +
              ' skip acknowledged records (restore from a backup)');
          log('warn', 'journal tail is torn or corrupt: truncated at the last good record',
            { file: name, offset, dropped_bytes: buffer.length - offset });
          const h = await fs.open(join(dir, name), 'r+');
          try { await h.truncate(offset); await h.sync(); } finally { await h.close(); }
          break;
        }
        if (frame.seq > from) {
          if (frame.seq !== last + 1)
            throw new Error(`fileStore: ${name} at offset ${offset} holds change set ${frame.seq} where ${last + 1} was` +
              ` expected (${frame.seq > last + 1 ? 'a gap' : 'out of order'}): refusing to recover`);
          changeSets.push(frame.payload.toString('utf8'));
          last = frame.seq;
        } else if (frame.seq <= (i === 0 && offset === 0 ? 0 : -1)) {
          throw new Error(`fileStore: ${name} at offset ${offset} holds change set ${frame.seq}: not a sequence number`);
        }
        offset = frame.end;
      }
      end = offset;
    }
    return { changeSets, last, end };
  }

  async function recover() {
    // After a failure in this process, frames past the durable end were
    // never acknowledged: cut them (best effort) and never read them.
    const limit = broken || dirty ? seq : Infinity;
    if ((broken || dirty) && handle) {
      try { await handle.truncate(durableEnd); await handle.sync(); dirty = false; } catch { dirty = true; }
    }
    const { journals, snapshots: snaps } = await listing();
    const snap = await readSnapshot(snaps);
    if (snap.seq > 0 && journals.length > 0 && journals[0] > snap.seq + 1)
      throw new Error(`fileStore: the journal starts at change set ${journals[0]} but the snapshot ends at ${snap.seq}`);
    if (snap.seq === 0 && journals.length > 0 && journals[0] > 1)
      throw new Error(`fileStore: no valid snapshot and the journal starts at change set ${journals[0]}`);
    const journal = await readJournal(journals, snap.seq, limit);
    if (handle) await handle.close().catch(() => {});
    const active = journals.length ? journals.at(-1) : journal.last + 1;
    segment = journalName(active);
    handle = await fs.open(join(dir, segment), journals.length ? 'r+' : 'w+');
    if (!journals.length) await syncDir();
    durableEnd = writtenEnd = journals.length ? journal.end : 0;
    seq = writtenSeq = journal.last;
    if (limit === Infinity) dirty = false;
    broken = false;
    snapshots = snaps.filter((s) => s <= seq);
    sinceSnapshot = { count: seq - snap.seq, bytes: durableEnd };
    return { snapshot: snap.bytes, changeSets: journal.changeSets, seq };
  }

  // Group commit without a timer (as PostgreSQL's commit_delay-free path):
  // when no fsync is running, an append's fsync starts at once; appends that
  // arrive while one runs join the next group, which starts when it ends.
  // A lone caller waits for one fsync, as with 'always'; concurrent callers
  // share them.
  function startGroup(g) {
    syncing = g;
    const t0 = Date.now();
    handle.sync().then(() => {
      onSync(Date.now() - t0);
      durableEnd = g.end;
      seq = g.seq;
      g.resolve();
    }, (e) => {
      writtenEnd = durableEnd = g.startEnd;
      writtenSeq = seq = g.startSeq;
      dirty = broken = true;
      g.reject(storeError(`fileStore: fsync failed (${e.code ?? e.message})`, e));
      if (group) group.reject(storeError('fileStore: an earlier group fsync failed', e));
      group = null;
    }).finally(() => {
      syncing = null;
      if (group) {
        const next = group;
        group = null;
        startGroup(next);
      }
    });
  }

  return {
    kind: 'file',
    dir,
    async open() {
      await fs.mkdir(dir, { recursive: true });
      await lock();
      try {
        return await recover();
      } catch (e) {
        await this.close();
        throw e;
      }
    },
    recover,
    needsRecovery: () => broken,
    async append(text, at) {
      if (broken) throw storeError('fileStore: an earlier append failed; recover() first');
      if (at !== writtenSeq + 1) throw storeError(`fileStore: change set ${at} does not follow ${writtenSeq}`);
      const frame = encodeFrame(JOURNAL, at, text);
      try {
        if (dirty) {
          await handle.truncate(writtenEnd);
          dirty = false;
        }
        await handle.write(frame, 0, frame.length, writtenEnd);
      } catch (e) {
        dirty = broken = true;
        throw storeError(`fileStore: journal write failed (${e.code ?? e.message})`, e);
      }
      writtenEnd += frame.length;
      writtenSeq = at;
      sinceSnapshot.count += 1;
      sinceSnapshot.bytes += frame.length;
      if (fsync === 'never') {
        durableEnd = writtenEnd;
        seq = at;
        return { durable: Promise.resolve() };
      }
      if (fsync === 'always') {
        try {
          const t0 = Date.now();
          await handle.sync();
          onSync(Date.now() - t0);
        } catch (e) {
          writtenEnd -= frame.length;
          writtenSeq = at - 1;
          dirty = broken = true;
          throw storeError(`fileStore: fsync failed (${e.code ?? e.message})`, e);
        }
        durableEnd = writtenEnd;
        seq = at;
        return { durable: Promise.resolve() };
      }
      if (!group) {
        let resolve, reject;
        const promise = new Promise((y, n) => { resolve = y; reject = n; });
        promise.catch(() => {});  // each caller handles the failure it waits for
        group = { promise, resolve, reject, startEnd: syncing ? syncing.end : durableEnd,
                  startSeq: syncing ? syncing.seq : seq, end: writtenEnd, seq: at };
      }
      group.end = writtenEnd;
      group.seq = at;
      const mine = group;
      if (!syncing) {
        group = null;
        startGroup(mine);
      }
      return { durable: mine.promise };
    },
    shouldSnapshot() {
      return sinceSnapshot.count >= snapshotEvery || sinceSnapshot.bytes >= snapshotBytes;
    },
    async snapshot(text, at) {
      while (syncing || group) await (syncing ?? group).promise.catch(() => {});
      if (at !== seq) throw storeError(`fileStore: a snapshot at ${at} but the journal is durable to ${seq}`);
      await this.writeSnapshot(text, at);
      await this.finishSnapshot(at);
    },
    // A snapshot written beside the running journal, so a large state does
    // not stall the calls behind it: the file is made durable while appends
    // go on (once the journal is durable up to `at`); finishSnapshot then
    // starts a new journal segment and removes what the previous snapshot
    // made redundant. finishSnapshot must run between appends (durable.js
    // runs it on the call queue).
    async writeSnapshot(text, at) {
      if (at > writtenSeq) throw storeError(`fileStore: a snapshot at ${at} but the journal ends at ${writtenSeq}`);
      sinceSnapshot = { count: writtenSeq - at, bytes: 0 };  // the next one is due that much later
      while (seq < at) {
        const pending = syncing ?? group;
        if (!pending || broken) throw storeError(`fileStore: the journal failed before change set ${at} was durable`);
        await pending.promise.catch(() => {});
      }
      const final = join(dir, snapshotName(at)), tmp = `${final}.tmp`;
      try {
        const frame = encodeFrame(SNAPSHOT, at, text);
        const h = await fs.open(tmp, 'w');
        try { await h.write(frame, 0, frame.length, 0); await h.sync(); } finally { await h.close(); }
        await fs.rename(tmp, final);
        await syncDir();
      } catch (e) {
        await fs.unlink(tmp).catch(() => {});
        throw storeError(`fileStore: snapshot failed (${e.code ?? e.message})`, e);
      }
    },
    async finishSnapshot(at) {
      if (broken) return;  // recovery first; it finds the snapshot file itself
      while (syncing || group) await (syncing ?? group).promise.catch(() => {});
      if (!snapshots.includes(at)) snapshots = [...snapshots, at].sort((a, b) => a - b);
      // A new segment from the next change set; files before the previous snapshot go.
      const start = writtenSeq + 1;
      const next = await fs.open(join(dir, journalName(start)), 'w+');
      await syncDir();
      await handle.close().catch(() => {});
      handle = next;
      segment = journalName(start);
      durableEnd = writtenEnd = 0;
      const keepFrom = snapshots.length >= 2 ? snapshots.at(-2) : 0;
      const { journals } = await listing();
      for (let i = 0; i < journals.length; ++i) {
        const lastInSegment = i + 1 < journals.length ? journals[i + 1] - 1 : Infinity;
        if (lastInSegment <= keepFrom) await fs.unlink(join(dir, journalName(journals[i]))).catch(() => {});
      }
      for (const s of snapshots.filter((s) => s < keepFrom)) await fs.unlink(join(dir, snapshotName(s))).catch(() => {});
      snapshots = snapshots.filter((s) => s >= keepFrom);
      await syncDir();
    },
    async close() {
      while (syncing || group) await (syncing ?? group).promise.catch(() => {});
      if (handle) await handle.close().catch(() => {});
      handle = null;
      if (locked) await fs.unlink(join(dir, 'LOCK')).catch(() => {});
      locked = false;
    },
  };
}
