import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Message, ref } from '../../schemas/common.js'
import { EmailChange, EmailVerify, PasswordForgot, PasswordReset } from '../../schemas/email.js'
import { User } from '../../schemas/user.js'
import { HttpError } from '../http/errors.js'
import { authError } from '../http/challenge.js'
import { INVALID, errors, success } from '../http/responses.js'
import { publicUser } from '../repositories/mapping.js'
import { tokenHash } from '../mail/links.js'
import { audit } from '../audit.js'

// The account lifecycle by email: verification, password reset, email change. Links are
// 256 random bits (base64url), kept as SHA-256 only, single-use, expiring, and a newer link of
// a kind voids the older ones; their mails go through the outbox (src/mail/sender.ts).

const INVALID_LINK = 'invalid_link: the link is unknown, expired, already used or replaced by a newer one.'
const LINKS =
  'A link works once, until it expires, while the account still has the address it was sent to; a newer link of the same kind voids it. ' +
  'Every bad link gets the same 400 invalid_link, whatever made it bad.'
const FORGOT_MESSAGE = 'If an account has this email address, a link to reset its password is on its way to it.'
const RESEND_MESSAGE = 'If your account has an email address that is not verified yet, a new verification link is on its way to it.'

const invalidLink = () => new HttpError(400, 'invalid_link', 'This link is invalid, expired, already used or replaced by a newer one.')

const email: FastifyPluginAsyncTypebox = async (app) => {
  const { emailLinks } = app.repos

  app.post(
    '/email/verify',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'verifyEmail',
        summary: 'Verify my email address with the link from the mail',
        description: `Takes the \`token\` of a verification link (\`/app/verify-email?token=...\`) and marks the email verified. ${LINKS}`,
        tags: ['auth'],
        body: ref(EmailVerify),
        response: {
          200: success(User, 'The email is verified: the account, with `email_verified: true`.'),
          ...errors({ 400: `${INVALID_LINK} Or validation_error: the body does not match its schema.` }),
        },
      },
    },
    async (request) => {
      const user = await emailLinks.verifyEmail(tokenHash(request.body.token), new Date())
      if (!user) throw invalidLink()
      audit(request, 'email_verified', { user_id: user.id })
      return publicUser(user)
    },
  )

  app.post(
    '/email/verify/resend',
    {
      config: { auth: 'access', attempts: ['address'] },
      schema: {
        operationId: 'resendVerification',
        summary: 'Send me a new verification link',
        description:
          'Mails a new verification link to the account’s email, voiding the older ones. The answer is the same 202 whether or not a mail goes: ' +
          'none goes when the account has no email or it is already verified.',
        tags: ['me'],
        response: { 202: success(Message, 'Accepted: a mail is on its way if the email needs verifying.') },
      },
    },
    async (request, reply) => {
      const user = request.user
      if (user.email && !user.emailVerified) await app.mail.sendVerification(request, { ...user, email: user.email })
      return reply.code(202).send({ message: RESEND_MESSAGE })
    },
  )

  app.post(
    '/password/forgot',
    {
      config: { auth: 'public', attempts: ['address', 'email'] },
      schema: {
        operationId: 'forgotPassword',
        summary: 'Ask for a password-reset link',
        description:
          'Records the request and answers 202 with one fixed message, the same status, body and work whether or not an account has this email: ' +
          'the request is one database write either way, so neither the answer nor its timing tells which emails have accounts, and a crash after the 202 loses nothing. ' +
          'The background sender then looks the address up and, for an active account, mails a reset link (`/app/reset-password?token=...`, ' +
          'valid PASSWORD_RESET_EXPIRES, default 30 minutes) that voids older reset links; for an unknown email or a deactivated account it sends nothing. ' +
          'The address is never echoed.',
        tags: ['auth'],
        body: ref(PasswordForgot),
        response: {
          202: success(Message, 'Accepted, whatever the email: a reset link is on its way if an active account has it.'),
          ...errors({ 400: INVALID }),
        },
      },
    },
    async (request, reply) => {
      await app.mail.requestReset(request.body.email)
      return reply.code(202).send({ message: FORGOT_MESSAGE })
    },
  )

  app.post(
    '/password/reset',
    {
      config: { auth: 'public', attempts: ['address'] },
      schema: {
        operationId: 'resetPassword',
        summary: 'Set a new password with the link from the reset mail',
        description:
          `Takes the \`token\` of a reset link and the new password. Every session of the user is revoked and the email counts as verified. ${LINKS} ` +
          'The new password is hashed before the link is looked at, so a bad link takes as long as a good one.',
        tags: ['auth'],
        body: ref(PasswordReset),
        response: {
          200: success(Message, 'The password is changed; every session of the user is revoked.'),
          ...errors({
            400: `${INVALID_LINK} Or validation_error: the body does not match its schema.`,
            403: 'user_inactive: the account is deactivated (the link stays unused).',
          }),
        },
      },
    },
    async (request) => {
      const { token, new_password } = request.body
      const passwordHash = await app.passwords.hash(new_password)
      const result = await emailLinks.resetPassword(tokenHash(token), passwordHash, new Date())
      if (!result) throw invalidLink()
      if (result === 'inactive') throw new HttpError(403, 'user_inactive', 'This account is deactivated.')
      audit(request, 'password_reset', { user_id: result.user.id, revoked_sessions: result.revokedSessions })
      return { message: 'Password changed; every session was signed out. Log in with the new password.' }
    },
  )

  app.put(
    '/me/email',
    {
      config: { auth: 'fresh' },
      schema: {
        operationId: 'changeMyEmail',
        summary: 'Change my email address',
        description:
          'Checks the current password, sets the new email (unverified) and voids every unused verification and reset link of the account. ' +
          'A verification link goes to the new address and a notice without any link to the old one (none when only the case of the address changes).',
        tags: ['me'],
        body: ref(EmailChange),
        response: {
          200: success(User, 'The account with its new email, `email_verified: false`.'),
          ...errors({
            400: INVALID,
            403: 'invalid_credentials: the current password is wrong; nothing changed.',
            409: 'conflict: another account has this email.',
          }),
        },
      },
    },
    async (request) => {
      const { email: address, current_password } = request.body
      if (!(await app.passwords.verify(request.user.passwordHash, current_password))) {
        throw new HttpError(403, 'invalid_credentials', 'The current password is wrong.')
      }
      const row = await app.mail.changeEmail(request, request.user, address)
      // Deleted since its token was checked: as if the check had come a moment later.
      if (!row) throw authError('user_not_found', 'The user of this token no longer exists.', true)
      return publicUser(row)
    },
  )
}
export default email
