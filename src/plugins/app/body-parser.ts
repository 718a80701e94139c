import fp from 'fastify-plugin'
import secureJson from 'secure-json-parse'
import { HttpError } from '../../http/errors.js'

/**
 * Only JSON bodies: an empty body on a body-less route is no error, and prototype poisoning is
 * refused as Fastify's own parser does. Without the built-in text/plain parser a text body is a
 * 415, not a string that then fails the schema as a 400.
 */
export default fp(
  async (app) => {
    app.removeContentTypeParser('application/json')
    app.removeContentTypeParser('text/plain')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      if (body === '') return done(null, undefined)
      try {
        done(null, secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' }))
      } catch {
        done(new HttpError(400, 'validation_error', 'The body is not valid JSON.'), undefined)
      }
    })
  },
  { name: 'body-parser' },
)
