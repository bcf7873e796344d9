/**
 * @module federated/federated-service
 * Federated training sessions with the gateway as the SecAgg server of
 * `@krain/federated` (Bonawitz et al. 2017, long-term pair keys): it relays signed, masked
 * messages and learns only each round's sum, from which it steps the global model (FedAvg or
 * FedProx, clip check, DP accountant). It never holds a hospital's key, seed or update.
 *
 * Persistence is an append-only event log (`federated_events`, one row per accepted message or
 * operator action, numbered): replaying it into a fresh {@link SecAggServer} rebuilds the exact
 * round state, so a gateway restart loses nothing. Each use of data is also appended to the
 * session's `@krain/audit` log (gateway-signed; the hospital's co-signature on its consent).
 */
import { AuditLog, dataDigest, verifyConsent, type AuditLogExport, type SignedConsent } from '@krain/audit'
import {
  FederatedError,
  FederatedBudgetError,
  SecAggServer,
  ROUND_SCALE,
  advertiseFromJson,
  applyAggregate,
  epsilonOf,
  maskedFromJson,
  parameterCount,
  flattenParameters,
  roundVectorSpec,
  shareSeedsFromJson,
  unmaskFromJson,
  validateSecAggConfig,
  withParameters,
  type FederatedDpConfig,
} from '@krain/federated'
import { assertModel, toNetwork, type NetworkModel } from '@krain/models'
import { addressOf, type Address, type Hex } from '@krain/mpc'
import { isKrainError } from '@krain/core'
import { BadRequestError, ConflictError, NotFoundError, PolicyDeniedError } from '../errors.js'
import type { FederatedEvent } from '../store/rows.js'
import type { Store } from '../store/types.js'
import type { Static } from 'typebox'
import type { FederatedStatusSchema } from '@krain/client/schemas/federated'
import { KeyedLock } from '../keyed-lock.js'

/** What a creator sends to open a session. */
export type CreateFederatedParameters = {
  name: string
  model: unknown
  hospitals: string[]
  rounds: number
  threshold: number
  algorithm?: 'fedavg' | 'fedprox'
  mu?: number
  clip: number
  maxSamples?: number
  localEpochs?: number
  learningRate?: number
  batchSize?: number
  dp?: FederatedDpConfig | null
  consent: { purpose: string; computation: string; expiry: number }
}

/** A session's fixed config (stored as JSON). */
export type FederatedSessionConfig = Required<Omit<CreateFederatedParameters, 'model' | 'hospitals' | 'dp'>> & {
  id: string
  creator: Address
  model: NetworkModel
  hospitals: Address[]
  dp: FederatedDpConfig | null
  length: number
  bound: number
  sigma: number
  scale: number
  createdAt: number
}

type Phase = 'joining' | 'shares' | 'masked' | 'unmask' | 'done' | 'budget-exhausted'
/** One event of a session's log (decoded by the store). */
type Event = FederatedEvent

/** One finished (or refused) round. */
export type FederatedRoundRecord = { round: number; attempt: number; contributors: Address[]; epsilon: number | null; refused?: { code: string; message: string } }

type State = {
  config: FederatedSessionConfig
  server: SecAggServer
  seq: number
  phase: Phase
  round: number
  attempt: number
  consents: Map<string, SignedConsent>
  advertised: Set<number>
  parameters: number[]
  noiseMultipliers: number[]
  history: FederatedRoundRecord[]
  modelId: string | null
}

/** The public status of a session (no secret in it; the model is the shared output): the route's response schema. */
export type FederatedStatus = Static<typeof FederatedStatusSchema>

const indexOf = (c: FederatedSessionConfig, a: string): number => c.hospitals.findIndex((h) => h.toLowerCase() === a.toLowerCase()) + 1

/** The federated-training service of one gateway instance. */
export class FederatedService {
  private readonly cache = new Map<string, State>()
  private readonly locks = new KeyedLock()
  readonly coordinator: Address

  constructor(private readonly p: { store: Store; identityKey: Hex; clock?: () => number }) {
    this.coordinator = addressOf(p.identityKey)
  }

  private now(): number {
    return (this.p.clock ?? Date.now)()
  }

  /** Open a session. */
  async create(params: CreateFederatedParameters, creator: string): Promise<FederatedStatus> {
    let model: NetworkModel
    try {
      model = toNetwork(assertModel(params.model))
    } catch (e) {
      throw new BadRequestError('FED_MODEL_INVALID', `"model" is not a model @krain/models accepts: ${(e as Error).message}`)
    }
    const hospitals = [...new Set(params.hospitals.map((h) => h.toLowerCase()))] as Address[]
    if (hospitals.length !== params.hospitals.length || hospitals.length < 2) throw new BadRequestError('FED_INVALID_CONFIG', '"hospitals" expected at least 2 distinct addresses')
    if (params.threshold < 2 || params.threshold > hospitals.length) throw new BadRequestError('FED_INVALID_CONFIG', `"threshold" expected in 2..${hospitals.length}`)
    if (params.dp && !(params.dp.epsilon > 0 && params.dp.delta > 0 && params.dp.delta < 1 && params.dp.noiseMultiplier > 0)) throw new BadRequestError('FED_INVALID_CONFIG', '"dp" expected epsilon > 0, 0 < delta < 1, noiseMultiplier > 0')
    const P = parameterCount(model)
    const maxSamples = params.maxSamples ?? 10_000
    const spec = roundVectorSpec({ parameters: P, clip: params.clip, maxSamples, dp: params.dp ?? null })
    const id = `fed-${globalThis.crypto.randomUUID()}`
    const createdAt = this.now()
    const config: FederatedSessionConfig = {
      id,
      creator: creator.toLowerCase() as Address,
      name: params.name,
      model,
      hospitals,
      rounds: params.rounds,
      threshold: params.threshold,
      algorithm: params.algorithm ?? 'fedavg',
      mu: params.algorithm === 'fedprox' ? (params.mu ?? 0.01) : 0,
      clip: params.clip,
      maxSamples,
      localEpochs: params.localEpochs ?? 1,
      learningRate: params.learningRate ?? 0.1,
      batchSize: params.batchSize ?? 16,
      dp: params.dp ?? null,
      consent: params.consent,
      length: spec.length,
      bound: spec.bound,
      sigma: spec.sigma,
      scale: ROUND_SCALE,
      createdAt,
    }
    try {
      validateSecAggConfig(this.secaggConfig(config))
    } catch (e) {
      throw new BadRequestError('FED_INVALID_CONFIG', (e as Error).message)
    }
    await this.p.store.createFederatedSession({ id, creator: config.creator, config, createdAt })
    await this.audit(id, { kind: 'session-created', sessionId: id, data: config, time: createdAt })
    return this.view(this.fresh(config))
  }

  private secaggConfig(c: FederatedSessionConfig) {
    return { session: c.id, n: c.hospitals.length, threshold: c.threshold, length: c.length, scale: c.scale, bound: c.bound, parties: c.hospitals }
  }

  private fresh(config: FederatedSessionConfig): State {
    return {
      config,
      server: new SecAggServer(this.secaggConfig(config)),
      seq: 0,
      phase: 'joining',
      round: 0,
      attempt: 0,
      consents: new Map(),
      advertised: new Set(),
      parameters: Array.from(flattenParameters(config.model)),
      noiseMultipliers: [],
      history: [],
      modelId: null,
    }
  }

  /** Status of a session. */
  status(id: string): Promise<FederatedStatus> {
    return this.locked(id, async (s) => this.view(s))
  }

  /** A hospital's signed consent (EIP-712), checked against the session's terms; `auditSignature` co-signs the audit entry. */
  consent(id: string, caller: string, signed: unknown, auditSignature?: Hex): Promise<FederatedStatus> {
    return this.locked(id, async (s) => {
      const c = s.config
      if (!indexOf(c, caller)) throw new PolicyDeniedError({ action: 'federated:consent', address: caller, reason: 'not a hospital of this session' })
      const v = verifyConsent(signed, { sessionId: c.id, party: caller, now: Math.floor(this.now() / 1000) })
      if (!v.valid) throw new ConflictError(v.reason === 'expired' ? 'AUDIT_CONSENT_EXPIRED' : 'AUDIT_CONSENT_INVALID', `the consent does not hold: ${v.reason}`)
      const consent = (signed as SignedConsent).consent
      const sameParties = consent.parties.length === c.hospitals.length && consent.parties.every((p) => indexOf(c, p) > 0)
      if (consent.purpose !== c.consent.purpose || consent.computation !== c.consent.computation || !sameParties || consent.expiry < c.consent.expiry) {
        throw new ConflictError('AUDIT_CONSENT_INVALID', 'the consent does not match the session (purpose, computation, parties or expiry)')
      }
      if (s.consents.has(caller.toLowerCase())) return this.view(s)
      const d = dataDigest(signed)
      const ev: Event = { kind: 'consent', party: caller.toLowerCase() as Address, consent: signed as SignedConsent, ...(auditSignature ? { auditSignature } : {}) }
      // the co-signature is checked by the audit log before anything is written
      await this.audit(c.id, { kind: 'consent-given', sessionId: c.id, dataDigest: d, actor: ev.party, ...(auditSignature ? { actorSignature: auditSignature } : {}) }, true)
      await this.commit(s, ev)
      await this.audit(c.id, { kind: 'consent-given', sessionId: c.id, dataDigest: d, actor: ev.party, ...(auditSignature ? { actorSignature: auditSignature } : {}) })
      return this.view(s)
    })
  }

  /** Relay one SecAgg message of `caller` (`kind` names the step). */
  message(id: string, caller: string, kind: 'advertise' | 'shares' | 'masked' | 'unmask', message: unknown): Promise<FederatedStatus> {
    return this.locked(id, async (s) => {
      const k = indexOf(s.config, caller)
      if (!k) throw new PolicyDeniedError({ action: 'federated:message', address: caller, reason: 'not a hospital of this session' })
      const from = (message as { from?: unknown } | null)?.from
      if (from !== k) throw new PolicyDeniedError({ action: 'federated:message', address: caller, reason: `a hospital may only send its own messages (from must be ${k})` })
      if (kind === 'advertise' && !s.consents.has(caller.toLowerCase())) throw new ConflictError('AUDIT_CONSENT_MISSING', 'send your signed consent before your keys')
      if (s.phase === 'budget-exhausted' && s.config.dp) {
        const spent = this.epsilon(s) ?? 0
        throw new FederatedBudgetError({ spent, wouldSpend: epsilonOf([...s.noiseMultipliers, s.config.dp.noiseMultiplier], s.config.dp.delta), budget: s.config.dp.epsilon })
      }
      const before = s.history.length
      await this.commit(s, { kind, message } as Event)
      await this.afterRounds(s, before)
      return this.view(s)
    })
  }

  /** Close the current step with the messages received (the creator decides who dropped). */
  close(id: string, caller: string): Promise<FederatedStatus> {
    return this.locked(id, async (s) => {
      if (caller.toLowerCase() !== s.config.creator) throw new PolicyDeniedError({ action: 'federated:close', address: caller, reason: 'only the session creator may close a step' })
      const before = s.history.length
      await this.commit(s, { kind: 'close' })
      await this.afterRounds(s, before)
      return this.view(s)
    })
  }

  /** The trained model (after the last round). */
  async result(id: string): Promise<{ model: NetworkModel; status: FederatedStatus }> {
    const st = await this.status(id)
    if (st.phase !== 'done' && st.phase !== 'budget-exhausted') throw new ConflictError('FED_NOT_FINISHED', `the session is in phase ${st.phase}; ${st.round} of ${st.config.rounds} rounds done`)
    return { model: withParameters(st.config.model, st.parameters), status: st }
  }

  /** Record that the result was registered as model `modelId` (audit). */
  registered(id: string, modelId: string, actor: string): Promise<FederatedStatus> {
    return this.locked(id, async (s) => {
      await this.commit(s, { kind: 'registered', modelId })
      await this.audit(s.config.id, { kind: 'model-registered', sessionId: s.config.id, data: { modelId, parameters: s.parameters }, actor: actor.toLowerCase() as Address })
      return this.view(s)
    })
  }

  /** The session's audit log, freshly signed. */
  async auditExport(id: string): Promise<AuditLogExport> {
    const raw = await this.p.store.getAuditLog(id)
    if (!raw) throw new NotFoundError('audit log', id)
    return new AuditLog({ ownerPrivateKey: this.p.identityKey, entries: raw }).exportLog({ time: this.now() })
  }

  /** Creator and hospitals of a session (for authorisation). */
  async membersOf(id: string): Promise<{ creator: string; hospitals: string[] }> {
    const row = await this.p.store.getFederatedSession(id)
    if (!row) throw new NotFoundError('federated session', id)
    return { creator: row.config.creator, hospitals: row.config.hospitals }
  }

  /** Drop a session's in-memory state (tests: the next request replays the log, as after a restart). */
  forget(id: string): void {
    this.cache.delete(id)
  }

  // ---- internals

  private async audit(id: string, entry: Parameters<AuditLog['appendEntry']>[0], dryRun = false): Promise<void> {
    const raw = await this.p.store.getAuditLog(id)
    const log = new AuditLog({ ownerPrivateKey: this.p.identityKey, ...(raw ? { entries: raw } : {}) })
    const now = this.now()
    // canonical JSON takes integers only: structured data (floats included) is digested as its JSON text
    const data = entry.data === undefined ? {} : { data: JSON.stringify(entry.data) }
    log.appendEntry({ ...entry, ...data, time: Math.max(entry.time ?? now, now) })
    if (!dryRun) await this.p.store.putAuditLog(id, log.exportLog({ time: now }), now)
  }

  /** Audit entries of rounds finished by the last event. */
  private async afterRounds(s: State, before: number): Promise<void> {
    const refused: FederatedRoundRecord[] = []
    for (const r of s.history.slice(before)) {
      if (r.refused) {
        refused.push(r)
        continue
      }
      await this.audit(s.config.id, { kind: 'round-aggregated', sessionId: s.config.id, data: { round: r.round, attempt: r.attempt, contributors: r.contributors, epsilon: r.epsilon } })
    }
    if (s.history.length > before && (s.phase === 'done' || s.phase === 'budget-exhausted')) {
      await this.audit(s.config.id, { kind: 'result-released', sessionId: s.config.id, data: { rounds: s.round, parameters: s.parameters, epsilon: this.epsilon(s) } })
    }
    const last = refused.at(-1)
    if (last?.refused) throw new FederatedError(last.refused.code as 'FED_NORM_EXCEEDED', { shortMessage: last.refused.message, details: `round ${last.round} (attempt ${last.attempt}) was discarded; the next attempt has begun` })
  }

  private epsilon(s: State): number | null {
    return s.config.dp ? epsilonOf(s.noiseMultipliers, s.config.dp.delta) : null
  }

  private view(s: State): FederatedStatus {
    const srv = s.server
    let u1: number[] | null = null
    let u2: number[] | null = null
    if (s.phase === 'masked' || s.phase === 'unmask') u1 = srv.inboxOf(1).u1
    if (s.phase === 'unmask') u2 = srv.survivors
    return {
      id: s.config.id,
      config: s.config,
      phase: s.phase,
      round: s.round,
      attempt: s.attempt,
      parameters: s.parameters,
      epsilonSpent: this.epsilon(s),
      consents: [...s.consents.values()],
      roster: srv.roster().map((m) => ({ from: m.from, cPk: b64(m.cPk), sPk: b64(m.sPk), vk: b64(m.vk), signature: b64(m.signature), ...(m.identitySignature ? { identitySignature: m.identitySignature } : {}) })),
      u1,
      u2,
      history: s.history,
      modelId: s.modelId,
    }
  }

  /** The ShareSeeds ciphertexts addressed to hospital `caller` in the open attempt, with U1. */
  inbox(id: string, caller: string): Promise<{ attempt: number; u1: number[]; inbox: { from: number; ciphertext: string }[] }> {
    return this.locked(id, async (s) => {
      const k = indexOf(s.config, caller)
      if (!k) throw new PolicyDeniedError({ action: 'federated:inbox', address: caller, reason: 'not a hospital of this session' })
      if (s.phase !== 'masked' && s.phase !== 'unmask') throw new ConflictError('FED_WRONG_PHASE', `no inbox in phase ${s.phase}`)
      const { u1, inbox } = s.server.inboxOf(k)
      return { attempt: s.attempt, u1, inbox: inbox.map((x) => ({ from: x.from, ciphertext: b64(x.ciphertext) })) }
    })
  }

  /** Validate and apply one event, then persist it (nothing is written if it is refused). */
  private async commit(s: State, ev: Event): Promise<void> {
    const seq = s.seq
    this.apply(s, ev, false)
    if (!(await this.p.store.appendFederatedEvent(s.config.id, seq, ev, this.now()))) {
      this.cache.delete(s.config.id)
      throw new ConflictError('FED_CONCURRENT_UPDATE', 'another gateway instance changed this session; retry')
    }
  }

  /** The state machine: deterministic in the event sequence (replay rebuilds the same state). */
  private apply(s: State, ev: Event, replay: boolean): void {
    const srv = s.server
    const c = s.config
    const n = c.hospitals.length
    switch (ev.kind) {
      case 'consent':
        if (!replay && s.phase !== 'joining' && s.advertised.has(indexOf(c, ev.party))) throw new ConflictError('FED_WRONG_PHASE', 'consent after joining')
        s.consents.set(ev.party, ev.consent)
        break
      case 'registered':
        if (s.phase !== 'done' && s.phase !== 'budget-exhausted') throw new ConflictError('FED_NOT_FINISHED', 'the session has not finished')
        s.modelId = ev.modelId
        break
      case 'advertise': {
        const m = advertiseFromJson(ev.message)
        // a late advertisement (after round 1 began) takes part from the next attempt on
        srv.receiveAdvertisement(m)
        s.advertised.add(m.from)
        if (s.phase === 'joining' && s.advertised.size === n) this.startAttempt(s)
        break
      }
      case 'shares':
        this.needPhase(s, 'shares')
        srv.receiveShares(shareSeedsFromJson(ev.message))
        if (srv.sharers.length === s.advertised.size) this.closeStep(s)
        break
      case 'masked':
        this.needPhase(s, 'masked')
        srv.receiveMasked(maskedFromJson(ev.message))
        if (srv.maskers.length === srv.inboxOf(1).u1.length) this.closeStep(s)
        break
      case 'unmask':
        this.needPhase(s, 'unmask')
        srv.receiveUnmask(unmaskFromJson(ev.message))
        if (srv.responders.length === srv.survivors.length) this.closeStep(s)
        break
      case 'close':
        this.closeStep(s)
        break
    }
    s.seq += 1
  }

  private needPhase(s: State, phase: Phase): void {
    if (s.phase !== phase) throw new FederatedError('FED_REPLAYED_MESSAGE', { shortMessage: `a ${phase} message while the session is in phase ${s.phase}`, details: 'a message of another step or round is refused' })
  }

  private startAttempt(s: State): void {
    const c = s.config
    if (s.round >= c.rounds) {
      s.phase = 'done'
      return
    }
    if (c.dp) {
      const would = epsilonOf([...s.noiseMultipliers, c.dp.noiseMultiplier], c.dp.delta)
      if (would > c.dp.epsilon) {
        s.phase = 'budget-exhausted'
        return
      }
    }
    s.attempt += 1
    s.server.beginRound(s.attempt)
    s.phase = 'shares'
  }

  private closeStep(s: State): void {
    const srv = s.server
    const c = s.config
    switch (s.phase) {
      case 'joining':
        if (s.advertised.size < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `${s.advertised.size} hospitals joined; ${c.threshold} needed` })
        this.startAttempt(s)
        return
      case 'shares':
        srv.closeShares()
        s.phase = 'masked'
        return
      case 'masked':
        srv.closeMasked()
        s.phase = 'unmask'
        return
      case 'unmask': {
        const attempt = s.attempt
        try {
          const { sum, contributors } = srv.finish()
          const next = applyAggregate({ parameters: s.parameters, sum, contributors: contributors.length, rosterSize: s.advertised.size, clip: c.clip, maxSamples: c.maxSamples, serverLearningRate: 1, dp: c.dp })
          if (next.noiseMultiplier !== null) s.noiseMultipliers.push(next.noiseMultiplier)
          s.parameters = next.parameters
          s.round += 1
          s.history.push({ round: s.round, attempt, contributors: contributors.map((k) => c.hospitals[k - 1]!), epsilon: this.epsilon(s) })
        } catch (e) {
          if (!isKrainError(e)) throw e
          s.history.push({ round: s.round + 1, attempt, contributors: [], epsilon: this.epsilon(s), refused: { code: e.code, message: e.shortMessage } })
        }
        this.startAttempt(s)
        return
      }
      default:
        throw new ConflictError('FED_WRONG_PHASE', `nothing to close in phase ${s.phase}`)
    }
  }

  private async load(id: string): Promise<State> {
    const cached = this.cache.get(id)
    if (cached) return cached
    const row = await this.p.store.getFederatedSession(id)
    if (!row) throw new NotFoundError('federated session', id)
    const s = this.fresh(row.config)
    for (const e of await this.p.store.listFederatedEvents(id)) this.apply(s, e.payload, true)
    this.cache.set(id, s)
    return s
  }

  private locked<T>(id: string, fn: (s: State) => Promise<T>): Promise<T> {
    return this.locks.run(id, async () => {
      const s = await this.load(id)
      try {
        return await fn(s)
      } catch (e) {
        // a refused event may have changed the in-memory state before throwing: rebuild from the log
        this.cache.delete(id)
        throw e
      }
    })
  }
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
