/**
 * @module schemas/models
 * Model registration (the `@krain/models` JSON shapes), encrypted-inference plans and requests,
 * proven-inference requests.
 */
import { Type, type Static } from 'typebox'

const Num = Type.Number()
const LinearModel = Type.Object(
  { kind: Type.Union([Type.Literal('linear'), Type.Literal('logistic')]), weights: Type.Array(Num, { minItems: 1, maxItems: 65_536 }), bias: Num },
  { additionalProperties: false },
)
const DenseLayer = Type.Object({ weights: Type.Array(Type.Array(Num, { minItems: 1, maxItems: 65_536 }), { minItems: 1, maxItems: 4096 }), bias: Type.Array(Num, { minItems: 1, maxItems: 4096 }) }, { additionalProperties: false })
const MlpModel = Type.Object({ kind: Type.Literal('mlp'), layers: Type.Array(DenseLayer, { minItems: 1, maxItems: 16 }), activation: Type.Literal('square') }, { additionalProperties: false })
/** A plaintext model (`@krain/models`' `Model`). */
export const ModelSpec = Type.Union([LinearModel, MlpModel])
export type ModelSpec = Static<typeof ModelSpec>

export const RegisterModelBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }), model: ModelSpec },
  { additionalProperties: false },
)
export type RegisterModelBody = Static<typeof RegisterModelBody>

/** Public view of a model: shapes and commitment, never the weights. */
export const ModelInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  owner: Type.String(),
  inputs: Type.Integer(),
  outputs: Type.Integer(),
  commitment: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
})

export const PlanBody = Type.Object(
  {
    batchSize: Type.Integer({ minimum: 1, maximum: 16_384 }),
    layout: Type.Optional(Type.Union([Type.Literal('sample-per-ciphertext'), Type.Literal('feature-major')])),
    inputBound: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6 })),
  },
  { additionalProperties: false },
)
export type PlanBody = Static<typeof PlanBody>

export const EncryptedInferenceBody = Type.Object(
  {
    keyId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
    /** The plan parameters the ciphertexts were made for (the server recomputes the plan). */
    plan: PlanBody,
    /** Serialised input ciphertexts, base64 (from `encryptBatch`). */
    ciphertexts: Type.Array(Type.String({ minLength: 1, maxLength: 64 << 20, pattern: '^[A-Za-z0-9+/]+=*$' }), { minItems: 1, maxItems: 4096 }),
  },
  { additionalProperties: false },
)
export type EncryptedInferenceBody = Static<typeof EncryptedInferenceBody>
export const EncryptedInferenceResponse = Type.Object({ ciphertexts: Type.Array(Type.String()), count: Type.Integer() })

export const ProveBody = Type.Object(
  {
    /** The preprocessed feature row. */
    input: Type.Array(Type.Number({ minimum: -1e6, maximum: 1e6 }), { minItems: 1, maxItems: 4096 }),
    /** Salt of the input commitment (decimal field element); random when absent. */
    salt: Type.Optional(Type.String({ pattern: '^[0-9]{1,78}$' })),
  },
  { additionalProperties: false },
)
export type ProveBody = Static<typeof ProveBody>
