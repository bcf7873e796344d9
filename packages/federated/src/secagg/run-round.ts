/**
 * @module secagg/run-round
 * An in-process driver for one SecAgg round: every message passes through the server as in a
 * deployment, with dropouts injected between steps, and the bytes each hospital sends and
 * receives counted at their binary wire size.
 */
import { SecAggClient, SecAggServer, type SecAggConfig, type ShareKeysMessage, type MaskedInputMessage, type UnmaskMessage } from './protocol.js'

/** Parameters of {@link runSecAggRound}. */
export type RunSecAggRoundParameters = Omit<SecAggConfig, 'n' | 'length'> & {
  /** One input vector per hospital (hospital k + 1 holds inputs[k]). */
  inputs: readonly ArrayLike<number>[]
  /** Hospitals (1-based) that drop after advertising keys, before sharing. */
  dropBeforeShare?: readonly number[]
  /** Hospitals that drop after sharing keys, before sending their masked input. */
  dropAfterShare?: readonly number[]
  /** Hospitals that send their masked input, then do not answer the unmasking. */
  dropAfterMask?: readonly number[]
  /** Hook to alter ShareKeys messages in transit (tests: tampering). */
  tamperShares?: (m: ShareKeysMessage) => ShareKeysMessage
}

/** What {@link runSecAggRound} returns. */
export type RunSecAggRoundReturnType = {
  /** Exact fixed-point sum of the contributors' inputs. */
  sum: Float64Array
  contributors: number[]
  /** Bytes per hospital (1-based index), both directions. */
  bytes: Map<number, { sent: number; received: number }>
  /** Server's record of which secret each party's shares revealed. */
  revealed: Map<number, 'sk' | 'b'>
}

const shareBytes = (m: ShareKeysMessage): number => 2 + 32 + [...m.ciphertexts.values()].reduce((s, c) => s + 2 + c.length, 0)
const maskedBytes = (m: MaskedInputMessage): number => 2 + 4 * m.y.length
const unmaskBytes = (m: UnmaskMessage): number => 2 + m.shares.reduce((s, x) => s + 3 + x.share.length, 0)

/** Run one SecAgg round over `inputs.length` hospitals. Throws `FED_TOO_FEW_HOSPITALS` when fewer than t survive. */
export function runSecAggRound(p: RunSecAggRoundParameters): RunSecAggRoundReturnType {
  const n = p.inputs.length
  const length = p.inputs[0]?.length ?? 0
  const config: SecAggConfig = { session: p.session, round: p.round, n, threshold: p.threshold, length, scale: p.scale, bound: p.bound }
  const server = new SecAggServer(config)
  const clients = p.inputs.map((_, k) => new SecAggClient(config, k + 1))
  const bytes = new Map(clients.map((c) => [c.index, { sent: 0, received: 0 }]))
  const b = (i: number) => bytes.get(i)!
  const drop1 = new Set(p.dropBeforeShare ?? [])
  const drop2 = new Set(p.dropAfterShare ?? [])
  const drop3 = new Set(p.dropAfterMask ?? [])

  const ads = clients.map((c) => c.advertise())
  for (const a of ads) b(a.from).sent += 2 + 64
  const roster = server.collectKeys(ads)
  for (const c of clients) b(c.index).received += roster.length * (2 + 64)

  const active1 = clients.filter((c) => !drop1.has(c.index))
  let shares = active1.map((c) => c.shareKeys(roster))
  for (const m of shares) b(m.from).sent += shareBytes(m)
  if (p.tamperShares) shares = shares.map(p.tamperShares)
  const { u1, inboxes } = server.collectShares(shares)
  const active2 = active1.filter((c) => !drop2.has(c.index))
  const masked = active2.map((c) => {
    const inbox = inboxes.get(c.index) ?? []
    b(c.index).received += 2 * u1.length + inbox.reduce((s, x) => s + 2 + x.ciphertext.length, 0)
    return c.maskedInput(p.inputs[c.index - 1]!, inbox, u1)
  })
  for (const m of masked) b(m.from).sent += maskedBytes(m)
  const u2 = server.collectMasked(masked)
  const active3 = active2.filter((c) => !drop3.has(c.index))
  const responses = active3.map((c) => {
    b(c.index).received += 2 * u2.length
    return c.unmask(u2)
  })
  for (const r of responses) b(r.from).sent += unmaskBytes(r)
  const { sum, contributors } = server.finish(responses)
  return { sum, contributors, bytes, revealed: server.ledger.kinds }
}
