// What data access reports besides values: the error handler gives each its HTTP status
// (src/http/error-body.ts), so repositories know nothing of HTTP.

/** A write that a uniqueness or consistency rule refuses (a name taken, the last admin). */
export class ConflictError extends Error {
  override name = 'ConflictError'
}

/** A write that refers to a row that does not exist (an item's store). */
export class MissingError extends Error {
  override name = 'MissingError'
}

/** The database could not take the write in time (a lock held elsewhere): try again shortly. */
export class UnavailableError extends Error {
  override name = 'UnavailableError'
  constructor(
    message: string,
    /** Seconds after which a retry may succeed. */
    readonly retryAfter = 1,
  ) {
    super(message)
  }
}
