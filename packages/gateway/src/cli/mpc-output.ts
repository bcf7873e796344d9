/**
 * @module cli/mpc-output
 * Human-readable MPC progress and results for `krain mpc join|status`: who the CLI is waiting for and
 * until when (local time, seconds left), deadlines as local times, the aggregate decoded from fixed
 * point, and what `verified` / `liarTolerance` mean.
 */
import type { AggregateResult } from '@krain/mpc'

/** The parts of a session status this module reads (`GET /v1/mpc/sessions/:id`). */
export type SessionStatusView = {
  phase: string
  joined: string[]
  uploaded: string[]
  summed: string[]
  config: { parties: string[]; threshold: number; scale: number; deadlines: { join: number; share: number; sum: number } }
}

/** A local time of day (`18:40:12`), or a local date and time when not today. */
export function localTime(ms: number, now = Date.now()): string {
  const d = new Date(ms)
  const sameDay = new Date(now).toDateString() === d.toDateString()
  return sameDay ? d.toLocaleTimeString(undefined, { hour12: false }) : d.toLocaleString(undefined, { hour12: false })
}

const plural = (n: number, one: string, many: string): string => `${n} more ${n === 1 ? one : many}`

/**
 * What the session is waiting for, e.g. `join: waiting for 1 more party (until 18:40:12, 58 s left)`.
 * @returns null when the session is finished or failed
 */
export function describeWait(s: SessionStatusView, now = Date.now()): string | null {
  const round = s.phase as 'join' | 'share' | 'sum'
  if (!['join', 'share', 'sum'].includes(round)) return null
  const expected = round === 'join' ? s.config.parties.length : s.joined.length
  const done = round === 'join' ? s.joined.length : round === 'share' ? s.uploaded.length : s.summed.length
  const deadline = s.config.deadlines[round]
  const left = Math.max(0, Math.ceil((deadline - now) / 1000))
  const missing = Math.max(0, expected - done)
  const what = missing === 0 ? 'closing the round' : `waiting for ${plural(missing, 'party', 'parties')}`
  return `${round}: ${what} (${done}/${expected} in; until ${localTime(deadline, now)}, ${left} s left)`
}

/** A session status with its deadlines also as local times. */
export function withLocalTimes<T extends SessionStatusView>(s: T, now = Date.now()): T & { deadlinesLocal: Record<string, string>; waiting: string | null } {
  const deadlinesLocal = Object.fromEntries(Object.entries(s.config.deadlines).map(([k, v]) => [k, localTime(v, now)]))
  return { ...s, deadlinesLocal, waiting: describeWait(s, now) }
}

/**
 * The result of `mpc join` for people: decoded values first (the exact fixed-point sum kept as
 * `sumFixedPoint`), then what the verification fields mean.
 */
export function explainAggregate(r: AggregateResult, threshold: number | undefined): Record<string, unknown> {
  const { sum, values, verified, liarTolerance, ...rest } = r
  const t = threshold ?? r.sumShareHolders.length - liarTolerance
  return {
    verification: verified ? 'verified' : 'UNVERIFIED',
    values,
    verified,
    verifiedMeans: verified
      ? `${r.sumShareHolders.length} sum-shares agreed on one polynomial where ${t} suffice: the extra ones cross-checked the sum`
      : `only ${r.sumShareHolders.length} sum-shares for threshold ${t}: nothing cross-checked the sum; one lying party could have changed it`,
    liarTolerance,
    liarToleranceMeans: liarTolerance === 0 ? 'no lie would have been detected' : `the sum is right unless more than ${liarTolerance} sum-share holder${liarTolerance === 1 ? '' : 's'} lied in concert`,
    ...rest,
    sumFixedPoint: sum,
  }
}
