import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FFDHE_GROUPS,
  HeDiscreteLogError,
  HeKeyMismatchError,
  HeSerializationError,
  ecElGamalAdd,
  ecElGamalDecrypt,
  ecElGamalEncrypt,
  ecElGamalScale,
  elgamalDecrypt,
  elgamalEncrypt,
  elgamalMultiply,
  elgamalRerandomize,
  generateEcElGamalKeys,
  generateElGamalKeys,
} from '../src/index.js'
import { modPow } from '../src/bigint/bigint-math.js'

/** ⌊2^k · e⌋ from the series Σ 1/n! in exact integer arithmetic (guard bits absorb truncation). */
function floorTwoPowTimesE(k: number): bigint {
  const guard = 64n
  const one = 1n << (BigInt(k) + guard)
  let term = one
  let sum = 0n
  for (let n = 1n; term > 0n; n++) {
    sum += term
    term /= n
  }
  return sum >> guard
}

describe('RFC 7919 groups', () => {
  it('match the RFC formula p = 2^b − 2^(b−64) + (⌊2^(b−130)·e⌋ + X)·2^64 − 1', () => {
    const X = { ffdhe2048: 560316n, ffdhe3072: 2625351n, ffdhe4096: 5736041n }
    for (const [name, x] of Object.entries(X)) {
      const G = FFDHE_GROUPS[name as keyof typeof X]
      const b = BigInt(G.bits)
      const p = (1n << b) - (1n << (b - 64n)) + (floorTwoPowTimesE(Number(b - 130n)) + x) * (1n << 64n) - 1n
      expect(G.p).toBe(p)
      expect(G.p % 4n).toBe(3n)
      expect(modPow(G.g, G.q, G.p)).toBe(1n) // g generates the order-q subgroup
    }
  })
})

describe('multiplicative ElGamal (ffdhe2048)', () => {
  const sk = generateElGamalKeys()
  it('decrypts what it encrypted, for residues and non-residues', () => {
    for (const m of [1n, 2n, 3n, 5n, 12345678901234567890n, FFDHE_GROUPS.ffdhe2048.q]) expect(elgamalDecrypt(sk, elgamalEncrypt(sk.publicKey, m))).toBe(m)
  })
  it('is homomorphic for multiplication: Dec(Enc(a) ⊗ Enc(b)) = a·b', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 500n }), fc.bigInt({ min: 1n, max: 1n << 500n }), (a, b) => {
        expect(elgamalDecrypt(sk, elgamalMultiply(elgamalEncrypt(sk.publicKey, a), elgamalEncrypt(sk.publicKey, b)))).toBe(a * b)
      }),
      { numRuns: 4 },
    )
  })
  it('is randomised (IND-CPA) and re-randomisable', () => {
    const a = elgamalEncrypt(sk.publicKey, 7n)
    const b = elgamalEncrypt(sk.publicKey, 7n)
    expect(a.c1).not.toBe(b.c1)
    const r = elgamalRerandomize(sk.publicKey, a)
    expect(r.c1).not.toBe(a.c1)
    expect(elgamalDecrypt(sk, r)).toBe(7n)
  })
  it('rejects junk', () => {
    expect(() => elgamalEncrypt(sk.publicKey, 0n)).toThrow(RangeError)
    expect(() => elgamalEncrypt(sk.publicKey, 5 as unknown as bigint)).toThrow(TypeError)
    expect(() => elgamalDecrypt(sk, { group: 'ffdhe2048', c1: 0n, c2: 1n })).toThrow(HeSerializationError)
    // a non-residue component (p − 4 = −4 is a non-residue since −1 is) is refused
    expect(() => elgamalDecrypt(sk, { group: 'ffdhe2048', c1: FFDHE_GROUPS.ffdhe2048.p - 4n, c2: 4n })).toThrow(HeSerializationError)
    expect(() => elgamalDecrypt(sk, { group: 'ffdhe3072', c1: 4n, c2: 4n })).toThrow(HeKeyMismatchError)
    expect(() => generateElGamalKeys({ group: 'modp14' as never })).toThrow(TypeError)
  })
})

describe('exponential EC-ElGamal on ristretto255', () => {
  const { secretKey, publicKey } = generateEcElGamalKeys()
  it('tallies votes homomorphically', () => {
    const votes = [1, 0, 1, 1, 0, 1, 1, 0, 0, 1]
    const tally = ecElGamalAdd(...votes.map((v) => ecElGamalEncrypt(publicKey, v)))
    expect(tally.length).toBe(64)
    expect(ecElGamalDecrypt(secretKey, tally)).toBe(6)
  })
  it('adds and scales: Dec(k·Enc(a) ⊕ Enc(b)) = k·a + b', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 100 }), (a, b, k) => {
        expect(ecElGamalDecrypt(secretKey, ecElGamalAdd(ecElGamalScale(ecElGamalEncrypt(publicKey, a), k), ecElGamalEncrypt(publicKey, b)))).toBe(k * a + b)
      }),
      { numRuns: 10 },
    )
  })
  it('decrypts up to maxValue and refuses beyond it', () => {
    expect(ecElGamalDecrypt(secretKey, ecElGamalEncrypt(publicKey, 2 ** 20))).toBe(2 ** 20)
    expect(() => ecElGamalDecrypt(secretKey, ecElGamalEncrypt(publicKey, 70_000), { maxValue: 65_535 })).toThrow(HeDiscreteLogError)
    const other = generateEcElGamalKeys()
    expect(() => ecElGamalDecrypt(other.secretKey, ecElGamalEncrypt(publicKey, 3), { maxValue: 1000 })).toThrow(HeDiscreteLogError)
  })
  it('rejects junk ciphertexts and keys', () => {
    expect(() => ecElGamalDecrypt(secretKey, new Uint8Array(63))).toThrow(RangeError)
    expect(() => ecElGamalDecrypt(secretKey, new Uint8Array(64).fill(0xff))).toThrow(HeSerializationError)
    expect(() => ecElGamalEncrypt(new Uint8Array(32).fill(0xff), 1)).toThrow(HeSerializationError)
    expect(() => ecElGamalEncrypt(publicKey, -1)).toThrow(RangeError)
    expect(() => ecElGamalEncrypt(publicKey, 1.5)).toThrow(TypeError)
    expect(() => ecElGamalAdd()).toThrow(RangeError)
  })
})
