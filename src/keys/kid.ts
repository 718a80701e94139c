import { createHash, hkdfSync, type JsonWebKey } from 'node:crypto'

/**
 * The kid of an HS256 secret: 16 bytes of HKDF-SHA256 keyed by the secret, with a label of
 * its own. A keyed derivation, not a hash prefix: it tells nothing about the secret that any
 * token signed with it did not already tell, and it is no use as a key anywhere else.
 */
export function secretKid(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'stores-api jwt kid', 16)).toString('base64url')
}

/** The public members of each key type, in the lexicographic order RFC 7638 hashes them in. */
export const PUBLIC_MEMBERS: Record<string, readonly string[]> = { OKP: ['crv', 'kty', 'x'], EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'] }

/** The RFC 7638 thumbprint of a public JWK: the kid of a key pair, derived from public values only. */
export function thumbprint(jwk: JsonWebKey): string {
  const names = PUBLIC_MEMBERS[String(jwk.kty)]
  if (!names) throw new Error(`no thumbprint for kty ${String(jwk.kty)}`)
  const canonical = JSON.stringify(Object.fromEntries(names.map((name) => [name, jwk[name]])))
  return createHash('sha256').update(canonical).digest('base64url')
}

/** The shape of every kid this service makes (22 or 43 base64url characters): only these can be worth a reload. */
export const KID_SHAPE = /^(?:[A-Za-z0-9_-]{22}|[A-Za-z0-9_-]{43})$/
