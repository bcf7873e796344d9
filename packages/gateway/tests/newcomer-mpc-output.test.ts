/**
 * Issue 15, item 5: what `krain mpc join|status` print: whom a round waits for and how long is left,
 * deadlines as local times, the aggregate decoded (fixed point kept aside), verified/liarTolerance explained.
 */
import { describe, expect, it } from 'vitest'
import type { AggregateResult } from '@krain/mpc'
import { describeWait, explainAggregate, localTime, withLocalTimes, type SessionStatusView } from '../src/cli/mpc-output.js'

const now = new Date(2026, 10, 30, 18, 39, 14).getTime()
const a = (i: number): string => `0x${String(i).repeat(40)}`
const status = (over: Partial<SessionStatusView>): SessionStatusView => ({
  phase: 'join',
  joined: [a(1), a(2)],
  uploaded: [],
  summed: [],
  config: { parties: [a(1), a(2), a(3)], threshold: 2, scale: 65536, deadlines: { join: now + 58_000, share: now + 120_000, sum: now + 180_000 } },
  ...over,
})

describe('mpc CLI output', () => {
  it('says how many parties a round still waits for, until when, and how long is left', () => {
    expect(describeWait(status({}), now)).toBe(`join: waiting for 1 more party (2/3 in; until ${localTime(now + 58_000, now)}, 58 s left)`)
    expect(describeWait(status({ phase: 'share', joined: [a(1), a(2), a(3)], uploaded: [a(1)] }), now)).toContain('share: waiting for 2 more parties (1/3 in;')
    expect(describeWait(status({ phase: 'done' }), now)).toBeNull()
  })

  it('prints deadlines as local times of day', () => {
    expect(localTime(now + 58_000, now)).toMatch(/^18:40:12$/)
    const s = withLocalTimes(status({}), now)
    expect(s.deadlinesLocal.join).toBe('18:40:12')
    expect(s.config.deadlines.join).toBe(now + 58_000)
    expect(s.waiting).toContain('58 s left')
  })

  it('shows the sum decoded and explains verified and liarTolerance', () => {
    const r: AggregateResult = { type: 'result', sessionId: `0x${'ab'.repeat(32)}`, contributors: [a(1), a(2), a(3)] as never, sumShareHolders: [a(1), a(2), a(3)] as never, cheaters: [], verified: true, liarTolerance: 1, sum: ['753664', '1507328', '1802240'], values: [11.5, 23, 27.5] }
    const e = explainAggregate(r, 2)
    expect(Object.keys(e).slice(0, 2)).toEqual(['verification', 'values'])
    expect(e.values).toEqual([11.5, 23, 27.5])
    expect(e).not.toHaveProperty('sum')
    expect(e.sumFixedPoint).toEqual(r.sum)
    expect(e.verifiedMeans).toBe('3 sum-shares agreed on one polynomial where 2 suffice: the extra ones cross-checked the sum')
    expect(e.liarToleranceMeans).toBe('the sum is right unless more than 1 sum-share holder lied in concert')
    const u = explainAggregate({ ...r, verified: false, liarTolerance: 0, sumShareHolders: r.sumShareHolders.slice(0, 2) }, 2)
    expect(u.verification).toBe('UNVERIFIED')
    expect(u.verifiedMeans).toContain('nothing cross-checked the sum')
    expect(u.liarToleranceMeans).toBe('no lie would have been detected')
  })
})
