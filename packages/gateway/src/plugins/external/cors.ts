/**
 * @module plugins/external/cors
 * CORS: the API authenticates with bearer tokens or signatures (never cookies), so any origin may
 * call it; credentials are not allowed. Every `OPTIONS` request is answered as a preflight (204,
 * no body) rather than with the plugin's plain-text 400 for a non-strict preflight, so no error body
 * is ever anything but `{ code, message }`.
 */
import cors from '@fastify/cors'
import fp from 'fastify-plugin'

/** Register @fastify/cors. */
export const corsPlugin = fp(
  async (fastify) => {
    await fastify.register(cors, { origin: '*', methods: ['GET', 'POST', 'DELETE'], credentials: false, strictPreflight: false })
  },
  { name: 'krain-cors' },
)
