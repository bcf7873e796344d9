/**
 * @module routes/models/prove-batch
 * `POST /v1/models/:id/prove-batch`: k rows of one model proven in one Groth16 proof and recorded
 * by one `InferenceRegistry.submitInferenceBatch` transaction (a job of kind
 * `proven-inference-batch`: queued → proving (the batch circuit's build phase, then the proof) →
 * proved → submitted → confirmed). Everything that can be refused is refused here, before the job
 * is stored: the model (a generated circuit with a sign or argmax head), the row count (1..31), the
 * batch circuit's constraint estimate against the largest powers of tau here, every row's width
 * and range, every salt.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { JobView } from '@krain/client/schemas/jobs'
import { BatchCircuitView, ProveBatchBody } from '@krain/client/schemas/models'
import { randomSalt, SNARK_SCALAR_FIELD } from '@krain/zk'
import { BadRequestError, NotFoundError } from '../../errors.js'
import type { ModelCatalog } from '../../models/model-catalog.js'
import { batchCircuitInfo, checkBatchRows, planBatch } from '../../zk/batch-circuits.js'
import { jobView } from '../jobs/view.js'

/** The batch proof route (registered by `routes/models`). */
export const proveBatchRoute: FastifyPluginAsyncTypebox<{ models: ModelCatalog }> = async (fastify, { models }) => {
  fastify.post(
    '/:id/prove-batch',
    {
      schema: {
        tags: ['proofs'],
        summary: 'Prove k rows of a model in one proof and record them in one transaction (a job: queued → proving → proved → submitted → confirmed; 1 ≤ k ≤ 31)',
        params: IdParams,
        body: ProveBatchBody,
        response: { 202: JobView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const m = await models.get(req.params.id)
      const who = req.authorize('jobs:create', { modelId: m.id, modelOwner: m.owner })
      const { inputs, salts } = req.body
      const plan = await planBatch(m, inputs.length)
      checkBatchRows(plan.quantized, inputs, salts)
      salts?.forEach((s, i) => {
        if (BigInt(s) >= SNARK_SCALAR_FIELD) throw new BadRequestError('INVALID_ARGUMENT', `"salts[${i}]" expected a field element below the BN254 scalar field order`)
      })
      const job = await fastify.jobs.createBatch({ owner: who.address, modelId: m.id, input: { inputs, salts: salts ?? inputs.map(() => String(randomSalt())) } })
      return reply.code(202).send(jobView(job, true))
    },
  )

  // what a verifier needs to check a batch off-chain: the k-row batch circuit's verification key (public)
  fastify.get(
    '/:id/batch-circuit/:k',
    {
      schema: {
        tags: ['proofs'],
        summary: "A model's k-row batch circuit, once built by a batch job: id, constraints, verification key",
        params: Type.Object({ id: IdParams.properties.id, k: Type.Integer({ minimum: 1, maximum: 1000 }) }),
        response: { 200: BatchCircuitView, ...errorResponses },
      },
    },
    async (req) => {
      req.caller()
      const m = await models.get(req.params.id)
      const plan = await planBatch(m, req.params.k)
      const info = batchCircuitInfo(plan.circuitId)
      if (!info) throw new NotFoundError('batch circuit', plan.circuitId)
      return info
    },
  )
}
