/**
 * @module store/rows
 * The JSON columns of the store (a model's `spec` and `meta`, a job's `input`, `result` and
 * `error`, an outbox entry's `payload`, a key bundle's `params`) as TypeBox schemas, and the one
 * place they are decoded: the row mappers of `sql-store.ts` call {@link decodeJson}, so routes and
 * services receive typed values and never `JSON.parse(x) as T`. A column is checked against its
 * schema when read, since rows may have been written by an older gateway or edited by hand: a
 * corrupt row is a typed error (`STORE_ROW_INVALID`, 500, naming table, row and column), not a
 * crash somewhere later. Columns whose rows serve several purposes (`mpc_sessions.state`,
 * `mpc_messages.payload`, the federated and PSI logs) are decoded by their owner with the schemas
 * and decoders here.
 */
import { assertModel, type Model, type NetworkModel } from '@krain/models'
import { validateSession, type SessionConfig } from '@krain/mpc'
import { Type, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Receipt } from '@krain/client/schemas/jobs'
import { BatchJobResult, ProvingSummary } from '@krain/client/schemas/models'
import { MpcSessionConfig } from '@krain/client/schemas/mpc'
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
  /**
   * A batch proof of `size` rows (`InferenceRegistry.submitInferenceBatch`; `circuit` is then the
   * batch circuit, the model's batch verifier is set to it before submitting); absent for one inference.
   */
  batch: Type.Optional(Type.Object({ size: Type.Integer({ minimum: 1, maximum: 31 }), /** The model's single-inference circuit (to register the model if it is not yet). */ singleCircuit: Type.Optional(Type.String()) })),
})
export type InferenceSubmission = Static<typeof InferenceSubmission>

/** `jobs.input` of a batch of proven inferences: k feature rows and the salts of their commitments. */
export const ProveBatchInput = Type.Object({ inputs: Type.Array(Type.Array(Type.Number())), salts: Type.Array(Type.String()) })
export type ProveBatchInput = Static<typeof ProveBatchInput>

/** `jobs.result` of a batch job: its circuit's build progress, then the proof and, once confirmed, the receipt. */
export { BatchJobResult }
export type { BatchJobResult as BatchJobResultRow } from '@krain/client/schemas/models'

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

/** `mpc_sessions.state`: the session's config and a small status snapshot (`MpcService.save`). */
export const MpcSnapshot = Type.Object({
  config: MpcSessionConfig,
  status: Type.Object({
    phase: Type.String(),
    joined: Type.Array(Type.String()),
    uploaded: Type.Array(Type.String()),
    summed: Type.Array(Type.String()),
    failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  }),
})
export type MpcSnapshot = Static<typeof MpcSnapshot>

/**
 * `mpc_messages.payload` of a coordinator log entry: an accepted party message (checked again by
 * the coordinator when replayed), an operator close or a deadline advance, with the time it happened
 * and the phase it left (absent in logs written before it existed).
 */
export const MpcLogEvent = Type.Union([
  Type.Object({ kind: Type.Literal('receive'), at: Type.Number(), message: Type.Unknown(), phase: Type.Optional(Type.String()) }),
  Type.Object({ kind: Type.Literal('close'), at: Type.Number(), phase: Type.Optional(Type.String()) }),
  Type.Object({ kind: Type.Literal('advance'), at: Type.Number(), phase: Type.Optional(Type.String()) }),
])
export type MpcLogEvent = Static<typeof MpcLogEvent>

/**
 * `mpc_sessions.state`, its config checked by `@krain/mpc` as a party checks one (fields, bound,
 * `sessionId` the digest of the rest).
 * @throws {StoreRowError} when the snapshot or its config does not decode
 */
export function decodeMpcState(text: unknown, at: RowLocation): { config: SessionConfig; status: MpcSnapshot['status'] } {
  const { config, status } = decodeJson(MpcSnapshot, text, at)
  try {
    return { config: validateSession(config), status }
  } catch (e) {
    throw new StoreRowError({ ...at, reason: (e as Error).message })
  }
}

const HexT = Type.TemplateLiteral('0x${string}')

/** A signed consent (`@krain/audit` `SignedConsent`); its signature is checked where it is used. */
const SignedConsentRow = Type.Object({
  consent: Type.Object({ sessionId: Type.String(), purpose: Type.String(), computation: Type.String(), parties: Type.Array(HexT), expiry: Type.Number(), party: HexT }),
  signature: HexT,
})

/** `federated_sessions.config`: a session's fixed config; `model` is checked by `@krain/models`. */
export const FederatedConfigRow = Type.Object({
  id: Type.String(),
  creator: HexT,
  name: Type.String(),
  model: Type.Unknown(),
  hospitals: Type.Array(HexT),
  rounds: Type.Number(),
  threshold: Type.Number(),
  algorithm: Type.Union([Type.Literal('fedavg'), Type.Literal('fedprox')]),
  mu: Type.Number(),
  clip: Type.Number(),
  maxSamples: Type.Number(),
  localEpochs: Type.Number(),
  learningRate: Type.Number(),
  batchSize: Type.Number(),
  dp: Type.Union([Type.Object({ epsilon: Type.Number(), delta: Type.Number(), noiseMultiplier: Type.Number() }), Type.Null()]),
  consent: Type.Object({ purpose: Type.String(), computation: Type.String(), expiry: Type.Number() }),
  length: Type.Number(),
  bound: Type.Number(),
  sigma: Type.Number(),
  scale: Type.Number(),
  createdAt: Type.Number(),
})
/** A decoded federated config: the row with its model checked as a network. */
export type FederatedConfig = Omit<Static<typeof FederatedConfigRow>, 'model'> & { model: NetworkModel }

/**
 * `federated_sessions.config`, its model checked by `@krain/models` (a stored model is a network).
 * @throws {StoreRowError} when the config or its model does not decode
 */
export function decodeFederatedConfig(text: unknown, at: RowLocation): FederatedConfig {
  const { model, ...rest } = decodeJson(FederatedConfigRow, text, at)
  let network: Model
  try {
    network = assertModel(model)
  } catch (e) {
    throw new StoreRowError({ ...at, reason: (e as Error).message })
  }
  if (network.kind !== 'network') throw new StoreRowError({ ...at, reason: `/model expected a network, got "${network.kind}"` })
  return { ...rest, model: network }
}

/** `federated_events.payload`: one event of a session's log (SecAgg messages are checked again when replayed). */
export const FederatedEvent = Type.Union([
  Type.Object({ kind: Type.Literal('consent'), party: HexT, consent: SignedConsentRow, auditSignature: Type.Optional(HexT) }),
  Type.Object({ kind: Type.Literal('advertise'), message: Type.Unknown() }),
  Type.Object({ kind: Type.Literal('shares'), message: Type.Unknown() }),
  Type.Object({ kind: Type.Literal('masked'), message: Type.Unknown() }),
  Type.Object({ kind: Type.Literal('unmask'), message: Type.Unknown() }),
  Type.Object({ kind: Type.Literal('close') }),
  Type.Object({ kind: Type.Literal('registered'), modelId: Type.String() }),
])
export type FederatedEvent = Static<typeof FederatedEvent>

/** `audit_logs.log`: an exported audit log (`@krain/audit` `AuditLogExport`; its chain and signatures are verified on resume). */
export const AuditLogRow = Type.Object({
  version: Type.Literal(1),
  owner: HexT,
  entries: Type.Array(
    Type.Object({
      seq: Type.Number(),
      time: Type.Number(),
      kind: Type.String(),
      sessionId: Type.String(),
      dataDigest: HexT,
      actor: Type.Union([HexT, Type.Null()]),
      prevHash: HexT,
      hash: HexT,
      ownerSignature: HexT,
      actorSignature: Type.Optional(HexT),
    }),
  ),
  head: Type.Object({ count: Type.Number(), lastHash: HexT, time: Type.Number(), signature: HexT }),
})
export type AuditLogRow = Static<typeof AuditLogRow>

/** `psi_sessions.config`: a PSI session's fixed config (`PsiService.create`). */
export const PsiConfigRow = Type.Object({
  sessionId: Type.String(),
  parties: Type.Array(HexT),
  mode: Type.Union([Type.Literal('intersection'), Type.Literal('cardinality'), Type.Literal('sum')]),
  valueHolder: Type.Union([HexT, Type.Null()]),
  creator: HexT,
  createdAt: Type.Number(),
  expiresAt: Type.Number(),
})
export type PsiConfigRow = Static<typeof PsiConfigRow>

/** `contracts.callers`: the addresses allowed to call a contract. */
export const ContractCallersRow = Type.Array(Type.String())

/** `contracts.rate_limit`: calls per caller per window. */
export const ContractRateLimitRow = Type.Object({ calls: Type.Number(), windowSeconds: Type.Number() })
