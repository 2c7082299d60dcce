// durableObjectStore(state): the edge's durable store (issue 14) on a
// Durable Object's SQLite storage (`state.storage.sql`; enableSql in
// workerd, the SQLite backend on Cloudflare). One object per tenant: the
// object runs one request's JavaScript at a time, and durable.js queues the
// calls, so a tenant's decisions are made in order without a lock.
//
// A change set is written with `sql.exec` inside the request, before the
// answer: workerd's output gate holds the response until the write is
// durable, so nothing is acknowledged before it is stored. On wake: the
// newest snapshot whose checksum holds (else the previous one), then the
// journal after it, in sequence; a bad record or a gap is a hard error.
//
// One table: records(kind 'journal' | 'snapshot', seq, part, parts, checksum,
// data). Long texts are split into parts (SQLite rows on Durable Objects are
// limited to 2 MB); checksum = the first 8 bytes of SHA-256 of the whole
// text, hex (as fileStore's frames), computed with @noble/hashes because
// Web Crypto has no synchronous digest. Snapshots every `snapshotEvery`
// change sets; the newest two stay, with the journal after the older one.
import { sha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();
const hashOf = (text) => Array.from(sha256(encoder.encode(text)).subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * @param {{storage: {sql: {exec(query: string, ...bindings: unknown[]): Iterable<object>}}}} state  the object's state (ctx)
 * @param {object} [options]
 * @param {number} [options.snapshotEvery]  change sets between snapshots (default 500)
 * @param {number} [options.partChars]  characters per row (default 256 Ki: at most 768 KB of UTF-8)
 * @param {(level: string, message: string, fields?: object) => void} [options.log]
 */
export function durableObjectStore(state, options = {}) {
  const { snapshotEvery = 500, partChars = 256 * 1024, log = (level, message, fields) => console.warn(level, message, fields ?? '') } = options;
  const sql = state?.storage?.sql;
  if (!sql) throw new TypeError('durableObjectStore: state.storage.sql is missing (enable SQLite storage for the class)');
  if (!Number.isSafeInteger(partChars) || partChars < 2) throw new TypeError('durableObjectStore: partChars must be an integer >= 2');
  if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 1) throw new TypeError('durableObjectStore: snapshotEvery must be a positive integer');
  // A record's rows are written in one storage transaction: all or none.
  const atomically = (fn) => (state.storage.transactionSync ? state.storage.transactionSync(fn) : fn());
  let seq = 0, snapshotSeq = 0, broken = false;

  // Parts end on whole code points: a part never ends inside a surrogate
  // pair (half a pair would come back as U+FFFD and fail the checksum).
  function split(text) {
    const pieces = [];
    for (let start = 0; start < text.length || pieces.length === 0;) {
      let end = Math.min(text.length, start + partChars);
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
      pieces.push(text.slice(start, end));
      start = end;
    }
    return pieces;
  }

  function write(kind, at, text) {
    const pieces = split(text);
    const checksum = hashOf(text);
    atomically(() => {
      pieces.forEach((piece, part) => sql.exec('INSERT INTO records (kind, seq, part, parts, checksum, data) VALUES (?, ?, ?, ?, ?, ?)',
        kind, at, part, pieces.length, checksum, piece));
    });
  }

  // The records of a kind after `from`, whole: [{seq, text | null (corrupt)}].
  function read(kind, from, order = 'ASC') {
    const out = [];
    let current = null;
    for (const row of sql.exec(`SELECT seq, part, parts, checksum, data FROM records WHERE kind = ? AND seq > ? ORDER BY seq ${order}, part ASC`, kind, from)) {
      if (!current || current.seq !== row.seq) {
        current = { seq: row.seq, parts: row.parts, checksum: row.checksum, pieces: [] };
        out.push(current);
      }
      current.pieces.push(row.data);
    }
    return out.map((r) => {
      const text = r.pieces.join('');
      return { seq: r.seq, text: r.pieces.length === r.parts && hashOf(text) === r.checksum ? text : null };
    });
  }

  function recover() {
    sql.exec(`CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, seq INTEGER NOT NULL, part INTEGER NOT NULL,
      parts INTEGER NOT NULL, checksum TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, seq, part))`);
    let snapshot = null;
    for (const s of read('snapshot', -1, 'DESC')) {
      if (s.text !== null) { snapshot = s; break; }
      log('error', 'snapshot is corrupt; falling back to the previous one and the journal', { seq: s.seq });
    }
    const from = snapshot?.seq ?? 0;
    const changeSets = [];
    let last = from;
    for (const r of read('journal', from)) {
      if (r.seq !== last + 1) throw new Error(`durableObjectStore: journal gap or disorder: expected seq ${last + 1}, found ${r.seq}`);
      if (r.text === null) throw new Error(`durableObjectStore: change set ${r.seq} fails its checksum: refusing to apply it`);
      changeSets.push(r.text);
      last = r.seq;
    }
    seq = last;
    snapshotSeq = from;
    broken = false;
    return { snapshot: snapshot?.text ?? null, changeSets, seq };
  }

  return {
    kind: 'durable-object',
    async open() { return recover(); },
    async append(text, at) {
      try {
        write('journal', at, text);
      } catch (e) {
        broken = true;
        throw Object.assign(new Error(`durableObjectStore: change set ${at} not written: ${e?.message ?? e}`),
          { code: 'EIO', recovery: 'transient', cause: e });
      }
      seq = at;
      return { durable: Promise.resolve() };  // the output gate holds the answer until the write is durable
    },
    needsRecovery: () => broken,
    shouldSnapshot: () => seq - snapshotSeq >= snapshotEvery,
    async snapshot(text, at) {
      const state = typeof text === 'string' ? text : new TextDecoder().decode(text);
      write('snapshot', at, state);
      snapshotSeq = at;
      // The newest two snapshots that pass their checksum stay, and the
      // journal after the older of them (its fallback).
      const valid = read('snapshot', -1, 'DESC').filter((r) => r.text !== null).slice(0, 2);
      if (valid.length < 2) return;  // one good snapshot: the whole journal stays as its fallback
      const oldest = valid[1].seq;
      atomically(() => {
        sql.exec("DELETE FROM records WHERE kind = 'snapshot' AND seq < ?", oldest);
        sql.exec("DELETE FROM records WHERE kind = 'journal' AND seq <= ?", oldest);
      });
    },
    async recover() { return recover(); },
    async close() {},
  };
}
