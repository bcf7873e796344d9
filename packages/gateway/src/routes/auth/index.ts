/**
 * @module routes/auth
 * `POST /v1/auth/challenge` → a SIWE message; `POST /v1/auth/session` with its signature → a
 * session token; `GET /v1/auth/me`; `DELETE /v1/auth/session` signs out.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { issueChallenge, hashToken, signIn } from '../../auth/siwe.js'
import { ChallengeBody, ChallengeResponse, MeResponse, SessionBody, SessionResponse } from '@krain/client/schemas/auth'
import { errorResponses } from '@krain/client/schemas/common'

/** Body limit of the sign-in routes (a SIWE message is at most 4 KiB). */
export const AUTH_BODY_LIMIT = 16 << 10

/** The auth routes. */
export const authRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const bodyLimit = Math.min(AUTH_BODY_LIMIT, fastify.config.bodyLimit)
  fastify.post('/challenge', { bodyLimit, schema: { tags: ['auth'], summary: 'Get a Sign-In with Ethereum message to sign', body: ChallengeBody, response: { 200: ChallengeResponse, ...errorResponses } } }, async (req) => {
    return issueChallenge({ store: fastify.store, address: req.body.address, domain: fastify.config.domain, uri: `http://${fastify.config.domain}`, chainId: fastify.chain?.chainId ?? 1 })
  })

  fastify.post('/session', { bodyLimit, schema: { tags: ['auth'], summary: 'Exchange a signed challenge for a session token', body: SessionBody, response: { 200: SessionResponse, ...errorResponses } } }, async (req) => {
    const s = await signIn({ store: fastify.store, message: req.body.message, signature: req.body.signature as `0x${string}`, domain: fastify.config.domain, ttlMs: fastify.config.sessionTtlSeconds * 1000 })
    return { ...s, roles: fastify.policy.grantOf(s.address).roles }
  })

  fastify.get('/me', { schema: { tags: ['auth'], summary: 'Who am I', response: { 200: MeResponse, ...errorResponses } }, preHandler: fastify.authenticate }, async (req) => {
    const who = req.caller()
    return { address: who.address, roles: who.roles, via: who.via }
  })

  fastify.delete('/session', { schema: { tags: ['auth'], summary: 'Sign out (revoke this session token)', response: { 204: { type: 'null' }, ...errorResponses } }, preHandler: fastify.authenticate }, async (req, reply) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')
    if (m) {
      fastify.forgetSession(m[1]!)
      await fastify.store.deleteSession(hashToken(m[1]!))
    }
    return reply.code(204).send(null)
  })
}
