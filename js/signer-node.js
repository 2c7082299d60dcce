// Synchronous signing with node:crypto (Ed25519 / ES256) for Node.
import { base64url, fromBase64url, thumbprintInput } from './jwk.js';
import { nodeCrypto } from './node-builtins.js';

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function keyObject(privateKey, alg) {
  const { createPrivateKey, generateKeyPairSync } = nodeCrypto();
  if (privateKey === undefined) return generateKeyPairSync(alg === 'ES256' ? 'ec' : 'ed25519', alg === 'ES256' ? { namedCurve: 'P-256' } : {}).privateKey;
  if (typeof privateKey === 'object' && privateKey.type === 'private') return privateKey;  // KeyObject
  if (typeof privateKey === 'object') return createPrivateKey({ key: privateKey, format: 'jwk' });
  if (privateKey.includes('-----BEGIN')) return createPrivateKey(privateKey);
  // A base64url 32-byte Ed25519 seed (the spec's signing.private_key).
  const seed = fromBase64url(privateKey);
  if (seed.length !== 32) throw new TypeError('signing.privateKey: expected a 32-byte Ed25519 seed in base64url');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function createNodeSigner(options = {}) {
  const alg = options.alg ?? 'EdDSA';
  if (alg !== 'EdDSA' && alg !== 'ES256') throw new TypeError('signing.alg must be EdDSA or ES256');
  const { createHash, createPublicKey, sign: cryptoSign } = nodeCrypto();
  const key = keyObject(options.privateKey, alg);
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const kid = options.kid ?? base64url(createHash('sha256').update(thumbprintInput(jwk)).digest());
  const sign = (input) =>
    base64url(alg === 'EdDSA' ? cryptoSign(null, Buffer.from(input), key)
                              : cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }));
  return { alg, kid, sign, publicKey: jwk.x, publicJwk: jwk };
}
