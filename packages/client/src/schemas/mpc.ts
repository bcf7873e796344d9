/**
 * @module schemas/mpc
 * MPC session routes. Party messages are checked in depth by `@krain/mpc`'s coordinator
 * (signatures, sizes, field range); the schemas bound their shape and size.
 */
import { Type, type Static } from 'typebox'
import { Address } from './common.js'

export const SessionIdParams = Type.Object({ id: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }) })

export const CreateMpcSessionBody = Type.Object(
  {
    parties: Type.Array(Address, { minItems: 2, maxItems: 1024 }),
    threshold: Type.Optional(Type.Integer({ minimum: 2, maximum: 1024 })),
    length: Type.Integer({ minimum: 1, maximum: 1 << 24 }),
    scale: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    bound: Type.Number({ exclusiveMinimum: 0 }),
    minContributors: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    /** Absolute deadlines (ms since epoch); or use `timeoutsMs`. */
    deadlines: Type.Optional(Type.Object({ join: Type.Integer(), share: Type.Integer(), sum: Type.Integer() }, { additionalProperties: false })),
    /** Deadlines relative to now, in ms. */
    timeoutsMs: Type.Optional(
      Type.Object({ join: Type.Integer({ minimum: 1 }), share: Type.Integer({ minimum: 1 }), sum: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    ),
    dp: Type.Optional(Type.Object({ epsilon: Type.Number({ exclusiveMinimum: 0 }), l1Sensitivity: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false })),
    /**
     * Release a sum no extra sum-share could cross-check (exactly t sum-shares), marked
     * `verified: false`. Without it such a session fails with `MPC_RESULT_UNVERIFIED`.
     */
    allowUnverified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type CreateMpcSessionBody = Static<typeof CreateMpcSessionBody>

/** A party message, relayed as-is to the coordinator state machine. */
export const PartyMessageBody = Type.Object(
  {
    message: Type.Object({ type: Type.String({ maxLength: 32 }), sessionId: Type.String({ maxLength: 80 }), from: Type.String({ maxLength: 64 }), signature: Type.String({ maxLength: 200 }) }, { additionalProperties: true }),
  },
  { additionalProperties: false },
)
export type PartyMessageBody = Static<typeof PartyMessageBody>

export const ReceiveResponse = Type.Object({ status: Type.String(), phase: Type.String() })
