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

export const WeightModeSchema = Type.Union([Type.Literal('committed'), Type.Literal('public')], { description: 'proving weight mode; asking for one is asking for proving (a model that cannot be proven is then refused)' })
export const CalibrationRows = Type.Array(Type.Array(Num, { minItems: 1, maxItems: 65_536 }), { minItems: 1, maxItems: 10_000, description: 'raw feature rows: the calibrated input ranges of the CKKS plan and the quantisation' })
const ModelName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' })

/**
 * Register a model: `model` (JSON, any form `@krain/models` `assertModel` accepts: linear,
 * logistic, mlp, network) or `onnx` (the file's bytes, base64), with optional calibration rows and
 * proving mode.
 */
export const RegisterModelBody = Type.Object(
  {
    name: ModelName,
    model: Type.Optional(Type.Object({ kind: Type.String({ maxLength: 32 }) }, { additionalProperties: true, description: 'a @krain/models Model (JSON)' })),
    onnx: Type.Optional(Type.String({ minLength: 4, maxLength: 22 << 20, pattern: '^[A-Za-z0-9+/]+=*$', description: 'an .onnx file, base64' })),
    calibration: Type.Optional(CalibrationRows),
    mode: Type.Optional(WeightModeSchema),
  },
  { additionalProperties: false },
)
export type RegisterModelBody = Static<typeof RegisterModelBody>

/** Query of the binary upload `POST /v1/models/onnx` (body: the .onnx bytes as application/octet-stream). */
export const RegisterOnnxQuery = Type.Object(
  { name: ModelName, mode: Type.Optional(WeightModeSchema), calibration: Type.Optional(Type.String({ maxLength: 1 << 16, description: 'calibration rows as CSV lines separated by ";" (small sets; larger ones through the JSON body)' })) },
  { additionalProperties: false },
)
export type RegisterOnnxQuery = Static<typeof RegisterOnnxQuery>

/** Layers of a model: widths and activation. */
export const ModelLayers = Type.Array(Type.Object({ inputs: Type.Integer(), outputs: Type.Integer(), activation: Type.String() }))

/** The CKKS plan summary of a model, or why it cannot be encrypted. */
export const HeSummary = Type.Object({
  encryptable: Type.Boolean(),
  polyModulusDegree: Type.Optional(Type.Integer()),
  depth: Type.Optional(Type.Integer()),
  layout: Type.Optional(Type.String()),
  relin: Type.Optional(Type.Boolean()),
  errorBound: Type.Optional(Type.Number()),
  approximated: Type.Optional(Type.Array(Type.String())),
  inputRange: Type.Optional(Type.Boolean()),
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
})

/** Whether (and how) a model can be proven. */
export const ProvingSummary = Type.Object({
  provable: Type.Boolean(),
  circuit: Type.Union([Type.Literal('shipped'), Type.Literal('generated'), Type.Null()]),
  circuitId: Type.Union([Type.String(), Type.Null()]),
  mode: Type.Union([Type.String(), Type.Null()]),
  constraints: Type.Union([Type.Integer(), Type.Null()]),
  limit: Type.Union([Type.Integer(), Type.Null()]),
  agreement: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /** The circuit build job (generated circuits), see `GET /v1/models/:id/circuit` and `/v1/jobs/:id`. */
  buildJobId: Type.Optional(Type.String()),
})

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
  head: Type.Optional(Type.String()),
  layers: Type.Optional(ModelLayers),
  parameters: Type.Optional(Type.Integer()),
  source: Type.Optional(Type.String()),
  onnx: Type.Optional(Type.Object({ producer: Type.String(), opset: Type.Integer(), operators: Type.Record(Type.String(), Type.Integer()) })),
  he: Type.Optional(HeSummary),
  proving: Type.Optional(ProvingSummary),
})
export type ModelInfo = Static<typeof ModelInfo>

/** The circuit build of a model (generated circuits). */
export const CircuitStatusSchema = Type.Object({
  jobId: Type.String(),
  state: Type.String(),
  phase: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
  circuitId: Type.Union([Type.String(), Type.Null()]),
  constraints: Type.Union([Type.Integer(), Type.Null()]),
  seconds: Type.Union([Type.Object({ compile: Type.Number(), setup: Type.Number() }), Type.Null()]),
  verifier: Type.Union([Type.String(), Type.Null()]),
  txHash: Type.Union([Type.String(), Type.Null()]),
  devOnly: Type.Boolean(),
  vkey: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
})
export type CircuitStatusSchema = Static<typeof CircuitStatusSchema>

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

/** Largest batch of one proof: `packedOutputs = Σ output_r · 256^r` must stay below the field (the registry's `MAX_BATCH_SIZE`). */
export const MAX_PROVE_BATCH = 31

/** `POST /v1/models/:id/prove-batch`: k rows of one model in one proof (1 ≤ k ≤ {@link MAX_PROVE_BATCH}). */
export const ProveBatchBody = Type.Object(
  {
    /** The preprocessed feature rows (each checked against the model's shape and the circuit's input range; a row count above the limit is a typed `BATCH_TOO_LARGE`). */
    inputs: Type.Array(Type.Array(Type.Number({ minimum: -1e6, maximum: 1e6 }), { minItems: 1, maxItems: 4096 }), { minItems: 1, maxItems: 256 }),
    /** One salt per row (decimal field elements); random when absent. */
    salts: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,78}$' }), { minItems: 1, maxItems: 256 })),
  },
  { additionalProperties: false },
)
export type ProveBatchBody = Static<typeof ProveBatchBody>

/** Where a batch was recorded: as a single receipt, with the gas of its transaction when known. */
export const BatchReceipt = Type.Object({ txHash: Type.String(), blockNumber: Type.String(), chainId: Type.Integer(), registry: Type.String(), gasUsed: Type.Optional(Type.String()), rpcUrl: Type.Optional(Type.String()) })
export type BatchReceipt = Static<typeof BatchReceipt>

/**
 * A batch job's progress and result (`JobView.batch`): the batch circuit's build phase while it
 * builds, then the proof of k rows (`publicSignals = [packedOutputs, modelCommitment,
 * batchCommitment]`), each row's output (label) and input commitment, and once confirmed the
 * record's id (`batchId`), receipt and gas.
 */
export const BatchJobResult = Type.Object({
  /** Rows in the batch (k). */
  size: Type.Integer(),
  /** `generate`, `compile`, `setup`, `export`, `cached`, `done`, `proving`, `proved`. */
  phase: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  /** The batch circuit (content-addressed id), and its constraints once known. */
  circuit: Type.Optional(Type.String()),
  constraints: Type.Optional(Type.Integer()),
  /** Each row's output: 0/1 for a sign head, the class index for argmax (decimal strings). */
  outputs: Type.Optional(Type.Array(Type.String())),
  modelCommitment: Type.Optional(Type.String()),
  inputCommitments: Type.Optional(Type.Array(Type.String())),
  batchCommitment: Type.Optional(Type.String()),
  publicSignals: Type.Optional(Type.Array(Type.String())),
  proof: Type.Optional(Type.Unknown()),
  /** `batchId(modelCommitment, batchCommitment, packedOutputs, k)`: the record's id in `InferenceRegistry`. */
  recordId: Type.Optional(Type.String()),
  receipt: Type.Optional(BatchReceipt),
  /** The salts of the rows' input commitments (the job's owner only). */
  salts: Type.Optional(Type.Array(Type.String())),
})
export type BatchJobResult = Static<typeof BatchJobResult>

/** `GET /v1/models/:id/batch-circuit/:k`: a built k-row batch circuit and its (public) verification key. */
export const BatchCircuitView = Type.Object({ circuitId: Type.String(), constraints: Type.Integer(), devOnly: Type.Boolean(), vkey: Type.Record(Type.String(), Type.Unknown()) })
export type BatchCircuitView = Static<typeof BatchCircuitView>
