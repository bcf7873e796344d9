/**
 * @module store/rows
 * The JSON columns of the store (a model's `spec` and `meta`, a job's `input`, `result` and
 * `error`, an outbox entry's `payload`, a key bundle's `params`) as TypeBox schemas, and the one
 * place they are decoded: the row mappers of `sql-store.ts` call {@link decodeJson}, so routes and
 * services receive typed values and never `JSON.parse(x) as T`. A column is checked against its
 * schema when read, since rows may have been written by an older gateway or edited by hand: a
 * corrupt row is a typed error (`STORE_ROW_INVALID`, 500, naming table, row and column), not a
 * crash somewhere later.
 */
import { assertModel, type Model } from '@krain/models'
import { Type, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Receipt } from '@krain/client/schemas/jobs'
import { ProvingSummary } from '@krain/client/schemas/models'
import { GatewayError } from '../errors.js'

/** A stored value that does not decode: the row was written by something else, or damaged. */
export class StoreRowError extends GatewayError {
  override name = 'StoreRowError'
  constructor({ table, id, column, reason }: { table: string; id: string; column: string; reason: string }) {
    super('STORE_ROW_INVALID', { shortMessage: `stored ${table} "${id}" has an invalid "${column}"`, details: reason })
  }
}

/** Where a value was read from, for {@link StoreRowError}. */
export type RowLocation = { table: string; id: string; column: string }

const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>()

/**
 * Parse a JSON column and check it against `schema`.
 * @throws {StoreRowError} when the text is not JSON or the value does not match
 */
export function decodeJson<S extends TSchema>(schema: S, text: unknown, at: RowLocation): Static<S> {
  let value: unknown
  try {
    value = JSON.parse(String(text))
  } catch (e) {
    throw new StoreRowError({ ...at, reason: `not JSON: ${(e as Error).message}` })
  }
  let check = compiled.get(schema)
  if (!check) compiled.set(schema, (check = Compile(schema)))
  if (!check.Check(value)) {
    const [first] = check.Errors(value)
    throw new StoreRowError({ ...at, reason: `${first?.instancePath || '/'} ${first?.message ?? 'does not match its schema'}` })
  }
  return value as Static<S>
}

/**
 * A stored model network, checked by `@krain/models`' own validator.
 * @throws {StoreRowError} when it is not a valid model
 */
export function decodeModel(text: unknown, at: RowLocation): Model {
  let value: unknown
  try {
    value = JSON.parse(String(text))
  } catch (e) {
    throw new StoreRowError({ ...at, reason: `not JSON: ${(e as Error).message}` })
  }
  try {
    return assertModel(value)
  } catch (e) {
    throw new StoreRowError({ ...at, reason: (e as Error).message })
  }
}

/** Per-feature calibrated input ranges. */
export const Calibration = Type.Object({ lo: Type.Array(Type.Number()), hi: Type.Array(Type.Number()) })

/** `models.meta`: what registration derived (absent for rows older than it). */
export const ModelMeta = Type.Object({
  source: Type.Union([Type.Literal('json'), Type.Literal('onnx')]),
  /** Per-feature calibrated ranges (raw inputs), for the CKKS plan's approximations. */
  calibration: Type.Union([Calibration, Type.Null()]),
  proving: Type.Intersect([Type.Omit(ProvingSummary, ['buildJobId', 'mode']), Type.Object({ mode: Type.Union([Type.Literal('committed'), Type.Literal('public'), Type.Null()]) })]),
  /** The quantised network of a generated circuit (bigints as `{ $n }`). */
  quantized: Type.Unknown(),
})
export type ModelMeta = Static<typeof ModelMeta>

/** `jobs.input` of a proven inference: the feature row and the salt of its commitment. */
export const ProveInput = Type.Object({ input: Type.Array(Type.Number()), salt: Type.String() })
export type ProveInput = Static<typeof ProveInput>

/** `jobs.error`: the code and message of a failed job. */
export const JobFailure = Type.Object({ code: Type.String(), message: Type.String() })
export type JobFailure = Static<typeof JobFailure>

/** A Groth16 proof as snarkjs writes it. */
const Proof = Type.Unknown()

/** `jobs.result` of a proven inference: the proof and, once confirmed, where it was recorded. */
export const ProvedResult = Type.Object({
  circuit: Type.String(),
  output: Type.String(),
  modelCommitment: Type.String(),
  inputCommitment: Type.String(),
  publicSignals: Type.Array(Type.String()),
  proof: Proof,
  receipt: Type.Optional(Receipt),
})
export type ProvedResult = Static<typeof ProvedResult>

/** `outbox.payload` of a `submit-inference` entry: a proven inference ready for the registry. */
export const InferenceSubmission = Type.Object({
  /** Circuit whose verifier checks the proof (e.g. `inference_logistic`). */
  circuit: Type.String(),
  /** Poseidon commitment of the model (decimal string). */
  modelCommitment: Type.String(),
  /** Groth16 proof and public signals as produced by `@krain/zk` (JSON). */
  proof: Proof,
  publicSignals: Type.Array(Type.String()),
})
export type InferenceSubmission = Static<typeof InferenceSubmission>

/** `he_keys.params`: what the worker read from an uploaded evaluation-key bundle. */
export const KeyParams = Type.Object({ paramsId: Type.String(), polyModulusDegree: Type.Integer(), galoisSteps: Type.Array(Type.Integer()), relin: Type.Boolean() })
export type KeyParams = Static<typeof KeyParams>

/** `jobs.input` of a circuit build: the model whose circuit is built. */
export const CircuitBuildInput = Type.Object({ modelId: Type.String() })
export type CircuitBuildInput = Static<typeof CircuitBuildInput>

/** `jobs.result` of a circuit build: what was built and, once registered, where. */
export const CircuitBuildResult = Type.Object({
  circuitId: Type.String(),
  constraints: Type.Number(),
  seconds: Type.Object({ compile: Type.Number(), setup: Type.Number() }),
  cached: Type.Optional(Type.Boolean()),
  phase: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  verifier: Type.Optional(Type.String()),
  chainId: Type.Optional(Type.Number()),
})
export type CircuitBuildResult = Static<typeof CircuitBuildResult>

/** `outbox.result` of a finished entry: the chain receipt, or the permanent error that ended it. */
export const OutboxResult = Type.Union([Receipt, Type.Object({ error: Type.String() })])
export type OutboxResult = Static<typeof OutboxResult>
