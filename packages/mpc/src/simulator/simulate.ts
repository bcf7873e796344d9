/**
 * @module simulate
 * An in-process run of a whole session — n parties and a coordinator — over a programmable
 * network: any message in either direction can be dropped, delayed (past the deadline, so it is
 * refused as late), duplicated or corrupted, and a party can vanish at any round. Used by the
 * tests and the benchmark; it drives exactly the public `Party` / `Coordinator` API.
 */
import { MpcError } from '../errors.js'
import { addressOf } from '../crypto/identity.js'
import { Coordinator } from '../protocol/coordinator.js'
import { Party } from '../protocol/party.js'
import { createSession } from '../protocol/session.js'
import type { Address, AggregateResult, CoordinatorState, DpConfig, Hex, Round, SessionConfig } from '../protocol/types.js'

/** A message on the simulated wire. `up` = party → coordinator, `down` = coordinator → party. */
export type Envelope = { direction: 'up' | 'down'; round: Round; party: Address; message: unknown }

/** What the network does with one envelope; an array applies several (e.g. two deliveries). */
export type NetworkAction = 'deliver' | 'drop' | 'duplicate' | { delayMs: number } | { corrupt: (message: unknown) => unknown }

/** Parameters of {@link simulate}. */
export type SimulateParameters = {
  parties: readonly { identityKey: Hex; values: ArrayLike<number> }[]
  coordinatorKey: Hex
  threshold?: number
  length: number
  scale?: number
  bound: number
  minContributors?: number
  dp?: DpConfig | null
  /** Release a sum that could not be cross-checked (see `createSession`). Default false. */
  allowUnverified?: boolean
  /** Time allowed per round (virtual ms). Default 1000. */
  roundMs?: number
  /** Party address → the first round it does not take part in (it vanishes from then on). */
  dropouts?: Partial<Record<Address, Round>>
  /** The network's decision per envelope (default: deliver everything once, at once). */
  network?: (envelope: Envelope) => NetworkAction | NetworkAction[]
  /** Virtual start time (default 1,700,000,000,000). */
  start?: number
}

/** A refusal seen during a run: by the coordinator (`up`) or by a party (`down`). */
export type Refusal = { envelope: Envelope; code: string; message: string }

/** Result of {@link simulate}. */
export type SimulateReturnType = {
  config: SessionConfig
  result: AggregateResult | null
  failure: CoordinatorState['failure']
  coordinator: Coordinator
  refusals: Refusal[]
  /** JSON bytes each party sent and received. */
  bytes: Record<Address, { sent: number; received: number }>
  /** Wall ms per round: each party's own work, and the coordinator's. */
  timings: { party: Record<Address, Record<Round, number>>; coordinator: Record<Round, number> }
  /** Wall ms of the whole run (after setup). */
  totalMs: number
}

const ROUNDS: Round[] = ['join', 'share', 'sum']

/**
 * `JSON.stringify(toJsonForm(v)).length` without building the string (the messages carry
 * megabytes of payload, base64 in the JSON form). Exact for the protocol's messages: their long strings (base64, hex) need no escaping.
 */
export function jsonLength(v: unknown): number {
  if (v instanceof Uint8Array) return 4 * Math.ceil(v.length / 3) + 2 // (a payload: base64 in the JSON form)
  if (typeof v === 'string') return v.length > 256 ? v.length + 2 : JSON.stringify(v).length
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return JSON.stringify(v).length
  if (Array.isArray(v)) return 2 + Math.max(0, v.length - 1) + v.reduce((s: number, x) => s + jsonLength(x), 0)
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined)
    return 2 + Math.max(0, entries.length - 1) + entries.reduce((s, [k, x]) => s + JSON.stringify(k).length + 1 + jsonLength(x), 0)
  }
  return 0
}

/**
 * Run a session in process.
 * @example
 * ```ts
 * const { result } = simulate({ parties, coordinatorKey, threshold: 3, length: 4, bound: 100, dropouts: { [addr]: 'sum' } })
 * ```
 */
export function simulate(params: SimulateParameters): SimulateReturnType {
  const start = params.start ?? 1_700_000_000_000
  const roundMs = params.roundMs ?? 1000
  const addresses = params.parties.map((p) => addressOf(p.identityKey))
  const config = createSession({
    coordinator: addressOf(params.coordinatorKey),
    parties: addresses,
    threshold: params.threshold,
    length: params.length,
    scale: params.scale,
    bound: params.bound,
    minContributors: params.minContributors,
    dp: params.dp ?? null,
    allowUnverified: params.allowUnverified,
    deadlines: { join: start + roundMs, share: start + 2 * roundMs, sum: start + 3 * roundMs },
  })
  const net = params.network ?? (() => 'deliver' as const)
  const refusals: Refusal[] = []
  const bytes = Object.fromEntries(addresses.map((a) => [a, { sent: 0, received: 0 }])) as SimulateReturnType['bytes']
  const timings: SimulateReturnType['timings'] = {
    party: Object.fromEntries(addresses.map((a) => [a, { join: 0, share: 0, sum: 0 }])) as SimulateReturnType['timings']['party'],
    coordinator: { join: 0, share: 0, sum: 0 },
  }
  const gone = (a: Address, r: Round): boolean => {
    const d = params.dropouts?.[a]
    return d !== undefined && ROUNDS.indexOf(r) >= ROUNDS.indexOf(d)
  }
  /** Apply the network to one envelope: the (time, message) deliveries it results in. */
  const route = (env: Envelope, roundStart: number): { at: number; message: unknown }[] => {
    const actions = ([] as NetworkAction[]).concat(net(env))
    const out: { at: number; message: unknown }[] = []
    for (const a of actions) {
      if (a === 'drop') continue
      if (a === 'deliver') out.push({ at: roundStart, message: env.message })
      else if (a === 'duplicate') out.push({ at: roundStart, message: env.message }, { at: roundStart, message: env.message })
      else if ('delayMs' in a) out.push({ at: roundStart + a.delayMs, message: env.message })
      else out.push({ at: roundStart, message: a.corrupt(structuredClone(env.message)) })
    }
    return out
  }
  const refuse = (envelope: Envelope, e: unknown): void => {
    if (e instanceof MpcError) refusals.push({ envelope, code: e.code, message: e.shortMessage })
    else if (e instanceof TypeError || e instanceof RangeError) refusals.push({ envelope, code: e.name, message: e.message })
    else throw e
  }

  const t0 = performance.now()
  const tc = performance.now()
  const coordinator = new Coordinator({ config, identityKey: params.coordinatorKey })
  timings.coordinator.join += performance.now() - tc
  const parties = params.parties.map((p) => new Party({ config, identityKey: p.identityKey }))

  for (let r = 0; r < ROUNDS.length; r++) {
    const round = ROUNDS[r]!
    const roundStart = start + r * roundMs
    const deadline = start + (r + 1) * roundMs
    // downlink: what each party needs for this round
    const inbox = new Map<Address, unknown>()
    if (round !== 'join') {
      for (const p of parties) {
        if (gone(p.address, round)) continue
        let message: unknown
        try {
          message = round === 'share' ? coordinator.roster() : coordinator.bundleFor(p.address)
        } catch {
          continue // not in the roster / session failed: nothing to deliver
        }
        const env: Envelope = { direction: 'down', round, party: p.address, message }
        const got = route(env, roundStart).filter((d) => d.at <= deadline)
        if (got.length === 0) continue
        bytes[p.address]!.received += jsonLength(got[0]!.message)
        inbox.set(p.address, got[0]!.message)
      }
    }
    // uplink: each remaining party's message, through the network
    const deliveries: { at: number; message: unknown; env: Envelope }[] = []
    for (let i = 0; i < parties.length; i++) {
      const p = parties[i]!
      if (gone(p.address, round) || coordinator.phase === 'failed') continue
      if (round !== 'join' && !inbox.has(p.address)) continue
      const tp = performance.now()
      let message: unknown
      try {
        if (round === 'join') message = p.join()
        else if (round === 'share') message = p.share(params.parties[i]!.values, inbox.get(p.address))
        else message = p.sum(inbox.get(p.address))
      } catch (e) {
        refuse({ direction: 'down', round, party: p.address, message: inbox.get(p.address) }, e)
        continue
      } finally {
        timings.party[p.address]![round] += performance.now() - tp
      }
      const env: Envelope = { direction: 'up', round, party: p.address, message }
      bytes[p.address]!.sent += jsonLength(message)
      for (const d of route(env, roundStart)) deliveries.push({ ...d, env })
    }
    deliveries.sort((a, b) => a.at - b.at)
    const tc = performance.now()
    for (const d of deliveries) {
      try {
        coordinator.receive(d.message, d.at)
      } catch (e) {
        refuse(d.env, e)
      }
    }
    coordinator.advance(deadline + 1)
    timings.coordinator[round] += performance.now() - tc
    if (coordinator.phase === 'failed') break
  }
  const totalMs = performance.now() - t0
  const result = coordinator.phase === 'done' ? coordinator.result() : null
  return { config, result, failure: coordinator.status().failure, coordinator, refusals, bytes, timings, totalMs }
}
