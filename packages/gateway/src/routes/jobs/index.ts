/**
 * @module routes/jobs
 * Job status (with its queue: which one and its pg-boss state, or `embedded`), its changes as
 * Server-Sent Events (`events.ts`), the receipt of a confirmed proven inference, and a server-side
 * re-verification of a receipt against the chain (verifiers can also check independently with
 * `verifyReceipt`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SNARK_SCALAR_FIELD } from '@krain/zk'
import { BadRequestError, ConflictError, NotFoundError, UnavailableError } from '../../errors.js'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { JobView, ReceiptResponse, VerifyBody, VerifyResponse } from '@krain/client/schemas/jobs'
import { Type } from 'typebox'
import { jobEventsRoute } from './events.js'
import { queueOf } from './queue-of.js'
import { jobView } from './view.js'
import { batchVerificationKey, planBatch } from '../../zk/batch-circuits.js'

const WaitQuery = Type.Object({ waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 120_000 })), until: Type.Optional(Type.Union([Type.Literal('proved'), Type.Literal('confirmed')])) }, { additionalProperties: false })

const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), all: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) }, { additionalProperties: false })
const JobSummary = Type.Object({ id: Type.String(), kind: Type.String(), state: Type.String(), modelId: Type.Union([Type.String(), Type.Null()]), owner: Type.String(), createdAt: Type.Integer(), updatedAt: Type.Integer(), txHash: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]) })

/** Job routes. */
export const jobRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/jobs/:id', { schema: { tags: ['proofs'], summary: 'Job status (long-poll with ?waitMs=&until=confirmed)', params: IdParams, querystring: WaitQuery, response: { 200: JobView, ...errorResponses } } }, async (req) => {
    req.caller() // identity first: whether an id exists is not told to anonymous callers
    let job = await fastify.store.getJob(req.params.id)
    if (!job) throw new NotFoundError('job', req.params.id)
    const who = req.authorize('jobs:read', { owner: job.owner })
    if (req.query.waitMs) job = await fastify.jobs.waitFor(job.id, [req.query.until ?? 'confirmed'], req.query.waitMs).catch(async () => (await fastify.store.getJob(req.params.id))!)
    const queue = await queueOf(fastify.queue, job)
    return { ...jobView(job, job.owner === who.address), ...(queue ? { queue } : {}) }
  })

  await fastify.register(jobEventsRoute)

  // `krain jobs list`: the caller's jobs, newest first; an admin may ask for everyone's
  fastify.get('/jobs', { schema: { tags: ['proofs'], summary: 'My jobs, newest first (admin: ?all=true for every owner)', querystring: ListQuery, response: { 200: Type.Array(JobSummary), ...errorResponses } } }, async (req) => {
    const who = req.caller()
    const all = req.query.all === 'true' && who.roles.includes('admin')
    const jobs = await fastify.store.listJobsOf(all ? null : who.address, req.query.limit ?? 50)
    return jobs.map((j) => ({ id: j.id, kind: j.kind, state: j.state, modelId: j.modelId, owner: j.owner, createdAt: j.createdAt, updatedAt: j.updatedAt, txHash: j.txHash, error: j.error }))
  })

  fastify.get('/jobs/:id/receipt', { schema: { tags: ['proofs'], summary: 'Receipt of a confirmed proven inference', params: IdParams, response: { 200: ReceiptResponse, 409: Type.Ref('ErrorResponse'), ...errorResponses } } }, async (req) => {
    req.caller()
    const job = await fastify.store.getJob(req.params.id)
    if (!job) throw new NotFoundError('job', req.params.id)
    req.authorize('jobs:read', { owner: job.owner })
    if (job.kind === 'proven-inference-batch') throw new ConflictError('JOB_IS_BATCH', `job ${job.id} is a batch: its receipt is the job view's "batch" (GET /v1/jobs/${job.id}), checked with verifyBatchReceipt`)
    const v = jobView(job, false)
    if (job.state !== 'confirmed' || !v.result?.receipt) throw new ConflictError('JOB_NOT_CONFIRMED', `job ${job.id} is ${job.state}, not confirmed`)
    const { circuit, output, modelCommitment, inputCommitment, publicSignals, proof, receipt } = v.result
    // the receipt names its chain: chainId and registry as recorded, and where to read it (a hint)
    const rpcUrl = fastify.config.publicRpcUrl
    return { jobId: job.id, circuit, output, modelCommitment, inputCommitment, publicSignals, proof, receipt: { ...receipt, ...(rpcUrl ? { rpcUrl } : {}) } }
  })

  fastify.post('/verify', { schema: { tags: ['proofs'], summary: 'Check a receipt against the chain (record exists, proof valid on- and off-chain; a batch receipt with its `batchSize`: re-checked by the verifier of its size)', body: VerifyBody, response: { 200: VerifyResponse, 503: Type.Ref('ErrorResponse'), ...errorResponses } } }, async (req) => {
    req.caller()
    // Public signals are BN254 field elements: anything at or above the field order cannot be on chain.
    req.body.publicSignals.forEach((s, i) => {
      if (BigInt(s) >= SNARK_SCALAR_FIELD) throw new BadRequestError('INVALID_ARGUMENT', `"publicSignals[${i}]" expected a field element below the BN254 scalar field order`)
    })
    const chain = fastify.chain
    if (!chain) throw new UnavailableError('CHAIN_UNAVAILABLE', fastify.chainStatus === 'connecting' ? 'the chain RPC is unreachable; retrying' : 'no chain is configured')
    const txHash: `0x${string}` = `0x${req.body.txHash.slice(2)}` // the schema checked 0x and 64 hex digits
    const batchSize = req.body.batchSize
    if (batchSize === undefined) return { valid: await chain.verifyOnChain({ txHash, publicSignals: req.body.publicSignals }) }
    // a batch: its proof is checked off-chain with the key of the model's k-row circuit, when this gateway built it
    // (models with the same weights share a commitment and a circuit: the first with a built key serves)
    let verificationKey: ReturnType<typeof batchVerificationKey>
    for (const model of await fastify.store.findModelsByCommitment(req.body.publicSignals[1]!)) {
      const plan = await planBatch(model, batchSize).catch(() => null)
      verificationKey = plan ? batchVerificationKey(plan.circuitId) : undefined
      if (verificationKey) break
    }
    if (!verificationKey) throw new NotFoundError('batch circuit', `${batchSize} rows of model commitment ${req.body.publicSignals[1]}`)
    return { valid: await chain.verifyOnChain({ txHash, publicSignals: req.body.publicSignals, batchSize, verificationKey }) }
  })
}
