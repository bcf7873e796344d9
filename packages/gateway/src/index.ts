/**
 * @module @krain/gateway
 * The Krain gateway: a Fastify service for encrypted inference (CKKS), proven inference posted to
 * `InferenceRegistry`, and MPC sessions for hospitals. The client SDK is `@krain/gateway/client`;
 * the CLI is `krain`.
 */
export { app, buildGateway, serverOptions } from './app.js'
export type { AppOptions } from './app.js'
export { startGateway } from './server.js'
export type { RunningGateway } from './server.js'
export { chainConfigOf, chainVariables, ConfigSchema, coordinatorKeyOf, envVariables, loadConfig } from './config.js'
export type { Config } from './config.js'
export { AuthError, BadRequestError, ConfigError, ConflictError, GatewayError, NotFoundError, PolicyDeniedError, UnavailableError } from './errors.js'
export type { GatewayErrorParameters } from './errors.js'
export { developmentPolicy, loadPolicyFile, Policy, PolicyDocumentSchema, RoleSchema } from './auth/policy.js'
export type { Action, Grant, Identity, PolicyDocument, Resource, Role } from './auth/policy.js'
export { requestSigningPayload, SIGNATURE_WINDOW_MS } from './auth/request-signature.js'
export { openStore, SqlStore } from './store/sql-store.js'
export { migrations, migrate } from './store/migrations.js'
export type { ChallengeRecord, CircuitBuildJob, JobPatch, JobRecord, JobState, ProvenInferenceJob, KeyRecord, ModelRecord, MpcMessageRecord, MpcSessionRecord, OutboxRecord, SessionRecord, Store } from './store/types.js'
export { canTransition, finalJobStates, jobTransitions } from './jobs/state-machine.js'
export { JobRunner } from './jobs/job-runner.js'
export type { JobRunnerParameters } from './jobs/job-runner.js'
export { OUTBOX_HEARTBEAT_MS, OUTBOX_LEASE_MS, OutboxRelay } from './jobs/outbox-relay.js'
export type { OutboxRelayParameters } from './jobs/outbox-relay.js'
export { waitUntil } from './jobs/wait-until.js'
export type { WaitUntilParameters } from './jobs/wait-until.js'
export type { ChainAdapter, ChainReceipt, InferenceSubmission } from './chain/adapter.js'
export { connectChainAdapter, createChainAdapter } from './chain/krain-chain.js'
export type { CreateChainAdapterParameters } from './chain/krain-chain.js'
export { startEmbeddedChain } from './chain/embedded.js'
export type { EmbeddedChain } from './chain/embedded.js'
export { MpcService } from './mpc/mpc-service.js'
