import fp from 'fastify-plugin'

/** Every response names its request (`x-request-id`, a UUID), as the log lines do. */
export default fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id)
      done()
    })
  },
  { name: 'request-id' },
)
