/**
 * @module routes/psi
 * PSI sessions. The gateway is a relay of blinded chunks: create a session (parties by
 * address, mode, expiry), post a chunk (octet-stream body, addressed to another party), fetch the
 * chunks addressed to me (long-poll), status. It never receives an identifier or a secret scalar.
 * Creating needs the `mpc:create` action (the hospital role); posting and reading `mpc:join` on
 * the session, and being one of its parties.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { errorResponses } from '@krain/client/schemas/common'
import { CreatePsiSessionBody, FetchPsiChunksQuery, FetchPsiChunksResponse, PostPsiChunkQuery, PostPsiChunkResponse, PsiSessionConfig, PsiSessionIdParams, PsiSessionStatus } from '@krain/client/schemas/psi'
import { BadRequestError, PolicyDeniedError } from '../../errors.js'
import { PsiService } from '../../psi/psi-service.js'

/** PSI routes (register with prefix `/v1/psi`). */
export const psiRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const psi = new PsiService({ store: fastify.store })
  const bulk = fastify.config.bulkBodyLimit

  /** Parties, the creator, verifiers and admins may read a session's status. */
  const reader = async (req: FastifyRequest, id: string): Promise<void> => {
    const who = req.caller()
    if (who.roles.includes('admin') || who.roles.includes('verifier')) return
    const c = await psi.config(id)
    const me = who.address.toLowerCase()
    if (c.creator === me || c.parties.includes(me as `0x${string}`)) return
    throw new PolicyDeniedError({ action: 'psi:read', address: who.address, reason: 'not a party or the creator of this PSI session' })
  }

  fastify.post('/sessions', { schema: { tags: ['psi'], summary: 'Open a PSI session (the gateway relays blinded chunks only)', body: CreatePsiSessionBody, response: { 201: PsiSessionConfig, ...errorResponses } } }, async (req, reply) => {
    const who = req.authorize('mpc:create')
    return reply.code(201).send(await psi.create(req.body, who.address))
  })

  fastify.get('/sessions/:id', { schema: { tags: ['psi'], summary: 'Session configuration and per-stream progress', params: PsiSessionIdParams, response: { 200: PsiSessionStatus, ...errorResponses } } }, async (req) => {
    await reader(req, req.params.id)
    return psi.status(req.params.id)
  })

  fastify.post(
    '/sessions/:id/chunks',
    { bodyLimit: bulk, schema: { tags: ['psi'], summary: 'Post one chunk (application/octet-stream) to another party', params: PsiSessionIdParams, querystring: PostPsiChunkQuery, response: { 200: PostPsiChunkResponse, ...errorResponses } } },
    async (req) => {
      const who = req.authorize('mpc:join', { sessionId: req.params.id })
      if (!Buffer.isBuffer(req.body)) throw new BadRequestError('PSI_BAD_CHUNK', 'a chunk is posted as application/octet-stream')
      return psi.post(req.params.id, { from: who.address, to: req.query.to, stream: req.query.stream, index: req.query.index, last: req.query.last ?? false, data: req.body })
    },
  )

  fastify.get(
    '/sessions/:id/chunks',
    { schema: { tags: ['psi'], summary: 'Chunks addressed to me from one party on one stream (long-poll with waitMs)', params: PsiSessionIdParams, querystring: FetchPsiChunksQuery, response: { 200: FetchPsiChunksResponse, ...errorResponses } } },
    async (req) => {
      const who = req.authorize('mpc:join', { sessionId: req.params.id })
      const r = await psi.fetch(req.params.id, { from: req.query.from, to: who.address, stream: req.query.stream, after: req.query.after ?? 0, waitMs: req.query.waitMs ?? 0 })
      return { last: r.last, chunks: r.chunks.map((c) => ({ from: c.from, stream: c.stream, index: c.index, last: c.last, data: c.data.toString('base64') })) }
    },
  )
}
