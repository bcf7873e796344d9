import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { FederatedError, RevealLedger, SecAggClient, SecAggServer, SecAggSession, runSecAggRound, type SecAggConfig } from '../src/index.js'
import { addressOf } from '@krain/mpc'
import { shamirCombine, shamirSplit } from '../src/secagg/crypto.js'

const SCALE = 2 ** 20
const BOUND = 1000
const fixedSum = (inputs: number[][], who: number[]): number[] =>
  inputs[0]!.map((_, k) => who.reduce((s, i) => s + Math.round(inputs[i - 1]![k]! * SCALE), 0) / SCALE)

const vectors = (n: number, L: number) => fc.array(fc.array(fc.double({ min: -BOUND, max: BOUND, noNaN: true }), { minLength: L, maxLength: L }), { minLength: n, maxLength: n })

describe('secagg: Shamir over GF(2^8), byte-wise', () => {
  it('any t shares recover the secret; t − 1 do not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 2, max: 6 }), (secret, t) => {
        const points = [1, 2, 3, 4, 5, 6, 7]
        const shares = shamirSplit(secret, points, t).map((share, k) => ({ x: points[k]!, share }))
        expect(shamirCombine(fc.sample(fc.shuffledSubarray(shares, { minLength: t, maxLength: t }), 1)[0]!)).toEqual(secret)
        expect(shamirCombine(shares.slice(0, t - 1))).not.toEqual(secret)
      }),
      { numRuns: 40 },
    )
  })

  it('matches a hand-checked vector: f(x) = 0x53 + 0xCA·x over GF(2^8) gives f(1) = 0x99, f(2) = 0xDE', () => {
    // 0x53 · 0xCA = 0x01 in the AES field (FIPS-197 §4.2 inverse pair), so 0xCA·2 = 0x8F (xtime)
    const shares = [{ x: 1, share: new Uint8Array(32).fill(0x53 ^ 0xca) }, { x: 2, share: new Uint8Array(32).fill(0x53 ^ 0x8f) }]
    expect(shamirCombine(shares)).toEqual(new Uint8Array(32).fill(0x53))
  })

  it('refuses secrets of the wrong size and points outside 1..255', () => {
    expect(() => shamirSplit(new Uint8Array(31), [1, 2], 2)).toThrow(RangeError)
    expect(() => shamirSplit(new Uint8Array(32), [0, 2], 2)).toThrow(RangeError)
  })
})

describe('secagg: exact sums', () => {
  it('equals the plaintext fixed-point sum for random n, t, vectors (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 2, max: n }), fc.integer({ min: 1, max: 5 }).chain((L) => vectors(n, L)))),
        ([n, t, inputs]) => {
          const r = runSecAggRound({ session: 's', round: 1, threshold: t, scale: SCALE, bound: BOUND, inputs })
          expect(r.contributors).toEqual(Array.from({ length: n }, (_, k) => k + 1))
          expect(Array.from(r.sum)).toEqual(fixedSum(inputs, r.contributors))
          // no dropouts: only self-mask seeds revealed
          for (const k of r.revealed.values()) expect(k).toBe('b')
        },
      ),
      { numRuns: 15 },
    )
  })

  it('recovers up to n − t dropouts after masking and after sharing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 6 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.integer({ min: 2, max: n - 1 }), vectors(n, 3), fc.shuffledSubarray(Array.from({ length: n }, (_, k) => k + 1))),
        ),
        ([n, t, inputs, order]) => {
          const dropped = order.slice(0, n - t)
          const afterShare = dropped.filter((_, k) => k % 2 === 0)
          const r = runSecAggRound({ session: 's', round: 2, threshold: t, scale: SCALE, bound: BOUND, inputs, dropAfterShare: afterShare })
          const survivors = Array.from({ length: n }, (_, k) => k + 1).filter((i) => !afterShare.includes(i))
          expect(r.contributors).toEqual(survivors)
          expect(Array.from(r.sum)).toEqual(fixedSum(inputs, survivors))
          for (const i of afterShare) expect(r.revealed.get(i)).toBe('e')
          for (const i of survivors) expect(r.revealed.get(i)).toBe('b')
        },
      ),
      { numRuns: 12 },
    )
  })

  it('a survivor that does not answer the unmasking still counts if ≥ t answer', () => {
    const inputs = [[1.5, -2], [3, 4], [0.25, 8], [-1, -1]]
    const r = runSecAggRound({ session: 's', round: 3, threshold: 2, scale: SCALE, bound: BOUND, inputs, dropAfterShare: [4], dropAfterMask: [1] })
    expect(r.contributors).toEqual([1, 2, 3])
    expect(Array.from(r.sum)).toEqual([4.75, 10])
  })
})

describe('secagg: refusals', () => {
  it('too many dropouts → FED_TOO_FEW_HOSPITALS, never a wrong sum', () => {
    const inputs = [[1], [2], [3], [4], [5]]
    for (const opts of [{ dropAfterShare: [1, 2, 3] }, { dropBeforeShare: [1, 2, 3] }, { dropAfterShare: [1], dropAfterMask: [2, 3, 4] }]) {
      let err: unknown
      try {
        runSecAggRound({ session: 's', round: 4, threshold: 3, scale: SCALE, bound: BOUND, inputs, ...opts })
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(FederatedError)
      expect((err as FederatedError).code).toBe('FED_TOO_FEW_HOSPITALS')
    }
  })

  it('tampered or misaddressed share ciphertexts are refused (the ShareSeeds signature covers them)', () => {
    const inputs = [[1], [2], [3]]
    const flip = (m: Parameters<NonNullable<Parameters<typeof runSecAggRound>[0]['tamperShares']>>[0]) => {
      if (m.from !== 2) return m
      const c = new Map(m.ciphertexts)
      const ct = new Uint8Array(c.get(1)!)
      ct[20]! ^= 1
      c.set(1, ct)
      return { ...m, ciphertexts: c }
    }
    expect(() => runSecAggRound({ session: 's', round: 5, threshold: 2, scale: SCALE, bound: BOUND, inputs, tamperShares: flip })).toThrow(/not signed by its advertised key/)
    const swap = (m: Parameters<typeof flip>[0]) => {
      if (m.from !== 2) return m
      const c = new Map(m.ciphertexts)
      c.set(1, m.ciphertexts.get(3)!)
      return { ...m, ciphertexts: c }
    }
    expect(() => runSecAggRound({ session: 's', round: 5, threshold: 2, scale: SCALE, bound: BOUND, inputs, tamperShares: swap })).toThrow(/not signed by its advertised key/)
  })

  it('the server never receives both recovery-seed and self-mask shares of one party; clients refuse to reveal both', () => {
    const ledger = new RevealLedger()
    ledger.record(1, 'b')
    expect(() => ledger.record(1, 'e')).toThrow(FederatedError)
    // a malicious server first claims party 3 dropped, then claims it survived
    const config: SecAggConfig = { session: 's', n: 3, threshold: 2, length: 1, scale: SCALE, bound: BOUND }
    const server = new SecAggServer(config)
    const clients = [1, 2, 3].map((i) => new SecAggClient(config, i))
    const roster = server.collectKeys(clients.map((c) => c.advertise()))
    clients.forEach((c) => c.setRoster(roster))
    server.beginRound(6)
    const { u1, inboxes } = server.collectShares(clients.map((c) => c.shareSeeds(6)))
    clients.forEach((c) => c.maskedInput(6, [c.index], inboxes.get(c.index)!, u1))
    const first = clients[0]!.unmask(6, [1, 2])
    expect(first.shares.find((s) => s.of === 3)!.kind).toBe('e')
    expect(() => clients[0]!.unmask(6, [1, 2, 3])).toThrow(/both the recovery seed and the self-mask seed/)
  })

  it('bad parameters are RangeErrors naming the argument', () => {
    expect(() => runSecAggRound({ session: 's', round: 1, threshold: 5, scale: SCALE, bound: BOUND, inputs: [[1], [2]] })).toThrow(/"threshold"/)
    expect(() => runSecAggRound({ session: 's', round: 1, threshold: 2, scale: 2 ** 50, bound: BOUND, inputs: [[1], [2]] })).toThrow(/"scale"/)
    expect(() => runSecAggRound({ session: 's', round: 1, threshold: 2, scale: SCALE, bound: 1, inputs: [[1], [2]] })).toThrow(/"values\[0\]"/)
  })
})

describe('secagg: a multi-round session (long-term keys agreed once)', () => {
  const sessionOf = (n: number, t: number, L: number) => new SecAggSession({ session: 'multi', n, threshold: t, length: L, scale: SCALE, bound: BOUND })

  it('sums exactly over many rounds with a party dropping in one round and rejoining the next', () => {
    const s = sessionOf(4, 3, 2)
    const inputs = [[1, 2], [3, 4], [5, 6], [7, -8]]
    expect(Array.from(s.runRound(1, inputs).sum)).toEqual([16, 4])
    const r2 = s.runRound(2, inputs, { dropAfterShare: [2] })
    expect(r2.contributors).toEqual([1, 3, 4])
    expect(Array.from(r2.sum)).toEqual([13, 0])
    expect(r2.revealed.get(2)).toBe('e')
    // party 2's recovery seed of round 2 is spent; it rejoins in round 3 with the same long-term keys
    const r3 = s.runRound(3, inputs, { dropBeforeShare: [4] })
    expect(r3.contributors).toEqual([1, 2, 3])
    expect(Array.from(r3.sum)).toEqual([9, 12])
    expect(r3.revealed.get(2)).toBe('b')
  })

  it('refuses a replayed message of an earlier round with FED_REPLAYED_MESSAGE', () => {
    const s = sessionOf(3, 2, 1)
    const config = s.config
    s.server.beginRound(1)
    const old = s.clients[0]!.shareSeeds(1)
    s.server.receiveShares(old)
    s.server.beginRound(2)
    let err: unknown
    try {
      s.server.receiveShares(old)
    } catch (e) {
      err = e
    }
    expect((err as FederatedError).code).toBe('FED_REPLAYED_MESSAGE')
    // the same message relabelled as round 2 no longer verifies
    expect(() => s.server.receiveShares({ ...old, round: 2 })).toThrow(expect.objectContaining({ code: 'FED_BAD_SIGNATURE' }))
    // and a second copy within a round is a replay too
    const fresh = s.clients[1]!.shareSeeds(2)
    s.server.receiveShares(fresh)
    expect(() => s.server.receiveShares(fresh)).toThrow(expect.objectContaining({ code: 'FED_REPLAYED_MESSAGE' }))
    expect(config.n).toBe(3)
  })

  it('refuses a masked input whose vector was changed in transit (FED_BAD_SIGNATURE)', () => {
    const s = sessionOf(3, 2, 2)
    s.server.beginRound(1)
    const { u1, inboxes } = s.server.collectShares(s.clients.map((c) => c.shareSeeds(1)))
    const m = s.clients[0]!.maskedInput(1, [1, 1], inboxes.get(1)!, u1)
    const y = Uint32Array.from(m.y)
    y[0]! ^= 1
    expect(() => s.server.receiveMasked({ ...m, y })).toThrow(expect.objectContaining({ code: 'FED_BAD_SIGNATURE' }))
  })

  it('binds advertisements to the parties\' identity keys when the session names addresses', () => {
    const keys = [1, 2, 3].map((i) => `0x${i.toString(16).padStart(64, '0')}` as const)
    const parties = keys.map(addressOf)
    const s = new SecAggSession({ session: 'id', n: 3, threshold: 2, length: 1, scale: SCALE, bound: BOUND, parties, identityKeys: keys })
    expect(Array.from(s.runRound(1, [[1], [2], [3]]).sum)).toEqual([6])
    const impostor = new SecAggClient({ ...s.config, parties: [parties[1]!, parties[0]!, parties[2]!] }, 1, { identityKey: keys[1]! })
    const server = new SecAggServer(s.config)
    expect(() => server.receiveAdvertisement(impostor.advertise())).toThrow(expect.objectContaining({ code: 'FED_BAD_SIGNATURE' }))
  })
})
