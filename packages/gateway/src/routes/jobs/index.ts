/**
 * @module routes/jobs
 * Job status, the receipt of a confirmed proven inference, and a server-side re-verification of a
 * receipt against the chain (verifiers can also check independently with `verifyReceipt`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ConflictError, NotFoundError, UnavailableError } from '../../errors.js'
import { errorResponses, IdParams } from '../../schemas/common.js'
import { JobView, ReceiptResponse, VerifyBody, VerifyResponse } from '../../schemas/jobs.js'
import { Type } from 'typebox'
import { jobView } from './view.js'

const WaitQuery = Type.Object({ waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 120_000 })), until: Type.Optional(Type.Union([Type.Literal('proved'), Type.Literal('confirmed')])) }, { additionalProperties: false })

/** Job routes. */
export const jobRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/jobs/:id', { schema: { tags: ['proofs'], summary: 'Job status (long-poll with ?waitMs=&until=confirmed)', params: IdParams, querystring: WaitQuery, response: { 200: JobView, ...errorResponses } } }, async (req) => {
    let job = await fastify.store.getJob(req.params.id)
    if (!job) throw new NotFoundError('job', req.params.id)
    const who = req.authorize('jobs:read', { owner: job.owner })
    if (req.query.waitMs) job = await fastify.jobs.waitFor(job.id, [req.query.until ?? 'confirmed'], req.query.waitMs).catch(async () => (await fastify.store.getJob(req.params.id))!)
    return jobView(job, job.owner === who.address)
  })

  fastify.get('/jobs/:id/receipt', { schema: { tags: ['proofs'], summary: 'Receipt of a confirmed proven inference', params: IdParams, response: { 200: ReceiptResponse, 409: Type.Ref('ErrorResponse'), ...errorResponses } } }, async (req) => {
    const job = await fastify.store.getJob(req.params.id)
    if (!job) throw new NotFoundError('job', req.params.id)
    req.authorize('jobs:read', { owner: job.owner })
    const v = jobView(job, false)
    if (job.state !== 'confirmed' || !v.result?.receipt) throw new ConflictError('JOB_NOT_CONFIRMED', `job ${job.id} is ${job.state}, not confirmed`)
    const { circuit, output, modelCommitment, inputCommitment, publicSignals, proof, receipt } = v.result
    return { jobId: job.id, circuit, output, modelCommitment, inputCommitment, publicSignals, proof, receipt }
  })

  fastify.post('/verify', { schema: { tags: ['proofs'], summary: 'Check a receipt against the chain (record exists, proof valid on- and off-chain)', body: VerifyBody, response: { 200: VerifyResponse, 503: Type.Ref('ErrorResponse'), ...errorResponses } } }, async (req) => {
    req.caller()
    if (!fastify.chain) throw new UnavailableError('CHAIN_UNAVAILABLE', 'no chain is configured', 503)
    return { valid: await fastify.chain.verifyOnChain({ txHash: req.body.txHash as `0x${string}`, publicSignals: req.body.publicSignals }) }
  })
}
