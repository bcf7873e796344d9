/**
 * @module plugins/external/rate-limit
 * Per-identity rate limit (@fastify/rate-limit). It runs as a `preHandler`, after the auth hook
 * has resolved the caller, so the key is the wallet address when there is one and the IP
 * otherwise: a signed-in agent cannot escape its limit by changing IP, and anonymous callers
 * share their IP's.
 */
import rateLimit from '@fastify/rate-limit'
import fp from 'fastify-plugin'

/** Register @fastify/rate-limit keyed by identity. */
export const rateLimitPlugin = fp(
  async (fastify) => {
    await fastify.register(rateLimit, {
      global: true,
      hook: 'preHandler',
      max: fastify.config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => (req.identity ? `id:${req.identity.address}` : `ip:${req.ip}`),
      errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'RATE_LIMITED', message: `rate limit of ${ctx.max} requests per minute exceeded; retry in ${ctx.after}` }),
    })
  },
  { name: 'krain-rate-limit', dependencies: ['krain-env', 'krain-auth'] },
)
