// Writes the number-reading corpus for tests/core/json_numbers_test.cc: one
// line per JSON number token, "<token> <expected>", where <expected> is
// what ECMAScript's JSON.parse makes of it: the 16 hex digits of the
// double's bits, or "+inf" / "-inf" when it overflows (the core must then
// fail with an error naming the field). Tokens come from a fixed seed
// (splitmix64) and cover zeros with exponents, long mantissas, exact and
// nudged halfway points between doubles (the hard cases of correct
// rounding), subnormals, the overflow and underflow boundaries, integers
// beyond 2^64, money-like decimals and random doubles in many spellings.
import { writeFileSync } from 'node:fs';

const out = process.argv[2];
const target = Number(process.argv[3] ?? 1_050_000);
if (!out) throw new Error('usage: gen_number_parse_corpus.mjs OUT [COUNT]');

let state = 0x6e756d62n;
const MASK = (1n << 64n) - 1n;
function next() {
  state = (state + 0x9E3779B97F4A7C15n) & MASK;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
  return z ^ (z >> 31n);
}
const int = (n) => Number(next() % BigInt(n));             // 0..n-1
const pick = (list) => list[int(list.length)];
const digits = (n, first = true) => {  // n random digits, the first non-zero when `first`
  let s = first && n > 0 ? String(1 + int(9)) : '';
  while (s.length < n) s += String(next() % 1_000_000_000_000_000_000n).padStart(18, '0');
  return s.slice(0, n);
};
const view = new DataView(new ArrayBuffer(8));
const fromBits = (b) => { view.setBigUint64(0, b); return view.getFloat64(0); };
const bitsOf = (x) => { view.setFloat64(0, x); return view.getBigUint64(0); };

const lines = [];
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
function add(token) {
  if (!JSON_NUMBER.test(token)) throw new Error(`generator produced a non-JSON number: ${token}`);
  const x = JSON.parse(token);
  const expected = x === Infinity ? '+inf' : x === -Infinity ? '-inf' : bitsOf(x).toString(16).padStart(16, '0');
  lines.push(`${token} ${expected}`);
}
const sign = () => (int(4) === 0 ? '-' : '');
const exponent = (e) => pick(['e', 'E']) + (e < 0 ? '-' : pick(['', '+'])) + String(Math.abs(e));

// Exact decimal expansion of a finite double (or a midpoint, given as
// mantissa * 2^exp with BigInt mantissa), as "<digits>e<exp10>".
function exactDecimal(mantissa, exp2) {
  if (exp2 >= 0) return `${mantissa << BigInt(exp2)}`;
  const scaled = mantissa * 5n ** BigInt(-exp2);  // value = scaled * 10^exp2
  return `${scaled}e${exp2}`;
}
function decompose(x) {  // positive finite x = m * 2^e, m integer
  const b = bitsOf(x);
  const biased = Number((b >> 52n) & 0x7ffn), frac = b & 0xfffffffffffffn;
  return biased === 0 ? [frac, -1074] : [frac | (1n << 52n), biased - 1075];
}
function randomPositiveDouble(subnormal = false) {
  for (;;) {
    const b = subnormal ? next() & 0x000fffffffffffffn : next() & 0x7fffffffffffffffn;
    const x = fromBits(b);
    if (Number.isFinite(x) && x > 0) return x;
  }
}

const generators = [
  // Zeros with exponents of any size (0e40 was read as 2.4e21).
  [0.06, () => {
    const zeros = pick(['0', '0.0', '0.' + '0'.repeat(1 + int(30))]);
    const e = int(3) === 0 ? BigInt(digits(1 + int(18))) : BigInt(int(400));
    return `${sign()}${zeros}${pick(['e', 'E'])}${pick(['', '+', '-'])}${e}`;
  }],
  // Random doubles in their shortest spelling and other spellings.
  [0.22, () => {
    const x = randomPositiveDouble();
    const s = sign();
    switch (int(4)) {
      case 0: return s + JSON.stringify(x);
      case 1: return s + x.toExponential(int(21)).replace('e+', pick(['e', 'e+', 'E']));
      case 2: return s + x.toPrecision(1 + int(40)).replace('e+', 'e');
      default: return s + x.toExponential(16 + int(5)).replace('e+', 'e');
    }
  }],
  // Exact halfway points between neighbouring doubles, and just above / below.
  [0.05, () => {
    const x = randomPositiveDouble(int(5) === 0);
    const [m, e] = decompose(x);
    const mid = exactDecimal(2n * m + 1n, e - 1);
    const [mant, exp] = mid.includes('e') ? mid.split('e') : [mid, '0'];
    const nudge = int(3);
    const body = nudge === 0 ? mant : nudge === 1 ? mant + '0'.repeat(int(5)) + '1' : mant.slice(0, -1) + String(Math.max(0, Number(mant.at(-1)) - 1)) + '9'.repeat(int(5));
    const exp10 = Number(exp) - (body.length - mant.length);
    return sign() + body + exponent(exp10);
  }],
  // Long mantissas (18 to 60 digits; now and then hundreds), any point, any exponent.
  [0.15, () => {
    const n = int(200) === 0 ? 200 + int(600) : 18 + int(43);
    const all = digits(n);
    const point = int(n + 1);
    const intPart = point === 0 ? '0' : all.slice(0, point);
    const frac = all.slice(point);
    return sign() + intPart + (frac ? '.' + frac : '') + (int(2) ? exponent(int(660) - 340) : '');
  }],
  // Subnormals and the underflow boundary (5e-324, halfway at ~2.47e-324).
  [0.1, () => {
    const x = randomPositiveDouble(true);
    switch (int(4)) {
      case 0: return sign() + JSON.stringify(x);
      case 1: return sign() + x.toExponential(int(25));
      case 2: return sign() + `2.${digits(1 + int(20), false)}e-324`;
      default: return sign() + `${digits(1 + int(20))}e-${324 + int(30)}`;
    }
  }],
  // The overflow boundary: MAX_VALUE rounds up to Infinity at 2^1024 - 2^970.
  [0.06, () => {
    const forms = [
      () => `1.79769313486231${digits(2 + int(12), false)}e308`,
      () => `17976931348623157${digits(int(8), false)}e${292 - int(3)}`,
      () => `0.17976931348623158${digits(int(10), false)}e309`,
      () => `179769313486231570${'0'.repeat(int(2) ? 291 : 290)}`,
      () => `1797693134862315${pick(['7', '8', '9'])}${digits(293, false)}`,
    ];
    return sign() + pick(forms)();
  }],
  // Overflow to Infinity (must fail) and underflow to 0 (must read as 0).
  [0.1, () => {
    switch (int(4)) {
      case 0: return sign() + `${digits(1 + int(20))}${int(2) ? '.' + digits(1 + int(5), false) : ''}${exponent(309 + int(2000))}`;
      case 1: return sign() + digits(310 + int(100));
      case 2: return sign() + `${digits(1 + int(20))}${exponent(-(330 + int(5000)))}`;
      default: return sign() + `0.${'0'.repeat(320 + int(200))}${digits(1 + int(10))}`;
    }
  }],
  // Integers: small, around 2^53 and 2^64, long.
  [0.1, () => {
    switch (int(4)) {
      case 0: return sign() + String(int(1_000_000));
      case 1: return sign() + String(2n ** 53n + BigInt(int(2000)) - 1000n);
      case 2: return sign() + String(2n ** 64n + BigInt(int(2000)) - 1000n);
      default: return sign() + digits(17 + int(12));
    }
  }],
  // Money-like decimals, powers of ten and other common spellings.
  [0.14, () => {
    switch (int(4)) {
      case 0: return `${int(100_000_000)}.${String(int(100)).padStart(2, '0')}`;
      case 1: return `${sign()}${int(1000)}.${String(int(1000)).padStart(3, '0')}`;
      case 2: return `${sign()}1${exponent(int(700) - 350)}`;
      default: return `${sign()}0.${'0'.repeat(int(10))}${digits(1 + int(17))}`;
    }
  }],
];
const total = generators.reduce((s, [w]) => s + w, 0);
for (const fixed of ['0e40', '0.0e40', '-0e40', '0E+400', '0e999999999999999999', '1e309', '-1e309', '1e-400',
  '5e-324', '2.4703282292062327e-324', '2.4703282292062328e-324', '1.7976931348623157e308',
  '1.7976931348623158e308', '1.7976931348623159e308', '2.2250738585072011e-308', '9007199254740993',
  '18446744073709551616', '123456789012345678901234567890', '0.1', '-0', '1' + '0'.repeat(400) + 'e-300',
  '1000000000000000000000000000000000000000000000000000000000000000000000000000000000001e308']) add(fixed);
while (lines.length < target) {
  let r = Number(next() >> 11n) / 2 ** 53 * total;
  for (const [weight, gen] of generators) {
    if (r < weight) { add(gen()); break; }
    r -= weight;
  }
}
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${lines.length} number tokens to ${out}`);
