// splitmix64 as a byte source: a tiny seeded generator for reproducible ids
// and keys in tests (not for secrecy). The same stream as the C++ test host
// (tests/core/test_util.h), so seeded runs agree across languages.
export function seededRandom(seed = 1n) {
  let state = BigInt.asUintN(64, BigInt(seed));
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      state = BigInt.asUintN(64, state + 0x9E3779B97F4A7C15n);
      let z = state;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
      z ^= z >> 31n;
      for (let k = 0; k < 8 && i + k < n; ++k, z >>= 8n) out[i + k] = Number(z & 0xFFn);
    }
    return out;
  };
}
