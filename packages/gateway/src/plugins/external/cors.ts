/**
 * @module plugins/external/cors
 * CORS: the API authenticates with bearer tokens or signatures (never cookies), so any origin may
 * call it; credentials are not allowed.
 */
import cors from '@fastify/cors'
import fp from 'fastify-plugin'

/** Register @fastify/cors. */
export const corsPlugin = fp(
  async (fastify) => {
    await fastify.register(cors, { origin: '*', methods: ['GET', 'POST', 'DELETE'], credentials: false })
  },
  { name: 'krain-cors' },
)
