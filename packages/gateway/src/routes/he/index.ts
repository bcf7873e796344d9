/**
 * @module routes/he
 * Upload an evaluation-key bundle (`application/octet-stream`, the bytes of
 * `CkksClient.exportEvaluationKeys()`): public, relinearisation and Galois keys only — a secret key
 * cannot be expressed in this format. The bundle is loaded and checked in the worker pool.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BadRequestError, NotFoundError } from '../../errors.js'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { KeyInfo } from '@krain/client/schemas/he'

/** HE key routes. */
export const heRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post(
    '/keys',
    { bodyLimit: fastify.config.bulkBodyLimit, schema: { tags: ['he'], summary: 'Upload CKKS evaluation keys (octet-stream)', consumes: ['application/octet-stream'], response: { 201: KeyInfo, 415: { $ref: 'ErrorResponse#' }, ...errorResponses } } },
    async (req, reply) => {
      const who = req.authorize('he:keys:upload')
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new BadRequestError('HE_KEYS_INVALID', 'send the evaluation-key bundle as application/octet-stream')
      const bundle = req.body
      const meta = await fastify.pool.run({ kind: 'he-inspect-keys', bundle: new Uint8Array(bundle) })
      const createdAt = Date.now()
      const keyId = randomUUID().replaceAll('-', '')
      const params = { paramsId: meta.paramsId, polyModulusDegree: meta.polyModulusDegree, galoisSteps: meta.galoisSteps, relin: meta.relin }
      await fastify.store.putKey({ id: keyId, owner: who.address, scheme: 'ckks', params, bundle, size: bundle.length, createdAt })
      return reply.code(201).send({ keyId, owner: who.address, scheme: 'ckks', bytes: bundle.length, polyModulusDegree: meta.polyModulusDegree, galoisSteps: meta.galoisSteps, relin: meta.relin, createdAt })
    },
  )

  fastify.get('/keys/:id', { schema: { tags: ['he'], summary: 'Describe uploaded evaluation keys', params: IdParams, response: { 200: KeyInfo, ...errorResponses } } }, async (req) => {
    const who = req.caller()
    const k = await fastify.store.getKey(req.params.id)
    if (!k || (k.owner !== who.address && !who.roles.includes('admin'))) throw new NotFoundError('evaluation keys', req.params.id)
    const p = k.params
    return { keyId: k.id, owner: k.owner, scheme: k.scheme, bytes: k.size, polyModulusDegree: p.polyModulusDegree, galoisSteps: p.galoisSteps, relin: p.relin, createdAt: k.createdAt }
  })
}
