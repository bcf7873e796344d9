/**
 * @module routes/models/encrypted-inference
 * `POST /v1/models/:id/infer/encrypted`: evaluate a model on a CKKS ciphertext batch under the
 * caller's uploaded evaluation keys; answers ciphertexts. The bodies are megabytes of base64: the
 * route takes the raw bytes, and the worker pool parses, validates (the same schema, documented
 * here) and decodes them, so the event loop never holds a multi-megabyte `JSON.parse` or pattern
 * check while light routes wait.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { EncryptedInferenceBody, EncryptedInferenceResponse } from '@krain/client/schemas/models'
import { BadRequestError, NotFoundError } from '../../errors.js'
import { planFor } from '../../he/plan.js'
import { runEncryptedInference } from '../../he/run-encrypted-inference.js'
import type { ModelCatalog } from '../../models/model-catalog.js'
import { keepJsonRaw, rawJsonValidatorCompiler } from '../../plugins/app/raw-body.js'

/** The encrypted-inference route (registered by the model routes, which own the catalog). */
export const encryptedInferenceRoute: FastifyPluginAsyncTypebox<{ models: ModelCatalog }> = async (fastify, { models }) => {
  const bodyLimit = fastify.config.bulkBodyLimit
  keepJsonRaw(fastify, bodyLimit)
  fastify.post(
    '/:id/infer/encrypted',
    {
      bodyLimit,
      schema: { tags: ['he'], summary: 'Evaluate the model on a ciphertext batch; returns ciphertexts', params: IdParams, body: EncryptedInferenceBody, response: { 200: EncryptedInferenceResponse, ...errorResponses } },
      validatorCompiler: rawJsonValidatorCompiler,
    },
    async (req) => {
      const body: unknown = req.body // the raw bytes (see keepJsonRaw); the worker checks them against the schema
      if (!Buffer.isBuffer(body)) throw new BadRequestError('VALIDATION_FAILED', 'invalid body: / must be object')
      const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
      const parsed = await fastify.pool.run({ kind: 'he-parse-infer-body', body: whole ? body : new Uint8Array(body) }, whole && body.buffer instanceof ArrayBuffer ? [body.buffer] : undefined)
      const m = await models.get(req.params.id)
      const who = req.authorize('models:infer', { modelId: m.id, modelOwner: m.owner })
      const key = await fastify.store.getKey(parsed.keyId)
      if (!key || key.owner !== who.address) throw new NotFoundError('evaluation keys', parsed.keyId)
      const calibration = m.meta?.calibration
      const plan = planFor(m.spec, { ...parsed.plan, ...(calibration ? { calibration } : {}) })
      const ciphertexts = await runEncryptedInference({ pool: fastify.pool, key, model: m.spec, plan, ciphertexts: parsed.ciphertexts })
      fastify.metrics.encryptedInferences.inc({ model: m.name })
      return { ciphertexts, count: ciphertexts.length }
    },
  )
}
