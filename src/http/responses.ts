import type { TSchema } from '@sinclair/typebox'
import { ErrorBody } from '../../schemas/error.js'
import { ref } from '../../schemas/common.js'

// OpenAPI response entries, for routes and for the plugins that document statuses.

/** A documented error response: the shared Error schema with what this status means here. */
export const errorResponse = (description: string) => ({ ...ref(ErrorBody), description })

/** The error statuses an operation documents besides those its auth level adds. */
export function errors(map: Partial<Record<400 | 401 | 403 | 404 | 409 | 503, string>>) {
  return Object.fromEntries(Object.entries(map).map(([status, text]) => [status, errorResponse(text)]))
}

export const INVALID = 'validation_error: the body, path or query does not match its schema.'

/** A 2xx response: the shared schema with what it means here (instead of "Default Response"). */
export const success = <T extends TSchema>(schema: T, description: string) => ({ ...ref(schema), description })

/** A 201 response, documenting the `Location` header that names the new resource. */
export const created = <T extends TSchema>(schema: T, description: string, location: string) => ({
  ...success(schema, description),
  headers: { Location: { type: 'string', description: `The new resource: \`${location}\`.`, examples: [location.replace('{id}', '1')] } },
})
