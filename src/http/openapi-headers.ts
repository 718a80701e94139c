// The response headers every tool reading openapi.yaml should expect, declared once as
// components and referenced from every response that carries them (@fastify/swagger's
// transformObject): WWW-Authenticate on 401, Retry-After on 429 and on a write's 503,
// a required Location on 201, Cache-Control on token responses.

type Header = { $ref: string } | { required?: boolean; [key: string]: unknown }
type Response = { headers?: Record<string, Header>; content?: Record<string, { schema?: { $ref?: string } }> }
type Operation = { responses?: Record<string, Response> }
type Document = { paths?: Record<string, Record<string, Operation>>; components?: { headers?: Record<string, unknown> } }

const HEADERS = {
  WWWAuthenticate: {
    description: 'The RFC 6750 challenge; with `error` and `error_description` when a token was presented.',
    required: true,
    schema: { type: 'string', examples: ['Bearer realm="stores-api", error="invalid_token", error_description="The token has expired."'] },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    required: true,
    schema: { type: 'integer', minimum: 1, examples: [30] },
  },
  NoStore: {
    description: 'Responses with a token in them are never cached.',
    required: true,
    schema: { type: 'string', const: 'no-store', examples: ['no-store'] },
  },
}

const ref = (name: keyof typeof HEADERS): Header => ({ $ref: `#/components/headers/${name}` })
const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete'])

function addHeader(response: Response, name: string, header: Header) {
  response.headers = { ...response.headers, [name]: header }
}

/** Adds the headers to `document` (in place) and returns it. */
export function documentHeaders<D extends object>(document: D): D {
  const doc = document as Document
  doc.components = { ...doc.components, headers: { ...doc.components?.headers, ...HEADERS } }
  for (const methods of Object.values(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (status === '401') addHeader(response, 'WWW-Authenticate', ref('WWWAuthenticate'))
        if (status === '429' || (status === '503' && STATE_CHANGING.has(method))) addHeader(response, 'Retry-After', ref('RetryAfter'))
        const location = response.headers?.Location
        if (status === '201' && location && !('$ref' in location)) location.required = true
        const schemaRef = response.content?.['application/json']?.schema?.$ref
        if (status === '200' && schemaRef === '#/components/schemas/TokenPair') addHeader(response, 'Cache-Control', ref('NoStore'))
      }
    }
  }
  return document
}
