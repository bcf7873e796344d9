/**
 * @module schemas/psi
 * PSI session routes. The gateway relays binary chunks of blinded points between the
 * parties; chunks are posted as `application/octet-stream` and checked in depth by the service
 * (`KPSI` frame of this session, canonical points, order, replay).
 */
import { Type, type Static } from 'typebox'
import { Address } from './common.js'

export const PsiSessionIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })

export const PsiMode = Type.Union([Type.Literal('intersection'), Type.Literal('cardinality'), Type.Literal('sum')])

export const CreatePsiSessionBody = Type.Object(
  {
    /** Ring order; `parties[0]` is the leader, which learns the output. */
    parties: Type.Array(Address, { minItems: 2, maxItems: 16 }),
    mode: PsiMode,
    /** `sum`: the party whose values are summed (default: the last party); never the leader. */
    valueHolder: Type.Optional(Address),
    /** Session lifetime (default 24 h, at most 7 days). */
    expiresInMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3600_000 })),
  },
  { additionalProperties: false },
)
export type CreatePsiSessionBody = Static<typeof CreatePsiSessionBody>

export const PsiSessionConfig = Type.Object({
  sessionId: Type.String(),
  parties: Type.Array(Type.String()),
  mode: PsiMode,
  valueHolder: Type.Union([Type.String(), Type.Null()]),
  creator: Type.String(),
  createdAt: Type.Integer(),
  expiresAt: Type.Integer(),
})
export type PsiSessionConfig = Static<typeof PsiSessionConfig>

export const PsiStreamSummary = Type.Object({ sender: Type.String(), recipient: Type.String(), stream: Type.String(), chunks: Type.Integer(), bytes: Type.Integer(), last: Type.Boolean() })

export const PsiSessionStatus = Type.Intersect([PsiSessionConfig, Type.Object({ expired: Type.Boolean(), streams: Type.Array(PsiStreamSummary) })])
export type PsiSessionStatus = Static<typeof PsiSessionStatus>

const StreamName = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$' })

/** Query of a chunk post (the body is the chunk's bytes). */
export const PostPsiChunkQuery = Type.Object(
  { to: Address, stream: StreamName, index: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }), last: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
)
export const PostPsiChunkResponse = Type.Object({ status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate')]) })

/** Query of a chunk fetch: chunks from `from` on `stream` addressed to me, index ≥ `after`. */
export const FetchPsiChunksQuery = Type.Object(
  { from: Address, stream: StreamName, after: Type.Optional(Type.Integer({ minimum: 0 })), waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })) },
  { additionalProperties: false },
)
export const PsiChunkItem = Type.Object({ from: Type.String(), stream: Type.String(), index: Type.Integer(), last: Type.Boolean(), data: Type.String({ description: 'base64' }) })
export const FetchPsiChunksResponse = Type.Object({ chunks: Type.Array(PsiChunkItem), last: Type.Boolean() })
export type FetchPsiChunksResponse = Static<typeof FetchPsiChunksResponse>
