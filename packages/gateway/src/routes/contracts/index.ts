/**
 * @module routes/contracts
 * Secret contracts: `POST /v1/contracts` deploys a contract's source (owner = the
 * signed-in address), `GET /v1/contracts/:id` describes it (plan, inputs, scheme, hash, record),
 * `POST /v1/contracts/:id/call` runs it on the caller's ciphertexts in the worker pool and returns
 * ciphertexts. Access: the policy's `contracts:deploy` / `contracts:call` (owner or a listed caller)
 * and the contract's own rate limit.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CallContractBody, CallContractResponse, ContractInfo, DeployContractBody } from '@krain/client/schemas/contracts'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { contractRecorderOf } from '../../contracts/contract-recorder.js'
import { admitCall, callersOf, chainRecordOf, contractInfo, deployContract, getContract, recordContractOnChain, runContractCall } from '../../contracts/contract-service.js'
import { GatewayError, NotFoundError } from '../../errors.js'

/** Contract routes. */
export const contractRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/', { schema: { tags: ['contracts'], summary: 'Deploy a secret contract (compiled and checked; refused with a positioned message if it would leak)', body: DeployContractBody, response: { 201: ContractInfo, 422: { $ref: 'ErrorResponse#' }, ...errorResponses } } }, async (req, reply) => {
    const who = req.authorize('contracts:deploy')
    const recorder = await contractRecorderOf(fastify.config).catch((e: unknown) => {
      req.log.warn({ err: e }, 'contract registry unreachable: the contract is stored unrecorded (POST /v1/contracts/:id/record retries)')
      return null
    })
    const onRecordError = (e: unknown) => req.log.warn({ err: e }, 'recording the contract on-chain failed: stored with txHash null (POST /v1/contracts/:id/record retries)')
    const { contract, record } = await deployContract({ store: fastify.store, owner: who.address, source: req.body.source, recorder, onRecordError, ...(req.body.callers ? { callers: req.body.callers } : {}), ...(req.body.rateLimit ? { rateLimit: req.body.rateLimit } : {}) })
    return reply.code(201).send(contractInfo(contract, record))
  })

  fastify.get('/:id', { schema: { tags: ['contracts'], summary: 'Describe a contract (plan, inputs, scheme, hash)', params: IdParams, response: { 200: ContractInfo, ...errorResponses } } }, async (req) => {
    req.caller()
    const c = await getContract(fastify.store, req.params.id)
    return contractInfo(c, await chainRecordOf(c.txHash ? await contractRecorderOf(fastify.config) : null, c))
  })

  fastify.post('/:id/record', { schema: { tags: ['contracts'], summary: 'Record (or retry recording) the contract’s source and plan hashes in ContractRegistry', params: IdParams, response: { 200: ContractInfo, ...errorResponses } } }, async (req) => {
    const c = await getContract(fastify.store, req.params.id)
    const who = req.authorize('contracts:deploy')
    if (who.address.toLowerCase() !== c.owner.toLowerCase()) throw new NotFoundError('contract', c.id)
    const recorder = await contractRecorderOf(fastify.config)
    if (!recorder) throw new GatewayError('CONTRACT_NOT_RECORDED', { shortMessage: 'this gateway has no chain: contracts are not recorded on-chain' })
    return contractInfo(c, await recordContractOnChain(fastify.store, recorder, c))
  })

  fastify.post('/:id/call', { bodyLimit: fastify.config.bulkBodyLimit, schema: { tags: ['contracts'], summary: 'Call a contract: ciphertexts in, ciphertexts out', params: IdParams, body: CallContractBody, response: { 200: CallContractResponse, 422: { $ref: 'ErrorResponse#' }, ...errorResponses } } }, async (req) => {
    const c = await getContract(fastify.store, req.params.id)
    const who = req.authorize('contracts:call', { contractId: c.id, owner: c.owner, contractCallers: callersOf(c) })
    const key = await fastify.store.getKey(req.body.keyId)
    if (!key || key.owner !== who.address) throw new NotFoundError('evaluation keys', req.body.keyId)
    await admitCall(fastify.store, c, who.address)
    const batches = await runContractCall({ pool: fastify.pool, contract: c, key, batches: req.body.batches, ...(req.body.plain ? { plain: req.body.plain } : {}) })
    return { contractId: c.id, batches }
  })
}
