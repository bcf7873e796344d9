/**
 * Issue 12, item 4: Paillier bounds are public metadata, so they must never be trusted from
 * outside; packed and plain ciphertexts are different types; a prime modulus is refused; error
 * messages never embed whole moduli.
 */
import { checkPrimeSync, generatePrimeSync } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isKrainError } from '@krain/core'
import {
  PaillierCiphertext,
  PaillierPackedCiphertext,
  PaillierPublicKey,
  add,
  createFixedPointEncoder,
  createPacker,
  decryptInteger,
  deserializeCiphertext,
  deserializePackedCiphertext,
  deserializePublicKey,
  encrypt,
  encryptInteger,
  mulPlain,
  serializeCiphertext,
  serializePackedCiphertext,
  sum,
} from '../src/index.js'
import { bigintToBase64Url } from '../src/paillier/bytes.js'
import { testKeys } from './fixtures/paillier-keys.js'

const unsafe = { unsafeAllowSmallKeyForTests: true }
const { publicKey, privateKey } = testKeys('k512')
const big = testKeys('k2048')

/** The JSON of `json` with its bound field replaced (what a forger does). */
const forge = (json: string, field: 'bound' | 'slotBound', value: bigint): Record<string, unknown> => ({ ...JSON.parse(json), [field]: bigintToBase64Url(value) })

describe('packed and plain Paillier ciphertexts are different types', () => {
  const packer = createPacker({ publicKey, valueBits: 32, additions: 3 })
  it('refuses a packed ciphertext in the generic add / sum / mulPlain (the issue-12 wrap)', () => {
    const p = packer.encrypt([2 ** 31 - 1, -(2 ** 31), 7])
    expect(() => sum([p, p, p, p, p] as never)).toThrow(TypeError)
    expect(() => add(p as never, p as never)).toThrow(/packer/)
    expect(() => mulPlain(p as never, 3n)).toThrow(TypeError)
  })
  it('refuses a hand-made packed object or a re-wrapped one with a declared bound', () => {
    const p = packer.encrypt([1, 2, 3])
    const rewrapped = { value: p.value, publicKey, count: 3, slotBits: p.slotBits, slotBound: 1n }
    expect(() => packer.add(rewrapped as never, p)).toThrow(TypeError)
    expect(() => packer.decrypt(privateKey, { ...p } as never)).toThrow(TypeError)
    expect(() => new (PaillierPackedCiphertext as unknown as new (...a: unknown[]) => unknown)(Symbol('packed'), publicKey, p.value, 3, p.slotBits, 1n)).toThrow(TypeError)
    expect(Object.isFrozen(p)).toBe(true)
  })
  it('refuses to mix a raw (mod n) ciphertext into a bounded sum', () => {
    expect(() => add(encryptInteger(publicKey, 5n, { maxAbs: 10n }), encrypt(publicKey, 5n))).toThrow(expect.objectContaining({ code: 'HE_SCALE_MISMATCH' }))
    expect(() => sum([encrypt(publicKey, 1n), encryptInteger(publicKey, 1n, { maxAbs: 1n })])).toThrow(expect.objectContaining({ code: 'HE_SCALE_MISMATCH' }))
  })
  it('a packed sum past its headroom is a typed error, never garbage, even from JSON with a forged slot bound', () => {
    const extreme = fc.array(fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 0, 1, -1), { minLength: 1, maxLength: packer.slots })
    fc.assert(
      fc.property(fc.array(extreme, { minLength: 1, maxLength: 9 }), fc.bigInt({ min: 0n, max: 2n ** 20n }), (rows, forged) => {
        // every upload arrives as JSON declaring a tiny slot bound
        const uploads = rows.map((r) => packer.deserialize(forge(serializePackedCiphertext(packer.encrypt(r)), 'slotBound', forged)))
        const width = Math.max(...rows.map((r) => r.length))
        const expected = Array.from({ length: width }, (_, i) => rows.reduce((a, r) => a + BigInt(r[i] ?? 0), 0n))
        try {
          expect(packer.decrypt(privateKey, packer.sum(uploads))).toEqual(expected)
          expect(rows.length).toBeLessThanOrEqual(packer.additions + 1)
        } catch (e) {
          expect(e).toMatchObject({ code: 'HE_PACKING_OVERFLOW' })
        }
      }),
      { numRuns: 25 },
    )
  })
  it('a packed ciphertext loaded without its packer gets the worst-case slot bound', () => {
    const loaded = deserializePackedCiphertext(forge(serializePackedCiphertext(packer.encrypt([1, -1])), 'slotBound', 0n), publicKey)
    expect(loaded.slotBound).toBe((1n << BigInt(packer.slotBits - 1)) - 1n)
    expect(packer.decryptNumbers(privateKey, loaded)).toEqual([1, -1])
    expect(() => packer.add(loaded, packer.encrypt([1]))).toThrow(expect.objectContaining({ code: 'HE_PACKING_OVERFLOW' }))
    expect(() => packer.deserialize(serializePackedCiphertext(packer.encrypt([1])), { slotBound: packer.slotLimit + 1n })).toThrow(RangeError)
  })
})

describe('bounds that arrive from outside are not trusted', () => {
  it('refuses the issue-12 wrap: two ciphertexts of (n − 1)/2 declared |m| ≤ 1', () => {
    const half = encryptInteger(publicKey, publicKey.maxSigned, { maxAbs: publicKey.maxSigned })
    const forged = deserializeCiphertext(forge(serializeCiphertext(half), 'bound', 1n), publicKey)
    expect(forged.bound).toBe(publicKey.maxSigned)
    expect(() => add(forged, forged)).toThrow(expect.objectContaining({ code: 'HE_OVERFLOW' }))
  })
  it('for any values and any forged bound, the generic loader gives an exact sum or a typed error, never a wrapped value', () => {
    // near (n − 1)/2 the true sum wraps to a small value: what a forged small bound would hide
    const nearMax = fc.bigInt({ min: 0n, max: 1000n }).map((x) => publicKey.maxSigned - x)
    const signed = fc.oneof(fc.bigInt({ min: -publicKey.maxSigned, max: publicKey.maxSigned }), nearMax, nearMax.map((x) => -x))
    const forged = fc.oneof(fc.bigInt({ min: 0n, max: 1n << 20n }), fc.bigInt({ min: 0n, max: publicKey.maxSigned }))
    fc.assert(
      fc.property(signed, signed, forged, (a, b, forgedBound) => {
        const load = (v: bigint): PaillierCiphertext =>
          deserializeCiphertext(forge(serializeCiphertext(encryptInteger(publicKey, v, { maxAbs: publicKey.maxSigned })), 'bound', forgedBound), publicKey)
        try {
          expect(decryptInteger(privateKey, add(load(a), load(b)))).toBe(a + b)
        } catch (e) {
          expect(e).toMatchObject({ code: 'HE_OVERFLOW' })
        }
      }),
      { numRuns: 40 },
    )
  })
  it('with the receiver\'s own bound (an encoder), a forged wire bound changes nothing: honest inputs sum exactly', () => {
    // (the receiver's bound is an assumption about honest encryptors: a dishonest one can still
    // encrypt any element of Z_n, which only a range proof would exclude; see serialize.ts)
    const enc = createFixedPointEncoder({ publicKey, precisionBits: 16, maxAbs: 1e9 })
    const x = fc.double({ min: -1e9, max: 1e9, noNaN: true })
    fc.assert(
      fc.property(fc.array(x, { minLength: 1, maxLength: 8 }), fc.bigInt({ min: 0n, max: 1n << 20n }), (xs, forgedBound) => {
        const loaded = xs.map((v) => enc.deserialize(forge(serializeCiphertext(enc.encrypt(v)), 'bound', forgedBound), { bound: enc.maxEncoded }))
        const exact = xs.reduce((acc, v) => acc + enc.encode(v), 0n)
        expect(decryptInteger(privateKey, sum(loaded))).toBe(exact)
      }),
      { numRuns: 20 },
    )
  })
  it('an encoder loads with its own bound, and a value outside it is a typed error at decryption', () => {
    const enc = createFixedPointEncoder({ publicKey, precisionBits: 8, maxAbs: 100 })
    const outside = createFixedPointEncoder({ publicKey, precisionBits: 8, maxAbs: 1e6 }).encrypt(5e5)
    const loaded = enc.deserialize(forge(serializeCiphertext(outside), 'bound', 1n))
    expect(loaded.bound).toBe(enc.maxEncoded)
    expect(() => enc.decrypt(privateKey, loaded)).toThrow(expect.objectContaining({ code: 'HE_OVERFLOW' }))
    expect(() => deserializeCiphertext(serializeCiphertext(outside), publicKey, { fractionBits: 9 })).toThrow(expect.objectContaining({ code: 'HE_SCALE_MISMATCH' }))
  })
})

describe('a modulus that is not a product of two large distinct primes is refused', () => {
  it('refuses a 2048-bit prime n (OpenSSL says it is prime)', () => {
    const p = generatePrimeSync(2048, { bigint: true })
    expect(checkPrimeSync(p)).toBe(true)
    expect(() => new PaillierPublicKey(p)).toThrow(expect.objectContaining({ code: 'HE_INVALID_KEY' }))
    expect(() => deserializePublicKey({ format: 'krain/paillier-public-key', version: 1, n: bigintToBase64Url(p) })).toThrow(/prime/)
  })
  it('accepts products of two primes and refuses primes, squares and (at real sizes) small factors', () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 200 }), fc.integer({ min: 40, max: 200 }), (b1, b2) => {
        const p = generatePrimeSync(b1, { bigint: true })
        const q = generatePrimeSync(b2, { bigint: true })
        if (p !== q) expect(new PaillierPublicKey(p * q, unsafe).n).toBe(p * q)
        expect(() => new PaillierPublicKey(p, unsafe)).toThrow(expect.objectContaining({ code: 'HE_INVALID_KEY' }))
        expect(() => new PaillierPublicKey(p * p, unsafe)).toThrow(expect.objectContaining({ code: 'HE_INVALID_KEY' }))
      }),
      { numRuns: 20 },
    )
    expect(() => new PaillierPublicKey(3n * big.privateKey.p * big.privateKey.q)).toThrow(/small factor 3/)
  })
})

describe('error messages never embed whole moduli or untrusted strings', () => {
  const longest = (f: () => unknown): number => {
    try {
      f()
    } catch (e) {
      expect(isKrainError(e) || e instanceof TypeError || e instanceof RangeError).toBe(true)
      const k = e as { message: string; details?: string }
      return k.message.length + (k.details?.length ?? 0)
    }
    throw new Error('expected a refusal')
  }
  const pk = big.publicKey
  const json = JSON.parse(serializeCiphertext(encrypt(pk, 1n))) as Record<string, unknown>
  it.each([
    ['m = n', () => encrypt(pk, pk.n)],
    ['m = −n', () => encrypt(pk, -pk.n)],
    ['a modulus passed as the key', () => encrypt(pk.n as never, 1n)],
    ['a ciphertext ≥ n²', () => new PaillierCiphertext(pk, pk.nSquared + 1n)],
    ['a bound > (n − 1)/2', () => new PaillierCiphertext(pk, 1n, { bound: pk.n })],
    ['an overflowing product', () => mulPlain(encryptInteger(pk, 1n, { maxAbs: pk.maxSigned }), pk.n)],
    ['a huge packed value', () => createPacker({ publicKey: pk, valueBits: 1000 }).encrypt([pk.n])],
    ['a prime modulus', () => new PaillierPublicKey(generatePrimeSync(2048, { bigint: true }))],
    ['another key fingerprint of 1 MB', () => deserializeCiphertext({ ...json, key: 'k'.repeat(1 << 20) }, pk)],
    ['a format of 1 MB', () => deserializeCiphertext({ ...json, format: 'f'.repeat(1 << 20) }, pk)],
    ['a version of 1 MB', () => deserializeCiphertext({ ...json, version: 'v'.repeat(1 << 20) }, pk)],
    ['declared bits of 1 MB', () => deserializePublicKey({ format: 'krain/paillier-public-key', version: 1, bits: 'b'.repeat(1 << 20), n: bigintToBase64Url(pk.n) })],
  ])('keeps the message short for %s', (_, f) => {
    expect(longest(f)).toBeLessThanOrEqual(300)
  })
  it('keeps it short for any out-of-range plaintext or randomness', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: pk.n, max: pk.n << 4096n }), fc.boolean(), (m, neg) => {
        expect(longest(() => encrypt(pk, neg ? -m : m))).toBeLessThanOrEqual(300)
        expect(longest(() => encrypt(pk, 1n, { method: 'standard', randomness: m }))).toBeLessThanOrEqual(300)
      }),
      { numRuns: 50 },
    )
  })
})
