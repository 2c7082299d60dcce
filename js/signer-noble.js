// Synchronous signing with @noble/curves (Ed25519 / ES256) for browsers,
// workers and edge runtimes.
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, fromBase64url, thumbprintInput, utf8 } from './jwk.js';

function secretKey(privateKey, size) {
  if (privateKey === undefined) return crypto.getRandomValues(new Uint8Array(size));
  if (typeof privateKey === 'object' && typeof privateKey.d === 'string') return fromBase64url(privateKey.d);
  if (typeof privateKey === 'string') return fromBase64url(privateKey);
  throw new TypeError('signing.privateKey: expected a base64url seed or a JWK with `d`');
}

export function createNobleSigner(options = {}) {
  const alg = options.alg ?? 'EdDSA';
  let jwk, sign;
  if (alg === 'EdDSA') {
    const sk = secretKey(options.privateKey, 32);
    if (sk.length !== 32) throw new TypeError('signing.privateKey: expected a 32-byte Ed25519 seed');
    jwk = { kty: 'OKP', crv: 'Ed25519', x: base64url(ed25519.getPublicKey(sk)) };
    sign = (input) => base64url(ed25519.sign(utf8.encode(input), sk));
  } else if (alg === 'ES256') {
    const sk = secretKey(options.privateKey, 32);
    const pub = p256.getPublicKey(sk, false);  // 0x04 || x || y
    jwk = { kty: 'EC', crv: 'P-256', x: base64url(pub.slice(1, 33)), y: base64url(pub.slice(33)) };
    sign = (input) => base64url(p256.sign(utf8.encode(input), sk, { prehash: true, format: 'compact' }));
  } else {
    throw new TypeError('signing.alg must be EdDSA or ES256');
  }
  const kid = options.kid ?? base64url(sha256(thumbprintInput(jwk)));
  return { alg, kid, sign, publicKey: jwk.x, publicJwk: jwk };
}
