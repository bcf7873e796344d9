import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Coordinator, Party, createSession, simulate, MpcError, addressOf, type Address, type Round, type SumShareMessage, type SharesMessage } from '../src/index.js'
import { identities, testKey } from './helpers.js'

const deadlines = (t0: number) => ({ join: t0 + 1000, share: t0 + 2000, sum: t0 + 3000 })

/** A fresh session with n parties, ready to run by hand. */
function setup(n: number, t: number, L: number, offset = 0) {
  const { coordinatorKey, keys, addresses } = identities(n, offset)
  const t0 = 1_700_000_000_000
  const config = createSession({ coordinator: addressOf(coordinatorKey), parties: addresses, threshold: t, length: L, scale: 4, bound: 1000, deadlines: deadlines(t0) })
  const coordinator = new Coordinator({ config, identityKey: coordinatorKey })
  const parties = keys.map((k) => new Party({ config, identityKey: k }))
  const values = parties.map((_, i) => Array.from({ length: L }, (_, k) => ((i * 37 + k * 11) % 400) / 4 - 50))
  return { config, coordinator, parties, values, t0, coordinatorKey, keys, addresses }
}

function expectCode(f: () => unknown, code: string): void {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(MpcError)
    expect((e as MpcError).code).toBe(code)
    return
  }
  throw new Error(`expected ${code}, nothing was thrown`)
}

describe('secure aggregation (simulator)', () => {
  it('equals the plaintext sum for random n, t, lengths and dropout patterns', () => {
    const rounds: (Round | null)[] = [null, null, 'join', 'share', 'sum']
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.integer({ min: 2, max: n }),
            fc.integer({ min: 1, max: 12 }),
            fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
            fc.array(fc.integer({ min: -4000, max: 4000 }), { minLength: 7 * 12, maxLength: 7 * 12 }),
            fc.boolean(),
          ),
        ),
        ([n, t, L, drops, raw, allowUnverified]) => {
          const { coordinatorKey, keys, addresses } = identities(n)
          const values = keys.map((_, i) => raw.slice(i * 12, i * 12 + L).map((v) => v / 4))
          const dropouts: Partial<Record<Address, Round>> = {}
          addresses.forEach((a, i) => {
            const r = rounds[drops[i]!]
            if (r) dropouts[a] = r
          })
          const run = simulate({ parties: keys.map((k, i) => ({ identityKey: k, values: values[i]! })), coordinatorKey, threshold: t, length: L, scale: 4, bound: 1000, dropouts, allowUnverified })
          const joined = addresses.filter((a) => dropouts[a] !== 'join')
          const U = addresses.filter((a) => dropouts[a] !== 'join' && dropouts[a] !== 'share')
          const holders = U.filter((a) => dropouts[a] !== 'sum')
          if (joined.length < t || U.length < t) {
            expect(run.failure?.code).toBe('MPC_TOO_FEW_CONTRIBUTORS')
          } else if (holders.length < t) {
            expect(run.failure?.code).toBe('MPC_TOO_FEW_SHARES')
          } else if (holders.length === t && !allowUnverified) {
            // exactly t sum-shares: nothing cross-checks the sum, so it is not released
            expect(run.failure?.code).toBe('MPC_RESULT_UNVERIFIED')
            expect(run.result).toBeNull()
          } else {
            const expected = Array.from({ length: L }, (_, k) => U.reduce((s, a) => s + values[addresses.indexOf(a)]![k]!, 0))
            expect(run.result?.values).toEqual(expected)
            expect(run.result?.contributors).toEqual(U)
            expect(run.result?.verified).toBe(holders.length > t)
            expect(run.result?.liarTolerance).toBe(holders.length - t)
            expect(run.result?.cheaters).toEqual([])
          }
          expect(run.refusals).toEqual([])
        },
      ),
      { numRuns: 20 },
    )
  }, 60_000)

  it('names a party whose sum-share lies and still returns the right sum', () => {
    const { coordinatorKey, keys, addresses } = identities(7, 100)
    const values = keys.map((_, i) => [i, 2 * i, -3 * i])
    const liar = addresses[2]!
    const network = ({ direction, round, party, message }: { direction: string; round: Round; party: Address; message: unknown }) =>
      direction === 'up' && round === 'sum' && party === liar ? ({ corrupt: () => forge(message as SumShareMessage, keys[2]!) } as const) : ('deliver' as const)
    const run = simulate({ parties: keys.map((k, i) => ({ identityKey: k, values: values[i]! })), coordinatorKey, threshold: 3, length: 3, bound: 100, network })
    expect(run.result?.cheaters).toEqual([liar])
    expect(run.result?.values).toEqual([21, 42, -63])
    expect(run.result?.sumShareHolders).not.toContain(liar)
    expect(run.result?.verified).toBe(true)
  })

  it('corrects two liars among ten sum-shares (t = 4) and names both', () => {
    const { coordinatorKey, keys, addresses } = identities(10, 150)
    const liars = new Set([addresses[1], addresses[6]])
    const run = simulate({
      parties: keys.map((k, i) => ({ identityKey: k, values: [i, -i] })),
      coordinatorKey,
      threshold: 4,
      length: 2,
      bound: 100,
      network: ({ direction, round, party, message }) =>
        direction === 'up' && round === 'sum' && liars.has(party) ? { corrupt: () => forge(message as SumShareMessage, keys[addresses.indexOf(party)]!) } : 'deliver',
    })
    expect(run.result?.cheaters).toEqual([addresses[1], addresses[6]])
    expect(run.result?.values).toEqual([45, -45])
    expect(run.result?.liarTolerance).toBe(10 - 4 - 2)
  })

  it('refuses to release a sum when too many sum-shares lie to correct safely', () => {
    const { coordinatorKey, keys, addresses } = identities(5, 200)
    const liars = new Set([addresses[0], addresses[3]])
    const run = simulate({
      parties: keys.map((k, i) => ({ identityKey: k, values: [i, 1] })),
      coordinatorKey,
      threshold: 3,
      length: 2,
      bound: 100,
      network: ({ direction, round, party, message }) =>
        direction === 'up' && round === 'sum' && liars.has(party) ? { corrupt: () => forge(message as SumShareMessage, keys[addresses.indexOf(party)]!) } : 'deliver',
    })
    expect(run.result).toBeNull()
    expect(run.failure?.code).toBe('MPC_INCONSISTENT_SHARES')
    expect(() => run.coordinator.result()).toThrow(MpcError)
  })

  it('survives duplicated and delayed messages; late ones are refused, not counted', () => {
    const { coordinatorKey, keys, addresses } = identities(5, 300)
    const late = addresses[4]!
    const run = simulate({
      parties: keys.map((k, i) => ({ identityKey: k, values: [i + 0.5] })),
      coordinatorKey,
      threshold: 3,
      length: 1,
      bound: 100,
      network: ({ direction, round, party }) => (direction === 'up' && round === 'share' && party === late ? { delayMs: 1500 } : direction === 'up' ? 'duplicate' : 'deliver'),
    })
    expect(run.result?.contributors).toEqual(addresses.slice(0, 4))
    expect(run.result?.values).toEqual([0.5 + 1.5 + 2.5 + 3.5])
    expect(run.refusals.map((r) => r.code)).toEqual(['MPC_LATE_MESSAGE'])
  })

  it('a party whose share to one recipient is corrupted in transit names the sender and the relay', () => {
    const { coordinatorKey, keys, addresses } = identities(4, 400)
    const run = simulate({
      parties: keys.map((k, i) => ({ identityKey: k, values: [i] })),
      coordinatorKey,
      threshold: 2,
      length: 1,
      bound: 100,
      network: ({ direction, round, party }) =>
        direction === 'down' && round === 'sum' && party === addresses[1]
          ? {
              corrupt: (m) => {
                const b = m as { shares: { ciphertext: string }[] }
                const c = Buffer.from(b.shares[0]!.ciphertext, 'base64')
                c[20]! ^= 1
                b.shares[0]!.ciphertext = c.toString('base64')
                return b
              },
            }
          : 'deliver',
    })
    const r = run.refusals.find((x) => x.envelope.party === addresses[1])
    expect(r?.code).toBe('MPC_BAD_SHARE')
    expect(r?.message).toContain(addresses[0])
    // the others still produce the right sum
    expect(run.result?.values).toEqual([0 + 1 + 2 + 3])
  })
})

/** A correctly signed sum-share with a wrong value (a lying party). */
function forge(m: SumShareMessage, key: `0x${string}`): SumShareMessage {
  const bytes = Buffer.from(m.share)
  bytes.writeUInt32LE((bytes.readUInt32LE(0) + 12345) % 2147483647, 0)
  return resign({ ...m, share: bytes }, key)
}

import { signDigest } from '../src/index.js'
import { sumShareDigest } from '../src/protocol/messages.js'
function resign(m: SumShareMessage, key: `0x${string}`): SumShareMessage {
  return { ...m, signature: signDigest(key, sumShareDigest(m)) }
}

describe('Coordinator', () => {
  it('refuses junk, foreign, replayed, unsigned, early and late messages with typed errors', () => {
    const a = setup(3, 2, 2, 500)
    const b = setup(3, 2, 2, 500) // same parties, another session (new nonce)
    const now = a.t0
    expectCode(() => a.coordinator.receive(null, now), 'MPC_MALFORMED_MESSAGE')
    expectCode(() => a.coordinator.receive({ type: 'join', sessionId: a.config.sessionId }, now), 'MPC_MALFORMED_MESSAGE')
    expectCode(() => a.coordinator.receive({ ...a.parties[0]!.join(), extra: 1 }, now), 'MPC_MALFORMED_MESSAGE')
    expectCode(() => a.coordinator.receive(b.parties[0]!.join(), now), 'MPC_WRONG_SESSION') // replay from another session
    const stranger = new Party({ config: createSession({ ...a.config, parties: [...a.config.parties.slice(0, 2), addressOf(testKey(777))], deadlines: a.config.deadlines, nonce: a.config.nonce }), identityKey: testKey(777) })
    expectCode(() => a.coordinator.receive({ ...stranger.join(), sessionId: a.config.sessionId }, now), 'MPC_UNKNOWN_PARTY')
    const j0 = a.parties[0]!.join()
    expectCode(() => a.coordinator.receive({ ...j0, encryptionKey: a.parties[1]!.join().encryptionKey }, now), 'MPC_BAD_SIGNATURE')
    expect(a.coordinator.receive(j0, now).outcome).toBe('accepted')
    expect(a.coordinator.receive(structuredClone(j0), now).outcome).toBe('duplicate')
    expectCode(() => a.coordinator.receive(a.parties[1]!.share(a.values[1]!, undefined as never), now), 'MPC_WRONG_ROUND')
    a.coordinator.receive(a.parties[1]!.join(), now)
    a.coordinator.receive(a.parties[2]!.join(), now)
    const roster = a.coordinator.roster()
    // a share upload with a re-signed, different recipient set is refused
    const up = a.parties[0]!.share(a.values[0]!, roster)
    expectCode(() => a.coordinator.receive({ ...up, shares: up.shares.slice(0, 1) }, now), 'MPC_BAD_SIGNATURE')
  })

  it('treats a replayed join as a duplicate and refuses joins after the round closed', () => {
    const a = setup(3, 2, 1, 600)
    const j = a.parties.map((p) => p.join())
    a.coordinator.receive(j[0], a.t0)
    a.coordinator.receive(j[1], a.t0)
    expect(a.coordinator.advance(a.config.deadlines.join + 1)).toBe('share')
    expect(a.coordinator.receive(j[0], a.t0).outcome).toBe('duplicate')
    expectCode(() => a.coordinator.receive(j[2], a.config.deadlines.join + 2), 'MPC_LATE_MESSAGE')
    expect(a.coordinator.roster().members.map((m) => m.from)).toEqual(a.addresses.slice(0, 2))
  })

  it('resumes from its JSON state at every step (a restart loses nothing) and never stores a plaintext share', () => {
    const a = setup(4, 3, 5, 700)
    let state = JSON.parse(JSON.stringify(a.coordinator.toJSON()))
    const step = (f: (c: Coordinator) => void): void => {
      const c = Coordinator.fromJSON(state, { identityKey: a.coordinatorKey })
      f(c)
      state = JSON.parse(JSON.stringify(c.toJSON()))
    }
    for (const p of a.parties) step((c) => c.receive(p.join(), a.t0))
    let roster!: ReturnType<Coordinator['roster']>
    step((c) => (roster = c.roster()))
    const uploads: SharesMessage[] = a.parties.map((p, i) => p.share(a.values[i]!, roster))
    for (const u of uploads) step((c) => c.receive(u, a.t0 + 1500))
    // the coordinator state holds ciphertexts only: no party's own share appears in it
    const text = JSON.stringify(state)
    for (const p of a.parties) expect(text.includes(p.toJSON().ownShare!)).toBe(false)
    for (const p of a.parties) step((c) => c.receive(p.sum(c.bundleFor(p.address)), a.t0 + 2500))
    const r = Coordinator.fromJSON(state, { identityKey: a.coordinatorKey }).result()
    expect(r.values).toEqual(Array.from({ length: 5 }, (_, k) => a.values.reduce((s, v) => s + v[k]!, 0)))
    expect(r.sum).toEqual(r.values.map((v) => String(v * 4)))
  })

  it('refuses a second, different upload from the same party (equivocation)', () => {
    const a = setup(3, 2, 1, 800)
    for (const p of a.parties) a.coordinator.receive(p.join(), a.t0)
    const roster = a.coordinator.roster()
    const state = a.parties[0]!.toJSON()
    const u1 = a.parties[0]!.share([1], roster)
    a.coordinator.receive(u1, a.t0)
    // the same party, restored from before it shared, shares again (fresh randomness)
    const again = Party.fromJSON({ ...state, encryption: state.encryption }, { identityKey: a.keys[0]! })
    const u2 = again.share([1], roster)
    expectCode(() => a.coordinator.receive(u2, a.t0), 'MPC_EQUIVOCATION')
  })
})

describe('Party', () => {
  it('refuses a roster or contributor set not signed by the coordinator, and a second U', () => {
    const a = setup(3, 2, 1, 900)
    for (const p of a.parties) a.coordinator.receive(p.join(), a.t0)
    const roster = a.coordinator.roster()
    expectCode(() => a.parties[0]!.share([1], { ...roster, signature: signDigest(testKey(5), new Uint8Array(32)) }), 'MPC_BAD_SIGNATURE')
    for (let i = 0; i < 3; i++) a.coordinator.receive(a.parties[i]!.share([i], roster), a.t0)
    const bundle = a.coordinator.bundleFor(a.addresses[0]!)
    const forgedU = { ...bundle, contributors: { ...bundle.contributors, contributors: bundle.contributors.contributors.slice(0, 2) } }
    expectCode(() => a.parties[0]!.sum(forgedU), 'MPC_BAD_SIGNATURE')
    a.parties[0]!.sum(bundle)
    expect(a.parties[0]!.sum(bundle)).toEqual(a.parties[0]!.sum(bundle))
  })

  it('refuses values beyond the bound and a session whose aggregate could overflow', () => {
    const a = setup(3, 2, 2, 1000)
    for (const p of a.parties) a.coordinator.receive(p.join(), a.t0)
    expect(() => a.parties[0]!.share([1, 1001], a.coordinator.roster())).toThrow(RangeError)
    expect(() => a.parties[0]!.share([1], a.coordinator.roster())).toThrow(RangeError)
    // n · bound · scale must stay below 2^61: 600 parties at the largest bound overflow, 500 do not
    const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`)
    const coordinator = addressOf(testKey(4242))
    expectCode(() => createSession({ coordinator, parties: many(600), length: 1, scale: 2 ** 32, bound: 2 ** 20, deadlines: deadlines(0) }), 'MPC_OVERFLOW')
    expect(createSession({ coordinator, parties: many(500), length: 1, scale: 2 ** 32, bound: 2 ** 20, deadlines: deadlines(0) }).threshold).toBe(251)
    // DP noise counts too: its clamp bound is added per party
    expectCode(() => createSession({ coordinator, parties: many(10), length: 1, scale: 2 ** 32, bound: 2 ** 20, dp: { epsilon: 1e-6, l1Sensitivity: 2 ** 20 }, deadlines: deadlines(0) }), 'MPC_OVERFLOW')
  })
})

import { jsonLength } from '../src/simulator/simulate.js'
describe('simulate byte accounting', () => {
  it('jsonLength equals JSON.stringify length on protocol messages', () => {
    const a = setup(3, 2, 300, 1200)
    const j = a.parties[0]!.join()
    for (const p of a.parties) a.coordinator.receive(p.join(), a.t0)
    const roster = a.coordinator.roster()
    const up = a.parties[0]!.share(a.values[0]!, roster)
    for (const m of [j, roster, up, { x: [1, 'a"b', null, true], y: undefined }]) expect(jsonLength(m)).toBe(JSON.stringify(toJsonForm(m)).length)
  })
})

import { packMessage, toJsonForm, unpackMessage } from '../src/index.js'
describe('packMessage', () => {
  it('round-trips every message kind (signatures still verify) and carries base64 payloads as raw bytes', () => {
    const a = setup(3, 2, 1000, 1300)
    for (const p of a.parties) a.coordinator.receive(unpackMessage(packMessage(p.join())), a.t0)
    const roster = unpackMessage(packMessage(a.coordinator.roster())) as ReturnType<Coordinator['roster']>
    expect(roster).toEqual(a.coordinator.roster())
    const ups = a.parties.map((p, i) => p.share(a.values[i]!, roster))
    for (const u of ups) {
      const packed = packMessage(u)
      expect(packed.length).toBeLessThan(JSON.stringify(toJsonForm(u)).length * 0.8)
      expect(a.coordinator.receive(unpackMessage(packed), a.t0).outcome).toBe('accepted')
    }
    const bundle = unpackMessage(packMessage(a.coordinator.bundleFor(a.addresses[0]!))) as ReturnType<Coordinator['bundleFor']>
    const sum = a.parties[0]!.sum(bundle)
    expect(unpackMessage(packMessage(sum))).toEqual(toJsonForm(sum)) // (the packed framing restores the JSON form)
    // strings that are not canonical base64 travel as text, so they come back identical
    for (const odd of ['A'.repeat(63) + 'B', 'QUJD'.repeat(20) + 'QR==', 'QUJD'.repeat(20) + '*UJD', 'x'.repeat(100)]) expect(unpackMessage(packMessage({ odd }))).toEqual({ odd })
    expect(() => unpackMessage(new Uint8Array(4))).toThrow(MpcError)
    expect(() => unpackMessage(packMessage({ a: 1 }).slice(0, 9))).toThrow(MpcError)
  })
})
