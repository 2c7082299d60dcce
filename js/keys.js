// A tenant's signing keys for `serve`: the current key (tokens are signed
// with it) and previous keys (still published, so a rotation never breaks
// tokens in flight), the JWKS sellers verify with, and the signed list of
// revoked tokens. Node only (node:crypto).
//
// signing config (per tenant):
//   { kid, private_key_file }      the current key: a JSON file {kid, jwk} or a
//                                  base64url Ed25519 seed; absent: DIR/signing-key.json,
//                                  generated once (mode 0600)
//   previous: [{ kid, public_jwk } | { kid, private_key_file }]   published, never used to sign
//
// Rotation: generate a new key file, point private_key_file at it with a new
// kid, and list the old key under `previous` until its tokens have expired.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function readKey(file) {
  const text = readFileSync(file, 'utf8').trim();
  if (text.startsWith('{')) {
    const parsed = JSON.parse(text);
    return { kid: parsed.kid, jwk: parsed.jwk ?? parsed };
  }
  const seed = Buffer.from(text, 'base64url');
  if (seed.length !== 32) throw new Error(`${file}: expected {kid, jwk} or a base64url Ed25519 seed`);
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { kid: undefined, jwk: key.export({ format: 'jwk' }) };
}

/** Generates an Ed25519 key file {kid, jwk} (mode 0600). */
export function generateKeyFile(file, kid) {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  writeFileSync(file, JSON.stringify({ kid, jwk }), { mode: 0o600 });
  return { kid, jwk };
}

const publicEntry = (jwk, kid) => {
  const { kty, crv, x } = jwk;
  return { kty, crv, x, kid, alg: 'EdDSA', use: 'sig', key_ops: ['verify'], adcp_use: 'governance-signing' };
};

/** A new Ed25519 key {kid, jwk} (not written anywhere). */
export function generateKey(kid = `gov-${new Date().toISOString().slice(0, 10)}`) {
  return { kid, jwk: generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) };
}

/**
 * `stored`: the current key when it is kept elsewhere ({kid, jwk}; serve
 * --postgres keeps one per tenant in the database so every instance signs
 * alike); a configured private_key_file wins over it.
 */
export function signingKeys(dir, config = {}, stored = null) {
  let file = config.private_key_file;
  if (!file && !stored) {
    file = join(dir, 'signing-key.json');
    if (!existsSync(file)) generateKeyFile(file, config.kid ?? `gov-${new Date().toISOString().slice(0, 10)}`);
  }
  const current = file ? readKey(file) : stored;
  const kid = config.kid ?? current.kid;
  if (!kid) throw new Error(`${file ?? 'the stored key'}: the key has no kid (set signing.kid)`);
  const privateKey = createPrivateKey({ key: current.jwk, format: 'jwk' });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const previous = (config.previous ?? []).map((p) => {
    if (p.public_jwk) return publicEntry(p.public_jwk, p.kid);
    const k = readKey(p.private_key_file);
    return publicEntry(createPublicKey(createPrivateKey({ key: k.jwk, format: 'jwk' })).export({ format: 'jwk' }), p.kid ?? k.kid);
  });
  const jwsSign = (header, payload) => {
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
  };
  return {
    current: { kid, privateJwk: current.jwk, publicJwk },
    /** The JWKS entries: current first, then previous keys. */
    jwks: () => [publicEntry(publicJwk, kid), ...previous.filter((p) => p.kid !== kid)],
    /**
     * The revocation list ({revoked: [...]} from the core's list_revocations)
     * as JSON with its compact JWS (typ adcp-gov-revocation+jws), signed now.
     */
    signRevocations(list, issuer, nowMs = Date.now()) {
      const payload = { iss: issuer, iat: Math.floor(nowMs / 1000), revoked: list.revoked ?? [] };
      return { ...payload, jws: jwsSign({ alg: 'EdDSA', kid, typ: 'adcp-gov-revocation+jws' }, payload) };
    },
  };
}
