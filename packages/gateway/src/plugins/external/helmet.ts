/**
 * @module plugins/external/helmet
 * Security headers (@fastify/helmet). Swagger UI at /docs brings its own CSP for its assets.
 */
import helmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/** Register @fastify/helmet for every route. */
export const helmetPlugin = fp(
  async (fastify) => {
    await fastify.register(helmet, { global: true })
  },
  { name: 'krain-helmet' },
)
