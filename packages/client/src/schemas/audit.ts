/**
 * @module schemas/audit
 * The audit-log export route. The log itself is `@krain/audit`'s `AuditLogExport`, verified offline.
 */
import { Type, type Static } from 'typebox'

export const AuditSessionParams = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9:_.-]+$' }) })
export type AuditSessionParams = Static<typeof AuditSessionParams>
