// A node:fs/promises stand-in for fault injection: the real file system,
// except that writes, fsyncs, renames or opens fail with a chosen errno
// (ENOSPC, EIO, EACCES) while a fault is set for a path pattern. Counts
// fsyncs so group commit can be observed.
import * as fs from 'node:fs/promises';

export function faultyFs() {
  const faults = new Map();  // operation -> {code, match}
  const stats = { syncs: 0, writes: 0 };
  const fail = (op, path) => {
    const f = faults.get(op);
    if (f && (!f.match || f.match.test(path)))
      throw Object.assign(new Error(`${f.code}: injected ${op} failure on ${path}`), { code: f.code });
  };
  const wrap = (handle, path) => ({
    write: async (...args) => { fail('write', path); stats.writes++; return handle.write(...args); },
    sync: async () => { fail('sync', path); stats.syncs++; return handle.sync(); },
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
