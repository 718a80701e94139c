import { Type, type Static } from '@sinclair/typebox'
import { Email, Password } from './user.js'

// The bodies of the account-lifecycle routes (verification, reset, email change).

/** What a link in a mail carries. Any string is accepted here: a wrong one is 400 invalid_link, whatever its form. */
const LinkToken = Type.String({
  minLength: 1,
  maxLength: 512,
  description: 'The `token` parameter of the link in the mail (base64url).',
  examples: ['5mB7kQ0f1vXz3rT9yP2wL8cN4hJ6dS0aE1uG7iK3oM9'],
})

export const EmailVerify = Type.Object(
  { token: LinkToken },
  { $id: 'EmailVerify', additionalProperties: false, examples: [{ token: '5mB7kQ0f1vXz3rT9yP2wL8cN4hJ6dS0aE1uG7iK3oM9' }] },
)
export type EmailVerify = Static<typeof EmailVerify>

export const PasswordForgot = Type.Object(
  { email: Email },
  { $id: 'PasswordForgot', additionalProperties: false, examples: [{ email: 'alice@example.com' }] },
)
export type PasswordForgot = Static<typeof PasswordForgot>

export const PasswordReset = Type.Object(
  { token: LinkToken, new_password: Password },
  {
    $id: 'PasswordReset',
    additionalProperties: false,
    examples: [{ token: '5mB7kQ0f1vXz3rT9yP2wL8cN4hJ6dS0aE1uG7iK3oM9', new_password: 'another long passphrase' }],
  },
)
export type PasswordReset = Static<typeof PasswordReset>

export const EmailChange = Type.Object(
  { email: Email, current_password: Type.String({ minLength: 1, maxLength: 1024 }) },
  {
    $id: 'EmailChange',
    additionalProperties: false,
    examples: [{ email: 'alice@example.org', current_password: 'correct horse battery' }],
  },
)
export type EmailChange = Static<typeof EmailChange>
