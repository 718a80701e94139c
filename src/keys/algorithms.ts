import { createHmac, generateKeyPair, sign, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'

export const ALGORITHMS = ['HS256', 'EdDSA', 'ES256', 'RS256'] as const
export type Algorithm = (typeof ALGORITHMS)[number]
export type AsymmetricAlgorithm = Exclude<Algorithm, 'HS256'>

const generate = promisify(generateKeyPair)

/** A new key pair for `alg` (asynchronous: an RSA key takes a while, and requests go on meanwhile). */
export function generateKeys(alg: AsymmetricAlgorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (alg) {
    case 'EdDSA':
      return generate('ed25519')
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' })
    case 'RS256':
      return generate('rsa', { modulusLength: 2048 })
  }
}

/** The signature of `input` in base64url, as JWS wants it (ES256: r||s, not DER). */
export function signWith(alg: Algorithm, key: KeyObject | string, input: string): string {
  if (alg === 'HS256') return createHmac('sha256', key).update(input).digest('base64url')
  const data = Buffer.from(input)
  if (alg === 'EdDSA') return sign(null, data, key as KeyObject).toString('base64url')
  if (alg === 'ES256') return sign('sha256', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  return sign('sha256', data, key as KeyObject).toString('base64url')
}

/** Bytes of a signature: HMAC-SHA256 32, Ed25519 and P-256 (r||s) 64, RSA the modulus's length. */
export function signatureBytes(alg: Algorithm, publicKey?: KeyObject): number {
  if (alg === 'HS256') return 32
  if (alg === 'RS256') return (publicKey?.asymmetricKeyDetails?.modulusLength ?? 2048) / 8
  return 64
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * The canonical base64url spelling of an `bytes`-byte signature. fast-jwt decodes leniently:
 * when the length leaves spare bits (2 for 32 bytes, 4 for 64 or 256) a token with them set
 * would be a second spelling of one signature. Only the form whose last character leaves
 * them at zero is accepted.
 */
export function canonicalSignature(bytes: number): RegExp {
  const chars = Math.ceil((bytes * 8) / 6)
  const spare = chars * 6 - bytes * 8
  const last = [...ALPHABET].filter((_, i) => i % (1 << spare) === 0).join('')
  return new RegExp(`^[A-Za-z0-9_-]{${chars - 1}}[${last}]$`)
}
