import { Type, type Static } from '@sinclair/typebox'
import { EXAMPLE_TIME, Page, Timestamp } from './common.js'

export const Username = Type.String({
  minLength: 3,
  maxLength: 80,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: '3 to 80 characters of A-Z, a-z, 0-9, `_`, `.`, `-`; unique regardless of case.',
  examples: ['alice'],
})
export const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Unique regardless of case.',
  examples: ['alice@example.com'],
})
export const Password = Type.String({
  minLength: 8,
  maxLength: 128,
  description: '8 to 128 characters, used in full (never truncated).',
  examples: ['correct horse battery'],
})
export const Role = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[a-z][a-z0-9_-]*$',
  description: 'A role name; `admin` grants the admin level.',
  examples: ['admin'],
})

export const User = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    username: Type.String({ examples: ['alice'] }),
    email: Type.Union([Type.String({ examples: ['alice@example.com'] }), Type.Null()]),
    roles: Type.Array(Type.String(), { examples: [['admin', 'user']] }),
    is_admin: Type.Boolean(),
    is_active: Type.Boolean(),
    created_at: Timestamp,
    email_verified: Type.Boolean({ description: 'Whether a link mailed to `email` was followed; false when there is no email.' }),
  },
  {
    $id: 'User',
    additionalProperties: false,
    description: 'A user account. Never carries the password or its hash.',
    examples: [
      {
        id: 1,
        username: 'alice',
        email: 'alice@example.com',
        roles: ['admin', 'user'],
        is_admin: true,
        is_active: true,
        created_at: EXAMPLE_TIME,
        email_verified: true,
      },
    ],
  },
)
export type User = Static<typeof User>

export const UserCreate = Type.Object(
  { username: Username, password: Password, email: Type.Optional(Email) },
  {
    $id: 'UserCreate',
    additionalProperties: false,
    description: 'Any other field (id, roles, is_admin, is_active, created_at...) is rejected with 400.',
    examples: [{ username: 'alice', password: 'correct horse battery', email: 'alice@example.com' }],
  },
)
export type UserCreate = Static<typeof UserCreate>

export const UserUpdate = Type.Object(
  {
    roles: Type.Optional(Type.Array(Role, { maxItems: 16, uniqueItems: true })),
    is_active: Type.Optional(Type.Boolean()),
  },
  {
    $id: 'UserUpdate',
    additionalProperties: false,
    minProperties: 1,
    examples: [{ roles: ['user'], is_active: false }],
  },
)
export type UserUpdate = Static<typeof UserUpdate>

export const UsersPage = Page(User, 'UsersPage')
