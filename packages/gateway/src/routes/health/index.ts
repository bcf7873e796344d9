/**
 * @module routes/health
 * `GET /healthz` (liveness and dependencies) and `GET /metrics` (Prometheus text format).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const Health = Type.Object({
  status: Type.Literal('ok'),
  store: Type.String(),
  /** `rpcUrl`: where clients can read the chain (`KRAIN_PUBLIC_RPC_URL`, or the embedded anvil's), for `krain verify` without `--rpc`. */
  chain: Type.Union([Type.Object({ chainId: Type.Integer(), registry: Type.String(), rpcUrl: Type.Optional(Type.String()) }), Type.Null()]),
  /** `connecting`: the RPC is configured but unreachable (chain routes answer 503 meanwhile). */
  chainStatus: Type.Union([Type.Literal('none'), Type.Literal('connected'), Type.Literal('connecting')]),
  workers: Type.Integer(),
  uptimeSeconds: Type.Number(),
})

/** Health and metrics routes. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness and configuration', response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    store: fastify.store.kind,
    chain: fastify.chain ? { chainId: fastify.chain.chainId, registry: fastify.chain.registryAddress, ...(fastify.config.publicRpcUrl ? { rpcUrl: fastify.config.publicRpcUrl } : {}) } : null,
    chainStatus: fastify.chainStatus,
    workers: fastify.pool.threads,
    uptimeSeconds: process.uptime(),
  }))

  fastify.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: false, response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }) } } }, async (_req, reply) => {
    reply.header('content-type', fastify.metrics.registry.contentType)
    return fastify.metrics.registry.metrics()
  })
}
