/**
 * Issue 12, item 3 (first half): with exactly t sum-shares, one lying holder changes the sum and
 * nothing can tell. Such a sum must not look like a result: it is refused with
 * `MPC_RESULT_UNVERIFIED` unless the session was created with `allowUnverified: true` (which is
 * part of the session id), and then it is marked `verified: false`.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSession, signDigest, simulate, sumShareDigest, validateSession, addressOf, type Address, type Round, type SumShareMessage } from '../src/index.js'
import { identities } from './helpers.js'

/** A correctly signed sum-share carrying another value (a lying holder). */
function lie(m: SumShareMessage, key: `0x${string}`, delta: number): SumShareMessage {
  const bytes = Buffer.from(m.share)
  bytes.writeUInt32LE((bytes.readUInt32LE(0) + delta) % 2147483647, 0)
  const forged = { ...m, share: bytes, signature: '0x' as const }
  return { ...forged, signature: signDigest(key, sumShareDigest(forged)) }
}

describe('an unverifiable sum', () => {
  it('is refused with MPC_RESULT_UNVERIFIED for any n, t, lying holder and lie, unless the session opted in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 2, max: n }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 1 << 30 }), fc.boolean())),
        ([n, t, liarIndex, delta, allowUnverified]) => {
          const { coordinatorKey, keys, addresses } = identities(n, 300)
          // exactly t holders send sum-shares (the others drop after sharing); one of them lies
          const holders = addresses.slice(0, t)
          const liar = holders[liarIndex % t]!
          const dropouts: Partial<Record<Address, Round>> = Object.fromEntries(addresses.slice(t).map((a) => [a, 'sum' as Round]))
          const network = ({ direction, round, party, message }: { direction: string; round: Round; party: Address; message: unknown }) =>
            direction === 'up' && round === 'sum' && party === liar ? ({ corrupt: () => lie(message as SumShareMessage, keys[addresses.indexOf(liar)]!, delta) } as const) : ('deliver' as const)
          const values = keys.map((_, i) => [i + 1])
          const run = simulate({ parties: keys.map((k, i) => ({ identityKey: k, values: values[i]! })), coordinatorKey, threshold: t, length: 1, bound: 100, dropouts, network, allowUnverified })
          const truth = values.reduce((a, v) => a + v[0]!, 0)
          if (!allowUnverified) {
            expect(run.result).toBeNull()
            expect(run.failure?.code).toBe('MPC_RESULT_UNVERIFIED')
          } else {
            // opted in: released, and it says so (here it is wrong, which is what the flag accepts)
            expect(run.result?.verified).toBe(false)
            expect(run.result?.liarTolerance).toBe(0)
            expect(run.result?.values[0]).not.toBe(truth)
          }
        },
      ),
      { numRuns: 15 },
    )
  }, 60_000)

  it('t + 1 honest sum-shares verify the sum without any opt-in', () => {
    const { coordinatorKey, keys } = identities(4, 320)
    const run = simulate({ parties: keys.map((k, i) => ({ identityKey: k, values: [i] })), coordinatorKey, threshold: 3, length: 1, bound: 100 })
    expect(run.result).toMatchObject({ verified: true, values: [6] })
  })

  it('binds the opt-in into the session id (a coordinator cannot add it afterwards)', () => {
    const { coordinatorKey, addresses } = identities(3, 340)
    const base = { coordinator: addressOf(coordinatorKey), parties: addresses, length: 1, bound: 10, deadlines: { join: 1, share: 2, sum: 3 }, nonce: '0x01' as const }
    const strict = createSession(base)
    const lax = createSession({ ...base, allowUnverified: true })
    expect(strict.allowUnverified).toBeUndefined()
    expect(lax.allowUnverified).toBe(true)
    expect(lax.sessionId).not.toBe(strict.sessionId)
    expect(() => validateSession({ ...strict, allowUnverified: true })).toThrow(expect.objectContaining({ code: 'MPC_WRONG_SESSION' }))
    expect(validateSession(lax)).toEqual(lax)
    expect(() => createSession({ ...base, allowUnverified: 'yes' as never })).toThrow(TypeError)
  })
})
