/**
 * The auth levels. A route states one in `config.auth`; the auth plugin enforces it and the
 * auth-openapi plugin documents it, both from this table. `introspection` is not a user's
 * token but the INTROSPECTION_TOKEN credential of other services.
 */
export type AuthLevel =
  | 'public'
  | 'optional'
  | 'access'
  | 'fresh'
  | 'admin'
  | 'admin+fresh'
  | 'self'
  | 'self+fresh'
  | 'refresh'
  | 'introspection'

/** The levels a user's token satisfies. */
export type TokenLevel = Exclude<AuthLevel, 'public' | 'introspection'>

export interface Requirement {
  type: 'access' | 'refresh'
  optional?: boolean
  fresh?: boolean
  admin?: boolean
  /** The account the path's `{id}` names must be the caller's own, unless the caller is an admin. */
  self?: boolean
}

export const REQUIREMENTS: Record<TokenLevel, Requirement> = {
  optional: { type: 'access', optional: true },
  access: { type: 'access' },
  fresh: { type: 'access', fresh: true },
  admin: { type: 'access', admin: true },
  'admin+fresh': { type: 'access', admin: true, fresh: true },
  self: { type: 'access', self: true },
  'self+fresh': { type: 'access', self: true, fresh: true },
  refresh: { type: 'refresh' },
}

export const LEVEL_TEXT: Record<AuthLevel, string> = {
  public: 'Public: no token needed.',
  optional: 'Optional auth: works without a token; a token, if sent, must be a valid access token.',
  access: 'Needs a valid access token.',
  fresh: 'Needs a fresh access token (from `POST /login`, not `POST /refresh`).',
  admin: 'Needs an access token of a user with role `admin`.',
  'admin+fresh': 'Needs a fresh access token of a user with role `admin`.',
  self: 'Needs an access token of the user `{id}` names, or of an admin.',
  'self+fresh': 'Needs a fresh access token of the user `{id}` names, or of an admin.',
  refresh: 'Needs a refresh token (in the Authorization header, or the refresh cookie in cookie mode).',
  introspection: 'Needs `Authorization: Bearer <INTROSPECTION_TOKEN>`: the credential shared with the services that introspect, not a user token.',
}
