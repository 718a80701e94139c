import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { createVerifier, type VerifierOptions } from 'fast-jwt'
import type { PublicJwk } from '../../schemas/keys.js'
import type { SigningKeyRow } from '../repositories/types.js'
import type { Sealer } from '../seal.js'
import { canonicalSignature, generateKeys, signatureBytes, type Algorithm, type AsymmetricAlgorithm } from './algorithms.js'
import type { SignKey, VerifyKey } from './key-set.js'
import { PUBLIC_MEMBERS, secretKid, thumbprint } from './kid.js'

// How secrets and database rows become the key set's entries.

/** Only the public members of a JWK (a private key's export has `d`, and more for RSA). */
export function publicMembers(jwk: JsonWebKey): JsonWebKey {
  const names = PUBLIC_MEMBERS[String(jwk.kty)] ?? []
  return Object.fromEntries(names.map((name) => [name, jwk[name]]))
}

/** An HS256 secret that verifies: its own kid, HS256 pinned. */
export function secretEntry(secret: string, options: VerifierOptions): VerifyKey {
  return {
    kid: secretKid(secret),
    alg: 'HS256',
    verify: createVerifier({ ...options, key: secret, algorithms: ['HS256'] }),
    signature: canonicalSignature(signatureBytes('HS256')),
  }
}

export const secretSigner = (secret: string): SignKey => ({ kid: secretKid(secret), alg: 'HS256', key: secret })

/** A key pair's row that verifies: its public key only, its algorithm pinned, until its verifyUntil. */
export function rowEntry(row: SigningKeyRow, options: VerifierOptions): VerifyKey {
  const alg = row.alg as AsymmetricAlgorithm
  const jwk = publicMembers(JSON.parse(row.publicJwk) as JsonWebKey)
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' })
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  return {
    kid: row.kid,
    alg,
    verify: createVerifier({ ...options, key: pem, algorithms: [alg] }),
    signature: canonicalSignature(signatureBytes(alg, publicKey)),
    until: row.verifyUntil?.getTime(),
    jwk: { ...jwk, kid: row.kid, alg, use: 'sig' } as PublicJwk,
  }
}

/** The row's private key, unsealed: throws when it was sealed with another JWT_SECRET_KEY. */
export function rowSigner(row: SigningKeyRow, sealer: Sealer): SignKey {
  const key: KeyObject = createPrivateKey(sealer.open(row.sealedPrivateKey, row.kid))
  return { kid: row.kid, alg: row.alg as Algorithm, key }
}

/** A new key pair as a row: kid = its thumbprint, the private key sealed with the kid as context. */
export async function newRow(alg: AsymmetricAlgorithm, sealer: Sealer, generation: number, now: Date): Promise<SigningKeyRow> {
  const { publicKey, privateKey } = await generateKeys(alg)
  const jwk = publicMembers(publicKey.export({ format: 'jwk' }))
  const kid = thumbprint(jwk)
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  return {
    kid,
    generation,
    alg,
    publicJwk: JSON.stringify(jwk),
    sealedPrivateKey: sealer.seal(pem, kid),
    createdAt: now,
    retiredAt: null,
    verifyUntil: null,
  }
}
