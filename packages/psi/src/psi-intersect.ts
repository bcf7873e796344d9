/**
 * @module psi-intersect
 * In-process runs of the PSI protocols (tests, benchmarks, a gateway hosting both sides):
 * `psiIntersect` drives two {@link PsiParticipant}s over their binary frames; `psiIntersectMulti`
 * runs the ring protocol for ≥ 3 parties.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { PsiError } from './errors.js'
import { PsiPool } from './group/pool.js'
import { PsiParticipant } from './protocol/participant.js'
import type { PsiProgress } from './protocol/participant.js'
import type { PsiVariant } from './protocol/messages.js'
import { DigestTable } from './table/digest-table.js'

/** Parameters of {@link psiIntersect}. */
export type PsiIntersectParameters = {
  /** The receiver's identifiers (it learns the output). */
  a: readonly string[]
  /** The sender's identifiers. */
  b: readonly string[]
  /** `sum`: the sender's value per identifier of `b`. */
  bValues?: readonly (bigint | number)[]
  variant?: PsiVariant
  chunkSize?: number
  paillierBits?: 2048 | 3072
  pool?: PsiPool
  onProgress?: (p: PsiProgress & { party: 'a' | 'b' }) => void
}

/** What {@link psiIntersect} returns: the receiver's output, and the sender's for `sum`. */
export type PsiIntersectReturnType = { intersection?: string[]; cardinality?: number; sum?: bigint; bytes: number }

/**
 * Run two-party ECDH-PSI in process.
 * @example
 * ```ts
 * const { intersection } = await psiIntersect({ a: ['x', 'y'], b: ['y', 'z'] }) // ['y']
 * ```
 * @throws PsiError on any protocol failure; TypeError/RangeError on bad arguments.
 */
export async function psiIntersect(params: PsiIntersectParameters): Promise<PsiIntersectReturnType> {
  const { a, b, bValues, variant = 'intersection', chunkSize, paillierBits, onProgress } = params
  const pool = params.pool ?? new PsiPool()
  const sessionId = randomBytes(16)
  const ra = new PsiParticipant({ role: 'receiver', variant, ids: a, sessionId, chunkSize, pool, onProgress: onProgress && ((p) => onProgress({ ...p, party: 'a' })) })
  const sb = new PsiParticipant({ role: 'sender', variant, ids: b, values: bValues, sessionId, chunkSize, pool, paillierBits, onProgress: onProgress && ((p) => onProgress({ ...p, party: 'b' })) })
  let bytes = 0
  try {
    if (variant === 'sum') ra.setPeerPaillierKey(await sb.paillierPublicKey())
    for await (const f of ra.blindedFrames()) (bytes += f.length), await sb.receive(f)
    for (const f of sb.doubleFrames()) (bytes += f.length), await ra.receive(f)
    let sumFrame: Uint8Array | undefined
    for await (const f of sb.peerFrames()) {
      bytes += f.length
      sumFrame = (await ra.receive(f)) ?? sumFrame
    }
    const out = ra.output()
    if (variant === 'intersection') return { intersection: (out as { intersection: string[] }).intersection, bytes }
    const cardinality = (out as { cardinality: number }).cardinality
    if (variant === 'cardinality') return { cardinality, bytes }
    bytes += sumFrame!.length
    await sb.receive(sumFrame!)
    return { cardinality, sum: (sb.output() as { sum: bigint }).sum, bytes }
  } finally {
    if (!params.pool) await pool.close()
  }
}

/** Parameters of {@link psiIntersectMulti}. */
export type PsiIntersectMultiParameters = { sets: readonly (readonly string[])[]; pool?: PsiPool }

/**
 * Multi-party (≥ 3) intersection, ring protocol: every set is passed around the ring and blinded
 * by every party's key (H(x)^{k_1⋯k_m}); each forwarder shuffles the sets of the others; party 0
 * (the leader) keeps the order of its own set and learns which of its identifiers lie in every
 * set. The leader also learns the sizes of every other set and of the intersections among the
 * fully-blinded sets it receives (it can compare any two of them); the other parties learn only
 * set sizes. Semi-honest, no collusion with the leader.
 * @returns The leader's identifiers that are in every set.
 */
export async function psiIntersectMulti({ sets, pool: given }: PsiIntersectMultiParameters): Promise<string[]> {
  if (!Array.isArray(sets) || sets.length < 3) throw new RangeError(`"sets" expected at least 3 sets, got ${Array.isArray(sets) ? sets.length : typeof sets}`)
  const pool = given ?? new PsiPool()
  try {
    const keys = sets.map(() => randomBytes(32))
    const m = sets.length
    const full: Buffer[] = []
    for (let owner = 0; owner < m; owner++) {
      let pts = await pool.hashAndBlind(sets[owner]!, keys[owner]!)
      for (let step = 1; step < m; step++) {
        const holder = (owner + step) % m
        pts = await pool.blind(pts, keys[holder]!)
        if (owner !== 0) shuffle(pts)
      }
      full.push(pts)
    }
    const leader = full[0]!
    const n0 = sets[0]!.length
    const counts = new Uint16Array(n0)
    const table = new DigestTable(Math.max(1, n0))
    for (let i = 0; i < n0; i++) table.insert(leader, i * 32, i)
    for (let p = 1; p < m; p++) {
      const seen = new Uint8Array(n0)
      for (let i = 0; i < full[p]!.length / 32; i++) {
        const j = table.get(full[p]!, i * 32)
        if (j >= 0 && !seen[j]) (seen[j] = 1), counts[j]!++
      }
    }
    return sets[0]!.filter((_: string, i: number) => counts[i] === m - 1)
  } catch (e) {
    throw e instanceof PsiError || e instanceof TypeError || e instanceof RangeError ? e : new PsiError('PSI_WORKER_FAILED', { shortMessage: 'multi-party PSI failed', cause: e })
  } finally {
    if (!given) await pool.close()
  }
}

function shuffle(buf: Buffer): void {
  const n = buf.length / 32
  const tmp = Buffer.alloc(32)
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    buf.copy(tmp, 0, i * 32, i * 32 + 32)
    buf.copy(buf, i * 32, j * 32, j * 32 + 32)
    tmp.copy(buf, j * 32)
  }
}
