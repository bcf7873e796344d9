/**
 * @module store/types
 * The repository interface the gateway's routes and services use. One implementation
 * ({@link SqlStore}) runs on SQLite and PostgreSQL; nothing above it knows which. JSON columns
 * arrive decoded and checked (see `rows.ts`).
 */
import type { Model } from '@krain/models'
import type { AuditLogRow, BatchJobResultRow, CircuitBuildInput, CircuitBuildResult, ProveBatchInput, FederatedConfig, FederatedEvent, InferenceSubmission, JobFailure, KeyParams, ModelMeta, OutboxResult, ProvedResult, ProveInput } from './rows.js'

/** States of a proven-inference job, in order; `failed` may follow any non-final state. */
export type JobState = 'queued' | 'proving' | 'proved' | 'submitted' | 'confirmed' | 'failed'

/** A stored sign-in challenge (SIWE message awaiting its signature). */
export type ChallengeRecord = { nonce: string; address: string; message: string; expiresAt: number }

/** A session created by a verified sign-in; the token itself is never stored, only its hash. */
export type SessionRecord = { tokenHash: string; address: string; createdAt: number; expiresAt: number }

/** An uploaded evaluation-key bundle (public material only). */
export type KeyRecord = { id: string; owner: string; scheme: string; params: KeyParams; bundle: Buffer; size: number; createdAt: number }

/** A registered model: `spec` is its network (weights stay with the gateway), `commitment` its Poseidon commitment. */
export type ModelRecord = {
  id: string
  owner: string
  name: string
  kind: string
  spec: Model
  commitment: string | null
  createdAt: number
  /** What registration derived (calibrated input ranges, weight mode, quantisation, circuit id); null for older rows. */
  meta?: ModelMeta | null
}

/** What every job row has; `error` is set when it failed. */
type JobRow = {
  id: string
  owner: string
  modelId: string | null
  state: JobState
  error: JobFailure | null
  txHash: string | null
  createdAt: number
  updatedAt: number
}
/** A proven inference: the feature row and salt in, the proof (and, once confirmed, the receipt) out. */
export type ProvenInferenceJob = JobRow & { kind: 'proven-inference'; input: ProveInput; result: ProvedResult | null }
/** The circuit build of a registered model (generated circuits). */
export type CircuitBuildJob = JobRow & { kind: 'circuit-build'; input: CircuitBuildInput; result: CircuitBuildResult | null }
/** k proven inferences of one model in one batch proof (`POST /v1/models/:id/prove-batch`). */
export type ProvenInferenceBatchJob = JobRow & { kind: 'proven-inference-batch'; input: ProveBatchInput; result: BatchJobResultRow | null }
/** A job, by kind; its JSON columns arrive decoded. */
export type JobRecord = ProvenInferenceJob | CircuitBuildJob | ProvenInferenceBatchJob
/** The change of a job's result, error or transaction along a transition. */
export type JobPatch = { result?: ProvedResult | CircuitBuildResult | BatchJobResultRow; error?: JobFailure; txHash?: string }

/** A pending or finished chain submission. */
export type OutboxRecord = {
  id: string
  jobId: string
  kind: 'submit-inference'
  payload: InferenceSubmission
  status: 'pending' | 'done' | 'dead'
  attempts: number
  nextAttemptAt: number
  lockedUntil: number | null
  lastError: string | null
  result: OutboxResult | null
  createdAt: number
  updatedAt: number
}

/** What the store announces changes of (see {@link Store.notify}): MPC sessions (`<id> <version> <phase>`), jobs (`<id>`), signed-out sessions (`<token hash>`) and PSI mailboxes (`<session>:<recipient>`). */
export type StoreChannel = 'mpc' | 'job' | 'session' | 'psi'

/** The serialised coordinator state of an MPC session, with an optimistic-concurrency version. */
export type MpcSessionRecord = { id: string; creator: string; state: string; version: number; createdAt: number; updatedAt: number }

/**
 * A relayed MPC message (an AEAD ciphertext or a public value), addressed to one party or `*`.
 * `payloadBin` (column `payload_bin`, migration 50): bytes kept beside the JSON `payload`, e.g. a
 * party message in its binary wire form as it was received.
 */
export type MpcMessageRecord = { id: string; sessionId: string; round: string; sender: string; recipient: string; payload: string; createdAt: number; payloadBin?: Uint8Array | null }

/** The gateway's persistence. Every method is atomic on its own. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres'
  close(): Promise<void>

  createChallenge(c: ChallengeRecord): Promise<void>
  /** The challenge of `nonce` (left in place), or `null`. */
  getChallenge(nonce: string): Promise<ChallengeRecord | null>
  /** Remove and return the challenge (so a nonce is used once), or `null`. */
  consumeChallenge(nonce: string): Promise<ChallengeRecord | null>
  createSession(s: SessionRecord): Promise<void>
  getSession(tokenHash: string, now: number): Promise<SessionRecord | null>
  /** Delete a session and announce its token hash on `session` (instances drop it from their caches). */
  deleteSession(tokenHash: string): Promise<void>
  /**
   * Remember a signed request's digest until `expiresAt`: true the first time (or after it expired),
   * false for a replay. Atomic across instances sharing the store.
   */
  acceptRequestDigest(digest: string, expiresAt: number, now: number): Promise<boolean>
  /** Delete expired challenges, sessions and request digests; returns how many rows went. */
  purgeExpired(now: number): Promise<number>
  countActiveSessions(now: number): Promise<number>
  /**
   * Record one use of an anonymous nullifier in `(groupId, scope)` if fewer than `limit` are
   * recorded: returns the use number (1..limit), or `undefined` when the limit is reached. A unique
   * key `(group_id, scope, nullifier, use_index)` makes it atomic across instances.
   */
  consumeNullifier(key: { groupId: string; scope: string; nullifier: string }, limit: number, now: number): Promise<number | undefined>
  /** Uses of an anonymous nullifier recorded so far. */
  countNullifier(key: { groupId: string; scope: string; nullifier: string }): Promise<number>

  putKey(k: KeyRecord): Promise<void>
  getKey(id: string): Promise<KeyRecord | null>
  /** Bundles (without bytes) of `owner`, or everyone's for `null`, newest first. */
  listKeys(owner: string | null): Promise<Omit<KeyRecord, 'bundle'>[]>
  /** Delete one bundle; true if it existed. */
  deleteKey(id: string): Promise<boolean>
  /** Delete bundles uploaded before `createdBefore` (expiry); returns how many went. */
  deleteKeysCreatedBefore(createdBefore: number): Promise<number>

  putModel(m: ModelRecord): Promise<void>
  getModel(id: string): Promise<ModelRecord | null>
  listModels(): Promise<ModelRecord[]>
  /** The models whose weights have this commitment (indexed; oldest first): e.g. to find the model of a receipt. */
  findModelsByCommitment(commitment: string): Promise<ModelRecord[]>

  createJob(j: JobRecord): Promise<void>
  getJob(id: string): Promise<JobRecord | null>
  listJobs(states: JobState[]): Promise<JobRecord[]>
  /** Jobs of `owner` (everyone's for `null`), newest first, at most `limit`. */
  listJobsOf(owner: string | null, limit: number): Promise<JobRecord[]>
  /** Move a job from one of `from` to `patch.state` (compare-and-set); false if it was not in `from`. */
  transitionJob(id: string, from: JobState[], patch: JobPatch & { state: JobState }, now: number): Promise<boolean>
  /** Like {@link transitionJob} and, in the same transaction, enqueue `outbox`. */
  transitionJobWithOutbox(id: string, from: JobState[], patch: { state: JobState; result?: ProvedResult | BatchJobResultRow }, outbox: OutboxRecord, now: number): Promise<boolean>
  countJobs(): Promise<Record<JobState, number>>

  /** Lease up to `limit` due pending entries for `leaseMs` (other instances skip them meanwhile). */
  claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxRecord[]>
  /** Lease one pending entry by id for `leaseMs` (a delivery of the `chain` queue), whenever it is due; null when it is not pending or another lease is live. */
  claimOutboxEntry(id: string, now: number, leaseMs: number): Promise<OutboxRecord | null>
  /** Extend the lease of a claimed entry (heartbeat while it is being submitted); false if it is no longer leased. */
  extendOutboxLease(id: string, lockedUntil: number, now: number): Promise<boolean>
  finishOutbox(id: string, result: OutboxResult, now: number): Promise<void>
  retryOutbox(id: string, error: string, nextAttemptAt: number, now: number): Promise<void>
  getOutbox(id: string): Promise<OutboxRecord | null>
  countPendingOutbox(): Promise<number>

  createMpcSession(s: MpcSessionRecord): Promise<void>
  getMpcSession(id: string): Promise<MpcSessionRecord | null>
  listMpcSessions(): Promise<MpcSessionRecord[]>
  /**
   * Replace a session's state if its version is still `version` and append `messages`, in one
   * transaction. Returns false (and changes nothing) if another writer got there first.
   */
  updateMpcSession(id: string, version: number, state: string, messages: MpcMessageRecord[], now: number): Promise<boolean>
  /** Messages of a session for `recipient` (and those addressed to everyone), optionally of one round. */
  listMpcMessages(sessionId: string, recipient: string, round?: string): Promise<MpcMessageRecord[]>

  /** Store a deployed secret contract. */
  putContract(c: ContractRecord): Promise<void>
  getContract(id: string): Promise<ContractRecord | null>
  /** Set a contract's on-chain record transaction once it is mined (only while it has none; false otherwise). */
  setContractTxHash(id: string, txHash: string): Promise<boolean>
  /**
   * Count a call of `contractId` by `caller` at `now` unless `limit` calls were already made since
   * `windowStart` (atomic); true when counted.
   */
  admitContractCall(c: { contractId: string; caller: string; now: number; windowStart: number; limit: number | null }): Promise<boolean>

  /** Federated training: a session's fixed config and its append-only event log. */
  createFederatedSession(s: FederatedSessionRecord): Promise<void>
  getFederatedSession(id: string): Promise<FederatedSessionRecord | null>
  /** The newest federated sessions first, at most `limit` (for the owner-scoped list, filtered by the caller). */
  listFederatedSessions(limit: number): Promise<FederatedSessionRecord[]>
  /** Append event `seq` of a session; false (nothing written) if that seq exists (another writer got there first). */
  appendFederatedEvent(sessionId: string, seq: number, payload: FederatedEvent, now: number): Promise<boolean>
  listFederatedEvents(sessionId: string): Promise<{ seq: number; payload: FederatedEvent }[]>
  /** The latest signed export of a session's audit log (JSON), replaced whole. */
  putAuditLog(sessionId: string, log: AuditLogRow, now: number): Promise<void>
  getAuditLog(sessionId: string): Promise<AuditLogRow | null>

  /** PSI sessions: the gateway relays blinded chunks between parties, nothing more. */
  createPsiSession(s: PsiSessionRecord): Promise<void>
  getPsiSession(id: string): Promise<PsiSessionRecord | null>
  /**
   * Store a chunk unless its key (session, sender, recipient, stream, index) exists: `stored`, else
   * `duplicate` (same digest: an idempotent retry) or `conflict` (other bytes under the same key).
   */
  putPsiChunk(c: PsiChunkRecord): Promise<'stored' | 'duplicate' | 'conflict'>
  /** Chunks of one stream from index `fromIndex` on, in order, at most `limit`. */
  listPsiChunks(q: { sessionId: string; sender: string; recipient: string; stream: string; fromIndex: number; limit: number }): Promise<PsiChunkRecord[]>
  /** Every stream of a session: chunk count, bytes, and whether its last chunk arrived. */
  listPsiStreams(sessionId: string): Promise<PsiStreamSummary[]>

  /**
   * Announce a change on `channel` (`payload`: which record, ≤ 4000 bytes) to every instance
   * sharing the store, this one included: PostgreSQL `NOTIFY`, in-process on SQLite. Job
   * transitions announce themselves (`job`, the job id) when they commit.
   */
  notify(channel: StoreChannel, payload: string): Promise<void>
  /**
   * Hear the announcements on `channel`; resolves once listening, with the function that stops.
   * `fn('')` means some may have been lost (a dropped connection): re-read what is waited for.
   */
  subscribe(channel: StoreChannel, fn: (payload: string) => void): Promise<() => void>
  /**
   * Count one request in the fixed window of `key` (`windowMs` long, starting at the key's first
   * request): the count so far, this one included, and when the window ends. Atomic across
   * instances sharing the store.
   */
  hitRateLimit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }>
  /** Log entries of an MPC session after `afterId` (ids sort by version), in id order. */
  listMpcLogAfter(sessionId: string, round: string, afterId: string): Promise<MpcMessageRecord[]>

  /** Every text value stored, table by table (used by the secrecy scan in the tests and `krain doctor`). */
  dump(): Promise<Record<string, SqlDump[]>>
}

/** A deployed secret contract: its source, compiled plan (JSON), content hash and access rules (JSON). */
export type ContractRecord = { id: string; owner: string; source: string; plan: string; hash: string; scheme: string; callers: string; rateLimit: string | null; txHash: string | null; createdAt: number }

/** A federated training session: its creator and fixed config (stored as JSON, decoded by the store). */
export type FederatedSessionRecord = { id: string; creator: string; config: FederatedConfig; createdAt: number }

/** One row of {@link Store.dump}. */
export type SqlDump = Record<string, unknown>

/** A PSI session: its creator and fixed config (JSON: parties, mode, value holder). */
export type PsiSessionRecord = { id: string; creator: string; config: string; createdAt: number; expiresAt: number }

/** One relayed PSI chunk (blinded points only), from one party to another on a named stream. */
export type PsiChunkRecord = { sessionId: string; sender: string; recipient: string; stream: string; index: number; last: boolean; digest: string; data: Buffer; createdAt: number }

/** A stream of a PSI session, summarised. */
export type PsiStreamSummary = { sender: string; recipient: string; stream: string; chunks: number; bytes: number; last: boolean }
