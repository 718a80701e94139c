import type { FastifyReply } from 'fastify'

/**
 * Sends JSON text made beforehand (by the repository: see repositories/sqlite/item-json.ts).
 * Fastify sends a string with a JSON content type as it is, without the route's serializer; the
 * text has the shape of the route's documented response (its tests check it against the schema).
 */
export function sendJsonText(reply: FastifyReply, text: string) {
  return reply.type('application/json; charset=utf-8').send(text as never)
}
