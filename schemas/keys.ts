import { Type, type Static } from '@sinclair/typebox'
import { ref } from './common.js'

const EXAMPLE_KID = 'sVr7lrPg5H00IUDe_IkifvCys_6BfLWOwyejdKpdAgA'
const b64url = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]+$', description })

/** Only public members are listed: the serializer drops any other, a private `d` included. */
export const PublicJwk = Type.Object(
  {
    kty: Type.Union([Type.Literal('OKP'), Type.Literal('EC'), Type.Literal('RSA')]),
    kid: Type.String({ description: 'The key id tokens name in their header: the RFC 7638 thumbprint of this key.', examples: [EXAMPLE_KID] }),
    alg: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256'), Type.Literal('RS256')]),
    use: Type.Literal('sig'),
    crv: Type.Optional(Type.Union([Type.Literal('Ed25519'), Type.Literal('P-256')])),
    x: Type.Optional(b64url('OKP and EC: the public point.')),
    y: Type.Optional(b64url('EC: the public point.')),
    n: Type.Optional(b64url('RSA: the modulus.')),
    e: Type.Optional(b64url('RSA: the public exponent.')),
  },
  {
    $id: 'PublicJwk',
    additionalProperties: false,
    description: 'A public signing key (RFC 7517), never a private parameter.',
    examples: [{ kty: 'OKP', kid: EXAMPLE_KID, alg: 'EdDSA', use: 'sig', crv: 'Ed25519', x: 'sE6ETv41g6cgOCUFxmsZXQmfXiQ4Yfcmu6CnqtcDHDw' }],
  },
)
export type PublicJwk = Static<typeof PublicJwk>

export const Jwks = Type.Object(
  { keys: Type.Array(ref(PublicJwk)) },
  {
    $id: 'Jwks',
    additionalProperties: false,
    description: 'A JWK Set (RFC 7517 §5): every key that may still verify a live token. Empty with HS256.',
    examples: [{ keys: [{ kty: 'OKP', kid: EXAMPLE_KID, alg: 'EdDSA', use: 'sig', crv: 'Ed25519', x: 'sE6ETv41g6cgOCUFxmsZXQmfXiQ4Yfcmu6CnqtcDHDw' }] }],
  },
)

export const KeyRotated = Type.Object(
  { kid: Type.String({ description: 'The kid of the new signing key.', examples: [EXAMPLE_KID] }) },
  { $id: 'KeyRotated', additionalProperties: false, examples: [{ kid: EXAMPLE_KID }] },
)

export const IntrospectionRequest = Type.Object(
  {
    token: Type.String({ minLength: 1, description: 'The token to check: an access or a refresh token.', examples: ['eyJhbGciOiJFZERTQSJ9.e30.c2ln'] }),
    token_type_hint: Type.Optional(
      Type.String({ maxLength: 64, description: 'RFC 7662 hint (`access_token`, `refresh_token`); accepted and ignored.', examples: ['access_token'] }),
    ),
  },
  {
    $id: 'IntrospectionRequest',
    additionalProperties: false,
    description: 'RFC 7662 §2.1, as a form (`token=...`) or as JSON. Other fields are 400.',
    examples: [{ token: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln' }],
  },
)
export type IntrospectionRequest = Static<typeof IntrospectionRequest>

const uuid = (description: string) => Type.String({ format: 'uuid', description })

export const Introspection = Type.Object(
  {
    active: Type.Boolean({ description: 'True only when the service itself would accept this token now.' }),
    sub: Type.Optional(Type.String({ description: 'The user id, as a string.', examples: ['1'] })),
    username: Type.Optional(Type.String({ description: "The user's current username.", examples: ['alice'] })),
    token_type: Type.Optional(Type.Union([Type.Literal('access'), Type.Literal('refresh')])),
    exp: Type.Optional(Type.Integer({ description: 'Expiry, seconds since the epoch.', examples: [1736934300] })),
    iat: Type.Optional(Type.Integer({ description: 'Issue time, seconds since the epoch.', examples: [1736933400] })),
    jti: Type.Optional(uuid('The token id.')),
    sid: Type.Optional(uuid('The login session of the token.')),
    roles: Type.Optional(Type.Array(Type.String(), { description: "The user's current roles.", examples: [['admin', 'user']] })),
    iss: Type.Optional(Type.String({ description: 'Only when JWT_ISSUER is set.' })),
    aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'Only when JWT_AUDIENCE is set.' })),
  },
  {
    $id: 'Introspection',
    additionalProperties: false,
    description: 'RFC 7662 §2.2. An inactive token gets `{ "active": false }` and nothing else.',
    examples: [
      {
        active: true,
        sub: '1',
        username: 'alice',
        token_type: 'access',
        exp: 1736934300,
        iat: 1736933400,
        jti: '9b2f6c1e-4d3a-4f5b-8c7d-1e2f3a4b5c6d',
        sid: '3f1c2a9e-8d4b-4c1a-9f2e-5b6d7c8e9a01',
        roles: ['admin', 'user'],
      },
      { active: false },
    ],
  },
)
export type Introspection = Static<typeof Introspection>
