/**
 * @module routes/he/bundles
 * Evaluation-key bundles as a resource of their owner: `GET /v1/he/keys` lists mine
 * (newest first, with size and expiry; an admin may pass `?all=true`), `DELETE /v1/he/keys/:id`
 * deletes one. Bundles expire `KRAIN_KEY_BUNDLE_TTL` seconds (default one day) after their upload:
 * expired ones are deleted at startup and then every minute, and never listed.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { NotFoundError } from '../../errors.js'
import { errorResponses, IdParams } from '@krain/client/schemas/common'

const Bundle = Type.Object({ keyId: Type.String(), owner: Type.String(), scheme: Type.String(), bytes: Type.Integer(), polyModulusDegree: Type.Integer(), createdAt: Type.Integer(), expiresAt: Type.Integer() })
const ListQuery = Type.Object({ all: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) }, { additionalProperties: false })

/** How often expired bundles are deleted. */
export const KEY_PURGE_INTERVAL_MS = 60_000

/** Listing, deletion and expiry of evaluation-key bundles. */
export const keyBundleRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const ttlMs = fastify.config.keyBundleTtlSeconds * 1000
  const purge = async (): Promise<void> => {
    const n = await fastify.store.deleteKeysCreatedBefore(Date.now() - ttlMs)
    if (n > 0) fastify.log.info({ deleted: n }, 'expired evaluation-key bundles deleted')
  }
  let timer: NodeJS.Timeout | undefined
  fastify.addHook('onReady', async () => {
    await purge()
    timer = setInterval(() => void purge().catch((e: unknown) => fastify.log.warn({ err: e }, 'evaluation-key purge failed')), KEY_PURGE_INTERVAL_MS)
    timer.unref()
  })
  fastify.addHook('onClose', async () => clearInterval(timer))

  fastify.get('/keys', { schema: { tags: ['he'], summary: 'My evaluation-key bundles, newest first, with their expiry (admin: ?all=true)', querystring: ListQuery, response: { 200: Type.Array(Bundle), ...errorResponses } } }, async (req) => {
    const who = req.caller()
    const all = req.query.all === 'true' && who.roles.includes('admin')
    const now = Date.now()
    return (await fastify.store.listKeys(all ? null : who.address))
      .filter((k) => k.createdAt + ttlMs > now)
      .map((k) => ({ keyId: k.id, owner: k.owner, scheme: k.scheme, bytes: k.size, polyModulusDegree: k.params.polyModulusDegree, createdAt: k.createdAt, expiresAt: k.createdAt + ttlMs }))
  })

  fastify.delete('/keys/:id', { schema: { tags: ['he'], summary: 'Delete one of my evaluation-key bundles', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } }, async (req, reply) => {
    const who = req.caller()
    const k = await fastify.store.getKey(req.params.id)
    if (!k || (k.owner !== who.address && !who.roles.includes('admin'))) throw new NotFoundError('evaluation keys', req.params.id)
    await fastify.store.deleteKey(k.id)
    return reply.code(204).send(null)
  })
}
