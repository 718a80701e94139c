// The baseline: bare Fastify, no plugins, no logger, one JSON route. The service's req/s
// are reported as a ratio to this server's in the same run, on the same core.
import Fastify from 'fastify'

const app = Fastify()
app.get('/hello', async () => ({ hello: 'world' }))
// The harness waits for a 200 from /health on every server it starts.
app.get('/health', async () => ({ status: 'ok' }))

await app.listen({ port: Number(process.env.PORT ?? 3001), host: process.env.HOST ?? '127.0.0.1' })
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => app.close().then(() => process.exit(0)))
