import { setTimeout as sleep } from 'node:timers/promises'
import type { AppConfig } from '../app.js'
import { audit } from '../audit.js'
import { authError } from '../http/challenge.js'
import type { SigningKeyRow, SigningKeysRepository } from '../repositories/types.js'
import { sealer } from '../seal.js'
import type { AsymmetricAlgorithm } from './algorithms.js'
import { newRow, rowEntry, rowSigner } from './entries.js'
import type { Keys, KeysLog } from './index.js'
import { keySet, type SignKey, type VerifyKey } from './key-set.js'
import { verifyOptions } from './verify-options.js'

/** Unknown-kid reloads: at most one a second, however many such tokens arrive. */
const RELOAD_GAP_MS = 1000
/**
 * Added to a retired key's life beyond the longest token lifetime: other instances sign with
 * it until their next reload (10 s), and the database and the clocks take their time.
 */
const RETIRE_MARGIN_MS = 60_000

/** The current key: the newest not retired (rows come by generation). */
const currentOf = (rows: SigningKeyRow[]) => rows.filter((row) => row.retiredAt === null).at(-1)

/**
 * Key pairs kept in the database, the private part sealed with JWT_SECRET_KEY, shared by
 * every instance: loaded into memory (verification never waits for the database), reloaded
 * periodically and when a token names a kid not loaded yet; rotated by compare-and-set, so
 * of two instances rotating (or creating the first key) at once, one wins and the other
 * adopts its key.
 */
export async function storedKeys(config: AppConfig, repo: SigningKeysRepository, log: KeysLog): Promise<Keys> {
  const alg = config.jwtAlgorithm as AsymmetricAlgorithm
  const options = verifyOptions(config)
  const seal = sealer(config.jwtSecret, 'signing key')
  const lifetimeMs = (config.refreshTokenTtl + config.jwtLeeway) * 1000 + RETIRE_MARGIN_MS
  const set = keySet(true, config.jwtLeeway)
  let rows: SigningKeyRow[] = []
  let entries = new Map<string, VerifyKey>()
  let signing: SignKey | undefined

  function apply(next: SigningKeyRow[]) {
    // Entries that did not change are kept, and with them their verifier's cache.
    const kept = new Map<string, VerifyKey>()
    for (const row of next) {
      const old = entries.get(row.kid)
      kept.set(row.kid, old && old.until === row.verifyUntil?.getTime() ? old : rowEntry(row, options))
    }
    const current = currentOf(next)
    if (current && current.kid !== signing?.kid) {
      try {
        signing = rowSigner(current, seal)
      } catch (err) {
        log.error({ err, kid: current.kid }, 'the current signing key cannot be opened: was it sealed with another JWT_SECRET_KEY?')
      }
    }
    rows = next
    entries = kept
    set.replace([...kept.values()], signing)
  }

  // Reloads run one after another, so an older list never replaces a newer one.
  let queue: Promise<unknown> = Promise.resolve()
  function reload(): Promise<void> {
    const run = queue.then(async () => apply(await repo.list()))
    queue = run.catch(() => undefined)
    return run
  }

  let lastSoon = 0
  let soon: Promise<void> | undefined
  /** A reload that starts after now, shared by every caller until it starts; one a second at most. */
  function reloadSoon(): Promise<void> {
    soon ??= sleep(Math.max(0, lastSoon + RELOAD_GAP_MS - Date.now())).then(() => {
      soon = undefined
      lastSoon = Date.now()
      return reload()
    })
    return soon
  }

  /** Makes a new key current in place of `previous`: the new row when this instance won. */
  async function install(previous: SigningKeyRow | undefined): Promise<SigningKeyRow | undefined> {
    const now = new Date()
    const generation = Math.max(0, ...rows.map((row) => row.generation)) + 1
    const row = await newRow(alg, seal, generation, now)
    const won = await repo.install(row, previous?.kid ?? null, { at: now, verifyUntil: new Date(now.getTime() + lifetimeMs) })
    await reload()
    return won ? row : undefined
  }

  /** Rotates without being asked: `reason` goes in the security event. */
  async function rotateFor(reason: string, previous: SigningKeyRow) {
    const row = await install(previous)
    if (row) audit({ log }, 'key_rotated_automatically', { kid: row.kid, previous_kid: previous.kid, alg, reason })
  }

  async function rotateIfDue() {
    const current = currentOf(rows)
    if (config.keyRotation === undefined || !current) return
    if (current.createdAt.getTime() + config.keyRotation * 1000 <= Date.now()) await rotateFor('JWT_KEY_ROTATION', current)
  }

  await reload()
  if (!currentOf(rows)) {
    const row = await install(undefined)
    if (row) audit({ log }, 'key_created', { kid: row.kid, alg })
  }
  const current = currentOf(rows)
  if (!current) throw new Error('no current signing key after creating one')
  if (current.alg !== alg) await rotateFor(`JWT_ALGORITHM changed from ${current.alg}`, current)
  else if (signing?.kid !== current.kid) await rotateFor('the current key was sealed with another JWT_SECRET_KEY', current)
  await rotateIfDue()

  return {
    algorithm: alg,
    sign: set.sign,
    verify: set.verify,
    async verifyAfterReload(token) {
      await reloadSoon()
      const claims = set.verify(token)
      if (!claims) throw authError('invalid_token', 'The token is not valid.', true)
      return claims
    },
    jwks: set.jwks,
    async rotate() {
      // Losing the race to another instance's rotation is no answer to "rotate": try again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const previous = currentOf(rows)
        const row = await install(previous)
        if (row) return { kid: row.kid, previousKid: previous?.kid }
      }
      throw new Error('the key was rotated by other instances three times in a row meanwhile')
    },
    async tick() {
      await reload()
      const now = new Date()
      if (rows.some((row) => row.verifyUntil !== null && row.verifyUntil <= now)) {
        const removed = await repo.deleteExpired(now)
        if (removed) log.info({ event: 'signing_keys_pruned', removed }, 'expired signing keys deleted')
        await reload()
      }
      await rotateIfDue()
    },
  }
}
