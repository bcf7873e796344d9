import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { FederatedError, RevealLedger, SecAggClient, SecAggServer, runSecAggRound, type SecAggConfig } from '../src/index.js'
import { generateX25519, shamirCombine, shamirSplit, sharableSecret, x25519PublicKey } from '../src/secagg/crypto.js'

const SCALE = 2 ** 20
const BOUND = 1000
const fixedSum = (inputs: number[][], who: number[]): number[] =>
  inputs[0]!.map((_, k) => who.reduce((s, i) => s + Math.round(inputs[i - 1]![k]! * SCALE), 0) / SCALE)

const vectors = (n: number, L: number) => fc.array(fc.array(fc.double({ min: -BOUND, max: BOUND, noNaN: true }), { minLength: L, maxLength: L }), { minLength: n, maxLength: n })

describe('secagg: Shamir over GF(2^521 − 1)', () => {
  it('any t shares recover the secret', () => {
    const secret = sharableSecret(Uint8Array.from({ length: 32 }, (_, k) => (k * 37 + 200) & 0xff))!
    expect(secret[31]! & 0x80).toBe(0)
    const shares = shamirSplit(secret, [1, 2, 3, 4, 5], 3)
    expect(shamirCombine([{ x: 2, share: shares[1]! }, { x: 5, share: shares[4]! }, { x: 3, share: shares[2]! }])).toEqual(secret)
  })

  it('clearing bit 255 of an X25519 secret key keeps the same public key', () => {
    for (let i = 0; i < 8; i++) {
      const k = generateX25519()
      const s = sharableSecret(k.secretKey)!
      expect(x25519PublicKey(s)).toEqual(k.publicKey)
    }
  })

  it('refuses secrets outside the field', () => {
    expect(() => shamirSplit(new Uint8Array(32).fill(0xff), [1, 2], 2)).toThrow(RangeError)
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
          for (const i of afterShare) expect(r.revealed.get(i)).toBe('sk')
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

  it('tampered or misaddressed share ciphertexts are refused', () => {
    const inputs = [[1], [2], [3]]
    const flip = (m: Parameters<NonNullable<Parameters<typeof runSecAggRound>[0]['tamperShares']>>[0]) => {
      if (m.from !== 2) return m
      const c = new Map(m.ciphertexts)
      const ct = new Uint8Array(c.get(1)!)
      ct[20]! ^= 1
      c.set(1, ct)
      return { ...m, ciphertexts: c }
    }
    expect(() => runSecAggRound({ session: 's', round: 5, threshold: 2, scale: SCALE, bound: BOUND, inputs, tamperShares: flip })).toThrow(/failed authentication/)
    const swap = (m: Parameters<typeof flip>[0]) => {
      if (m.from !== 2) return m
      const c = new Map(m.ciphertexts)
      c.set(1, m.ciphertexts.get(3)!)
      return { ...m, ciphertexts: c }
    }
    expect(() => runSecAggRound({ session: 's', round: 5, threshold: 2, scale: SCALE, bound: BOUND, inputs, tamperShares: swap })).toThrow(/failed authentication/)
  })

  it('the server never receives both key shares and self-mask shares of one party; clients refuse to reveal both', () => {
    const ledger = new RevealLedger()
    ledger.record(1, 'b')
    expect(() => ledger.record(1, 'sk')).toThrow(FederatedError)
    // a malicious server first claims party 3 dropped, then claims it survived
    const config: SecAggConfig = { session: 's', round: 6, n: 3, threshold: 2, length: 1, scale: SCALE, bound: BOUND }
    const server = new SecAggServer(config)
    const clients = [1, 2, 3].map((i) => new SecAggClient(config, i))
    const roster = server.collectKeys(clients.map((c) => c.advertise()))
    const { u1, inboxes } = server.collectShares(clients.map((c) => c.shareKeys(roster)))
    clients.forEach((c) => c.maskedInput([c.index], inboxes.get(c.index)!, u1))
    const first = clients[0]!.unmask([1, 2])
    expect(first.shares.find((s) => s.of === 3)!.kind).toBe('sk')
    expect(() => clients[0]!.unmask([1, 2, 3])).toThrow(/both the mask key and the self-mask seed/)
  })

  it('bad parameters are RangeErrors naming the argument', () => {
    expect(() => runSecAggRound({ session: 's', round: 1, threshold: 5, scale: SCALE, bound: BOUND, inputs: [[1], [2]] })).toThrow(/"threshold"/)
    expect(() => runSecAggRound({ session: 's', round: 1, threshold: 2, scale: 2 ** 50, bound: BOUND, inputs: [[1], [2]] })).toThrow(/"scale"/)
    expect(() => runSecAggRound({ session: 's', round: 1, threshold: 2, scale: SCALE, bound: 1, inputs: [[1], [2]] })).toThrow(/"values\[0\]"/)
  })
})
