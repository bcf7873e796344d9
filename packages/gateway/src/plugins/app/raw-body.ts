/**
 * @module plugins/app/raw-body
 * The gateway's body parsers. Request signatures cover the exact bytes of a body, so every parser
 * keeps them on `req.rawBody`; JSON is parsed from those bytes with Fastify's own parser (its
 * prototype-poisoning protection included), octet-stream bodies stay a `Buffer`, and every other
 * media type is refused with 415 (JSON or bytes only).
 *
 * {@link keepJsonRaw} is the variant for bulk routes whose JSON is parsed off the event loop (the
 * encrypted-inference route hands the bytes to the worker pool). `req.rawBody` is declared by the
 * auth plugin, which hashes it.
 */
import type { FastifyInstance, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'
import fp from 'fastify-plugin'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { TSchema } from 'typebox'

/** Install the JSON and octet-stream parsers that keep the raw bytes; drop `text/plain`. */
export const rawBodyPlugin = fp(
  async (fastify) => {
    const parseJson = fastify.getDefaultJsonParser('error', 'error')
    fastify.removeContentTypeParser('text/plain') // JSON or bytes only: anything else is 415
    fastify.removeContentTypeParser('application/json')
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
      req.rawBody = body
      if (body.length === 0) return done(null, undefined)
      parseJson(req, body.toString('utf8'), done)
    })
    fastify.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
      req.rawBody = body
      done(null, body)
    })
  },
  { name: 'krain-raw-body' },
)

/**
 * Within the calling (encapsulated) plugin, leave JSON bodies unparsed: the route receives the
 * bytes as a `Buffer` (or `undefined` for an empty body), up to `bodyLimit`.
 * @param scope - the encapsulated instance whose routes take raw JSON
 * @param bodyLimit - largest body accepted by these routes
 */
export function keepJsonRaw(scope: FastifyInstance, bodyLimit: number): void {
  scope.removeContentTypeParser('application/json')
  scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (req, body: Buffer, done) => {
    req.rawBody = body // request signatures cover the exact bytes
    done(null, body.length === 0 ? undefined : body)
  })
}

const notRaw: FastifySchemaValidationError[] = [{ keyword: 'type', instancePath: '', schemaPath: '#/type', params: {}, message: 'must be object' }]

/**
 * The validator compiler of a route under {@link keepJsonRaw}: its body schema documents the JSON
 * (and is checked where the bytes are parsed); here the body only has to be those bytes. Other
 * parts (params, querystring) are checked as everywhere else.
 */
export const rawJsonValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => (Buffer.isBuffer(data) ? { value: data } : { error: notRaw }) : TypeBoxValidatorCompiler(route)
