/**
 * @module secagg/run-round
 * An in-process driver of a multi-round SecAgg session: every message passes through the server
 * as in a deployment, with dropouts injected between steps, and the bytes each hospital sends and
 * receives counted at their binary wire size. The long-term keys are made and agreed once per
 * session ({@link SecAggSession}); {@link runSecAggRound} is a one-round session.
 */
import type { Address, Hex } from '@krain/mpc'
import { SecAggClient, SecAggServer, type AdvertiseMessage, type SecAggConfig, type ShareSeedsMessage, type MaskedInputMessage, type UnmaskMessage } from './protocol.js'

/** Dropouts and fault injection of one round. */
export type SecAggRoundFaults = {
  /** Hospitals (1-based) that are absent for the whole round. */
  dropBeforeShare?: readonly number[]
  /** Hospitals that drop after sharing their seeds, before sending their masked input. */
  dropAfterShare?: readonly number[]
  /** Hospitals that send their masked input, then do not answer the unmasking. */
  dropAfterMask?: readonly number[]
  /** Hook to alter ShareSeeds messages in transit (tests: tampering). */
  tamperShares?: (m: ShareSeedsMessage) => ShareSeedsMessage
}

/** What one round returns. */
export type RunSecAggRoundReturnType = {
  /** Exact fixed-point sum of the contributors' inputs. */
  sum: Float64Array
  contributors: number[]
  /** Bytes per hospital (1-based index), both directions, this round (setup bytes are in {@link SecAggSession.setupBytes}). */
  bytes: Map<number, { sent: number; received: number }>
  /** Server's record of which secret each party's shares revealed. */
  revealed: Map<number, 'e' | 'b'>
}

/** Parameters of {@link SecAggSession}. */
export type SecAggSessionParameters = Omit<SecAggConfig, 'parties'> & { identityKeys?: readonly Hex[]; parties?: readonly Address[] }

const ADVERTISE_BYTES = 2 + 3 * 32 + 64
const shareBytes = (m: ShareSeedsMessage): number => 2 + 4 + 64 + 2 * m.peers.length + 2 + m.pairSeal.length + [...m.ciphertexts.values()].reduce((s, c) => s + 2 + c.length, 0) + 64
const maskedBytes = (m: MaskedInputMessage): number => 2 + 4 + 4 * m.y.length + 64
const unmaskBytes = (m: UnmaskMessage): number => 2 + 4 + m.shares.reduce((s, x) => s + 3 + x.share.length, 0) + 64

/**
 * A whole SecAgg session run in one process: n clients and the server, keys advertised and the
 * roster broadcast at construction, then {@link runRound} for each round.
 * @example
 * ```ts
 * const s = new SecAggSession({ session: 'fed-1', n: 3, threshold: 2, length: 2, scale: 2 ** 16, bound: 10 })
 * s.runRound(1, [[1, 2], [3, 4], [5, 6]]).sum // Float64Array [9, 12]
 * ```
 */
export class SecAggSession {
  readonly config: SecAggConfig
  readonly server: SecAggServer
  readonly clients: SecAggClient[]
  /** Setup bytes per hospital (advertise up, roster down). */
  readonly setupBytes: number

  constructor(p: SecAggSessionParameters) {
    this.config = { session: p.session, n: p.n, threshold: p.threshold, length: p.length, scale: p.scale, bound: p.bound, ...(p.parties ? { parties: p.parties } : {}) }
    this.server = new SecAggServer(this.config)
    this.clients = Array.from({ length: p.n }, (_, k) => new SecAggClient(this.config, k + 1, p.identityKeys ? { identityKey: p.identityKeys[k]! } : {}))
    const ads: AdvertiseMessage[] = this.clients.map((c) => c.advertise())
    const roster = this.server.collectKeys(ads)
    for (const c of this.clients) c.setRoster(roster)
    this.setupBytes = ADVERTISE_BYTES + roster.length * ADVERTISE_BYTES
  }

  /**
   * One round over the hospitals not dropped before sharing; `inputs[k]` is hospital k + 1's vector
   * (absent hospitals' entries are ignored). Throws `FED_TOO_FEW_HOSPITALS` when fewer than t survive.
   */
  runRound(round: number, inputs: readonly (ArrayLike<number> | null)[], faults: SecAggRoundFaults = {}): RunSecAggRoundReturnType {
    const server = this.server
    const bytes = new Map(this.clients.map((c) => [c.index, { sent: 0, received: 0 }]))
    const b = (i: number) => bytes.get(i)!
    const drop1 = new Set(faults.dropBeforeShare ?? [])
    const drop2 = new Set(faults.dropAfterShare ?? [])
    const drop3 = new Set(faults.dropAfterMask ?? [])
    server.beginRound(round)
    const active1 = this.clients.filter((c) => !drop1.has(c.index) && inputs[c.index - 1] != null)
    let shares = active1.map((c) => c.shareSeeds(round))
    for (const m of shares) b(m.from).sent += shareBytes(m)
    if (faults.tamperShares) shares = shares.map(faults.tamperShares)
    const { u1, inboxes } = server.collectShares(shares)
    const active2 = active1.filter((c) => !drop2.has(c.index))
    const masked = active2.map((c) => {
      const inbox = inboxes.get(c.index) ?? []
      b(c.index).received += 2 * u1.length + inbox.reduce((s, x) => s + 2 + x.ciphertext.length, 0)
      return c.maskedInput(round, inputs[c.index - 1]!, inbox, u1)
    })
    for (const m of masked) b(m.from).sent += maskedBytes(m)
    const u2 = server.collectMasked(masked)
    const active3 = active2.filter((c) => !drop3.has(c.index))
    for (const c of active3) {
      b(c.index).received += 2 * u2.length
      const r = c.unmask(round, u2)
      b(r.from).sent += unmaskBytes(r)
      server.receiveUnmask(r)
    }
    const revealed = new Map(server.revealed)
    const { sum, contributors } = server.finish()
    return { sum, contributors, bytes, revealed }
  }
}

/** Parameters of {@link runSecAggRound}. */
export type RunSecAggRoundParameters = Omit<SecAggConfig, 'n' | 'length'> & SecAggRoundFaults & {
  round: number
  /** One input vector per hospital (hospital k + 1 holds inputs[k]). */
  inputs: readonly ArrayLike<number>[]
}

/** A one-round session (setup included). Throws `FED_TOO_FEW_HOSPITALS` when fewer than t survive. */
export function runSecAggRound(p: RunSecAggRoundParameters): RunSecAggRoundReturnType {
  const session = new SecAggSession({ session: p.session, n: p.inputs.length, threshold: p.threshold, length: p.inputs[0]?.length ?? 0, scale: p.scale, bound: p.bound })
  return session.runRound(p.round, p.inputs, p)
}
