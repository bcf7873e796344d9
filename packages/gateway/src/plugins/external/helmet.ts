/**
 * @module plugins/external/helmet
 * Security headers (@fastify/helmet). The API answers JSON only, so it gets the strictest
 * Content-Security-Policy, as one constant header (helmet's CSP module rebuilds its header on every
 * request, a fifth of a light request's CPU). Swagger UI at /docs sets its own CSP for its assets.
 */
import helmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/** CSP of every API response: nothing may be loaded, framed or submitted. */
export const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Register @fastify/helmet for every route, with a constant CSP. */
export const helmetPlugin = fp(
  async (fastify) => {
    await fastify.register(helmet, { global: true, contentSecurityPolicy: false })
    fastify.addHook('onRequest', async (_req, reply) => {
      reply.header('content-security-policy', API_CSP)
    })
  },
  { name: 'krain-helmet' },
)
