/**
 * @module schemas/mpc
 * MPC session routes. Party messages are checked in depth by `@krain/mpc`'s coordinator
 * (signatures, sizes, field range); the schemas bound their shape and size.
 */
import { Type, type Static, type TSchema } from 'typebox'
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
export type ReceiveResponse = Static<typeof ReceiveResponse>

// Responses. Party messages inside them are relayed as signed (the listed fields are what a party
// checks; any other field passes through unchanged, so a signature over the message still verifies).
const Hex = Type.String({ pattern: '^0x[0-9a-fA-F]*$' })
const Phase = Type.Union([Type.Literal('join'), Type.Literal('share'), Type.Literal('sum'), Type.Literal('done'), Type.Literal('failed')])
const Signed = <P extends Record<string, TSchema>>(properties: P) => Type.Object({ ...properties, signature: Hex }, { additionalProperties: true })

/** A session's parameters (`@krain/mpc` `SessionConfig`); `sessionId` is the SHA-256 of the rest. */
export const MpcSessionConfig = Type.Object({
  version: Type.Literal(1),
  sessionId: Hex,
  coordinator: Address,
  parties: Type.Array(Address),
  threshold: Type.Integer(),
  length: Type.Integer(),
  scale: Type.Number(),
  bound: Type.Number(),
  minContributors: Type.Integer(),
  deadlines: Type.Object({ join: Type.Integer(), share: Type.Integer(), sum: Type.Integer() }),
  dp: Type.Union([Type.Object({ epsilon: Type.Number(), l1Sensitivity: Type.Number() }), Type.Null()]),
  nonce: Hex,
  primes: Type.Array(Type.Integer()),
  allowUnverified: Type.Optional(Type.Boolean()),
})
export type MpcSessionConfig = Static<typeof MpcSessionConfig>

/** A session's progress, configuration and creator. */
export const MpcSessionStatus = Type.Object({
  phase: Phase,
  joined: Type.Array(Address),
  uploaded: Type.Array(Address),
  summed: Type.Array(Address),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), cheaters: Type.Optional(Type.Array(Address)) }), Type.Null()]),
  config: MpcSessionConfig,
  creator: Type.String(),
})
export type MpcSessionStatus = Static<typeof MpcSessionStatus>

/** The coordinator-signed roster: the members' own signed joins, in party order. */
export const MpcRoster = Signed({ type: Type.Literal('roster'), sessionId: Hex, members: Type.Array(Signed({ type: Type.Literal('join'), sessionId: Hex, from: Address, encryptionKey: Type.String() })) })
export type MpcRoster = Static<typeof MpcRoster>

/** One party's inbox: the signed contributor set and the ciphertexts addressed to it. */
export const MpcShareBundle = Type.Object({
  type: Type.Literal('share-bundle'),
  sessionId: Hex,
  to: Address,
  contributors: Signed({ type: Type.Literal('contributors'), sessionId: Hex, contributors: Type.Array(Address) }),
  shares: Type.Array(Signed({ from: Address, ciphertext: Type.String(), manifest: Type.Array(Type.Array(Type.String(), { minItems: 2, maxItems: 2 })) })),
})
export type MpcShareBundle = Static<typeof MpcShareBundle>

/** The released aggregate (`@krain/mpc` `AggregateResult`). */
export const MpcAggregate = Type.Object({
  type: Type.Literal('result'),
  sessionId: Hex,
  contributors: Type.Array(Address),
  sumShareHolders: Type.Array(Address),
  cheaters: Type.Array(Address),
  dealersBlamed: Type.Optional(Type.Array(Address)),
  verified: Type.Boolean(),
  liarTolerance: Type.Integer(),
  sum: Type.Array(Type.String()),
  values: Type.Array(Type.Number()),
})
export type MpcAggregate = Static<typeof MpcAggregate>

/** The phase after an operator closed a round. */
export const MpcCloseResponse = Type.Object({ phase: Phase })
export type MpcCloseResponse = Static<typeof MpcCloseResponse>
