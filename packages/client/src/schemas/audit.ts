/**
 * @module schemas/audit
 * The audit-log export route. The log itself is `@krain/audit`'s `AuditLogExport`, verified offline.
 */
import { Type, type Static } from 'typebox'

export const AuditSessionParams = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9:_.-]+$' }) })
export type AuditSessionParams = Static<typeof AuditSessionParams>

type Hex = `0x${string}`
const HexS = Type.Unsafe<Hex>(Type.String({ pattern: '^0x[0-9a-fA-F]*$' }))

/** One audit entry as exported (`@krain/audit` AuditEntry). */
export const AuditEntrySchema = Type.Object(
  {
    seq: Type.Integer(),
    time: Type.Integer(),
    kind: Type.String(),
    sessionId: Type.String(),
    dataDigest: HexS,
    actor: Type.Union([HexS, Type.Null()]),
    prevHash: HexS,
    hash: HexS,
    ownerSignature: HexS,
    actorSignature: Type.Optional(HexS),
  },
  { additionalProperties: true },
)

/** A session's exported audit log (`@krain/audit` AuditLogExport: hash-chained entries, signed head). */
export const AuditLogExportSchema = Type.Object(
  {
    version: Type.Literal(1),
    owner: HexS,
    entries: Type.Array(AuditEntrySchema),
    head: Type.Object({ count: Type.Integer(), lastHash: HexS, time: Type.Integer(), signature: HexS }, { additionalProperties: true }),
  },
  { additionalProperties: true },
)
export type AuditLogExportSchema = Static<typeof AuditLogExportSchema>
