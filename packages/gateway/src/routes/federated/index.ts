/**
 * @module routes/federated
 * Federated training sessions: the gateway is the SecAgg server (`@krain/federated`)
 * and relays signed, masked messages; it learns each round's sum only. Create (creator), consent
 * (EIP-712, each hospital), the four SecAgg steps (each hospital, its own messages only), inbox,
 * status, close a step (creator: the missing hospitals dropped), result, and register the
 * trained model through the gateway's own model registration route; the list of the sessions a
 * caller may read (creator, hospital; verifier/admin: all).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { PolicyDeniedError } from '../../errors.js'
import { errorResponses } from '@krain/client/schemas/common'
import { ConsentBody, CreateFederatedBody, FederatedIdParams, FederatedInboxResponse, FederatedListQuery, FederatedSessionSummarySchema, FederatedMessageParams, FederatedResultResponse, FederatedStatusSchema, RegisterFederatedBody, SecAggMessageBody } from '@krain/client/schemas/federated'
import { ModelInfo } from '@krain/client/schemas/models'
import { federatedServiceOf } from '../../federated/service-of.js'
import { summaryOf } from './summary.js'
import type { Hex } from '@krain/mpc'

/** How many of the newest sessions the list looks through for the caller's. */
const LIST_SCAN = 1_000

/** Federated routes. */
export const federatedRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const fed = federatedServiceOf(fastify)
  const bulk = fastify.config.bulkBodyLimit

  /** Hospitals, the creator, verifiers and admins may read a session. */
  const reader = async (req: FastifyRequest, id: string): Promise<void> => {
    const who = req.caller()
    if (who.roles.includes('admin') || who.roles.includes('verifier')) return
    const m = await fed.membersOf(id)
    const a = who.address.toLowerCase()
    if (m.creator === a || m.hospitals.includes(a)) return
    throw new PolicyDeniedError({ action: 'federated:read', address: who.address, reason: 'not a hospital or the creator of this session' })
  }

  fastify.post('/sessions', { schema: { tags: ['federated'], summary: 'Open a federated training session', body: CreateFederatedBody, response: { 201: FederatedStatusSchema, ...errorResponses } } }, async (req, reply) => {
    const who = req.authorize('mpc:create')
    return reply.code(201).send(await fed.create(req.body, who.address))
  })

  fastify.get('/sessions', { schema: { tags: ['federated'], summary: 'Federated sessions I may read (creator, hospital; verifier/admin: all), newest first', querystring: FederatedListQuery, response: { 200: Type.Array(FederatedSessionSummarySchema), ...errorResponses } } }, async (req) => {
    const who = req.caller()
    const me = who.address.toLowerCase()
    const all = who.roles.includes('admin') || who.roles.includes('verifier')
    const limit = req.query.limit ?? 50
    const out: Static<typeof FederatedSessionSummarySchema>[] = []
    for (const r of await fastify.store.listFederatedSessions(LIST_SCAN)) {
      if (!all && r.config.creator.toLowerCase() !== me && !r.config.hospitals.some((h) => h.toLowerCase() === me)) continue
      out.push(summaryOf(await fed.status(r.id)))
      if (out.length >= limit) break
    }
    return out
  })

  fastify.get('/sessions/:id', { schema: { tags: ['federated'], summary: 'Status: phase, round k of n, roster, U1/U2, ε spent, the global model', params: FederatedIdParams, response: { 200: FederatedStatusSchema, ...errorResponses } } }, async (req) => {
    await reader(req, req.params.id)
    return fed.status(req.params.id)
  })

  fastify.post('/sessions/:id/consent', { schema: { tags: ['federated'], summary: "A hospital's signed EIP-712 consent", params: FederatedIdParams, body: ConsentBody, response: { 200: FederatedStatusSchema, ...errorResponses } } }, async (req) => {
    const who = req.authorize('mpc:join', { sessionId: req.params.id })
    return fed.consent(req.params.id, who.address, req.body.consent, req.body.auditSignature as Hex | undefined)
  })

  fastify.post('/sessions/:id/secagg/:step', { bodyLimit: bulk, schema: { tags: ['federated'], summary: 'One SecAgg message of the signed-in hospital (advertise, shares, masked, unmask)', params: FederatedMessageParams, body: SecAggMessageBody, response: { 200: FederatedStatusSchema, ...errorResponses } } }, async (req) => {
    const who = req.authorize('mpc:join', { sessionId: req.params.id })
    return fed.message(req.params.id, who.address, req.params.step, req.body.message)
  })

  fastify.get('/sessions/:id/inbox', { schema: { tags: ['federated'], summary: 'Seed shares addressed to me in the open attempt, with U1', params: FederatedIdParams, response: { 200: FederatedInboxResponse, ...errorResponses } } }, async (req) => {
    const who = req.authorize('mpc:join', { sessionId: req.params.id })
    return fed.inbox(req.params.id, who.address)
  })

  fastify.post('/sessions/:id/close', { schema: { tags: ['federated'], summary: 'Close the current step now (creator): hospitals that did not send dropped', params: FederatedIdParams, response: { 200: FederatedStatusSchema, ...errorResponses } } }, async (req) => {
    return fed.close(req.params.id, req.caller().address)
  })

  fastify.get('/sessions/:id/result', { schema: { tags: ['federated'], summary: 'The trained model (after the last round)', params: FederatedIdParams, response: { 200: FederatedResultResponse, ...errorResponses } } }, async (req) => {
    await reader(req, req.params.id)
    const { model, status } = await fed.result(req.params.id)
    return { model, rounds: status.round, epsilonSpent: status.epsilonSpent, modelId: status.modelId }
  })

  fastify.post('/sessions/:id/register', { schema: { tags: ['federated'], summary: 'Register the trained model as a gateway model (the model registration route, same checks)', params: FederatedIdParams, body: RegisterFederatedBody, response: { 201: ModelInfo, ...errorResponses } } }, async (req, reply) => {
    await reader(req, req.params.id)
    const { model } = await fed.result(req.params.id)
    // the same code path as POST /v1/models, with the caller's own credentials and policy
    const res = await fastify.inject({ method: 'POST', url: '/v1/models', headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' }, payload: { name: req.body.name, model, ...(req.body.calibration ? { calibration: req.body.calibration } : {}), ...(req.body.mode ? { mode: req.body.mode } : {}) } })
    const body = res.json() as Static<typeof ModelInfo>
    if (res.statusCode !== 201 || !body.id) return reply.code(res.statusCode as 400).send(body)
    await fed.registered(req.params.id, body.id, req.caller().address)
    return reply.code(201).send(body)
  })
}
