import type { TokenClaims } from '../../schemas/auth.js'

/** How many verified tokens are kept; past it, the oldest goes first. */
const MAX_ENTRIES = 10_000

/**
 * Tokens whose signature and claims verified, by the token itself, until their `exp` (with the
 * leeway): a token seen again is not decoded, HMAC-checked or hashed again. It says only that
 * the token is well formed and signed by us; the session and the user behind it are still
 * checked on every request, so revocation is unaffected. Only successes are kept.
 */
export function verifiedTokens(leewaySeconds: number) {
  const entries = new Map<string, TokenClaims>()
  return {
    get(token: string, nowSeconds: number): TokenClaims | undefined {
      const claims = entries.get(token)
      if (claims === undefined) return undefined
      if (claims.exp + leewaySeconds > nowSeconds) return claims
      entries.delete(token)
      return undefined
    },
    set(token: string, claims: TokenClaims) {
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!)
      entries.set(token, claims)
    },
  }
}
