// indexedDbStore(name): the browser's durable store (issue 12), with the
// journal and snapshot semantics of fileStore. IndexedDB has no synchronous
// API, so a durable agent's calls are asynchronous (openGovernanceAgent).
//
// Database `name`: object stores `journal` ({seq, text, hash}) and
// `snapshots` ({seq, text, hash}); hash = the first 8 bytes of SHA-256 of
// the text, hex (Web Crypto). An append is one `readwrite` transaction with
// strict durability; the call is acknowledged when it completes. One writer:
// a Web Lock held while the store is open (a second tab fails at open).
// Recovery: the newest snapshot whose hash checks (else the previous one),
// then the journal after it in sequence; a corrupt tail is deleted and
// logged, a gap or a corrupt record followed by good ones is a hard error.

const encoder = new TextEncoder();

async function hashOf(text) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  return [...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});
const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
});
const storeError = (message, cause) =>
  Object.assign(new Error(message), { code: cause?.name ?? 'EIO', recovery: 'transient', cause });

/**
 * @param {string} name  database name
 * @param {object} [options]
 * @param {number} [options.snapshotEvery]  change sets between snapshots (default 500)
 * @param {IDBFactory} [options.indexedDB]
 * @param {(level: string, message: string, fields?: object) => void} [options.log]
 */
export function indexedDbStore(name, options = {}) {
  const { snapshotEvery = 500, indexedDB: idb = globalThis.indexedDB,
    log = (level, message, fields) => console.warn(level, message, fields ?? '') } = options;
  let db = null, seq = 0, sinceSnapshot = 0, broken = false, releaseLock = null;

  async function lock() {
    if (!globalThis.navigator?.locks) return;
    await new Promise((acquired, refused) => {
      navigator.locks.request(`adcp-governance:${name}`, { ifAvailable: true }, (held) => {
        if (!held) {
          refused(Object.assign(new Error(`indexedDbStore: ${name} is open in another tab or worker (one writer)`),
            { code: 'ELOCKED' }));
          return undefined;
        }
        acquired();
        return new Promise((release) => { releaseLock = release; });
      });
    });
  }

  async function recover() {
    const tx = db.transaction(['journal', 'snapshots'], 'readonly');
    const [snapshots, journal] = await Promise.all([request(tx.objectStore('snapshots').getAll()),
      request(tx.objectStore('journal').getAll())]);
    let snapshot = null;
    for (const s of snapshots.sort((a, b) => b.seq - a.seq)) {
      if ((await hashOf(s.text)) === s.hash) { snapshot = s; break; }
      log('error', 'snapshot is corrupt; falling back to the previous one and the journal', { seq: s.seq });
    }
    const from = snapshot?.seq ?? 0;
    const records = journal.filter((r) => r.seq > from).sort((a, b) => a.seq - b.seq);
    const changeSets = [];
    let last = from;
    for (let i = 0; i < records.length; ++i) {
      const r = records[i];
      const valid = typeof r.text === 'string' && (await hashOf(r.text)) === r.hash;
      if (!valid) {
        const later = await Promise.all(records.slice(i + 1).map(async (x) => (await hashOf(x.text)) === x.hash));
        if (later.some(Boolean))
          throw new Error(`indexedDbStore: record ${r.seq} is corrupt and valid records follow: refusing to skip them`);
        log('warn', 'journal tail is corrupt: deleted from the last good record on', { seq: r.seq });
        const cut = db.transaction('journal', 'readwrite', { durability: 'strict' });
        cut.objectStore('journal').delete(IDBKeyRange.lowerBound(r.seq));
        await done(cut);
        break;
      }
      if (r.seq !== last + 1)
        throw new Error(`indexedDbStore: change set ${r.seq} where ${last + 1} was expected: refusing to recover`);
      changeSets.push(r.text);
      last = r.seq;
    }
    if (!snapshot && records.length && records[0].seq > 1 && from === 0)
      throw new Error(`indexedDbStore: no valid snapshot and the journal starts at ${records[0].seq}`);
    seq = last;
    sinceSnapshot = last - from;
    broken = false;
    return { snapshot: snapshot?.text ?? null, changeSets, seq };
  }

  return {
    kind: 'indexeddb',
    name,
    async open() {
      await lock();
      const opening = idb.open(name, 1);
      opening.onupgradeneeded = () => {
        opening.result.createObjectStore('journal', { keyPath: 'seq' });
        opening.result.createObjectStore('snapshots', { keyPath: 'seq' });
      };
      db = await request(opening);
      return recover();
    },
    recover,
    needsRecovery: () => broken,
    shouldSnapshot: () => sinceSnapshot >= snapshotEvery,
    async append(text, at) {
      if (broken) throw storeError('indexedDbStore: an earlier append failed; recover() first');
      if (at !== seq + 1) throw storeError(`indexedDbStore: change set ${at} does not follow ${seq}`);
      try {
        const hash = await hashOf(text);  // before the transaction: awaiting inside would commit it early
        const tx = db.transaction('journal', 'readwrite', { durability: 'strict' });
        tx.objectStore('journal').put({ seq: at, text, hash });
        await done(tx);
      } catch (e) {
        broken = true;
        throw storeError(`indexedDbStore: append failed (${e?.name ?? e?.message})`, e);
      }
      seq = at;
      sinceSnapshot += 1;
      return { durable: Promise.resolve() };
    },
    async snapshot(text, at) {
      if (at !== seq) throw storeError(`indexedDbStore: a snapshot at ${at} but the journal is durable to ${seq}`);
      const hash = await hashOf(text);
      const keys = await request(db.transaction('snapshots', 'readonly').objectStore('snapshots').getAllKeys());
      const previous = keys.filter((k) => k < at).sort((a, b) => b - a)[0] ?? 0;
      try {
        const tx = db.transaction(['journal', 'snapshots'], 'readwrite', { durability: 'strict' });
        tx.objectStore('snapshots').put({ seq: at, text, hash });
        // Keep the previous snapshot and the journal since it (fallback).
        if (previous > 0) {
          tx.objectStore('snapshots').delete(IDBKeyRange.upperBound(previous, true));
          tx.objectStore('journal').delete(IDBKeyRange.upperBound(previous));
        }
        await done(tx);
      } catch (e) {
        throw storeError(`indexedDbStore: snapshot failed (${e?.name ?? e?.message})`, e);
      }
      sinceSnapshot = 0;
    },
    async close() {
      db?.close();
      db = null;
      releaseLock?.();
      releaseLock = null;
    },
  };
}
