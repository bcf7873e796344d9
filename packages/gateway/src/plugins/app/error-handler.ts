/**
 * @module plugins/app/error-handler
 * The one place where errors become HTTP: a `code → status` table ({@link statusOfCode}), the
 * error handler and the not-found handler. Library errors carry only a stable `code`;
 * their `status` field, if any, is ignored. Every error body is `{ code, message, details? }`.
 *
 * - A `KrainError` (or a worker error revived as one): the table's status for its code; a code
 *   the table does not know is the caller's fault (400), as boundary validation is the rule.
 * - Invalid arguments from `@krain/core`'s validators (`isInvalidArgument`, a marker class): 400.
 * - Schema validation (Ajv/TypeBox): 400 `VALIDATION_FAILED`.
 * - Framework errors with a 4xx `statusCode` (bad JSON, media type, body too large, URL too long):
 *   that status with their `FST_…` code.
 * - Anything else is a bug: 500 `INTERNAL` with no detail, logged.
 *
 * Sources: fastify/demo `src/app.ts` (one error handler, one not-found handler).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isInvalidArgument, isKrainError } from '@krain/core'

/** HTTP status of every error code the gateway answers with; anything else a `KrainError` carries is 400. */
export const statusOfCode: Readonly<Record<string, number>> = Object.freeze({
  // gateway: auth and policy
  AUTH_REQUIRED: 401,
  AUTH_INVALID_SIGNATURE: 401,
  AUTH_SESSION_EXPIRED: 401,
  AUTH_CHALLENGE_INVALID: 401,
  AUTH_REPLAYED: 401,
  POLICY_DENIED: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  BODY_TOO_LARGE: 413,
  // gateway: state
  JOB_NOT_CONFIRMED: 409,
  JOB_IS_BATCH: 409,
  JOB_NOT_PROVED: 409,
  MPC_CONCURRENT_UPDATE: 409,
  MPC_REPLAY_DIVERGED: 409,
  MODEL_CIRCUIT_NOT_BUILT: 409,
  JOB_WAIT_TIMEOUT: 408,
  OUTBOX_WAIT_TIMEOUT: 408,
  // gateway: batch proofs (refused before anything is stored)
  BATCH_TOO_LARGE: 400,
  BATCH_ROW_INVALID: 400,
  BATCH_CIRCUIT_TOO_LARGE: 400,
  MODEL_NOT_BATCH_PROVABLE: 400,
  // gateway: availability
  NOT_IMPLEMENTED: 501,
  FEATURE_UNAVAILABLE: 501,
  CHAIN_UNAVAILABLE: 503,
  QUEUE_UNAVAILABLE: 503,
  POOL_BUSY: 503,
  CONFIG_INVALID: 500,
  STORE_ROW_INVALID: 500,
  // @krain/mpc
  MPC_WRONG_SESSION: 404,
  MPC_UNKNOWN_PARTY: 403,
  MPC_BAD_SIGNATURE: 401,
  MPC_LATE_MESSAGE: 409,
  MPC_WRONG_ROUND: 409,
  MPC_EQUIVOCATION: 409,
  MPC_TOO_FEW_SHARES: 409,
  MPC_INCONSISTENT_SHARES: 422,
  MPC_RESULT_UNVERIFIED: 409,
  MPC_CUSTODY: 422,
  MPC_BAD_COMPLAINT: 422,
  MPC_DEALER_MISBEHAVED: 422,
  MPC_SESSION_FAILED: 409,
  MPC_TOO_FEW_CONTRIBUTORS: 409,
  // @krain/federated and the gateway's federated sessions
  FED_BUDGET_EXHAUSTED: 409,
  FED_TOO_FEW_HOSPITALS: 409,
  FED_NORM_EXCEEDED: 422,
  FED_ROUND_FAILED: 409,
  FED_REPLAYED_MESSAGE: 409,
  FED_BAD_SIGNATURE: 401,
  FED_MALFORMED_MESSAGE: 400,
  FED_TRAINING_DIVERGED: 422,
  FED_BAD_STATE: 400,
  FED_MODEL_INVALID: 400,
  FED_INVALID_CONFIG: 400,
  FED_NOT_FINISHED: 409,
  FED_WRONG_PHASE: 409,
  FED_CONCURRENT_UPDATE: 409,
  // @krain/audit
  AUDIT_MALFORMED_LOG: 400,
  AUDIT_BAD_ENTRY: 422,
  AUDIT_BAD_SIGNATURE: 401,
  AUDIT_CONSENT_INVALID: 409,
  AUDIT_CONSENT_EXPIRED: 409,
  AUDIT_CONSENT_MISSING: 409,
  MPC_MALFORMED_MESSAGE: 400,
  // @krain/psi and the gateway's PSI relay
  PSI_BAD_SESSION: 400,
  PSI_BAD_CHUNK: 400,
  PSI_MALFORMED_MESSAGE: 400,
  PSI_BAD_POINT: 400,
  PSI_WRONG_SESSION: 400,
  PSI_VARIANT_MISMATCH: 400,
  PSI_SESSION_EXPIRED: 409,
  PSI_STREAM_CLOSED: 409,
  PSI_OUT_OF_ORDER: 409,
  PSI_CHUNK_CONFLICT: 409,
  PSI_REPLAYED_CHUNK: 409,
  PSI_WRONG_STATE: 409,
  PSI_SUM_OVERFLOW: 422,
  PSI_TABLE_FULL: 422,
  PSI_WORKER_FAILED: 500,
  // @krain/models
  MODEL_ONNX_INVALID: 400,
  MODEL_ONNX_UNSUPPORTED: 400,
  // @krain/zk
  ZK_UNSUPPORTED_MODEL: 422,
  ZK_MALFORMED_PROOF: 400,
  ZK_ARTIFACT_INVALID: 500,
  ZK_PROVING_FAILED: 500,
  ZK_CIRCUIT_TOO_LARGE: 422,
  ZK_QUANTIZATION_UNSAFE: 422,
  ZK_CIRCUIT_BUILD_FAILED: 500,
  ZK_SETUP_FAILED: 500,
  ZK_PTAU_INVALID: 422,
  // @krain/he
  HE_DEPTH_EXCEEDED: 400,
  HE_HEADROOM_EXCEEDED: 400,
  HE_INPUT_OUT_OF_RANGE: 400,
  // @krain/contracts-lang (secret contracts) and the gateway's contract routes
  CONTRACT_SYNTAX: 400,
  CONTRACT_TYPE: 400,
  CONTRACT_INPUT: 400,
  CONTRACT_LEAK: 422,
  CONTRACT_RANGE: 422,
  CONTRACT_DEPTH: 422,
  CONTRACT_OUTPUT_BOUND: 422,
  CONTRACT_UNSUPPORTED: 422,
  CONTRACT_RATE_LIMITED: 429,
  CONTRACT_NOT_RECORDED: 503,
  CHAIN_CONTRACT_HASH_OWNED: 409,
  CHAIN_CONTRACT_ZERO_HASH: 400,
  CHAIN_NOT_A_CONTRACT: 502,
  // @krain/chain
  CHAIN_NOT_OWNER: 403,
  CHAIN_NOT_AUTHORIZED: 403,
  CHAIN_PROOF_ALREADY_USED: 409,
  CHAIN_MODEL_ALREADY_REGISTERED: 409,
  CHAIN_RPC_ERROR: 502,
  CHAIN_ANVIL_START_FAILED: 500,
  CHAIN_CONFIG_INVALID: 500,
  CHAIN_NO_ACCOUNT: 500,
  CHAIN_VERIFIER_INVALID: 400,
  CHAIN_COMPILE_FAILED: 400,
  // anonymous membership requests, on-chain policy, credentials (gateway + @krain/identity)
  ANONYMOUS_PROOF_MALFORMED: 400,
  ANONYMOUS_NOT_ALLOWED: 403,
  ANONYMOUS_UNAVAILABLE: 501,
  POLICY_MISMATCH: 503,
  POLICY_UNVERIFIED: 503,
  IDENTITY_BAD_PROOF: 401,
  IDENTITY_MESSAGE_MISMATCH: 401,
  IDENTITY_SCOPE_MISMATCH: 401,
  IDENTITY_UNKNOWN_ROOT: 401,
  IDENTITY_ROOT_EXPIRED: 401,
  IDENTITY_NULLIFIER_EXHAUSTED: 429,
  IDENTITY_NOT_MEMBER: 403,
  IDENTITY_TREE_TOO_DEEP: 400,
  IDENTITY_BAD_DID: 400,
  IDENTITY_BAD_CREDENTIAL: 401,
  IDENTITY_CREDENTIAL_EXPIRED: 401,
  IDENTITY_UNTRUSTED_ISSUER: 403,
})

/** Statuses ≥ 500 whose code and short message are shown (the rest are hidden as `INTERNAL`). */
const SHOWN_5XX = new Set([501, 502, 503])

/** An error body. */
export type ErrorBody = { code: string; message: string; details?: string }

/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5

/**
 * Legacy: libraries that still throw a plain `TypeError`/`RangeError` (not `@krain/core`'s marker
 * classes) name the argument first, house style. Only used for errors without the marker; remove
 * once every package throws through `typeError`/`rangeError`.
 */
const LEGACY_ARGUMENT_ERROR = /^"[^"\n]{1,100}"/

/**
 * Classify an error: the status and the body the client gets.
 * @param err - anything a hook, a route or the framework threw
 * @returns the status and `{ code, message }` body (`INTERNAL` when the error is a bug)
 */
export function toHttpError(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const e = err as Partial<FastifyError> & { shortMessage?: string; details?: string }
  if (isInvalidArgument(err)) return { status: 400, body: { code: 'INVALID_ARGUMENT', message: (err as Error).message }, internal: false }
  if (isKrainError(err)) {
    const status = statusOfCode[err.code] ?? 400
    if (status < 500) return { status, body: err.details ? { code: err.code, message: err.shortMessage, details: err.details } : { code: err.code, message: err.shortMessage }, internal: false }
    if (SHOWN_5XX.has(status)) return { status, body: { code: err.code, message: err.shortMessage }, internal: false }
    return { status: 500, body: { code: 'INTERNAL', message: 'internal error' }, internal: true }
  }
  if (Array.isArray(e.validation)) {
    const where = e.validationContext ?? 'request'
    return { status: 400, body: { code: 'VALIDATION_FAILED', message: `invalid ${where}: ${e.validation.slice(0, 3).map((v) => `${v.instancePath || '/'} ${v.message}`).join('; ')}`.slice(0, 1000) }, internal: false }
  }
  if ((err instanceof TypeError || err instanceof RangeError) && LEGACY_ARGUMENT_ERROR.test(err.message)) return { status: 400, body: { code: 'INVALID_ARGUMENT', message: err.message.slice(0, 1000) }, internal: false }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { code: typeof e.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(e.code) ? e.code : 'BAD_REQUEST', message: String(e.message ?? 'bad request').slice(0, 1000) }, internal: false }
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error' }, internal: true }
}

/** Register the error and not-found handlers (before the routes, which inherit them). */
export const errorHandlerPlugin = fp(
  async (fastify) => {
    fastify.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const { status, body, internal } = toHttpError(err)
      if (internal) req.log.error({ err }, 'unhandled error')
      fastify.metrics?.errors.inc({ route: req.routeOptions.url ?? 'unmatched', code: body.code })
      if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
      return reply.code(status).type('application/json; charset=utf-8').send(body)
    })
    fastify.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}` }))
  },
  { name: 'krain-error-handler' },
)
