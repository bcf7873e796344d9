/**
 * @module plugins/external/rate-limit
 * Per-identity rate limit (@fastify/rate-limit), applied by the auth plugin's `onRequest` hook
 * right after the caller is resolved from the headers and before any refusal: the key is the
 * session's wallet address when there is one and the client IP otherwise (`trustProxy` decides
 * which IP), so a signed-in agent cannot escape its limit by changing IP, and requests refused by
 * auth or validation still spend their IP's budget.
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GatewayError } from '../../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Count the request against its bucket; throws 429 RATE_LIMITED past the limit. */
    limitRequest: (req: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** Register @fastify/rate-limit (not as a route hook: the auth plugin calls {@link limitRequest}). */
export const rateLimitPlugin = fp(
  async (fastify) => {
    await fastify.register(rateLimit, {
      global: false,
      max: fastify.config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => (req.identity ? `id:${req.identity.address}` : `ip:${req.ip}`),
      errorResponseBuilder: (_req, ctx) => new GatewayError('RATE_LIMITED', { shortMessage: `rate limit of ${ctx.max} requests per minute exceeded; retry in ${ctx.after}` }),
    })
    const limiter = fastify.rateLimit() as (req: FastifyRequest, reply: FastifyReply) => Promise<void>
    fastify.decorate('limitRequest', limiter)
  },
  { name: 'krain-rate-limit', dependencies: ['krain-env'] },
)
