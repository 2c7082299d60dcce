// The hand-written declarations (js/*.d.ts) compile for a TypeScript
// consumer, and wrong field names or types are rejected (@ts-expect-error
// lines in tests/types/usage.ts would fail the build if they compiled).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('tsc --noEmit over tests/types/usage.ts', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p',
    join(root, 'tests', 'types', 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
