// Writes the number-formatting corpus for tests/core/canon_test.cc: one line
// per double, "<16 hex digits of its bits> <JSON.stringify(value)>". The
// doubles come from a fixed seed (splitmix64) and cover random bit patterns
// (every exponent, subnormals), integers beyond 2^53, exponents near ±308,
// money-like decimals, powers of ten, boundaries and negative zero.
import { writeFileSync } from 'node:fs';

const out = process.argv[2];
if (!out) throw new Error('usage: gen_number_corpus.mjs OUT');
let state = 0x5eedn;
const MASK = (1n << 64n) - 1n;
function next() {
  state = (state + 0x9E3779B97F4A7C15n) & MASK;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
  return z ^ (z >> 31n);
}
const view = new DataView(new ArrayBuffer(8));
const lines = [];
function add(x) {
  if (!Number.isFinite(x)) return;
  view.setFloat64(0, x);
  lines.push(view.getBigUint64(0).toString(16).padStart(16, '0') + ' ' + JSON.stringify(x));
}
function fromBits(b) { view.setBigUint64(0, b); return view.getFloat64(0); }
const unit = () => Number(next() >> 11n) / 2 ** 53;

for (let i = 0; i < 40000; i++) add(fromBits(next()));                          // any bit pattern
for (let i = 0; i < 10000; i++) add(fromBits(next() & 0x800fffffffffffffn));    // subnormals
for (let i = 0; i < 10000; i++) add(Number(next() >> BigInt(Number(next() % 11n))) * (i % 2 ? -1 : 1)); // big integers
for (let i = 0; i < 10000; i++) {                                               // exponents near ±308
  const e = Number(next() % 12n);
  add((1 + unit()) * 10 ** (297 + e) / 10);
  add((1 + unit()) * 10 ** -(297 + e));
}
for (let i = 0; i < 10000; i++) add(Number(next() % 100000000000n) / 100);      // cents
for (let i = 0; i < 5000; i++) add(Number(next() % 1000000n) / 1000);           // thousandths
for (let e = -330; e <= 310; e++) { add(10 ** e); add(-(10 ** e)); add(1.5 * 10 ** e); }
for (let i = 0; i < 5000; i++) add(unit() * 10 ** (Number(next() % 44n) - 22)); // 1e-22..1e22
add(0); add(-0); add(5e-324); add(-5e-324); add(Number.MAX_VALUE); add(-Number.MAX_VALUE);
add(Number.MIN_VALUE); add(2 ** 53); add(2 ** 53 + 2); add(1e21); add(1e-7); add(1e-6); add(0.1 + 0.2);
add(2.2250738585072014e-308); add(2.225073858507201e-308); add(9007199254740993); add(123456789012345680000);
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${lines.length} numbers to ${out}`);
