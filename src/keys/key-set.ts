import type { KeyObject } from 'node:crypto'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { TokenClaims } from '../../schemas/auth.js'
import type { PublicJwk } from '../../schemas/keys.js'
import { authError } from '../http/challenge.js'
import { signWith, type Algorithm } from './algorithms.js'
import { KID_SHAPE } from './kid.js'
import { verifiedTokens } from '../auth/verified-tokens.js'

/** A key that verifies: the tokens of one kid, of one algorithm, up to a time. */
export interface VerifyKey {
  kid: string
  alg: Algorithm
  /** fast-jwt's verifier for this key alone: its algorithm pinned, its own cache. */
  verify: (token: string) => unknown
  /** The canonical spelling of this key's signatures. */
  signature: RegExp
  /** Epoch ms from which it verifies nothing (a retired key); undefined while it signs. */
  until?: number | undefined
  /** What the JWKS publishes; none for a secret. */
  jwk?: PublicJwk
}

/** The key that signs. */
export interface SignKey {
  kid: string
  alg: Algorithm
  key: KeyObject | string
}

const claimsCheck = TypeCompiler.Compile(TokenClaims)
const HEADER_CACHE_SIZE = 1000
const invalid = () => authError('invalid_token', 'The token is not valid.', true)

interface Header {
  alg: unknown
  kid: unknown
}

function parseHeader(segment: string): Header | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString())
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
    const { alg, kid } = value as Header
    return { alg, kid }
  } catch {
    return undefined
  }
}

/**
 * The keys of one instance, in memory, so that verifying a token is synchronous: the kid in
 * its header picks the key (never a key named by jku, x5u or jwk), the key's algorithm must
 * be the header's, then that key's verifier runs. `reloadable`: the keys live in the
 * database, and a well-formed kid not loaded yet may be another instance's new key.
 */
export function keySet(reloadable: boolean, leewaySeconds: number) {
  let byKid = new Map<string, VerifyKey>()
  /** Verifies tokens without a kid (HS256 only: those issued before kids). */
  let legacy: VerifyKey | undefined
  let signer: { kid: string; sign: (input: string) => string; head: string } | undefined
  // Every token of one key has the same header: parse each distinct one once.
  const headers = new Map<string, Header>()
  // A token seen again is not parsed, hashed or checked again (its key outlives it).
  const verified = verifiedTokens<VerifyKey>(leewaySeconds)

  function headerOf(token: string): Header | undefined {
    const segment = token.slice(0, Math.max(0, token.indexOf('.')))
    const cached = headers.get(segment)
    if (cached) return cached
    const header = parseHeader(segment)
    if (header && segment.length <= 512) {
      if (headers.size >= HEADER_CACHE_SIZE) headers.clear()
      headers.set(segment, header)
    }
    return header
  }

  return {
    /** Swaps in a new set (verifiers of kids that stay are passed in again, caches and all). */
    replace(keys: VerifyKey[], sign: SignKey | undefined, legacyKid?: string) {
      byKid = new Map(keys.map((key) => [key.kid, key]))
      legacy = legacyKid === undefined ? undefined : byKid.get(legacyKid)
      if (!sign || sign.kid === signer?.kid) return
      const head = Buffer.from(JSON.stringify({ alg: sign.alg, typ: 'JWT', kid: sign.kid })).toString('base64url')
      signer = { kid: sign.kid, head, sign: (input) => signWith(sign.alg, sign.key, input) }
    },

    sign(claims: TokenClaims): string {
      if (!signer) throw new Error('no signing key loaded')
      const input = `${signer.head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
      return `${input}.${signer.sign(input)}`
    },

    /**
     * The claims of a token this instance accepts, or a 401 `invalid_token` / `token_expired`.
     * Undefined only when the kid is unknown but could be another instance's newer key: reload,
     * then ask again.
     */
    verify(token: string): TokenClaims | undefined {
      const now = Date.now()
      const seen = verified.get(token, Math.floor(now / 1000))
      // Kept only while the key that verified it is still loaded and in force.
      if (seen && byKid.get(seen.key.kid) === seen.key && (seen.key.until === undefined || now < seen.key.until)) return seen.claims
      const header = headerOf(token)
      if (!header) throw invalid()
      const { kid } = header
      if (kid !== undefined && typeof kid !== 'string') throw invalid()
      const key = kid === undefined ? legacy : byKid.get(kid)
      if (!key) {
        if (reloadable && kid !== undefined && KID_SHAPE.test(kid)) return undefined
        throw invalid()
      }
      if (header.alg !== key.alg || (key.until !== undefined && now >= key.until)) throw invalid()
      if (!key.signature.test(token.slice(token.lastIndexOf('.') + 1))) throw invalid()
      let payload: unknown
      try {
        payload = key.verify(token)
      } catch (err) {
        if ((err as { code?: string }).code === 'FAST_JWT_EXPIRED') throw authError('token_expired', 'The token has expired.', true)
        throw invalid()
      }
      if (!claimsCheck.Check(payload)) {
        throw authError('invalid_token', 'The token lacks a required claim or has one of the wrong type.', true)
      }
      verified.set(token, payload, key)
      return payload
    },

    /** The public JWKs of every key that may still verify a live token, the signing one first. */
    jwks(): PublicJwk[] {
      const now = Date.now()
      const live = [...byKid.values()].filter((key) => key.jwk && (key.until === undefined || key.until > now))
      live.sort((a, b) => Number(b.kid === signer?.kid) - Number(a.kid === signer?.kid))
      return live.map((key) => key.jwk!)
    },
  }
}
export type KeySet = ReturnType<typeof keySet>
