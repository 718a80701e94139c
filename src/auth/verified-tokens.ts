import type { TokenClaims } from '../../schemas/auth.js'

/** How many verified tokens are kept; past it, the oldest goes first. */
const MAX_ENTRIES = 10_000

/**
 * Tokens whose signature and claims verified, by the token itself, until their `exp` (with the
 * leeway), with the key that verified them: a token seen again is not decoded, checked or
 * hashed again as long as that key still verifies. It says only that the token is well formed
 * and signed by us; the session and the user behind it are still checked on every request, so
 * revocation is unaffected. Only successes are kept.
 */
export function verifiedTokens<Key>(leewaySeconds: number) {
  const entries = new Map<string, { claims: TokenClaims; key: Key }>()
  return {
    get(token: string, nowSeconds: number) {
      const entry = entries.get(token)
      if (entry === undefined) return undefined
      if (entry.claims.exp + leewaySeconds > nowSeconds) return entry
      entries.delete(token)
      return undefined
    },
    set(token: string, claims: TokenClaims, key: Key) {
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!)
      entries.set(token, { claims, key })
    },
  }
}
