import { pgErrorOf } from '../../db/postgres.js'
import { UnavailableError } from '../errors.js'
import { onErrors } from '../wrap.js'

/** lock_not_available: a statement waited lock_timeout for a lock held elsewhere. */
const LOCK_NOT_AVAILABLE = '55P03'

/** `repo` with a lock timeout reported as UnavailableError (503 with Retry-After), as on SQLite. */
export const unavailableOnLockTimeout = <R extends object>(repo: R): R =>
  onErrors(repo, async (err) => {
    if (pgErrorOf(err)?.code === LOCK_NOT_AVAILABLE) throw new UnavailableError('The database is busy; try again shortly.')
    throw err
  })
