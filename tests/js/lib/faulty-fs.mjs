// A node:fs/promises stand-in for fault injection: the real file system,
// except that writes, fsyncs, renames or opens fail with a chosen errno
// (ENOSPC, EIO, EACCES) while a fault is set for a path pattern. Counts
// fsyncs so group commit can be observed, and can hold an operation until
// the test releases it (a slow disk, deterministically).
import * as fs from 'node:fs/promises';

export function faultyFs() {
  const faults = new Map();  // operation -> {code, match}
  const holds = new Map();   // operation -> {match, reached, resolveReached, released}
  const stats = { syncs: 0, writes: 0 };
  const fail = (op, path) => {
    const f = faults.get(op);
    if (f && (!f.match || f.match.test(path)))
      throw Object.assign(new Error(`${f.code}: injected ${op} failure on ${path}`), { code: f.code });
  };
  const held = async (op, path) => {
    const h = holds.get(op);
    if (h && h.match.test(path)) {
      h.resolveReached();
      await h.released;
    }
  };
  const wrap = (handle, path) => ({
    write: async (...args) => { fail('write', path); stats.writes++; return handle.write(...args); },
    sync: async () => { fail('sync', path); await held('sync', path); stats.syncs++; return handle.sync(); },
    datasync: async () => { fail('sync', path); stats.syncs++; return handle.datasync(); },
    truncate: async (n) => { fail('truncate', path); return handle.truncate(n); },
    writeFile: async (data) => { fail('write', path); return handle.writeFile(data); },
    close: () => handle.close(),
  });
  return {
    stats,
    /** Fails `op` ('open' | 'write' | 'sync' | 'rename' | 'truncate') with `code` on paths matching `match`. */
    inject(op, code, match) { faults.set(op, { code, match }); },
    clear() { faults.clear(); },
    /** Holds `op` on paths matching `match`: {reached: Promise, release()}. */
    hold(op, match) {
      let resolveReached, release;
      const h = { match, reached: new Promise((y) => { resolveReached = y; }), released: new Promise((y) => { release = y; }) };
      h.resolveReached = resolveReached;
      holds.set(op, h);
      return { reached: h.reached, release: () => { holds.delete(op); release(); } };
    },
    fs: {
      open: async (path, flags) => { fail('open', path); return wrap(await fs.open(path, flags), path); },
      rename: async (a, b) => { fail('rename', b); return fs.rename(a, b); },
      readFile: fs.readFile,
      readdir: fs.readdir,
      mkdir: fs.mkdir,
      unlink: fs.unlink,
    },
  };
}
