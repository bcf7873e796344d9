/**
 * @module federated-coordinator
 * Federated training (FedAvg, McMahan et al. 2017; FedProx, Li et al. 2020) where every round's
 * updates are summed by one real `@krain/mpc` secure-aggregation session (Shamir shares,
 * per-recipient AEAD, signed messages): the coordinator learns only the sum. The session's nonce
 * is SHA-256(federationId ‖ round ‖ salt), so its id — which every signature and AEAD binds — names the
 * round: a message of an old round is refused (`MPC_WRONG_SESSION`). State is plain JSON, saved
 * between rounds, so training survives a restart.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from 'viem/utils'
import { Coordinator, MpcError, Party, addressOf, createSession, jsonLength } from '@krain/mpc'
import type { Address, AggregateResult, Hex } from '@krain/mpc'
import type { NetworkModel } from '@krain/models'
import { FederatedBudgetError, FederatedError } from '../errors.js'
import { epsilonOf } from '../dp/accountant.js'
import { flattenParameters, parameterCount, withParameters } from '../train/params.js'
import type { Hospital } from './hospital.js'
import { SecAggSession } from '../secagg/run-round.js'
import { applyAggregate } from './apply-aggregate.js'

/** Differential-privacy settings of a federation. */
export type FederatedDpConfig = { epsilon: number; delta: number; noiseMultiplier: number }

/** A federation's fixed settings. */
export type FederatedConfig = {
  federationId: string
  coordinator: Address
  hospitals: Address[]
  threshold: number
  algorithm: 'fedavg' | 'fedprox'
  mu: number
  clip: number
  maxSamples: number
  localEpochs: number
  learningRate: number
  batchSize: number
  /** Server step size on the averaged update (1 = plain FedAvg). */
  serverLearningRate: number
  dp: FederatedDpConfig | null
  allowUnverified: boolean
  /**
   * How updates are summed: `'secagg'` (pairwise-masked aggregation, `secagg/`, ~1× the vector in
   * bytes; the default) or `'shamir'` (an `@krain/mpc` session). Absent in old states = shamir.
   */
  transport?: 'shamir' | 'secagg'
}

/** One finished round. */
export type RoundRecord = { round: number; sessionId: Hex; contributors: Address[]; verified: boolean; epsilon: number | null; updateNorm: number }

/** Everything the coordinator keeps: JSON-serialisable. */
export type FederatedState = { version: 1; config: FederatedConfig; model: NetworkModel; round: number; parameters: number[]; noiseMultipliers: number[]; history: RoundRecord[] }

/** A message refused during a round. */
export type RoundRefusal = { code: string; message: string }

/** What {@link FederatedCoordinator.runRound} returns. */
export type RoundReport = RoundRecord & { refusals: RoundRefusal[]; bytes: Record<Address, { sent: number; received: number }> }

/** Parameters of {@link FederatedCoordinator.create}. */
export type CreateFederationParameters = {
  coordinatorKey: Hex
  hospitals: readonly Address[]
  model: NetworkModel
  threshold?: number
  algorithm?: 'fedavg' | 'fedprox'
  mu?: number
  clip?: number
  maxSamples?: number
  localEpochs?: number
  learningRate?: number
  batchSize?: number
  serverLearningRate?: number
  dp?: FederatedDpConfig | null
  allowUnverified?: boolean
  federationId?: string
  /** Aggregation transport (default `'secagg'`). */
  transport?: 'shamir' | 'secagg'
}

/** Hooks for tests and fault injection: extra messages delivered to this round's coordinator. */
export type RunRoundOptions = { inject?: { round: 'join' | 'share' | 'sum'; message: unknown }[]; onMessage?: (round: 'join' | 'share' | 'sum', message: unknown) => void }

const SCALE = 2 ** 16

/** The coordinator of a federation (holds the global model; never sees an individual update). */
export class FederatedCoordinator {
  #state: FederatedState
  readonly #key: Hex
  /** The secagg transport's session (long-term keys agreed once; re-made after a restart). */
  #secagg: SecAggSession | null = null
  /** SecAgg round counter: one per attempt, so a failed attempt's messages stay refused on the retry. */
  #secaggAttempt = 0

  private constructor(state: FederatedState, coordinatorKey: Hex) {
    this.#state = state
    this.#key = coordinatorKey
    if (addressOf(coordinatorKey) !== state.config.coordinator) throw new FederatedError('FED_BAD_STATE', { shortMessage: 'the coordinator key does not match the saved federation' })
  }

  /**
   * Start a federation from an initial network.
   * @example
   * ```ts
   * const fed = FederatedCoordinator.create({ coordinatorKey, hospitals: hs.map((h) => h.address), model })
   * ```
   */
  static create(p: CreateFederationParameters): FederatedCoordinator {
    const n = p.hospitals.length
    if (n < 2) throw new RangeError(`"hospitals" expected at least 2, got ${n}`)
    const config: FederatedConfig = {
      federationId: p.federationId ?? bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16))),
      coordinator: addressOf(p.coordinatorKey),
      hospitals: [...p.hospitals],
      threshold: p.threshold ?? Math.floor(n / 2) + 1,
      algorithm: p.algorithm ?? 'fedavg',
      mu: p.algorithm === 'fedprox' ? (p.mu ?? 0.01) : 0,
      clip: p.clip ?? 10,
      maxSamples: p.maxSamples ?? 10_000,
      localEpochs: p.localEpochs ?? 1,
      learningRate: p.learningRate ?? 0.1,
      batchSize: p.batchSize ?? 16,
      serverLearningRate: p.serverLearningRate ?? 1,
      dp: p.dp ?? null,
      allowUnverified: p.allowUnverified ?? false,
      transport: p.transport ?? 'secagg',
    }
    if (config.transport !== 'shamir' && config.transport !== 'secagg') throw new RangeError(`"transport" expected 'shamir' or 'secagg', got ${String(config.transport)}`)
    if (!(config.clip > 0)) throw new RangeError(`"clip" expected > 0, got ${config.clip}`)
    if (config.threshold < 2 || config.threshold > n) throw new RangeError(`"threshold" expected in 2..${n}, got ${config.threshold}`)
    if (config.dp && !(config.dp.noiseMultiplier > 0 && config.dp.epsilon > 0 && config.dp.delta > 0 && config.dp.delta < 1)) throw new RangeError('"dp" expected noiseMultiplier > 0, epsilon > 0, 0 < delta < 1')
    return new FederatedCoordinator({ version: 1, config, model: p.model, round: 0, parameters: [...flattenParameters(p.model)], noiseMultipliers: [], history: [] }, p.coordinatorKey)
  }

  /**
   * Restore from {@link toJSON} output (after a restart).
   * @throws FederatedError `FED_BAD_STATE` on a malformed state or a key that is not the coordinator's
   */
  static fromJSON(state: unknown, coordinatorKey: Hex): FederatedCoordinator {
    const s = state as FederatedState
    if (s === null || typeof s !== 'object' || s.version !== 1 || !Array.isArray(s.parameters) || typeof s.round !== 'number' || s.parameters.length !== parameterCount(s.model)) {
      throw new FederatedError('FED_BAD_STATE', { shortMessage: 'not a saved federation state' })
    }
    return new FederatedCoordinator(structuredClone(s), coordinatorKey)
  }

  /** The state (plain JSON). */
  toJSON(): FederatedState {
    return structuredClone(this.#state)
  }

  /** Rounds completed. */
  get round(): number {
    return this.#state.round
  }

  /** ε spent so far (null without DP). */
  epsilonSpent(): number | null {
    const dp = this.#state.config.dp
    return dp ? epsilonOf(this.#state.noiseMultipliers, dp.delta) : null
  }

  /** The current global model as an `@krain/models` network. */
  model(): NetworkModel {
    return withParameters(this.#state.model, this.#state.parameters)
  }

  /**
   * A session nonce for an attempt at a round: SHA-256(federationId ‖ round ‖ attempt), where
   * `attempt` is fresh randomness, so a rerun of a round (after a restart) is a new session too.
   */
  nonceOf(round: number, attempt: Hex = bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)))): Hex {
    return bytesToHex(sha256(new TextEncoder().encode(`krain-federated|${this.#state.config.federationId}|${round}|${attempt}`)))
  }

  /**
   * Run one round with the hospitals present (the others are dropouts this round).
   * @throws FederatedBudgetError `FED_BUDGET_EXHAUSTED` before any work if the round would pass ε;
   *   FederatedError `FED_TOO_FEW_HOSPITALS`, `FED_ROUND_FAILED`, `FED_NORM_EXCEEDED`
   */
  runRound(present: readonly Hospital[], options: RunRoundOptions = {}): RoundReport {
    const s = this.#state
    const c = s.config
    const round = s.round + 1
    if (c.dp) {
      // worst case for this round: everyone in the roster contributes, so σ_eff = σ
      const spent = epsilonOf(s.noiseMultipliers, c.dp.delta)
      const would = epsilonOf([...s.noiseMultipliers, c.dp.noiseMultiplier], c.dp.delta)
      if (would > c.dp.epsilon) throw new FederatedBudgetError({ spent, wouldSpend: would, budget: c.dp.epsilon })
    }
    const here = present.filter((h) => c.hospitals.includes(h.address))
    if (here.length < c.threshold) throw new FederatedError('FED_TOO_FEW_HOSPITALS', { shortMessage: `${here.length} hospitals present, the round needs ${c.threshold}` })
    const P = s.parameters.length
    const sigma = c.dp ? c.dp.noiseMultiplier * c.clip : 0
    const length = c.dp ? P : P + 1
    const bound = c.dp ? c.clip + 12 * sigma : c.clip * c.maxSamples
    if (c.transport === 'secagg') return this.#runSecAggRound(here, round, length, bound, sigma)
    const t0 = 1_700_000_000_000 + round * 10_000
    const config = createSession({
      coordinator: c.coordinator,
      parties: c.hospitals,
      threshold: c.threshold,
      length,
      scale: SCALE,
      bound,
      deadlines: { join: t0 + 1000, share: t0 + 2000, sum: t0 + 3000 },
      nonce: this.nonceOf(round),
      allowUnverified: c.allowUnverified,
    })
    const coord = new Coordinator({ config, identityKey: this.#key })
    const refusals: RoundRefusal[] = []
    const bytes = Object.fromEntries(here.map((h) => [h.address, { sent: 0, received: 0 }])) as RoundReport['bytes']
    const deliver = (msg: unknown, at: number): void => {
      try {
        coord.receive(msg, at)
      } catch (e) {
        if (e instanceof MpcError) refusals.push({ code: e.code, message: e.shortMessage })
        else if (e instanceof TypeError || e instanceof RangeError) refusals.push({ code: e.name, message: e.message })
        else throw e
      }
    }
    const inject = (r: 'join' | 'share' | 'sum', at: number): void => {
      for (const m of options.inject ?? []) if (m.round === r) deliver(m.message, at)
    }
    const parties = here.map((h) => new Party({ config, identityKey: h.identityKey }))
    for (const p of parties) {
      const m = p.join()
      bytes[p.address]!.sent += jsonLength(m)
      options.onMessage?.('join', m)
      deliver(m, t0)
    }
    inject('join', t0)
    coord.advance(t0 + 1001)
    if (isFailed(coord)) throw roundFailed(coord)
    const roster = coord.roster()
    const rosterSize = roster.members.length
    const start = Float64Array.from(s.parameters)
    here.forEach((h, i) => {
      bytes[h.address]!.received += jsonLength(roster) + jsonLength(s.parameters)
      const values = h.localStep({ model: s.model, start, round, epochs: c.localEpochs, learningRate: c.learningRate, batchSize: c.batchSize, mu: c.mu, clip: c.clip, maxSamples: c.maxSamples, sigma, rosterSize })
      const m = parties[i]!.share(values, roster)
      bytes[h.address]!.sent += jsonLength(m)
      options.onMessage?.('share', m)
      deliver(m, t0 + 1000)
    })
    inject('share', t0 + 1000)
    coord.advance(t0 + 2001)
    if (isFailed(coord)) throw roundFailed(coord)
    for (const p of parties) {
      let bundle
      try {
        bundle = coord.bundleFor(p.address)
      } catch {
        continue
      }
      bytes[p.address]!.received += jsonLength(bundle)
      const m = p.sum(bundle)
      bytes[p.address]!.sent += jsonLength(m)
      options.onMessage?.('sum', m)
      deliver(m, t0 + 2000)
    }
    inject('sum', t0 + 2000)
    coord.advance(t0 + 3001)
    if (coord.phase !== 'done') throw roundFailed(coord)
    const result: AggregateResult = coord.result()
    return this.#apply(round, config.sessionId, result.contributors, result.verified, result.values, rosterSize, sigma, refusals, bytes)
  }

  /** A round over the SecAgg transport (pairwise masks; dropouts recovered by the protocol). */
  #runSecAggRound(here: readonly Hospital[], round: number, length: number, bound: number, sigma: number): RoundReport {
    const s = this.#state
    const c = s.config
    const start = Float64Array.from(s.parameters)
    const rosterSize = here.length
    const inputs = here.map((h) => {
      const v = h.localStep({ model: s.model, start, round, epochs: c.localEpochs, learningRate: c.learningRate, batchSize: c.batchSize, mu: c.mu, clip: c.clip, maxSamples: c.maxSamples, sigma, rosterSize })
      if (v.length !== length) throw new FederatedError('FED_ROUND_FAILED', { shortMessage: `hospital ${h.address} returned ${v.length} values, expected ${length}` })
      return v
    })
    const sessionId = this.nonceOf(round)
    const n = c.hospitals.length
    if (!this.#secagg || this.#secagg.config.length !== length || this.#secagg.config.bound !== bound) {
      this.#secagg = new SecAggSession({ session: `${c.federationId}|${this.nonceOf(round)}`, n, threshold: c.threshold, length, scale: SCALE, bound })
    }
    const byIndex: (Float64Array | null)[] = c.hospitals.map((a) => {
      const k = here.findIndex((h) => h.address === a)
      return k < 0 ? null : inputs[k]!
    })
    let res
    try {
      res = this.#secagg.runRound(++this.#secaggAttempt, byIndex)
    } catch (e) {
      if (e instanceof RangeError) throw new FederatedError('FED_NORM_EXCEEDED', { shortMessage: `a hospital's update is outside the declared bound ${bound}`, cause: e })
      throw e
    }
    const bytes = Object.fromEntries(here.map((h) => [h.address, res.bytes.get(c.hospitals.indexOf(h.address) + 1)!])) as RoundReport['bytes']
    for (const h of here) bytes[h.address]!.received += 8 * s.parameters.length
    const contributors = res.contributors.map((k) => c.hospitals[k - 1]!)
    return this.#apply(round, sessionId, contributors, false, Array.from(res.sum), rosterSize, sigma, [], bytes)
  }

  /** Check the aggregate against the declared bounds and step the global model. */
  #apply(round: number, sessionId: Hex, contributors: Address[], verified: boolean, sum: number[], rosterSize: number, _sigma: number, refusals: RoundRefusal[], bytes: RoundReport['bytes']): RoundReport {
    const s = this.#state
    const c = s.config
    const next = applyAggregate({ parameters: s.parameters, sum, contributors: contributors.length, rosterSize, clip: c.clip, maxSamples: c.maxSamples, serverLearningRate: c.serverLearningRate, dp: c.dp })
    if (next.noiseMultiplier !== null) s.noiseMultipliers.push(next.noiseMultiplier)
    const record: RoundRecord = { round, sessionId, contributors, verified, epsilon: this.epsilonSpent(), updateNorm: next.updateNorm }
    s.parameters = next.parameters
    s.round = round
    s.history.push(record)
    return { ...record, refusals, bytes }
  }
}

function roundFailed(coord: Coordinator): FederatedError {
  const f = coord.status().failure
  return new FederatedError('FED_ROUND_FAILED', { shortMessage: `the secure-aggregation session failed: ${f ? JSON.stringify(f) : coord.phase}` })
}

function isFailed(coord: Coordinator): boolean {
  return coord.phase === 'failed'
}
