/**
 * @module routes/audit
 * `GET /v1/audit/:sessionId`: a session's tamper-evident audit log (`@krain/audit` export, signed
 * head), for its hospitals, creator, verifiers and admins; checked offline with `krain audit verify`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PolicyDeniedError } from '../../errors.js'
import { errorResponses } from '@krain/client/schemas/common'
import { AuditLogExportSchema, AuditSessionParams } from '@krain/client/schemas/audit'
import { federatedServiceOf } from '../../federated/service-of.js'

/** Audit routes. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const fed = federatedServiceOf(fastify)
  fastify.get('/:sessionId', { schema: { tags: ['audit'], summary: "Export a session's audit log (hash-chained, gateway-signed)", params: AuditSessionParams, response: { 200: AuditLogExportSchema, ...errorResponses } } }, async (req) => {
    const who = req.caller()
    if (!who.roles.includes('admin') && !who.roles.includes('verifier')) {
      const m = await fed.membersOf(req.params.sessionId)
      const a = who.address.toLowerCase()
      if (m.creator !== a && !m.hospitals.includes(a)) throw new PolicyDeniedError({ action: 'audit:read', address: who.address, reason: 'not a hospital or the creator of this session' })
    }
    return fed.auditExport(req.params.sessionId)
  })
}
