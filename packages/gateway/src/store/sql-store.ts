/**
 * @module store/sql-store
 * The {@link Store} on any {@link SqlDriver}: the same SQL on SQLite and PostgreSQL (both support
 * `RETURNING`, `ON CONFLICT DO NOTHING` and sub-selects in `UPDATE`).
 */
import type { SqlDriver, SqlRow } from './driver.js'
import { migrate } from './migrations.js'
import { AuditLogRow, BatchJobResult, CircuitBuildInput, CircuitBuildResult, decodeFederatedConfig, decodeJson, decodeModel, FederatedEvent, InferenceSubmission, JobFailure, KeyParams, ModelMeta, OutboxResult, ProvedResult, ProveBatchInput, ProveInput, StoreRowError, type RowLocation } from './rows.js'
import { openPostgres } from './postgres-driver.js'
import { openSqlite } from './sqlite-driver.js'
import { PayloadFiles, PAYLOAD_FILE_FROM } from './payload-files.js'
import type {
  ChallengeRecord,
  JobPatch,
  JobRecord,
  JobState,
  ContractRecord,
  KeyRecord,
  ModelRecord,
  MpcMessageRecord,
  MpcSessionRecord,
  FederatedSessionRecord,
  OutboxRecord,
  SessionRecord,
  SqlDump,
  Store,
  StoreChannel,
} from './types.js'

const num = (v: unknown): number => Number(v)
const jobStates: JobState[] = ['queued', 'proving', 'proved', 'submitted', 'confirmed', 'failed']
const rowError = (at: RowLocation, reason: string): never => {
  throw new StoreRowError({ ...at, reason })
}
const keyParamsOf = (r: SqlRow): KeyParams => decodeJson(KeyParams, r.params, { table: 'he_keys', id: str(r.id), column: 'params' })
const str = (v: unknown): string => String(v)
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

const jobStateOf = (r: SqlRow): JobState => {
  const state = jobStates.find((s) => s === r.state)
  if (!state) throw new StoreRowError({ table: 'jobs', id: str(r.id), column: 'state', reason: `unknown state ${JSON.stringify(r.state)}` })
  return state
}
const toJob = (r: SqlRow): JobRecord => {
  const at = (column: string): RowLocation => ({ table: 'jobs', id: str(r.id), column })
  const row = {
    id: str(r.id),
    owner: str(r.owner),
    modelId: optStr(r.model_id),
    state: jobStateOf(r),
    error: r.error === null || r.error === undefined ? null : decodeJson(JobFailure, r.error, at('error')),
    txHash: optStr(r.tx_hash),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  }
  const result = r.result === null || r.result === undefined ? null : r.result
  if (r.kind === 'proven-inference') return { ...row, kind: 'proven-inference', input: decodeJson(ProveInput, r.input, at('input')), result: result === null ? null : decodeJson(ProvedResult, result, at('result')) }
  if (r.kind === 'circuit-build') return { ...row, kind: 'circuit-build', input: decodeJson(CircuitBuildInput, r.input, at('input')), result: result === null ? null : decodeJson(CircuitBuildResult, result, at('result')) }
  if (r.kind === 'proven-inference-batch') return { ...row, kind: 'proven-inference-batch', input: decodeJson(ProveBatchInput, r.input, at('input')), result: result === null ? null : decodeJson(BatchJobResult, result, at('result')) }
  throw new StoreRowError({ ...at('kind'), reason: `unknown job kind ${JSON.stringify(r.kind)}` })
}
const outboxStatuses = ['pending', 'done', 'dead'] as const
const toOutbox = (r: SqlRow): OutboxRecord => ({
  id: str(r.id),
  jobId: str(r.job_id),
  kind: r.kind === 'submit-inference' ? r.kind : rowError({ table: 'outbox', id: str(r.id), column: 'kind' }, `unknown kind ${JSON.stringify(r.kind)}`),
  payload: decodeJson(InferenceSubmission, r.payload, { table: 'outbox', id: str(r.id), column: 'payload' }),
  status: outboxStatuses.find((s) => s === r.status) ?? rowError({ table: 'outbox', id: str(r.id), column: 'status' }, `unknown status ${JSON.stringify(r.status)}`),
  attempts: num(r.attempts),
  nextAttemptAt: num(r.next_attempt_at),
  lockedUntil: optNum(r.locked_until),
  lastError: optStr(r.last_error),
  result: r.result === null || r.result === undefined ? null : decodeJson(OutboxResult, r.result, { table: 'outbox', id: str(r.id), column: 'result' }),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
})
const toModel = (r: SqlRow): ModelRecord => ({
  id: str(r.id),
  owner: str(r.owner),
  name: str(r.name),
  kind: str(r.kind),
  spec: decodeModel(r.spec, { table: 'models', id: str(r.id), column: 'spec' }),
  commitment: optStr(r.commitment),
  createdAt: num(r.created_at),
  meta: r.meta === null || r.meta === undefined ? null : decodeJson(ModelMeta, r.meta, { table: 'models', id: str(r.id), column: 'meta' }),
})
const toMpcSession = (r: SqlRow): MpcSessionRecord => ({ id: str(r.id), creator: str(r.creator), state: str(r.state), version: num(r.version), createdAt: num(r.created_at), updatedAt: num(r.updated_at) })
const toMpcMessage = (r: SqlRow): MpcMessageRecord => ({
  id: str(r.id),
  sessionId: str(r.session_id),
  round: str(r.round),
  sender: str(r.sender),
  recipient: str(r.recipient),
  payload: str(r.payload),
  createdAt: num(r.created_at),
  payloadBin: r.payload_bin instanceof Uint8Array ? r.payload_bin : null,
})

const tables = ['challenges', 'sessions', 'request_digests', 'he_keys', 'models', 'jobs', 'outbox', 'mpc_sessions', 'mpc_messages', 'contracts'] as const

/** The repository over SQL. Construct with {@link openStore}. */
export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres'
  /**
   * @param db - the connection
   * @param payloads - where a SQLite file keeps large MPC payloads (absent: in their rows)
   */
  constructor(
    private readonly db: SqlDriver,
    private readonly payloads?: PayloadFiles,
  ) {
    this.kind = db.dialect
  }

  /** Rows of `mpc_messages` with the payloads kept in files read back into `payloadBin`. */
  private async mpcMessages(rows: SqlRow[]): Promise<MpcMessageRecord[]> {
    return Promise.all(
      rows.map(async (r) => {
        const m = toMpcMessage(r)
        if (typeof r.payload_file !== 'string') return m
        if (!this.payloads) throw new StoreRowError({ table: 'mpc_messages', id: m.id, column: 'payload_file', reason: 'the payload is in a file, but this store has no payload directory' })
        return { ...m, payloadBin: await this.payloads.read(r.payload_file, { table: 'mpc_messages', id: m.id }) }
      }),
    )
  }

  /** Remove payload files no row references (see {@link PayloadFiles.sweep}). */
  async sweepPayloadFiles(): Promise<number> {
    if (!this.payloads) return 0
    const rows = await this.db.all('SELECT payload_file FROM mpc_messages WHERE payload_file IS NOT NULL')
    return this.payloads.sweep(new Set(rows.map((r) => PayloadFiles.nameOf(String(r.payload_file))).filter((n): n is string => n !== undefined)))
  }

  close(): Promise<void> {
    return this.db.close()
  }

  async createChallenge(c: ChallengeRecord): Promise<void> {
    await this.db.run('INSERT INTO challenges (nonce, address, message, expires_at) VALUES (?, ?, ?, ?)', [c.nonce, c.address, c.message, c.expiresAt])
  }
  async getChallenge(nonce: string): Promise<ChallengeRecord | null> {
    const [r] = await this.db.all('SELECT nonce, address, message, expires_at FROM challenges WHERE nonce = ?', [nonce])
    return r ? { nonce: str(r.nonce), address: str(r.address), message: str(r.message), expiresAt: num(r.expires_at) } : null
  }
  async consumeChallenge(nonce: string): Promise<ChallengeRecord | null> {
    const [r] = await this.db.all('DELETE FROM challenges WHERE nonce = ? RETURNING nonce, address, message, expires_at', [nonce])
    return r ? { nonce: str(r.nonce), address: str(r.address), message: str(r.message), expiresAt: num(r.expires_at) } : null
  }
  async createSession(s: SessionRecord): Promise<void> {
    await this.db.run('INSERT INTO sessions (token_hash, address, created_at, expires_at) VALUES (?, ?, ?, ?)', [s.tokenHash, s.address, s.createdAt, s.expiresAt])
  }
  async getSession(tokenHash: string, now: number): Promise<SessionRecord | null> {
    const [r] = await this.db.all('SELECT token_hash, address, created_at, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?', [tokenHash, now])
    return r ? { tokenHash: str(r.token_hash), address: str(r.address), createdAt: num(r.created_at), expiresAt: num(r.expires_at) } : null
  }
  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash])
    await this.db.notify('session', tokenHash).catch(() => undefined) // lost: other instances' caches expire it within SESSION_CACHE_MS
  }
  acceptRequestDigest(digest: string, expiresAt: number, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM request_digests WHERE digest = ? AND expires_at <= ?', [digest, now])
      return (await tx.run('INSERT INTO request_digests (digest, expires_at) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING', [digest, expiresAt])) === 1
    })
  }
  async purgeExpired(now: number): Promise<number> {
    let n = 0
    for (const t of ['challenges', 'sessions', 'request_digests', 'rate_limits']) n += await this.db.run(`DELETE FROM ${t} WHERE expires_at <= ?`, [now])
    return n
  }
  async consumeNullifier(key: { groupId: string; scope: string; nullifier: string }, limit: number, now: number): Promise<number | undefined> {
    // The unique key (group_id, scope, nullifier, use_index) decides between racing instances:
    // each tries the next free use number; a number someone else took is skipped, never reused.
    const used = await this.countNullifier(key)
    for (let i = used + 1; i <= limit; i++) {
      const n = await this.db.run('INSERT INTO identity_nullifiers (group_id, scope, nullifier, use_index, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [key.groupId, key.scope, key.nullifier, i, now])
      if (n === 1) return i
    }
    return undefined
  }
  async countNullifier(key: { groupId: string; scope: string; nullifier: string }): Promise<number> {
    const [r] = await this.db.all('SELECT COUNT(*) AS n FROM identity_nullifiers WHERE group_id = ? AND scope = ? AND nullifier = ?', [key.groupId, key.scope, key.nullifier])
    return num(r!.n)
  }
  async countActiveSessions(now: number): Promise<number> {
    const [r] = await this.db.all('SELECT COUNT(*) AS n FROM sessions WHERE expires_at > ?', [now])
    return num(r!.n)
  }

  async putKey(k: KeyRecord): Promise<void> {
    await this.db.run('INSERT INTO he_keys (id, owner, scheme, params, bundle, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [k.id, k.owner, k.scheme, JSON.stringify(k.params), k.bundle, k.size, k.createdAt])
  }
  async getKey(id: string): Promise<KeyRecord | null> {
    const [r] = await this.db.all('SELECT id, owner, scheme, params, bundle, size, created_at FROM he_keys WHERE id = ?', [id])
    return r ? { id: str(r.id), owner: str(r.owner), scheme: str(r.scheme), params: keyParamsOf(r), bundle: Buffer.from(r.bundle as Uint8Array), size: num(r.size), createdAt: num(r.created_at) } : null
  }

  /** Evaluation-key bundles (without their bytes) of `owner`, or of everyone for `null`, newest first. */
  async listKeys(owner: string | null): Promise<Omit<KeyRecord, 'bundle'>[]> {
    const rows = await this.db.all(`SELECT id, owner, scheme, params, size, created_at FROM he_keys${owner === null ? '' : ' WHERE owner = ?'} ORDER BY created_at DESC, id`, owner === null ? [] : [owner])
    return rows.map((r) => ({ id: str(r.id), owner: str(r.owner), scheme: str(r.scheme), params: keyParamsOf(r), size: num(r.size), createdAt: num(r.created_at) }))
  }
  /** Delete one evaluation-key bundle; true if it existed. */
  async deleteKey(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM he_keys WHERE id = ?', [id])) === 1
  }
  /** Delete the evaluation-key bundles uploaded before `createdBefore`; returns how many went. */
  async deleteKeysCreatedBefore(createdBefore: number): Promise<number> {
    return this.db.run('DELETE FROM he_keys WHERE created_at < ?', [createdBefore])
  }

  async putModel(m: ModelRecord): Promise<void> {
    await this.db.run('INSERT INTO models (id, owner, name, kind, spec, commitment, created_at, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [m.id, m.owner, m.name, m.kind, JSON.stringify(m.spec), m.commitment, m.createdAt, m.meta ? JSON.stringify(m.meta) : null])
  }
  async getModel(id: string): Promise<ModelRecord | null> {
    const [r] = await this.db.all('SELECT * FROM models WHERE id = ?', [id])
    return r ? toModel(r) : null
  }
  async listModels(): Promise<ModelRecord[]> {
    return (await this.db.all('SELECT * FROM models ORDER BY created_at, id')).map(toModel)
  }
  async findModelsByCommitment(commitment: string): Promise<ModelRecord[]> {
    return (await this.db.all('SELECT * FROM models WHERE commitment = ? ORDER BY created_at, id', [commitment])).map(toModel)
  }

  async createJob(j: JobRecord): Promise<void> {
    await this.db.run('INSERT INTO jobs (id, owner, kind, model_id, state, input, result, error, tx_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      j.id,
      j.owner,
      j.kind,
      j.modelId,
      j.state,
      JSON.stringify(j.input),
      j.result ? JSON.stringify(j.result) : null,
      j.error ? JSON.stringify(j.error) : null,
      j.txHash,
      j.createdAt,
      j.updatedAt,
    ])
  }
  async getJob(id: string): Promise<JobRecord | null> {
    const [r] = await this.db.all('SELECT * FROM jobs WHERE id = ?', [id])
    return r ? toJob(r) : null
  }
  /** The jobs of `owner` (all owners for `null`), newest first, at most `limit` (`krain jobs list`). */
  async listJobsOf(owner: string | null, limit: number): Promise<JobRecord[]> {
    const rows = await this.db.all(`SELECT * FROM jobs${owner === null ? '' : ' WHERE owner = ?'} ORDER BY created_at DESC, id LIMIT ?`, owner === null ? [limit] : [owner, limit])
    return rows.map(toJob)
  }
  async listJobs(states: JobState[]): Promise<JobRecord[]> {
    if (!states.length) return []
    return (await this.db.all(`SELECT * FROM jobs WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at, id`, states)).map(toJob)
  }
  private async transition(db: SqlDriver, id: string, from: JobState[], patch: JobPatch & { state: JobState }, now: number): Promise<boolean> {
    const n = await db.run(
      `UPDATE jobs SET state = ?, result = COALESCE(?, result), error = COALESCE(?, error), tx_hash = COALESCE(?, tx_hash), updated_at = ? WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`,
      [patch.state, patch.result ? JSON.stringify(patch.result) : null, patch.error ? JSON.stringify(patch.error) : null, patch.txHash ?? null, now, id, ...from],
    )
    // in a transaction: sent on commit (a failed NOTIFY fails it); alone: the row is written, a lost announcement only delays waiters to their timeout
    if (n === 1) await (db === this.db ? db.notify('job', id).catch(() => undefined) : db.notify('job', id))
    return n === 1
  }
  transitionJob(id: string, from: JobState[], patch: JobPatch & { state: JobState }, now: number): Promise<boolean> {
    return this.transition(this.db, id, from, patch, now)
  }
  transitionJobWithOutbox(id: string, from: JobState[], patch: { state: JobState; result?: ProvedResult | BatchJobResult }, o: OutboxRecord, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await this.transition(tx, id, from, patch, now))) return false
      await tx.run(
        'INSERT INTO outbox (id, job_id, kind, payload, status, attempts, next_attempt_at, locked_until, last_error, result, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [o.id, o.jobId, o.kind, JSON.stringify(o.payload), o.status, o.attempts, o.nextAttemptAt, o.lockedUntil, o.lastError, o.result ? JSON.stringify(o.result) : null, o.createdAt, o.updatedAt],
      )
      return true
    })
  }
  async countJobs(): Promise<Record<JobState, number>> {
    const out = Object.fromEntries(jobStates.map((s) => [s, 0])) as Record<JobState, number>
    for (const r of await this.db.all('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state')) out[str(r.state) as JobState] = num(r.n)
    return out
  }

  async claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxRecord[]> {
    const skipLocked = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''
    const rows = await this.db.all(
      `UPDATE outbox SET locked_until = ?, attempts = attempts + 1, updated_at = ? WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?) ORDER BY next_attempt_at, id LIMIT ?${skipLocked}) RETURNING *`,
      [now + leaseMs, now, now, now, limit],
    )
    return rows.map(toOutbox)
  }
  async claimOutboxEntry(id: string, now: number, leaseMs: number): Promise<OutboxRecord | null> {
    const [r] = await this.db.all("UPDATE outbox SET locked_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'pending' AND (locked_until IS NULL OR locked_until <= ?) RETURNING *", [now + leaseMs, now, id, now])
    return r ? toOutbox(r) : null
  }
  async extendOutboxLease(id: string, lockedUntil: number, now: number): Promise<boolean> {
    return (await this.db.run("UPDATE outbox SET locked_until = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND locked_until IS NOT NULL", [lockedUntil, now, id])) === 1
  }
  async finishOutbox(id: string, result: OutboxResult, now: number): Promise<void> {
    await this.db.run("UPDATE outbox SET status = 'done', result = ?, locked_until = NULL, updated_at = ? WHERE id = ?", [JSON.stringify(result), now, id])
  }
  async retryOutbox(id: string, error: string, nextAttemptAt: number, now: number): Promise<void> {
    await this.db.run('UPDATE outbox SET last_error = ?, next_attempt_at = ?, locked_until = NULL, updated_at = ? WHERE id = ?', [error.slice(0, 2000), nextAttemptAt, now, id])
  }
  async getOutbox(id: string): Promise<OutboxRecord | null> {
    const [r] = await this.db.all('SELECT * FROM outbox WHERE id = ?', [id])
    return r ? toOutbox(r) : null
  }
  async countPendingOutbox(): Promise<number> {
    const [r] = await this.db.all("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
    return num(r!.n)
  }

  async createFederatedSession(s: FederatedSessionRecord): Promise<void> {
    await this.db.run('INSERT INTO federated_sessions (id, creator, config, created_at) VALUES (?, ?, ?, ?)', [s.id, s.creator, JSON.stringify(s.config), s.createdAt])
  }
  async getFederatedSession(id: string): Promise<FederatedSessionRecord | null> {
    const [r] = await this.db.all('SELECT id, creator, config, created_at FROM federated_sessions WHERE id = ?', [id])
    return r ? { id: String(r.id), creator: String(r.creator), config: decodeFederatedConfig(r.config, { table: 'federated_sessions', id, column: 'config' }), createdAt: Number(r.created_at) } : null
  }
  async listFederatedSessions(limit: number): Promise<FederatedSessionRecord[]> {
    return (await this.db.all('SELECT id, creator, config, created_at FROM federated_sessions ORDER BY created_at DESC, id LIMIT ?', [limit])).map((r) => ({
      id: String(r.id),
      creator: String(r.creator),
      config: decodeFederatedConfig(r.config, { table: 'federated_sessions', id: String(r.id), column: 'config' }),
      createdAt: Number(r.created_at),
    }))
  }
  async appendFederatedEvent(sessionId: string, seq: number, payload: FederatedEvent, now: number): Promise<boolean> {
    return (await this.db.run('INSERT INTO federated_events (session_id, seq, payload, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [sessionId, seq, JSON.stringify(payload), now])) === 1
  }
  async listFederatedEvents(sessionId: string): Promise<{ seq: number; payload: FederatedEvent }[]> {
    return (await this.db.all('SELECT seq, payload FROM federated_events WHERE session_id = ? ORDER BY seq', [sessionId])).map((r) => ({
      seq: Number(r.seq),
      payload: decodeJson(FederatedEvent, r.payload, { table: 'federated_events', id: `${sessionId}:${String(r.seq)}`, column: 'payload' }),
    }))
  }
  async putAuditLog(sessionId: string, log: AuditLogRow, now: number): Promise<void> {
    await this.db.run('INSERT INTO audit_logs (session_id, log, updated_at) VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET log = excluded.log, updated_at = excluded.updated_at', [sessionId, JSON.stringify(log), now])
  }
  async getAuditLog(sessionId: string): Promise<AuditLogRow | null> {
    const [r] = await this.db.all('SELECT log FROM audit_logs WHERE session_id = ?', [sessionId])
    return r ? decodeJson(AuditLogRow, r.log, { table: 'audit_logs', id: sessionId, column: 'log' }) : null
  }

  async createMpcSession(s: MpcSessionRecord): Promise<void> {
    await this.db.run('INSERT INTO mpc_sessions (id, creator, state, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [s.id, s.creator, s.state, s.version, s.createdAt, s.updatedAt])
  }
  async getMpcSession(id: string): Promise<MpcSessionRecord | null> {
    const [r] = await this.db.all('SELECT * FROM mpc_sessions WHERE id = ?', [id])
    return r ? toMpcSession(r) : null
  }
  async listMpcSessions(): Promise<MpcSessionRecord[]> {
    return (await this.db.all('SELECT * FROM mpc_sessions ORDER BY created_at, id')).map(toMpcSession)
  }
  async updateMpcSession(id: string, version: number, state: string, messages: MpcMessageRecord[], now: number): Promise<boolean> {
    // large payloads of a SQLite file are written (durably) before the transaction that names them
    const files = new Map<MpcMessageRecord, string>()
    let committed = false
    try {
      if (this.payloads) for (const m of messages) if (m.payloadBin && m.payloadBin.length >= PAYLOAD_FILE_FROM) files.set(m, await this.payloads.write(m.payloadBin))
      committed = await this.db.transaction(async (tx) => {
        const n = await tx.run('UPDATE mpc_sessions SET state = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?', [state, now, id, version])
        if (n !== 1) return false
        for (const m of messages) {
          const file = files.get(m)
          await tx.run('INSERT INTO mpc_messages (id, session_id, round, sender, recipient, payload, created_at, payload_bin, payload_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [
            m.id,
            m.sessionId,
            m.round,
            m.sender,
            m.recipient,
            m.payload,
            m.createdAt,
            m.payloadBin && file === undefined ? Buffer.from(m.payloadBin.buffer, m.payloadBin.byteOffset, m.payloadBin.length) : null,
            file ?? null,
          ])
        }
        return true
      })
      return committed
    } finally {
      if (!committed && files.size) await this.payloads!.discard([...files.values()])
    }
  }
  async listMpcMessages(sessionId: string, recipient: string, round?: string): Promise<MpcMessageRecord[]> {
    const rows =
      round === undefined
        ? await this.db.all("SELECT * FROM mpc_messages WHERE session_id = ? AND (recipient = ? OR recipient = '*') ORDER BY created_at, id", [sessionId, recipient])
        : await this.db.all("SELECT * FROM mpc_messages WHERE session_id = ? AND (recipient = ? OR recipient = '*') AND round = ? ORDER BY created_at, id", [sessionId, recipient, round])
    return this.mpcMessages(rows)
  }

  async putContract(c: ContractRecord): Promise<void> {
    await this.db.run('INSERT INTO contracts (id, owner, source, plan, hash, scheme, callers, rate_limit, tx_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [c.id, c.owner, c.source, c.plan, c.hash, c.scheme, c.callers, c.rateLimit, c.txHash, c.createdAt])
  }
  async getContract(id: string): Promise<ContractRecord | null> {
    const [r] = await this.db.all('SELECT id, owner, source, plan, hash, scheme, callers, rate_limit, tx_hash, created_at FROM contracts WHERE id = ?', [id])
    return r ? { id: str(r.id), owner: str(r.owner), source: str(r.source), plan: str(r.plan), hash: str(r.hash), scheme: str(r.scheme), callers: str(r.callers), rateLimit: r.rate_limit == null ? null : str(r.rate_limit), txHash: r.tx_hash == null ? null : str(r.tx_hash), createdAt: num(r.created_at) } : null
  }
  async setContractTxHash(id: string, txHash: string): Promise<boolean> {
    const r: number = await this.db.run('UPDATE contracts SET tx_hash = ? WHERE id = ? AND tx_hash IS NULL', [txHash, id])
    return r > 0
  }
  async admitContractCall(c: { contractId: string; caller: string; now: number; windowStart: number; limit: number | null }): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (c.limit !== null) {
        const [r] = await tx.all('SELECT COUNT(*) AS n FROM contract_calls WHERE contract_id = ? AND caller = ? AND called_at > ?', [c.contractId, c.caller, c.windowStart])
        if (num(r!.n) >= c.limit) return false
      }
      await tx.run('DELETE FROM contract_calls WHERE contract_id = ? AND caller = ? AND called_at <= ?', [c.contractId, c.caller, c.windowStart])
      await tx.run('INSERT INTO contract_calls (contract_id, caller, called_at) VALUES (?, ?, ?)', [c.contractId, c.caller, c.now])
      return true
    })
  }

  // PSI sessions
  async createPsiSession(p: import('./types.js').PsiSessionRecord): Promise<void> {
    await this.db.run('INSERT INTO psi_sessions (id, creator, config, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [p.id, p.creator, p.config, p.createdAt, p.expiresAt])
  }
  async getPsiSession(id: string): Promise<import('./types.js').PsiSessionRecord | null> {
    const [r] = await this.db.all('SELECT id, creator, config, created_at, expires_at FROM psi_sessions WHERE id = ?', [id])
    return r ? { id: str(r.id), creator: str(r.creator), config: str(r.config), createdAt: num(r.created_at), expiresAt: num(r.expires_at) } : null
  }
  putPsiChunk(c: import('./types.js').PsiChunkRecord): Promise<'stored' | 'duplicate' | 'conflict'> {
    return this.db.transaction(async (tx) => {
      const key = [c.sessionId, c.sender, c.recipient, c.stream, c.index]
      const n = await tx.run('INSERT INTO psi_chunks (session_id, sender, recipient, stream, idx, last, digest, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, sender, recipient, stream, idx) DO NOTHING', [...key, c.last ? 1 : 0, c.digest, c.data, c.createdAt])
      if (n === 1) return 'stored'
      const [r] = await tx.all('SELECT digest, last FROM psi_chunks WHERE session_id = ? AND sender = ? AND recipient = ? AND stream = ? AND idx = ?', key)
      return r && str(r.digest) === c.digest && num(r.last) === (c.last ? 1 : 0) ? 'duplicate' : 'conflict'
    })
  }
  async listPsiChunks(q: { sessionId: string; sender: string; recipient: string; stream: string; fromIndex: number; limit: number }): Promise<import('./types.js').PsiChunkRecord[]> {
    const rows = await this.db.all('SELECT * FROM psi_chunks WHERE session_id = ? AND sender = ? AND recipient = ? AND stream = ? AND idx >= ? ORDER BY idx LIMIT ?', [q.sessionId, q.sender, q.recipient, q.stream, q.fromIndex, q.limit])
    return rows.map((r) => ({ sessionId: str(r.session_id), sender: str(r.sender), recipient: str(r.recipient), stream: str(r.stream), index: num(r.idx), last: num(r.last) === 1, digest: str(r.digest), data: Buffer.from(r.data as Uint8Array), createdAt: num(r.created_at) }))
  }
  async listPsiStreams(sessionId: string): Promise<import('./types.js').PsiStreamSummary[]> {
    const rows = await this.db.all('SELECT sender, recipient, stream, COUNT(*) AS chunks, SUM(LENGTH(data)) AS bytes, MAX(last) AS last FROM psi_chunks WHERE session_id = ? GROUP BY sender, recipient, stream ORDER BY sender, recipient, stream', [sessionId])
    return rows.map((r) => ({ sender: str(r.sender), recipient: str(r.recipient), stream: str(r.stream), chunks: num(r.chunks), bytes: num(r.bytes), last: num(r.last) === 1 }))
  }

  notify(channel: StoreChannel, payload: string): Promise<void> {
    return this.db.notify(channel, payload)
  }
  subscribe(channel: StoreChannel, fn: (payload: string) => void): Promise<() => void> {
    return this.db.subscribe(channel, fn)
  }
  async hitRateLimit(key: string, windowMs: number, now: number): Promise<{ count: number; resetAt: number }> {
    const [r] = await this.db.all(
      'INSERT INTO rate_limits (key, hits, expires_at) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET hits = CASE WHEN rate_limits.expires_at <= ? THEN 1 ELSE rate_limits.hits + 1 END, expires_at = CASE WHEN rate_limits.expires_at <= ? THEN ? ELSE rate_limits.expires_at END RETURNING hits, expires_at',
      [key, now + windowMs, now, now, now + windowMs],
    )
    return { count: num(r!.hits), resetAt: num(r!.expires_at) }
  }
  async listMpcLogAfter(sessionId: string, round: string, afterId: string): Promise<MpcMessageRecord[]> {
    // byte order on both (PostgreSQL's default collation may ignore punctuation)
    const c = this.db.dialect === 'postgres' ? ' COLLATE "C"' : ''
    return this.mpcMessages(await this.db.all(`SELECT * FROM mpc_messages WHERE session_id = ? AND round = ? AND id${c} > ? ORDER BY id${c}`, [sessionId, round, afterId]))
  }

  async dump(): Promise<Record<string, SqlDump[]>> {
    const out: Record<string, SqlDump[]> = {}
    for (const t of tables) out[t] = await this.db.all(`SELECT * FROM ${t}`)
    // a payload kept in a file is part of its row
    for (const r of out.mpc_messages ?? []) if (typeof r.payload_file === 'string' && this.payloads) r.payload_bin = Buffer.from(await this.payloads.read(r.payload_file, { table: 'mpc_messages', id: String(r.id) }))
    return out
  }
}

/**
 * Open the store named by `databaseUrl` (`postgres://…` or a SQLite path) and migrate it.
 * @param databaseUrl - PostgreSQL URL, SQLite file path, or `:memory:`
 * @param options - `schema`: PostgreSQL schema to use (created if missing)
 * @returns the migrated store
 * @example
 * ```ts
 * const store = await openStore(':memory:')
 * ```
 */
export async function openStore(databaseUrl: string, options: { schema?: string } = {}): Promise<Store> {
  const postgres = /^postgres(ql)?:\/\//.test(databaseUrl)
  const path = databaseUrl.replace(/^(sqlite|file):(\/\/)?/, '')
  const db = postgres ? openPostgres(databaseUrl, options) : openSqlite(path)
  let store: SqlStore
  try {
    await migrate(db)
    store = new SqlStore(db, postgres || path === ':memory:' ? undefined : new PayloadFiles(path))
    await store.sweepPayloadFiles()
  } catch (e) {
    await db.close().catch(() => undefined)
    throw e
  }
  return store
}
