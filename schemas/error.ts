import { Type, type Static } from '@sinclair/typebox'
import { ref } from './common.js'

export const ERROR_CODES = [
  'authorization_required',
  'invalid_header',
  'invalid_token',
  'token_expired',
  'token_revoked',
  'wrong_token_type',
  'fresh_token_required',
  'user_not_found',
  'user_inactive',
  'invalid_credentials',
  'csrf_mismatch',
  'email_unverified',
  'admin_required',
  'forbidden',
  'validation_error',
  'bad_request',
  'not_found',
  'conflict',
  'invalid_link',
  'payload_too_large',
  'unsupported_media_type',
  'header_too_large',
  'too_many_requests',
  'service_unavailable',
  'internal_error',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export const ErrorDetail = Type.Object(
  {
    path: Type.String({ description: 'JSON Pointer to the offending value.', examples: ['/password'] }),
    message: Type.String({ examples: ['must NOT have fewer than 8 characters'] }),
  },
  { $id: 'ErrorDetail', additionalProperties: false },
)

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599, examples: [401] }),
    code: Type.Unsafe<ErrorCode>({
      type: 'string',
      enum: [...ERROR_CODES],
      description: 'Stable machine-readable code.',
      examples: ['token_expired'],
    }),
    error: Type.String({ description: 'HTTP reason phrase.', examples: ['Unauthorized'] }),
    message: Type.String({ description: 'For people; may change.', examples: ['The token has expired.'] }),
    details: Type.Optional(Type.Array(ref(ErrorDetail), { description: 'Validation errors only.' })),
  },
  { $id: 'Error', additionalProperties: false, description: 'The one shape of every error response.' },
)
export type ErrorBody = Static<typeof ErrorBody>
