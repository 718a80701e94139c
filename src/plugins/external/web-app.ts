import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The page's CSP: scripts, styles and API calls from this origin only, no inline or eval'd
 * script, no framing (the favicon is a data: image). The JSON API keeps its own stricter one.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Asset names carry their content's hash: a name never changes content, so it may be kept a year. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable'
/** index.html names the current assets: revalidated on every load (its ETag makes that a 304). */
export const PAGE_CACHE = 'no-cache'
const ASSETS = '/app/assets/'

export interface WebAppOptions {
  /** A build of web/ (scripts/web-bundle.mjs): index.html and assets/. */
  root: string
}

async function webApp(app: FastifyInstance, { root }: WebAppOptions) {
  const index = readFileSync(join(root, 'index.html'))
  const etag = `"${createHash('sha256').update(index).digest('base64url').slice(0, 22)}"`

  // This context's own hook, so no API response pays for it. The page gets its CSP, on its 304s
  // too (a browser takes a 304's headers for the copy it keeps); scripts and styles keep the API's,
  // which governs documents only. These files keep their caching when the request carried cookies
  // (response-headers.ts says no-store then): they are the same public bytes for everyone, with no
  // user's data in them. Errors (a missing asset) keep the API's headers.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400) return payload
    const asset = request.url.startsWith(ASSETS)
    if (!asset) reply.header('content-security-policy', PAGE_CSP)
    reply.header('cache-control', asset ? ASSET_CACHE : PAGE_CACHE)
    return payload
  })

  // An unknown asset falls through to the not-found handler: 404 in the Error shape.
  await app.register(fastifyStatic, { root: join(root, 'assets'), prefix: ASSETS, decorateReply: false, cacheControl: false, index: false })

  // Client-side routes (/app/login, /app/stores/3, ...) all get the app, which reads the path.
  const page = { config: { auth: 'public' as const }, schema: { hide: true } }
  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('etag', etag)
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    return reply.type('text/html; charset=utf-8').send(index)
  }
  app.get('/app', page, sendIndex)
  app.get('/app/*', page, sendIndex)
}

/** The web app (web/, built by scripts/builds.mjs) at /app, in a context of its own. */
export default fp(
  async (app, options: WebAppOptions) => {
    await app.register(webApp, options)
  },
  { name: 'web-app', dependencies: ['response-headers', 'auth', 'not-found'] },
)
