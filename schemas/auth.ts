import { Type, type Static } from '@sinclair/typebox'
import { EXAMPLE_TIME, Page, Timestamp } from './common.js'
import { Password } from './user.js'

const LoginPassword = Type.String({ minLength: 1, maxLength: 1024, examples: ['correct horse battery'] })
const LoginEmail = Type.String({ minLength: 1, maxLength: 254, examples: ['alice@example.com'] })

/**
 * Two explicit shapes rather than one object with `anyOf: [{ required: [username] }, { required: [email] }]`:
 * generated clients (openapi-typescript) turn that form into `unknown`, and this one into a precise union.
 */
export const LoginRequest = Type.Union(
  [
    Type.Object(
      {
        username: Type.String({ minLength: 1, maxLength: 254, description: 'Username, or an email address.', examples: ['alice'] }),
        email: Type.Optional(LoginEmail),
        password: LoginPassword,
      },
      { title: 'By username', additionalProperties: false },
    ),
    Type.Object({ email: LoginEmail, password: LoginPassword }, { title: 'By email', additionalProperties: false }),
  ],
  {
    $id: 'LoginRequest',
    description:
      'Either `username` or `email` with the password. A `username` containing `@` is looked up as an email. ' +
      'When both are sent, `username` is used.',
    examples: [{ username: 'alice', password: 'correct horse battery' }],
  },
)
export type LoginRequest = Static<typeof LoginRequest>

export const TokenPair = Type.Object(
  {
    access_token: Type.String({ description: 'JWT to send as `Authorization: Bearer <token>`.' }),
    refresh_token: Type.String({ description: 'JWT for `POST /refresh`; single use (rotated).' }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires.', examples: [900] }),
    refresh_expires_in: Type.Integer({
      description: 'Seconds until the refresh token (and its session) expires.',
      examples: [2592000],
    }),
  },
  {
    $id: 'TokenPair',
    additionalProperties: false,
    examples: [
      {
        access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6ImFjY2VzcyJ9.c2lnbmF0dXJl',
        refresh_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6InJlZnJlc2gifQ.c2lnbmF0dXJl',
        token_type: 'Bearer',
        expires_in: 900,
        refresh_expires_in: 2592000,
      },
    ],
  },
)
export type TokenPair = Static<typeof TokenPair>

export const Session = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    created_at: Timestamp,
    last_used_at: Timestamp,
    expires_at: Timestamp,
    user_agent: Type.Union([Type.String(), Type.Null()]),
    current: Type.Boolean({ description: 'True for the session of the token making this request.' }),
  },
  {
    $id: 'Session',
    additionalProperties: false,
    description: 'A login session: one per `POST /login`.',
    examples: [
      {
        id: '3f1c2a9e-8d4b-4c1a-9f2e-5b6d7c8e9a01',
        created_at: EXAMPLE_TIME,
        last_used_at: EXAMPLE_TIME,
        expires_at: '2025-02-14T09:30:00.000Z',
        user_agent: 'Mozilla/5.0',
        current: true,
      },
    ],
  },
)
export type Session = Static<typeof Session>

export const SessionsPage = Page(Session, 'SessionsPage')

export const SessionIdParam = Type.Object(
  { sid: Type.String({ format: 'uuid', description: 'Session id.', examples: ['3f1c2a9e-8d4b-4c1a-9f2e-5b6d7c8e9a01'] }) },
)

export const PasswordChange = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 1024 }),
    new_password: Password,
  },
  {
    $id: 'PasswordChange',
    additionalProperties: false,
    examples: [{ current_password: 'correct horse battery', new_password: 'another long passphrase' }],
  },
)
export type PasswordChange = Static<typeof PasswordChange>

export const LogoutAll = Type.Object(
  {
    message: Type.String({ examples: ['Logged out of every session.'] }),
    revoked_sessions: Type.Integer({ minimum: 0, examples: [3] }),
  },
  { $id: 'LogoutAll', additionalProperties: false, examples: [{ message: 'Logged out of every session.', revoked_sessions: 3 }] },
)

const uuid = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
const commonClaims = {
  sub: Type.String({ pattern: '^[1-9][0-9]{0,9}$' }),
  jti: Type.String({ pattern: uuid }),
  sid: Type.String({ pattern: uuid }),
  iat: Type.Integer(),
  exp: Type.Integer(),
  nbf: Type.Optional(Type.Integer()),
  iss: Type.Optional(Type.String()),
  aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  is_admin: Type.Optional(Type.Boolean()),
  roles: Type.Optional(Type.Array(Type.String())),
  csrf: Type.Optional(Type.String()),
}

/** Claims every token must carry, by type (checked after the signature). Not part of the HTTP API. */
export const TokenClaims = Type.Union([
  Type.Object({ ...commonClaims, type: Type.Literal('access'), fresh: Type.Boolean() }),
  Type.Object({ ...commonClaims, type: Type.Literal('refresh') }),
])
export type TokenClaims = Static<typeof TokenClaims>
