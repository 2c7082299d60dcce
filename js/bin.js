#!/usr/bin/env node
// `npx adcp-governance demo [--backend native|wasm]`: the governance loop on
// the embedded default plan.
import { runDemo } from './demo.js';

const [command = 'demo', ...args] = process.argv.slice(2);
if (command !== 'demo') {
  console.error('usage: adcp-governance demo [--backend auto|native|wasm]');
  process.exit(2);
}
const i = args.indexOf('--backend');
await runDemo({ backend: i >= 0 ? args[i + 1] : 'auto' });
