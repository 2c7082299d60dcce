// adcp-governance/postgres: many servers, one ledger (issue 14).
//
//   import { postgresStore } from 'adcp-governance/postgres';
//   const agent = await openGovernanceAgent({ store: postgresStore({ pool, tenant: 'acme' }), ... });
//
// Every instance keeps the tenant's agent in memory and PostgreSQL
// serializes them. Each call is one transaction (durable.js drives it):
//   BEGIN; SELECT pg_advisory_xact_lock(<64-bit hash of schema/tenant>);
//   SELECT the change sets other instances wrote since the one this instance
//   applied last (applied in order); run the call; INSERT its change set at
//   the next seq; COMMIT; only then the answer.
// The lock orders the tenant's calls across instances (budget, holds and the
// trailing window are decided in order); the primary key (tenant, seq) is a
// second guard: a seq conflict aborts the call, it never forks the ledger.
// A lost connection rolls back and releases the lock; the instance reloads
// from the database before its next call. Snapshots (exportState at a seq)
// keep catch-up and cold start short; the journal is kept whole (it is the
// ledger's history; prune it with SQL if you must, keeping every row after
// the second-newest snapshot).
//
// Tables (versioned migrations in `schema`, run once under an advisory lock):
//   journal(tenant, seq, change_set, checksum, created_at)   primary key (tenant, seq)
//   snapshots(tenant, seq, state, checksum, created_at)      primary key (tenant, seq)
//   signing_keys(tenant, kid, private_jwk, created_at)       one per tenant: every instance signs alike
// checksum: the first 8 bytes of SHA-256 of the text, hex (as fileStore's frames).
import { createHash } from 'node:crypto';

const hashOf = (text) => createHash('sha256').update(text).digest('hex').slice(0, 16);

function migrations(s) {
  return [
    [1, `CREATE TABLE ${s}.journal (
           tenant text NOT NULL, seq bigint NOT NULL CHECK (seq > 0), change_set text NOT NULL,
           checksum text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant, seq));
         CREATE TABLE ${s}.snapshots (
           tenant text NOT NULL, seq bigint NOT NULL, state text NOT NULL,
           checksum text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant, seq));`],
    [2, `CREATE TABLE ${s}.signing_keys (
           tenant text PRIMARY KEY, kid text NOT NULL, private_jwk text NOT NULL,
           created_at timestamptz NOT NULL DEFAULT now());`],
  ];
}

const quoteIdent = (name) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new TypeError(`postgresStore: schema must be an identifier, got ${JSON.stringify(name)}`);
  return `"${name}"`;
};

// A transaction-scoped advisory lock key: 64 bits of SHA-256, signed.
export const lockKey = (text) => BigInt.asIntN(64, createHash('sha256').update(text).digest().readBigUInt64BE(0)).toString();

// Failures the caller should retry later, with how long to wait (seconds):
// the pool had no connection within connectionTimeoutMs, or the tenant's
// lock was not granted within lockTimeoutMs.
function storeError(e, what) {
  const busy = /timeout exceeded when trying to connect/i.test(e?.message ?? '') || e?.code === '55P03';
  return Object.assign(new Error(`${what}: ${e?.message ?? e}`),
    { code: busy ? 'EBUSY' : (e?.code ?? 'EIO'), recovery: 'transient', cause: e, ...(busy ? { retryAfter: 1 } : {}) });
}

async function loadPg() {
  try {
    return (await import('pg')).default;
  } catch (e) {
    throw new Error(`adcp-governance/postgres needs the npm package "pg" (npm install pg): ${e.message}`);
  }
}

/** A pg Pool for the stores (errors of idle clients are logged, not thrown). */
export async function createPool(connectionString, options = {}) {
  const pg = await loadPg();
  // Client-side timeouts too: a server-side statement_timeout cannot end a
  // query stuck behind a network partition.
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000, idleTimeoutMillis: 30000,
    query_timeout: (options.statementTimeoutMs ?? 30000) + 5000, keepAlive: true });
  pool.on('error', (e) => options.log?.('warn', 'an idle PostgreSQL connection failed', { message: e.message }));
  return pool;
}

/** Creates the schema and tables (idempotent; concurrent callers wait for one another). */
export async function migrate(pool, schema = 'adcp_governance') {
  const s = quoteIdent(schema);
  const client = await pool.connect();
  const ignore = () => {};  // a dead connection surfaces at the next query
  client.on('error', ignore);
  let failure;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`adcp-governance migrations ${schema}`)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await client.query(`SELECT version FROM ${s}.schema_migrations`)).rows.map((r) => r.version));
    for (const [version, sql] of migrations(s)) {
      if (applied.has(version)) continue;
      await client.query(sql);
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [version]);
    }
    await client.query('COMMIT');
  } catch (e) {
    failure = e;
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.off('error', ignore);
    client.release(failure);
  }
}

/**
 * The tenant's signing key, shared by every instance: the stored one, or
 * `generate()` ({kid, jwk}) stored by the first instance to ask.
 */
export async function sharedSigningKey(pool, schema, tenant, generate) {
  const s = quoteIdent(schema);
  const found = async () => (await pool.query(`SELECT kid, private_jwk FROM ${s}.signing_keys WHERE tenant = $1`, [tenant])).rows[0];
  let row = await found();
  if (!row) {
    const key = generate();
    await pool.query(`INSERT INTO ${s}.signing_keys (tenant, kid, private_jwk) VALUES ($1, $2, $3) ON CONFLICT (tenant) DO NOTHING`,
      [tenant, key.kid, JSON.stringify(key.jwk)]);
    row = await found();
  }
  return { kid: row.kid, jwk: JSON.parse(row.private_jwk) };
}

/**
 * @param {object} options
 * @param {import('pg').Pool} [options.pool]  shared by the tenants' stores (else one from connectionString)
 * @param {string} [options.connectionString]
 * @param {string} [options.schema]  default 'adcp_governance'
 * @param {string} [options.tenant]  default 'default'
 * @param {number} [options.snapshotEvery]  change sets between snapshots (default 1000)
 * @param {number} [options.lockTimeoutMs]  the longest wait for the tenant's lock (default 10000)
 * @param {number} [options.statementTimeoutMs]  default 30000
 * @param {number} [options.connectionTimeoutMs]  the longest wait for a pooled connection (own pool; default 5000)
 * @param {(level: string, message: string, fields?: object) => void} [options.log]
 */
export function postgresStore(options = {}) {
  const { schema = 'adcp_governance', tenant = 'default', snapshotEvery = 1000, lockTimeoutMs = 10000,
    statementTimeoutMs = 30000, log = (level, message, fields) => console.error(JSON.stringify({ level, msg: message, ...fields })) } = options;
  if (!options.pool && !options.connectionString) throw new TypeError('postgresStore: options.pool or options.connectionString is required');
  const s = quoteIdent(schema);
  const key = lockKey(`adcp-governance ${schema}/${tenant}`);
  let pool = options.pool ?? null, ownPool = false;
  let snapshotSeq = 0, seq = 0, broken = false;

  // Rows in order after `after`, checked: a bad checksum or a gap is a hard
  // error (an acknowledged record is never skipped).
  function checked(rows, after) {
    const changeSets = [];
    let last = after;
    for (const row of rows) {
      const at = Number(row.seq);
      if (at !== last + 1) throw new Error(`postgresStore: tenant ${tenant}: journal gap or disorder: expected seq ${last + 1}, found ${at}`);
      if (hashOf(row.change_set) !== row.checksum)
        throw new Error(`postgresStore: tenant ${tenant}: change set ${at} fails its checksum: refusing to apply it`);
      changeSets.push(row.change_set);
      last = at;
    }
    return { changeSets, seq: last };
  }

  async function committedAlready({ text, at }) {
    try {
      const { rows } = await pool.query(`SELECT checksum, change_set FROM ${s}.journal WHERE tenant = $1 AND seq = $2`, [tenant, at]);
      return rows.length === 1 && rows[0].checksum === hashOf(text) && rows[0].change_set === text;
    } catch {
      return false;  // unknown: report the failure (a keyed retry replays)
    }
  }

  async function recover() {
    const client = await connect();
    let failure, released = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snapshots = (await client.query(`SELECT seq, state, checksum FROM ${s}.snapshots WHERE tenant = $1 ORDER BY seq DESC LIMIT 3`, [tenant])).rows;
      let snapshot = null;
      for (const row of snapshots) {
        if (hashOf(row.state) === row.checksum) { snapshot = row; break; }
        log('error', 'snapshot is corrupt; falling back to the previous one and the journal', { tenant, seq: Number(row.seq) });
      }
      const from = snapshot ? Number(snapshot.seq) : 0;
      const rows = (await client.query(`SELECT seq, change_set, checksum FROM ${s}.journal WHERE tenant = $1 AND seq > $2 ORDER BY seq`, [tenant, from])).rows;
      await client.query('COMMIT');
      client.release();
      released = true;
      const journal = checked(rows, from);
      snapshotSeq = from;
      seq = journal.seq;
      broken = false;
      return { snapshot: snapshot?.state ?? null, changeSets: journal.changeSets, seq };
    } catch (e) {
      if (released) throw e;  // a checksum or a gap: the connection is fine
      failure = e;
      await client.query('ROLLBACK').catch(() => {});
      throw e.recovery ? e : storeError(e, 'postgresStore: recovery failed');
    } finally {
      if (!released) client.release(failure);
    }
  }

  // A checked-out client whose connection dies between queries emits
  // 'error' (unhandled, it would end the process): the failure surfaces at
  // the next query instead, and the client is destroyed on release.
  async function connect() {
    let client;
    try {
      client = await pool.connect();
    } catch (e) {
      throw storeError(e, 'postgresStore: no connection');
    }
    const onError = (e) => log('warn', 'a PostgreSQL connection failed during a call', { tenant, message: e.message });
    client.on('error', onError);
    const release = client.release.bind(client);
    client.release = (e) => { client.off('error', onError); client.release = release; release(e); };
    return client;
  }

  return {
    kind: 'postgres',
    /** Other instances write the same tenant: durable.js runs each call in begin()'s transaction. */
    shared: true,
    async open() {
      if (!pool) { pool = await createPool(options.connectionString, options); ownPool = true; }
      await migrate(pool, schema);
      return recover();
    },
    /**
     * Locks the tenant and returns the change sets after `applied` (written
     * by other instances), with append/commit/rollback for this call.
     */
    async begin(applied) {
      const client = await connect();
      let released = false, pending = null;
      const release = (e) => { if (!released) { released = true; client.release(e); } };
      const literal = (text) => client.escapeLiteral(text);
      try {
        // Two round trips per call: lock + catch-up read in one
        // multi-statement query, INSERT + COMMIT in another. Such queries
        // take no parameters, so values are literals: numbers we made, and
        // texts through the driver's escapeLiteral.
        // idle_in_transaction_session_timeout: a stuck instance's session
        // (and the tenant's lock) ends on the server's side too.
        const results = await client.query(`BEGIN; SET LOCAL lock_timeout = ${Number(lockTimeoutMs)};
          SET LOCAL statement_timeout = ${Number(statementTimeoutMs)};
          SET LOCAL idle_in_transaction_session_timeout = ${Number(statementTimeoutMs)}; SELECT pg_advisory_xact_lock(${BigInt(key)});
          SELECT seq, change_set, checksum FROM ${s}.journal WHERE tenant = ${literal(tenant)} AND seq > ${Number(applied)} ORDER BY seq`);
        const { changeSets, seq: latest } = checked(results.at(-1).rows, applied);
        seq = latest;
        return {
          changeSets,
          async append(text, at) { pending = { text, at }; },
          async commit(at) {
            try {
              await client.query(pending ? `INSERT INTO ${s}.journal (tenant, seq, change_set, checksum) VALUES
                (${literal(tenant)}, ${Number(pending.at)}, ${literal(pending.text)}, ${literal(hashOf(pending.text))}); COMMIT` : 'COMMIT');
              if (at) seq = at;
              release();
            } catch (e) {
              try { await client.query('ROLLBACK'); release(); } catch (e2) { release(e2); }
              // The reply may have been lost after the server committed: a
              // committed change set is acknowledged, not reported as failed.
              if (pending && await committedAlready(pending)) {
                seq = pending.at;
                return;
              }
              broken = true;
              throw storeError(e, pending ? `postgresStore: change set ${pending.at} not committed` : 'postgresStore: commit failed');
            }
          },
          async rollback() {
            broken = true;
            if (released) return;
            try { await client.query('ROLLBACK'); release(); } catch (e) { release(e); }
          },
        };
      } catch (e) {
        try { await client.query('ROLLBACK'); release(); } catch (e2) { release(e2); }
        throw e.recovery ? e : storeError(e, 'postgresStore: could not lock the tenant');
      }
    },
    async append() {
      throw new Error('postgresStore: changes are appended inside begin()');
    },
    needsRecovery: () => broken,
    shouldSnapshot: () => seq - snapshotSeq >= snapshotEvery,
    // The state at `at` is immutable, so it is written beside the calls.
    async writeSnapshot(text, at) {
      const state = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
      await pool.query(`INSERT INTO ${s}.snapshots (tenant, seq, state, checksum) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, seq) DO NOTHING`,
        [tenant, at, state, hashOf(state)]);
      snapshotSeq = Math.max(snapshotSeq, at);
      // The newest two stay (a corrupt one falls back to the previous).
      await pool.query(`DELETE FROM ${s}.snapshots WHERE tenant = $1 AND seq < (SELECT min(seq) FROM
        (SELECT seq FROM ${s}.snapshots WHERE tenant = $1 ORDER BY seq DESC LIMIT 2) newest)`, [tenant]);
    },
    async finishSnapshot() {},
    async snapshot(text, at) { await this.writeSnapshot(text, at); },
    recover,
    async close() {
      if (ownPool) await pool.end();
    },
  };
}
