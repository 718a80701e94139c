import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Jwks, KeyRotated } from '../../schemas/keys.js'
import { audit } from '../audit.js'
import { HttpError } from '../http/errors.js'
import { errors, success } from '../http/responses.js'
import { RotationUnsupported } from '../keys/index.js'

const JWKS_CACHE = 'public, max-age=300'

const keys: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/.well-known/jwks.json',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'getJwks',
        summary: 'Public keys that verify the tokens (JWKS)',
        description:
          'The public JWKs of every key that may still verify a live token: the current signing key first, then retired ' +
          'keys until the last token they signed has expired. A token names its key by the `kid` of its header. With ' +
          'JWT_ALGORITHM=HS256 the list is empty: a shared secret is never published. Cached for 5 minutes ' +
          '(`no-store` instead when the request carried credentials, like every credentialed answer): a verifier ' +
          'that meets an unknown `kid` should fetch it again (a new key signs at once after a rotation).',
        tags: ['keys'],
        response: {
          200: {
            ...success(Jwks, 'The key set.'),
            headers: { 'Cache-Control': { type: 'string', description: 'Public, for 5 minutes.', examples: [JWKS_CACHE] } },
          },
        },
      },
    },
    async (_request, reply) => {
      // A request that carried credentials already has no-store (response-headers.ts): it keeps it.
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', JWKS_CACHE)
      return { keys: app.keys.jwks() }
    },
  )

  app.post(
    '/keys/rotate',
    {
      config: { auth: 'admin+fresh' },
      schema: {
        operationId: 'rotateKey',
        summary: 'Rotate the signing key',
        description:
          'Makes a new key pair the signing key, at once on this instance and within 30 seconds on the others sharing the ' +
          'database. Tokens signed by the previous key stay valid (their key stays in the JWKS) until they expire. ' +
          'Takes no body. With JWT_ALGORITHM=HS256 it is 409: a secret is rotated by moving JWT_SECRET_KEY to ' +
          'JWT_PREVIOUS_SECRET_KEYS and setting a new one.',
        tags: ['keys'],
        response: {
          200: success(KeyRotated, 'The new signing key.'),
          ...errors({ 409: 'conflict: JWT_ALGORITHM is HS256, whose secret comes from the configuration.' }),
        },
      },
    },
    async (request) => {
      try {
        const { kid, previousKid } = await app.keys.rotate()
        audit(request, 'key_rotated', { user_id: request.user.id, kid, previous_kid: previousKid, alg: app.keys.algorithm })
        return { kid }
      } catch (err) {
        if (err instanceof RotationUnsupported) throw new HttpError(409, 'conflict', err.message)
        throw err
      }
    },
  )
}
export default keys
