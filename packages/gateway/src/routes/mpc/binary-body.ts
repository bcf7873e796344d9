/**
 * @module routes/mpc/binary-body
 * The binary transport of the MPC routes: party messages arrive as `application/cbor` (the
 * `@krain/mpc` wire form: the JSON message with its share payloads as raw bytes) next to JSON, and
 * the large answers (roster, inbox) are served as CBOR to a client whose `Accept` asks for it,
 * written part by part from the payloads the coordinator holds (no copy into one body).
 *
 * The body is read into one buffer sized from `Content-Length` as it streams in (no list of chunks
 * concatenated at the end, so a share upload is held once), within the route's body limit; the
 * caller was already identified from the headers (the auth hook refuses an unauthenticated or
 * oversized upload before its first byte is read). The bytes stay on `req.rawBody`: request
 * signatures cover them, and the MPC log stores them as received.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { decodeMessage, encodeMessageParts, MESSAGE_MEDIA_TYPE, toJsonForm, type JsonForm } from '@krain/mpc'
import { BadRequestError, GatewayError } from '../../errors.js'

/** True when the request's body is the binary form. */
export const isBinaryBody = (req: FastifyRequest): boolean => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === MESSAGE_MEDIA_TYPE

/** True when the client accepts the binary form (`Accept: application/cbor`, q > 0). */
export function acceptsBinary(req: FastifyRequest): boolean {
  const accept = req.headers.accept
  if (typeof accept !== 'string') return false
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (type !== MESSAGE_MEDIA_TYPE) return false
    const q = params.find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

/** Send `value` (a protocol message) as CBOR when the client asked for it; otherwise return its JSON form (payloads as base64) for the JSON serializer. */
export function negotiate<T>(req: FastifyRequest, reply: FastifyReply, value: T): JsonForm<T> | FastifyReply {
  if (!acceptsBinary(req)) return toJsonForm(value)
  reply.header('vary', 'accept')
  // the share payloads are written from the coordinator's own arrays, never copied into one body
  const { parts, length } = encodeMessageParts(value)
  const chunks = parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length))
  return reply.type(MESSAGE_MEDIA_TYPE).header('content-length', length).send(Readable.from(chunks, { objectMode: false }))
}

/** Read a request body into one buffer of its announced length, refusing more than `limit` bytes. */
function readBody(req: FastifyRequest, payload: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const announced = req.headers['content-length']
  const expected = announced !== undefined && /^\d{1,15}$/.test(announced) ? Number(announced) : undefined
  const tooLarge = (): GatewayError => new GatewayError('BODY_TOO_LARGE', { shortMessage: `this route accepts bodies up to ${limit} bytes` })
  return new Promise<Buffer>((resolve, reject) => {
    if (expected !== undefined && expected > limit) return reject(tooLarge())
    let buf = Buffer.allocUnsafe(expected ?? Math.min(limit, 1 << 16))
    let size = 0
    const fail = (e: Error): void => {
      payload.removeListener('data', onData)
      payload.removeListener('end', onEnd)
      payload.removeListener('error', fail)
      reject(e)
    }
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > (expected ?? limit)) return fail(expected !== undefined ? new BadRequestError('MPC_MALFORMED_MESSAGE', `the body is longer than its Content-Length (${expected} bytes)`) : tooLarge())
      if (size + chunk.length > buf.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(2 * buf.length, size + chunk.length)))
        buf.copy(grown, 0, 0, size)
        buf = grown
      }
      chunk.copy(buf, size)
      size += chunk.length
    }
    const onEnd = (): void => {
      payload.removeListener('data', onData)
      payload.removeListener('error', fail)
      if (expected !== undefined && size !== expected) return reject(new BadRequestError('MPC_MALFORMED_MESSAGE', `the body ended after ${size} of its ${expected} bytes`))
      resolve(size === buf.length ? buf : buf.subarray(0, size))
    }
    payload.on('data', onData)
    payload.once('end', onEnd)
    payload.once('error', fail)
  })
}

/**
 * Within the calling (encapsulated) plugin, parse `application/cbor` bodies as `{ message }`, the
 * message decoded from its binary form, and keep the bytes on `req.rawBody`.
 * @param scope - the MPC routes' plugin instance
 */
export function acceptBinaryMessages(scope: FastifyInstance): void {
  scope.addContentTypeParser(MESSAGE_MEDIA_TYPE, async (req: FastifyRequest, payload: NodeJS.ReadableStream) => {
    const body = await readBody(req, payload, req.routeOptions.bodyLimit ?? scope.initialConfig.bodyLimit ?? 1 << 20)
    req.rawBody = body
    return { message: decodeMessage(body) }
  })
}
