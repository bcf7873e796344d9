/**
 * @module schemas/federated
 * Federated training sessions. SecAgg messages are checked in depth by
 * `@krain/federated` (wire decoding, signatures, round binding); the schemas bound their shape.
 */
import { Type, type Static } from 'typebox'
import type { NetworkModel } from '@krain/models'
import { Address } from './common.js'
import { CalibrationRows, WeightModeSchema } from './models.js'

export const FederatedIdParams = Type.Object({ id: Type.String({ pattern: '^fed-[0-9a-f-]{36}$' }) })
export type FederatedIdParams = Static<typeof FederatedIdParams>

export const CreateFederatedBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
    /** The initial model (any `@krain/models` model: logistic, MLP or network). */
    model: Type.Object({ kind: Type.String({ maxLength: 16 }) }, { additionalProperties: true }),
    hospitals: Type.Array(Address, { minItems: 2, maxItems: 100 }),
    rounds: Type.Integer({ minimum: 1, maximum: 1000 }),
    threshold: Type.Integer({ minimum: 2, maximum: 100 }),
    algorithm: Type.Optional(Type.Union([Type.Literal('fedavg'), Type.Literal('fedprox')])),
    mu: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    clip: Type.Number({ exclusiveMinimum: 0, maximum: 1e6 }),
    maxSamples: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    localEpochs: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    dp: Type.Optional(Type.Object({ epsilon: Type.Number({ exclusiveMinimum: 0 }), delta: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), noiseMultiplier: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false })),
    /** The consent every hospital must sign (EIP-712): purpose, computation, expiry (unix seconds). */
    consent: Type.Object({ purpose: Type.String({ minLength: 1, maxLength: 500 }), computation: Type.String({ minLength: 1, maxLength: 500 }), expiry: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)
export type CreateFederatedBody = Static<typeof CreateFederatedBody>

/** A hospital's signed consent (`@krain/audit` SignedConsent) and its co-signature of the audit entry. */
export const ConsentBody = Type.Object(
  {
    consent: Type.Object({ consent: Type.Object({}, { additionalProperties: true }), signature: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
    auditSignature: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{130}$' })),
  },
  { additionalProperties: false },
)
export type ConsentBody = Static<typeof ConsentBody>

/** One SecAgg message (wire JSON of `@krain/federated`). */
export const SecAggMessageBody = Type.Object({ message: Type.Object({ from: Type.Integer({ minimum: 1, maximum: 1000 }) }, { additionalProperties: true }) }, { additionalProperties: false })
export type SecAggMessageBody = Static<typeof SecAggMessageBody>

export const SecAggStep = Type.Union([Type.Literal('advertise'), Type.Literal('shares'), Type.Literal('masked'), Type.Literal('unmask')])
export const FederatedMessageParams = Type.Object({ id: Type.String({ pattern: '^fed-[0-9a-f-]{36}$' }), step: SecAggStep })
export type FederatedMessageParams = Static<typeof FederatedMessageParams>

/** Register the trained model under `name`. */
export const RegisterFederatedBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
    /** Rows in the model's input space (as for `POST /v1/models`): the CKKS plan's ranges and the circuit's quantisation. */
    calibration: Type.Optional(CalibrationRows),
    mode: Type.Optional(WeightModeSchema),
  },
  { additionalProperties: false },
)
export type RegisterFederatedBody = Static<typeof RegisterFederatedBody>


// ---- responses (fast-json-stringify keeps only what is named here: every field a reader uses is listed)

type Addr = `0x${string}`
const Addr = Type.Unsafe<Addr>(Address)
const Hex = Type.Unsafe<Addr>(Type.String({ pattern: '^0x[0-9a-fA-F]*$' }))
const Int = Type.Integer()
const IntList = Type.Array(Type.Integer())

/** A `@krain/models` model (any kind; its fields pass through unchanged). */
const ModelJson = Type.Unsafe<NetworkModel>(Type.Object({ kind: Type.String() }, { additionalProperties: true }))

/** A session's fixed config. */
export const FederatedSessionConfigSchema = Type.Object({
  id: Type.String(),
  creator: Addr,
  name: Type.String(),
  model: ModelJson,
  hospitals: Type.Array(Addr),
  rounds: Int,
  threshold: Int,
  algorithm: Type.Union([Type.Literal('fedavg'), Type.Literal('fedprox')]),
  mu: Type.Number(),
  clip: Type.Number(),
  maxSamples: Int,
  localEpochs: Int,
  learningRate: Type.Number(),
  batchSize: Int,
  dp: Type.Union([Type.Object({ epsilon: Type.Number(), delta: Type.Number(), noiseMultiplier: Type.Number() }), Type.Null()]),
  consent: Type.Object({ purpose: Type.String(), computation: Type.String(), expiry: Int }),
  length: Int,
  bound: Type.Number(),
  sigma: Type.Number(),
  scale: Type.Number(),
  createdAt: Int,
})

/** A hospital's signed EIP-712 consent (`@krain/audit` SignedConsent). */
export const SignedConsentSchema = Type.Object(
  {
    consent: Type.Object({ sessionId: Type.String(), purpose: Type.String(), computation: Type.String(), parties: Type.Array(Addr), expiry: Int, party: Addr }, { additionalProperties: true }),
    signature: Hex,
  },
  { additionalProperties: true },
)

/** A roster member's signed SecAgg advertisement (wire JSON of `@krain/federated`, keys base64). */
export const AdvertiseJsonSchema = Type.Object(
  { from: Int, cPk: Type.String(), sPk: Type.String(), vk: Type.String(), signature: Type.String(), identitySignature: Type.Optional(Hex) },
  { additionalProperties: true },
)

/** One finished (or refused) round. */
export const FederatedRoundRecordSchema = Type.Object({
  round: Int,
  attempt: Int,
  contributors: Type.Array(Addr),
  epsilon: Type.Union([Type.Number(), Type.Null()]),
  refused: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
})

export const FederatedPhase = Type.Union([Type.Literal('joining'), Type.Literal('shares'), Type.Literal('masked'), Type.Literal('unmask'), Type.Literal('done'), Type.Literal('budget-exhausted')])

/** The public status of a session (no secret in it; the model is the shared output). */
export const FederatedStatusSchema = Type.Object({
  id: Type.String(),
  config: FederatedSessionConfigSchema,
  phase: FederatedPhase,
  /** Rounds completed. */
  round: Int,
  /** SecAgg round number of the attempt in progress (messages must carry it). */
  attempt: Int,
  parameters: Type.Array(Type.Number()),
  epsilonSpent: Type.Union([Type.Number(), Type.Null()]),
  consents: Type.Array(SignedConsentSchema),
  roster: Type.Array(AdvertiseJsonSchema),
  u1: Type.Union([IntList, Type.Null()]),
  u2: Type.Union([IntList, Type.Null()]),
  history: Type.Array(FederatedRoundRecordSchema),
  modelId: Type.Union([Type.String(), Type.Null()]),
})
export type FederatedStatus = Static<typeof FederatedStatusSchema>

/** The seed-share ciphertexts addressed to the caller in the open attempt, with U1. */
export const FederatedInboxResponse = Type.Object({ attempt: Int, u1: IntList, inbox: Type.Array(Type.Object({ from: Int, ciphertext: Type.String() })) })
export type FederatedInboxResponse = Static<typeof FederatedInboxResponse>

/** The trained model of a finished session. */
export const FederatedResultResponse = Type.Object({ model: ModelJson, rounds: Int, epsilonSpent: Type.Union([Type.Number(), Type.Null()]), modelId: Type.Union([Type.String(), Type.Null()]) })
export type FederatedResultResponse = Static<typeof FederatedResultResponse>

/** One federated session as the owner-scoped list shows it (`GET /v1/federated/sessions`). */
export const FederatedSessionSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  creator: Addr,
  hospitals: Type.Array(Addr),
  /** Hospitals whose signed consent the session holds. */
  consented: Type.Array(Addr),
  phase: FederatedPhase,
  /** Rounds completed, of `rounds`. */
  round: Int,
  rounds: Int,
  attempt: Int,
  threshold: Int,
  algorithm: Type.String(),
  /** Hospitals that sent masked inputs but not their unmasking shares in the open attempt. */
  dropouts: Type.Array(Addr),
  /** Contributors of the last aggregated round (null before the first). */
  lastContributors: Type.Union([Int, Type.Null()]),
  epsilonSpent: Type.Union([Type.Number(), Type.Null()]),
  dp: Type.Union([Type.Object({ epsilon: Type.Number(), delta: Type.Number() }), Type.Null()]),
  modelId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Int,
})
export type FederatedSessionSummary = Static<typeof FederatedSessionSummarySchema>

/** Query of the session list. */
export const FederatedListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false })
