/**
 * @module routes/mpc
 * Secure aggregation sessions (the gateway is the coordinator, an untrusted relay):
 * create, status, join, roster, upload shares, fetch own inbox, upload sum-share (or a complaint
 * proving a dealer sent an invalid share), result, close.
 * A party may only send its own messages (the signed-in address must be the message's `from`).
 *
 * Party messages are accepted as JSON (`{ message }`) or in their binary form (`application/cbor`,
 * `@krain/mpc` `encodeMessage`: the share payloads as raw bytes instead of base64); the roster and
 * the inbox are served in the binary form to a client that sends `Accept: application/cbor`. Both
 * forms carry the same signed fields (see `binary-body.ts`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Identity } from '../../auth/policy.js'
import { PolicyDeniedError } from '../../errors.js'
import { errorResponses } from '@krain/client/schemas/common'
import { encodeResult, MESSAGE_MEDIA_TYPE } from '@krain/mpc'
import { acceptBinaryMessages, acceptsBinary, isBinaryBody, negotiate } from './binary-body.js'
import { CreateMpcSessionBody, MpcAggregate, MpcCloseResponse, MpcRoster, MpcSessionConfig, MpcSessionStatus, MpcShareBundle, PartyMessageBody, ReceiveResponse, SessionIdParams } from '@krain/client/schemas/mpc'

/** `?waitMs=`: long-poll up to this long for the round to close (no client-side sleeping). */
const WaitQuery = Type.Object({ waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })) }, { additionalProperties: false })

/** MPC routes. */
export const mpcRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const mpc = fastify.mpc
  const bulk = fastify.config.bulkBodyLimit
  acceptBinaryMessages(fastify)
  /** Both media types a party message may come in (OpenAPI). */
  const consumes = ['application/json', 'application/cbor']
  /** Relay a party message; its binary form, when it came as one, is what the log keeps. */
  const relay = (req: FastifyRequest, id: string, message: { from: string }): ReturnType<typeof mpc.receive> => {
    ownMessage(req, 'mpc:join', id, message.from)
    return isBinaryBody(req) && Buffer.isBuffer(req.rawBody) ? mpc.receive(id, message, req.rawBody) : mpc.receive(id, message)
  }

  const ownMessage = (req: FastifyRequest, action: 'mpc:join' | 'mpc:read', id: string, from: string): Identity => {
    const who = req.authorize(action, { sessionId: id })
    if (from.toLowerCase() !== who.address.toLowerCase()) throw new PolicyDeniedError({ action, address: who.address, reason: 'a party may only send its own messages (message.from must be the signed-in address)' })
    return who
  }
  /** Parties, the creator, verifiers and admins may read a session. */
  const reader = async (req: FastifyRequest, id: string): Promise<Identity> => {
    const who = req.caller()
    if (who.roles.includes('admin') || who.roles.includes('verifier')) return who
    const status = await mpc.status(id)
    if (status.creator.toLowerCase() === who.address.toLowerCase() || status.config.parties.some((p) => p.toLowerCase() === who.address.toLowerCase())) return who
    throw new PolicyDeniedError({ action: 'mpc:read', address: who.address, reason: 'not a party or the creator of this session' })
  }

  fastify.post('/sessions', { schema: { tags: ['mpc'], summary: 'Open a secure-aggregation session', body: CreateMpcSessionBody, response: { 201: MpcSessionConfig, ...errorResponses } } }, async (req, reply) => {
    const who = req.authorize('mpc:create')
    const { timeoutsMs, deadlines, ...rest } = req.body
    const now = Date.now()
    const config = await mpc.create({ ...rest, deadlines: deadlines ?? (timeoutsMs ? { join: now + timeoutsMs.join, share: now + timeoutsMs.join + timeoutsMs.share, sum: now + timeoutsMs.join + timeoutsMs.share + timeoutsMs.sum } : undefined) }, who.address, now)
    return reply.code(201).send(config)
  })

  fastify.get('/sessions/:id', { schema: { tags: ['mpc'], summary: 'Session configuration and progress', params: SessionIdParams, response: { 200: MpcSessionStatus, ...errorResponses } } }, async (req) => {
    await reader(req, req.params.id)
    return mpc.status(req.params.id)
  })

  fastify.post('/sessions/:id/join', { schema: { tags: ['mpc'], summary: 'Join (round 1): a signed join message', consumes, params: SessionIdParams, body: PartyMessageBody, response: { 200: ReceiveResponse, ...errorResponses } } }, async (req) =>
    relay(req, req.params.id, req.body.message),
  )

  fastify.get('/sessions/:id/roster', { schema: { tags: ['mpc'], summary: 'The signed roster (after the join round); CBOR with Accept: application/cbor', produces: ['application/json', 'application/cbor'], params: SessionIdParams, querystring: WaitQuery, response: { 200: MpcRoster, ...errorResponses } } }, async (req, reply) => {
    await reader(req, req.params.id)
    if (req.query.waitMs) await mpc.waitForPhase(req.params.id, ['share', 'sum', 'done', 'failed'], req.query.waitMs)
    return negotiate(req, reply, await mpc.roster(req.params.id))
  })

  fastify.post(
    '/sessions/:id/shares',
    { bodyLimit: bulk, schema: { tags: ['mpc'], summary: 'Upload encrypted shares (round 2)', consumes, params: SessionIdParams, body: PartyMessageBody, response: { 200: ReceiveResponse, ...errorResponses } } },
    async (req) => relay(req, req.params.id, req.body.message),
  )

  fastify.get(
    '/sessions/:id/inbox',
    { schema: { tags: ['mpc'], summary: 'Ciphertexts addressed to me, with the contributor set; CBOR with Accept: application/cbor', produces: ['application/json', 'application/cbor'], params: SessionIdParams, querystring: WaitQuery, response: { 200: MpcShareBundle, ...errorResponses } } },
    async (req, reply) => {
      const who = req.authorize('mpc:join', { sessionId: req.params.id })
      if (req.query.waitMs) await mpc.waitForPhase(req.params.id, ['sum', 'done', 'failed'], req.query.waitMs)
      return negotiate(req, reply, await mpc.inbox(req.params.id, who.address))
    },
  )

  fastify.post('/sessions/:id/sum-share', { bodyLimit: bulk, schema: { tags: ['mpc'], summary: 'Upload my share of the sum (round 3)', consumes, params: SessionIdParams, body: PartyMessageBody, response: { 200: ReceiveResponse, ...errorResponses } } }, async (req) =>
    relay(req, req.params.id, req.body.message),
  )

  fastify.post(
    '/sessions/:id/complaint',
    {
      bodyLimit: bulk,
      schema: { tags: ['mpc'], summary: "Complain about a dealer's invalid share (round 3, instead of a sum-share): a signed, checkable proof", consumes, params: SessionIdParams, body: PartyMessageBody, response: { 200: ReceiveResponse, ...errorResponses } },
    },
    async (req) => relay(req, req.params.id, req.body.message),
  )

  /**
   * The aggregate's JSON, by result object: a released result never changes (the coordinator hands
   * out the same object), and with 100,000 values it is megabytes that every party fetches.
   */
  const resultJson = new WeakMap<object, string>()
  /** The same in its binary form (`encodeResult`), for clients whose `Accept` asks for `application/cbor`. */
  const resultCbor = new WeakMap<object, Buffer>()
  fastify.get('/sessions/:id/result', { schema: { tags: ['mpc'], summary: 'The aggregate (JSON; `application/cbor` when the Accept header asks for it: `sum` and `values` as little-endian int64 and float64 byte strings)', params: SessionIdParams, querystring: WaitQuery, response: { 200: MpcAggregate, ...errorResponses } } }, async (req, reply) => {
    await reader(req, req.params.id)
    if (req.query.waitMs) await mpc.waitForPhase(req.params.id, ['done', 'failed'], req.query.waitMs)
    const result = await mpc.result(req.params.id)
    if (acceptsBinary(req)) {
      let bytes = resultCbor.get(result)
      if (bytes === undefined) {
        const b = encodeResult(result)
        resultCbor.set(result, (bytes = Buffer.from(b.buffer, b.byteOffset, b.length)))
      }
      return reply.type(MESSAGE_MEDIA_TYPE).header('vary', 'accept').send(bytes)
    }
    let text = resultJson.get(result)
    if (text === undefined) resultJson.set(result, (text = JSON.stringify(result)))
    return reply.type('application/json; charset=utf-8').send(text)
  })

  fastify.post('/sessions/:id/close', { schema: { tags: ['mpc'], summary: 'Close the current round now (creator or admin)', params: SessionIdParams, response: { 200: MpcCloseResponse, ...errorResponses } } }, async (req) => {
    const who = req.caller()
    const creator = await mpc.creatorOf(req.params.id)
    if (!who.roles.includes('admin') && creator.toLowerCase() !== who.address.toLowerCase()) throw new PolicyDeniedError({ action: 'mpc:close', address: who.address, reason: 'only the session creator or an admin may close a round' })
    return mpc.close(req.params.id)
  })
}
