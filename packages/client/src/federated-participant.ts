/**
 * @module client/federated-participant
 * A hospital's side of a federated training session against a gateway: it signs its
 * EIP-712 consent (and checks every other party's), advertises long-term SecAgg keys once, and
 * each round trains locally on its own rows (`@krain/federated`'s {@link Hospital}: FedAvg or
 * FedProx, clipped, optional DP noise share), masks the update and uploads only signed, masked
 * messages (Bonawitz et al. 2017). Rows, keys, seeds and the update never leave the process.
 */
import { AuditError, actionDigest, dataDigest, signConsent, signDigest, verifyConsent, type SignedConsent } from '@krain/audit'
import { Hospital, SecAggClient, advertiseFromJson, advertiseToJson, maskedToJson, shareSeedsToJson, unmaskToJson, type SecAggConfig } from '@krain/federated'
import type { NetworkModel } from '@krain/models'
import type { Address, Hex } from '@krain/mpc'
import { privateKeyToAccount } from 'viem/accounts'
import { GatewayHttp } from './http.js'
import type { FederatedStatus } from './schemas/federated.js'

/** Progress of a session as a hospital sees it: round k of n, hospitals present, ε spent. */
export type FederatedProgress = { round: number; rounds: number; present: number; phase: string; epsilonSpent: number | null }

/** Parameters of {@link FederatedParticipant}. */
export type FederatedParticipantParameters = {
  url: string
  /** The hospital's wallet key: signs in, signs its consent and its SecAgg advertisement. Stays local. */
  privateKey: Hex
  sessionId: string
  /** The hospital's own rows (already standardised) and labels; they never leave this object. */
  x: number[][]
  y: number[]
  onProgress?: (p: FederatedProgress) => void
  fetch?: typeof fetch
}

/** The session status (the route's response schema, one declaration with the gateway's). */
type Status = FederatedStatus

/** One hospital in one federated training session. */
export class FederatedParticipant {
  readonly http: GatewayHttp
  readonly sessionId: string
  readonly address: Address
  readonly #key: Hex
  readonly #hospital: Hospital
  readonly #onProgress: ((p: FederatedProgress) => void) | undefined
  #client: SecAggClient | null = null
  #rosterSize = 0
  #sent = new Map<number, Set<'shares' | 'masked' | 'unmask'>>()

  constructor(p: FederatedParticipantParameters) {
    this.http = new GatewayHttp({ url: p.url, account: privateKeyToAccount(p.privateKey), ...(p.fetch ? { fetch: p.fetch } : {}) })
    this.sessionId = p.sessionId
    this.#key = p.privateKey
    this.address = privateKeyToAccount(p.privateKey).address.toLowerCase() as Address
    this.#hospital = new Hospital({ identityKey: p.privateKey, x: p.x, y: p.y })
    this.#onProgress = p.onProgress
  }

  /** The session's status (phase, round, roster, ε spent, the global model's parameters). */
  status(): Promise<Status> {
    return this.http.request<Status>('GET', `/v1/federated/sessions/${this.sessionId}`)
  }

  #index(s: Status): number {
    return s.config.hospitals.findIndex((h) => h.toLowerCase() === this.address) + 1
  }

  #secaggConfig(s: Status): SecAggConfig {
    return { session: s.id, n: s.config.hospitals.length, threshold: s.config.threshold, length: s.config.length, scale: s.config.scale, bound: s.config.bound, parties: s.config.hospitals }
  }

  /** Sign the session's consent terms (EIP-712) and co-sign its audit entry; then advertise our SecAgg keys. */
  async join(): Promise<void> {
    const s = await this.status()
    const k = this.#index(s)
    if (!k) throw new RangeError(`"privateKey" is not one of the session's hospitals`)
    const signed = signConsent({ privateKey: this.#key, consent: { sessionId: s.id, purpose: s.config.consent.purpose, computation: s.config.consent.computation, parties: s.config.hospitals, expiry: s.config.consent.expiry } })
    const auditSignature = signDigest(this.#key, actionDigest({ kind: 'consent-given', sessionId: s.id, dataDigest: dataDigest(signed), actor: privateKeyToAccount(this.#key).address }))
    await this.http.request('POST', `/v1/federated/sessions/${s.id}/consent`, { body: { consent: signed, auditSignature } })
    this.#client = new SecAggClient(this.#secaggConfig(s), k, { identityKey: this.#key })
    await this.http.request('POST', `/v1/federated/sessions/${s.id}/secagg/advertise`, { body: { message: advertiseToJson(this.#client.advertise()) } })
  }

  /** Check every roster member's consent against the session's terms (every party checks, not only the gateway). */
  #checkConsents(s: Status): void {
    for (const m of s.roster as { from: number }[]) {
      const party = s.config.hospitals[m.from - 1]!
      const signed = s.consents.find((c) => c.consent.party.toLowerCase() === party.toLowerCase())
      const v = signed ? verifyConsent(signed, { sessionId: s.id, party }) : { valid: false as const, reason: 'missing' }
      if (!v.valid || signed!.consent.purpose !== s.config.consent.purpose || signed!.consent.computation !== s.config.consent.computation) {
        throw new AuditError('AUDIT_CONSENT_INVALID', { shortMessage: `hospital ${party} has no valid consent for this session (${v.valid ? 'terms differ' : v.reason}); refusing to share` })
      }
    }
  }

  #mark(attempt: number, step: 'shares' | 'masked' | 'unmask'): boolean {
    let set = this.#sent.get(attempt)
    if (!set) this.#sent.set(attempt, (set = new Set()))
    if (set.has(step)) return false
    set.add(step)
    return true
  }

  /**
   * Do this hospital's part of the current step, if any (share seeds, train + mask, or unmask).
   * @param options - `skip`: do nothing this call (tests and operators: simulate a dropout)
   * @returns the phase after the call
   */
  async step(options: { skip?: boolean } = {}): Promise<string> {
    let s = await this.status()
    const client = this.#client
    if (!client) throw new RangeError('call join() first')
    const k = this.#index(s)
    this.#progress(s)
    if (options.skip) return s.phase
    const base = `/v1/federated/sessions/${s.id}/secagg`
    if (s.phase === 'shares' && this.#mark(s.attempt, 'shares')) {
      client.setRoster(s.roster.map(advertiseFromJson))
      this.#rosterSize = s.roster.length
      this.#checkConsents(s)
      s = await this.http.request<Status>('POST', `${base}/shares`, { body: { message: shareSeedsToJson(client.shareSeeds(s.attempt)) } })
    } else if (s.phase === 'masked' && this.#sent.get(s.attempt)?.has('shares') && this.#mark(s.attempt, 'masked')) {
      const inbox = await this.http.request<{ attempt: number; u1: number[]; inbox: { from: number; ciphertext: string }[] }>('GET', `/v1/federated/sessions/${s.id}/inbox`)
      const c = s.config
      const values = this.#hospital.localStep({ model: c.model, start: Float64Array.from(s.parameters), round: s.round + 1, epochs: c.localEpochs, learningRate: c.learningRate, batchSize: c.batchSize, mu: c.mu, clip: c.clip, maxSamples: c.maxSamples, sigma: c.sigma, rosterSize: this.#rosterSize })
      const m = client.maskedInput(s.attempt, values, inbox.inbox.map((x) => ({ from: x.from, ciphertext: new Uint8Array(Buffer.from(x.ciphertext, 'base64')) })), inbox.u1)
      s = await this.http.request<Status>('POST', `${base}/masked`, { body: { message: maskedToJson(m) } })
    } else if (s.phase === 'unmask' && s.u2?.includes(k) && this.#mark(s.attempt, 'unmask')) {
      s = await this.http.request<Status>('POST', `${base}/unmask`, { body: { message: unmaskToJson(client.unmask(s.attempt, s.u2)) } })
    }
    return s.phase
  }

  /**
   * Send a masked input computed from `values` instead of the local training step (tests: a
   * hospital that lies about its clip bound). The vector must still fit the session's per-value bound.
   */
  async stepWithValues(values: ArrayLike<number>): Promise<string> {
    const s = await this.status()
    if (s.phase !== 'masked' || !this.#client || !this.#mark(s.attempt, 'masked')) return s.phase
    const inbox = await this.http.request<{ u1: number[]; inbox: { from: number; ciphertext: string }[] }>('GET', `/v1/federated/sessions/${s.id}/inbox`)
    const m = this.#client.maskedInput(s.attempt, values, inbox.inbox.map((x) => ({ from: x.from, ciphertext: new Uint8Array(Buffer.from(x.ciphertext, 'base64')) })), inbox.u1)
    return (await this.http.request<Status>('POST', `/v1/federated/sessions/${s.id}/secagg/masked`, { body: { message: maskedToJson(m) } })).phase
  }

  /**
   * Join (unless `joined`), then take part until the session is done: each step is done as soon
   * as the gateway's phase allows; between steps the status is polled every `pollMs`.
   * @returns the final status (phase `done` or `budget-exhausted`)
   */
  async run({ joined = false, pollMs = 300, timeoutMs = 60 * 60_000 }: { joined?: boolean; pollMs?: number; timeoutMs?: number } = {}): Promise<Status> {
    if (!joined) await this.join()
    const until = Date.now() + timeoutMs
    let last = ''
    for (;;) {
      const phase = await this.step()
      const s = await this.status()
      if (s.phase === 'done' || s.phase === 'budget-exhausted') return s
      const key = `${s.attempt}:${phase}:${s.phase}`
      if (key === last) {
        if (Date.now() > until) throw new RangeError(`gave up waiting after ${timeoutMs} ms in phase ${s.phase}`)
        await new Promise((r) => setTimeout(r, pollMs))
      }
      last = key
    }
  }

  #progress(s: Status): void {
    this.#onProgress?.({ round: s.round, rounds: s.config.rounds, present: s.u2?.length ?? s.u1?.length ?? s.roster.length, phase: s.phase, epsilonSpent: s.epsilonSpent })
  }
}
