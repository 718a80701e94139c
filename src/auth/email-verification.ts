import type { Config } from '../config.js'
import { HttpError } from '../http/errors.js'
import type { UserRow } from '../repositories/types.js'

/**
 * With EMAIL_VERIFICATION=required, only a user with a verified email may open or keep a
 * session: checked where sessions are opened (/login) and extended (/refresh).
 */
export const mayHoldSession = (config: Pick<Config, 'emailVerification'>, user: UserRow) =>
  config.emailVerification !== 'required' || (user.email !== null && user.emailVerified)

export const emailUnverified = () =>
  new HttpError(403, 'email_unverified', 'Verify your email address first: follow the link in the verification mail.')

export const EMAIL_UNVERIFIED = 'email_unverified: with EMAIL_VERIFICATION=required, the account’s email is not verified.'
