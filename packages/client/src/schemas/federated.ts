/**
 * @module schemas/federated
 * Federated training sessions. SecAgg messages are checked in depth by
 * `@krain/federated` (wire decoding, signatures, round binding); the schemas bound their shape.
 */
import { Type, type Static } from 'typebox'
import { Address } from './common.js'

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
export const RegisterFederatedBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }) }, { additionalProperties: false })
export type RegisterFederatedBody = Static<typeof RegisterFederatedBody>
