import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import { documentHeaders } from '../../http/openapi-headers.js'
import { packageInfo as pkg } from '../../package-info.js'

/** In the order a newcomer uses the API: sign in, look around, then administration and service checks. */
const TAGS = [
  { name: 'auth', description: 'Registration, login, token refresh and logout.' },
  { name: 'me', description: 'The signed-in user: profile, sessions, password.' },
  { name: 'stores', description: 'Stores.' },
  { name: 'items', description: 'Items, each in one store.' },
  { name: 'users', description: 'User administration.' },
  { name: 'keys', description: 'Keys other services verify tokens with: the JWKS, rotation, introspection.' },
  { name: 'meta', description: 'Service information and health.' },
]

/** OpenAPI 3.1 from the routes' TypeBox schemas; shared `$id` schemas become named components. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Stores API',
          version: pkg.version,
          description: `${pkg.description}\n\nErrors always use the \`Error\` schema. Lists are paginated with \`limit\` (1-100, default 20) and \`offset\`.`,
          license: { name: 'MIT', identifier: 'MIT' },
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: TAGS,
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description: 'Access token (or refresh token on `POST /refresh`) from `POST /login`.',
            },
            cookieAuth: {
              type: 'apiKey',
              in: 'cookie',
              name: 'access_token_cookie',
              description:
                'Active only in cookie mode (`JWT_TOKEN_LOCATION=headers,cookies`). State-changing requests must also send `X-CSRF-Token` with the `csrf_access_token` cookie value.',
            },
            refreshCookieAuth: {
              type: 'apiKey',
              in: 'cookie',
              name: 'refresh_token_cookie',
              description:
                'Active only in cookie mode. `POST /refresh` must also send `X-CSRF-Token` with the `csrf_refresh_token` cookie value.',
            },
            introspectionAuth: {
              type: 'http',
              scheme: 'bearer',
              description: 'INTROSPECTION_TOKEN, the credential of the services allowed to call `POST /introspect`.',
            },
          },
        },
      },
      transformObject: (document) => documentHeaders('openapiObject' in document ? document.openapiObject : document.swaggerObject),
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    })
  },
  { name: 'swagger' },
)
